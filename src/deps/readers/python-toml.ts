import { parse, TomlDate, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { assertNever } from '../../core/errors.js';
import { compareStrings } from '../../core/finding.js';
import {
  type DependencyFile,
  type DependencyPackage,
  MAX_DEPENDENCY_FILE_BYTES,
  MAX_PACKAGES_PER_FILE,
  type PackageHash,
  type PackageSource,
  type ReadProblem,
} from '../model.js';
import { normalisePypiName, purlFor } from '../names.js';
import { compareVersions, MAX_VERSION_LENGTH, parseVersion } from '../pep440.js';
import { isValidName } from './pep508.js';
import { redactUrl } from './requirements.js';

/**
 * What the Python TOML readers (pyproject.toml, poetry.lock, uv.lock, pdm.lock, pylock.toml) share:
 * parsing the TOML with smol-toml under limits, building packages (PEP 503 name, purl), hashes, the
 * package limit, line numbers of `[[package]]` headers, and deterministic ordering.
 */

/**
 * Inline tables and arrays nested deeper than this are refused by the TOML parser: every lock format here
 * nests four or five levels, and a deep `[[[[...` document would otherwise cost recursion.
 */
export const MAX_TOML_DEPTH = 32;
/** Hex digits of one hash: sha512 is 128; anything much longer is not a digest. */
export const MAX_HASH_HEX_LENGTH = 256;

/** A TOML table as smol-toml returns it (a null-prototype object, so `__proto__` keys are inert). */
export type TomlTable = Record<string, unknown>;

/** What a reader knows about one package; the builder adds the ecosystem, PEP 503 name, purl and file. */
export interface PackageInput {
  readonly name: string;
  readonly version?: string;
  readonly requirement?: string;
  readonly source: PackageSource;
  readonly hashes?: readonly PackageHash[];
  readonly marker?: string;
  readonly extras?: readonly string[];
  readonly groups?: readonly string[];
  readonly direct?: boolean;
  readonly dependencies?: readonly string[];
  readonly line?: number;
}

/** Collects the packages and problems of one file and returns them as a sorted `DependencyFile`. */
export class DependencyFileBuilder {
  private readonly problems: ReadProblem[] = [];
  private readonly packages: DependencyPackage[] = [];
  private limitReported = false;

  constructor(
    readonly file: string,
    readonly format: string,
    private readonly maxPackages: number = MAX_PACKAGES_PER_FILE,
  ) {}

  problem(message: string, line?: number): void {
    this.problems.push(
      line === undefined ? { file: this.file, message } : { file: this.file, line, message },
    );
  }

  /** Whether more packages can be added; reports the limit once when it is reached. */
  get full(): boolean {
    if (this.packages.length < this.maxPackages) return false;
    if (!this.limitReported) {
      this.limitReported = true;
      this.problem(`more than ${this.maxPackages} packages: the rest of the file was not read`);
    }
    return true;
  }

  /**
   * Adds a package, or reports why it cannot be (an invalid name or version) naming `entry`.
   * Returns whether it was added.
   */
  add(entry: string, input: PackageInput): boolean {
    if (this.full) return false;
    if (!isValidName(input.name)) {
      this.problem(`${entry}: invalid package name ${quote(input.name)}`, input.line);
      return false;
    }
    if (input.version !== undefined && !isVersionLike(input.version)) {
      this.problem(`${entry}: invalid version ${quote(input.version)}`, input.line);
      return false;
    }
    const normalizedName = normalisePypiName(input.name);
    const purlField = (version: string): { purl?: string } => {
      try {
        return { purl: purlFor('PyPI', input.name, version) };
      } catch (error) {
        // packageurl-js refuses some strings; the package is still listed, only without a purl.
        this.problem(`${entry}: no package URL: ${error instanceof Error ? error.message : String(error)}`);
        return {};
      }
    };
    const pkg: DependencyPackage = {
      ecosystem: 'PyPI',
      name: input.name,
      normalizedName,
      ...(input.version !== undefined ? { version: input.version } : {}),
      // Credentials in index or source URLs (`https://user:token@host/`) never reach reports or baselines:
      // stripped here, where every TOML reader's packages are finalised, as the other readers do per URL.
      ...(input.requirement !== undefined && input.version === undefined
        ? { requirement: redactUrl(input.requirement) }
        : {}),
      source: redactSource(input.source),
      hashes: dedupeHashes(input.hashes ?? []),
      ...(input.marker !== undefined ? { marker: input.marker } : {}),
      extras: sortedUnique(input.extras ?? []),
      groups: sortedUnique(input.groups ?? []),
      ...(input.direct !== undefined ? { direct: input.direct } : {}),
      dependencies: sortedUnique(input.dependencies ?? []),
      ...(input.version !== undefined ? purlField(input.version) : {}),
      declaredAt: input.line === undefined ? { file: this.file } : { file: this.file, line: input.line },
    };
    this.packages.push(pkg);
    return true;
  }

  /** Parses the file's TOML; `undefined` (with a problem) when it is too large or not TOML. */
  parseToml(text: string): TomlTable | undefined {
    // Cheap check first: a UTF-16 length above the limit means at least that many UTF-8 bytes.
    if (
      text.length > MAX_DEPENDENCY_FILE_BYTES ||
      Buffer.byteLength(text, 'utf8') > MAX_DEPENDENCY_FILE_BYTES
    ) {
      this.problem(`file larger than ${MAX_DEPENDENCY_FILE_BYTES} bytes: not read`);
      return undefined;
    }
    try {
      return parse(text, { maxDepth: MAX_TOML_DEPTH });
    } catch (error) {
      if (error instanceof TomlError) {
        const firstLine = error.message.split('\n', 1)[0] ?? error.message;
        this.problem(`not valid TOML: ${firstLine}`, error.line);
      } else {
        // smol-toml throws only TomlError by contract; a RangeError (stack) or anything else is still
        // a file we could not read, not a crash of the scan.
        this.problem(`not valid TOML: ${error instanceof Error ? error.message : String(error)}`);
      }
      return undefined;
    }
  }

  result(includes: readonly string[] = []): DependencyFile {
    return {
      path: this.file,
      format: this.format,
      packages: [...this.packages].sort(comparePackages),
      problems: [...this.problems],
      includes,
    };
  }
}

/**
 * What stands for the version of a package that has none (a source tree with a dynamic version):
 * its URL or path; `undefined` for an index package.
 */
export function sourceRequirement(source: PackageSource): string | undefined {
  switch (source.kind) {
    case 'registry':
      return undefined;
    case 'url':
    case 'vcs':
      return source.url;
    case 'path':
      return source.path;
    default:
      return assertNever(source, 'package source');
  }
}

/** A TOML table (not an array, not a date). */
export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof TomlDate);
}

