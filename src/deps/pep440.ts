import { compare, explain } from '@renovatebot/pep440';

/**
 * PEP 440 versions (https://peps.python.org/pep-0440/) through @renovatebot/pep440, of which only `explain`
 * (parse) and `compare` are used: they matched Python's `packaging` on 235k comparisons, while its
 * `satisfies` is wrong when a bound is a pre-release (see FIELD-NOTES). OSV ranges are walked by
 * `osv/match.ts` with these two, never turned into specifiers.
 */

/** A version string PEP 440 accepts, with the parts matching needs. */
export interface Pep440Version {
  /** The string as given. */
  readonly raw: string;
  /** The version without its local label (`2.7.0+cu128` → `2.7.0`), normalised (`1.0RC1` → `1.0rc1`). */
  readonly public: string;
  /** The local label (`cu128`), if any. */
  readonly local: string | undefined;
  readonly isPrerelease: boolean;
}

/** Versions longer than this are refused: PEP 440 versions are short, a huge one is garbage or an attack. */
export const MAX_VERSION_LENGTH = 256;

/** Parses a PEP 440 version; `undefined` for anything invalid (the PyPA data holds 75 invalid strings). */
export function parseVersion(raw: string): Pep440Version | undefined {
  if (raw.length === 0 || raw.length > MAX_VERSION_LENGTH) return undefined;
  let parts: ReturnType<typeof explain>;
  try {
    parts = explain(raw);
  } catch {
    return undefined;
  }
  if (parts === null) return undefined;
  return {
    raw,
    public: parts.public,
    local: parts.local ?? undefined,
    isPrerelease: parts.is_prerelease,
  };
}

/**
 * Orders two versions by PEP 440, local labels ignored. The stated rule for local labels (`torch
 * 2.7.0+cu128`): a local build is matched as the public release it was built from. Indexes never serve
 * local versions, advisories are written against public ones, and a `+cu128` wheel carries the upstream
 * code of `2.7.0`, vulnerabilities included. (PEP 440 itself ignores the local label when a specifier has
 * none, the same reading.)
 */
export function compareVersions(a: Pep440Version, b: Pep440Version): number {
  return Math.sign(compare(a.public, b.public));
}

/** PEP 440 equality of the public versions (`1.0` equals `1.0.0`; `2.7.0+cu128` equals `2.7.0`). */
export function versionsEqual(a: Pep440Version, b: Pep440Version): boolean {
  return compareVersions(a, b) === 0;
}
