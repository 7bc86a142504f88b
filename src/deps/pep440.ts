import { explain } from '@renovatebot/pep440';

/**
 * PEP 440 versions (https://peps.python.org/pep-0440/). Parsing is @renovatebot/pep440's `explain` (it
 * matched Python's `packaging` on 235k versions; its `satisfies` is wrong when a bound is a pre-release, see
 * FIELD-NOTES, and is not used). Ordering compares a key built once per parsed version, as packaging's
 * `_cmpkey` builds it, instead of the library's `compare`, which re-parses both strings on every call
 * (9 µs each: most of a scan's matching time). scripts/cross-check-osv.ts checks the result against
 * packaging over the whole PyPA database. OSV ranges are walked by `osv/match.ts`, never turned into
 * specifiers.
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
  /** The ordering key (see `sortKey`). */
  readonly key: readonly number[];
}

/** Pre-release letters in PEP 440 order; `explain` normalises alpha/beta/c/pre/preview to these. */
const PRE_RANK: Readonly<Record<string, number>> = { a: 0, b: 1, rc: 2 };

/**
 * packaging's `_cmpkey` flattened to numbers: epoch; the release with trailing zeros removed (so `1.0` equals
 * `1.0.0`) and its length, ending before the next part; then the pre-release (a dev release of the final
 * version sorts before every pre-release: -Infinity; no pre-release: +Infinity), the post-release (none:
 * -Infinity) and the dev release (none: +Infinity). Local labels are not part of it (see compareVersions).
 */
function sortKey(parts: NonNullable<ReturnType<typeof explain>>): number[] {
  const release = [...parts.release];
  while (release.length > 0 && release[release.length - 1] === 0) release.pop();
  // The library's typings say arrays; at run time `post` and `dev` are numbers or null and `pre` is
  // [letter, number] or null. Read them defensively.
  const post = segmentNumber(parts.post);
  const dev = segmentNumber(parts.dev);
  const preParts = Array.isArray(parts.pre) ? parts.pre : null;
  let pre: [number, number];
  if (preParts === null && post === null && dev !== null) pre = [Number.NEGATIVE_INFINITY, 0];
  else if (preParts === null) pre = [Number.POSITIVE_INFINITY, 0];
  else pre = [PRE_RANK[String(preParts[0])] ?? Number.NaN, Number(preParts[1])];
  return [
    parts.epoch,
    release.length,
    ...release,
    ...pre,
    post === null ? Number.NEGATIVE_INFINITY : post,
    dev === null ? Number.POSITIVE_INFINITY : dev,
  ];
}

function segmentNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[value.length - 1] === 'number')
    return value[value.length - 1] as number;
  return null;
}

/** Versions longer than this are refused: PEP 440 versions are short, a huge one is garbage or an attack. */
export const MAX_VERSION_LENGTH = 256;

/**
 * Parsed versions, memoised: advisories repeat the same version strings (a TensorFlow record lists hundreds,
 * and every record of a package lists mostly the same), and parsing dominates matching time. Bounded: the
 * cache is dropped whole when full.
 */
const PARSED = new Map<string, Pep440Version | null>();
const MAX_PARSED_CACHE = 200_000;

/** Parses a PEP 440 version; `undefined` for anything invalid (the PyPA data holds 75 invalid strings). */
export function parseVersion(raw: string): Pep440Version | undefined {
  const known = PARSED.get(raw);
  if (known !== undefined) return known ?? undefined;
  const parsed = parseUncached(raw);
  if (PARSED.size >= MAX_PARSED_CACHE) PARSED.clear();
  PARSED.set(raw, parsed ?? null);
  return parsed;
}

function parseUncached(raw: string): Pep440Version | undefined {
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
    key: sortKey(parts),
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
  const [x, y] = [a.key, b.key];
  if (x[0] !== y[0]) return (x[0] as number) < (y[0] as number) ? -1 : 1;
  // Releases compare as tuples: element by element, then the shorter (a prefix) first.
  const lx = x[1] as number;
  const ly = y[1] as number;
  for (let i = 0; i < Math.min(lx, ly); i++) {
    const d = (x[2 + i] as number) - (y[2 + i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (lx !== ly) return lx < ly ? -1 : 1;
  for (let i = 0; i < 4; i++) {
    const p = x[2 + lx + i] as number;
    const q = y[2 + ly + i] as number;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/** PEP 440 equality of the public versions (`1.0` equals `1.0.0`; `2.7.0+cu128` equals `2.7.0`). */
export function versionsEqual(a: Pep440Version, b: Pep440Version): boolean {
  return compareVersions(a, b) === 0;
}