/** The own entries of a TOML table (smol-toml's tables have no prototype, so this is all of them). */
export function tableEntries(table: TomlTable): [string, unknown][] {
  return Object.entries(table);
}

/**
 * Parses `algorithm:hex` as lockfiles write hashes (`sha256:0a7f...`, pip's `--hash` form).
 * Returns a message when it is not one.
 */
export function parseHashString(value: unknown): PackageHash | string {
  if (typeof value !== 'string') return `hash is not a string: ${quote(value)}`;
  const colon = value.indexOf(':');
  if (colon < 0) return `hash without an algorithm: ${quote(value)}`;
  return hashFromParts(value.slice(0, colon), value.slice(colon + 1));
}

/** Checks an algorithm and a hex digest (PEP 751 writes them as a table `{sha256 = "..."}`). */
export function hashFromParts(algorithm: string, digest: unknown): PackageHash | string {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(algorithm)) return `invalid hash algorithm ${quote(algorithm)}`;
  if (typeof digest !== 'string') return `${algorithm} digest is not a string: ${quote(digest)}`;
  if (digest.length > MAX_HASH_HEX_LENGTH || !/^[0-9A-Fa-f]+$/.test(digest)) {
    return `${algorithm} digest is not hex: ${quote(digest)}`;
  }
  return { algorithm: algorithm.toLowerCase(), value: digest.toLowerCase() };
}

/**
 * 1-based lines of the `[[header]]` array-of-tables headers, in order. Only used when their count equals
 * the number of entries TOML parsing gave (a header-looking line inside a multi-line string would shift
 * them), so a line is never attributed to the wrong entry.
 */
export function arrayTableLines(text: string, header: string): number[] {
  const pattern = new RegExp(
    `^[ \\t]*\\[\\[[ \\t]*${escapeRegExp(header)}[ \\t]*\\]\\][ \\t]*(?:#.*)?$`,
    'gm',
  );
  const index = new LineIndex(text);
  const lines: number[] = [];
  for (const match of text.matchAll(pattern)) lines.push(index.lineOf(match.index));
  return lines;
}

/** Offsets to 1-based lines: newline offsets found once, then a binary search per lookup. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) this.lineStarts.push(at + 1);
  }

  lineOf(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One marker standing for several alternatives: `(a) or (b)`; `undefined` for none. */
export function anyOfMarkers(markers: readonly string[]): string | undefined {
  const unique = [...new Set(markers.map((m) => m.trim()).filter((m) => m !== ''))];
  if (unique.length <= 1) return unique[0];
  return unique.map((m) => `(${m})`).join(' or ');
}

/** The first issue of a failed zod parse, as `path: message`. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid entry';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** A value quoted for a message, truncated so hostile input cannot flood the report. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** How an entry is named in messages: `package 3 "numpy"`. */
export function entryLabel(kind: string, index: number, name?: unknown): string {
  return typeof name === 'string' ? `${kind} ${index + 1} ${quote(name)}` : `${kind} ${index + 1}`;
}

/**
 * Versions in lockfiles are PEP 440 almost always; a few tools write others (a git describe string).
 * Those are kept, since the file says so, unless they are empty, too long or hold whitespace.
 */
function isVersionLike(version: string): boolean {
  return version.length > 0 && version.length <= MAX_VERSION_LENGTH && !/\s/.test(version);
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

function dedupeHashes(hashes: readonly PackageHash[]): PackageHash[] {
  const seen = new Map<string, PackageHash>();
  for (const hash of hashes) seen.set(`${hash.algorithm}:${hash.value}`, hash);
  return [...seen.values()].sort(
    (a, b) => compareStrings(a.algorithm, b.algorithm) || compareStrings(a.value, b.value),
  );
}

/** By PEP 503 name, then PEP 440 version (string order when either is not PEP 440), then the rest. */
export function comparePackages(a: DependencyPackage, b: DependencyPackage): number {
  return (
    compareStrings(a.normalizedName, b.normalizedName) ||
    compareOptionalVersions(a.version, b.version) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    compareStrings(a.requirement ?? '', b.requirement ?? '') ||
    compareStrings(JSON.stringify(a.source), JSON.stringify(b.source)) ||
    compareStrings(a.marker ?? '', b.marker ?? '') ||
    compareStrings(a.groups.join(','), b.groups.join(',')) ||
    compareStrings(a.extras.join(','), b.extras.join(','))
  );
}

function compareOptionalVersions(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (pa === undefined || pb === undefined) return 0;
  return compareVersions(pa, pb);
}

/** The source with any `user:password@` credentials removed from its URL. */
function redactSource(source: PackageSource): PackageSource {
  return source.kind === 'url' ||
    source.kind === 'vcs' ||
    (source.kind === 'registry' && source.url !== undefined)
    ? { ...source, url: redactUrl(source.url as string) }
    : source;
}
