import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { ParseError, UsageError } from '../core/errors.js';
import { compareCodePoints } from '../core/text-order.js';
import { DEFAULT_IGNORED, enumerateModel, hashModel } from '../trust/oms/enumerate.js';
import { readRegularFile } from './read-file.js';

/**
 * Content-addressed dataset snapshots (`pedigree data snapshot` / `pedigree data verify`): every file of a
 * dataset folder with its size and SHA-256, and one digest for the whole dataset that changes when any
 * file's path, size or content does. Enumeration and hashing are model signing's (OMS rules: `.git` and
 * friends left out, symbolic links refused or kept inside the folder, parallel streaming SHA-256), so a
 * snapshot of a 100,000-file dataset costs what its bytes cost to read.
 *
 * The dataset digest is defined so that other tools can recompute it without pedigree:
 *
 *   sha256( "pedigree-dataset-snapshot/v1\n" + for each file, in code-point order of its path:
 *           <sha256 hex> " " <size in decimal> " " <path as a JSON string> "\n" )
 *
 * Paths are relative, `/`-separated; a JSON string keeps a path with spaces or newlines on one line.
 */

export const SNAPSHOT_FORMAT = 'pedigree-dataset-snapshot';
export const SNAPSHOT_VERSION = 1;
const DIGEST_PREFIX = 'pedigree-dataset-snapshot/v1\n';
/** Largest snapshot file read (100,000 entries are about 15 MB). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;
/** Most entries in one snapshot. */
export const MAX_SNAPSHOT_ENTRIES = 1_000_000;

export interface SnapshotEntry {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface DatasetSnapshot {
  readonly snapshotFormat: typeof SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  readonly name: string;
  /** Where the dataset is, relative to the snapshot file's folder (`/`-separated), when it was written to a file. */
  readonly path?: string;
  readonly digest: { readonly sha256: string };
  readonly files: number;
  readonly bytes: number;
  /** Paths left out, relative to the dataset root. */
  readonly ignored: readonly string[];
  readonly createdAt?: string;
  readonly entries: readonly SnapshotEntry[];
}

export { compareCodePoints } from '../core/text-order.js';

/** The dataset digest of entries (see the module comment); entries are sorted here. */
export function datasetDigest(entries: readonly SnapshotEntry[]): string {
  const hash = createHash('sha256');
  hash.update(DIGEST_PREFIX);
  for (const e of [...entries].sort((a, b) => compareCodePoints(a.path, b.path)))
    hash.update(`${e.sha256} ${e.size} ${JSON.stringify(e.path)}\n`, 'utf8');
  return hash.digest('hex');
}

export interface SnapshotOptions {
  readonly name?: string;
  /** Paths to leave out, relative to the dataset root. */
  readonly ignore?: readonly string[];
  /** Follow symbolic links that stay inside the dataset folder. */
  readonly followSymlinks?: boolean;
  /** The snapshot file to be written: left out when inside the dataset, and the dataset's path recorded relative to it. */
  readonly outputPath?: string;
  readonly createdAt?: string;
  readonly workers?: number;
}

function posixRelative(from: string, to: string): string {
  const rel = relative(from, to);
  return rel === '' ? '.' : rel.split(sep).join('/');
}

/**
 * Why an ignore entry cannot be one, or undefined: entries are exact paths inside the dataset, matched
 * from its root. `.`, `..`, an absolute path or an empty one would ignore nothing (or everything) while
 * being recorded in the snapshot as if it meant something, so they are refused, given or read.
 */
export function checkIgnoreEntry(entry: string): string | undefined {
  if (entry.includes('\0')) return 'contains a NUL character';
  if (entry.startsWith('/') || isAbsolute(entry))
    return 'is an absolute path (give it relative to the dataset)';
  const parts = entry.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return 'names no path inside the dataset';
  if (parts.includes('..')) return 'leaves the dataset (..)';
  return undefined;
}

/** An ignore entry as recorded: `/`-separated, without `./`, empty components or a trailing `/`. */
function canonicalIgnore(entry: string): string {
  return entry
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

export async function createSnapshot(
  datasetPath: string,
  options: SnapshotOptions = {},
): Promise<DatasetSnapshot> {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(datasetPath);
  } catch (error) {
    throw new UsageError('PATH_NOT_FOUND', `${datasetPath}: ${(error as Error).message}`, { cause: error });
  }
  if (!info.isDirectory() && !info.isFile())
    throw new UsageError('BAD_ARGUMENT', `${datasetPath} is not a file or folder`);
  if (info.isFile() && (options.ignore ?? []).length > 0)
    throw new UsageError('BAD_ARGUMENT', `--ignore is for a dataset folder; ${datasetPath} is a file`);
  for (const entry of options.ignore ?? []) {
    const problem = checkIgnoreEntry(entry);
    if (problem) throw new UsageError('BAD_ARGUMENT', `--ignore ${JSON.stringify(entry)}: ${problem}`);
  }
  // A single-file dataset snapshotted onto itself would be overwritten by its own snapshot.
  if (info.isFile() && options.outputPath !== undefined && sameFile(options.outputPath, datasetPath))
    throw new UsageError(
      'BAD_ARGUMENT',
      `the snapshot ${options.outputPath} would overwrite the dataset file it describes; write it elsewhere`,
    );
  const ignored = [
    ...new Set([
      ...(info.isDirectory() ? DEFAULT_IGNORED : []),
      ...(options.ignore ?? []).map(canonicalIgnore),
    ]),
  ].sort(compareCodePoints);
  const model = enumerateModel(datasetPath, {
    ignorePaths: ignored,
    allowSymlinks: options.followSymlinks === true,
    ...(options.outputPath !== undefined ? { signaturePath: options.outputPath } : {}),
  });
  // Fail closed: a snapshot that quietly left a file out would vouch for data it never saw.
  if (model.problems.length > 0)
    throw new UsageError(
      'BAD_ARGUMENT',
      `${datasetPath}: not snapshotted, some paths cannot be read as files:\n${model.problems
        .slice(0, 10)
        .map((p) => `  ${p.path}: ${p.message}`)
        .join(
          '\n',
        )}${model.problems.length > 10 ? `\n  ... and ${model.problems.length - 10} more` : ''}\n(--follow-symlinks follows links that stay inside the folder; --ignore leaves paths out)`,
    );
  const resources = await hashModel(
    model.files,
    { method: 'files', hashType: 'sha256' },
    options.workers !== undefined ? { workers: options.workers } : {},
  );
  const sizes = new Map(model.files.map((f) => [f.name, f.size]));
  const entries = resources
    .map((r) => ({ path: r.name, size: sizes.get(r.name) ?? 0, sha256: r.digest }))
    .sort((a, b) => compareCodePoints(a.path, b.path));
  const name = options.name ?? basename(resolve(datasetPath));
  return {
    snapshotFormat: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    name,
    ...(options.outputPath !== undefined
      ? { path: posixRelative(dirname(resolve(options.outputPath)), resolve(datasetPath)) }
      : {}),
    digest: { sha256: datasetDigest(entries) },
    files: entries.length,
    bytes: entries.reduce((sum, e) => sum + e.size, 0),
    ignored,
    ...(options.createdAt !== undefined ? { createdAt: options.createdAt } : {}),
    entries,
  };
}

/** Whether two paths name the same existing file (a path that does not exist names none). */
function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** The snapshot file's text: stable key order, two-space indent, one entry per line for clean diffs. */
export function serializeSnapshot(snapshot: DatasetSnapshot): string {
  const { entries, ...head } = snapshot;
  const lines = entries.map((e) => `    ${JSON.stringify({ path: e.path, size: e.size, sha256: e.sha256 })}`);
  const headJson = JSON.stringify(head, null, 2);
  return `${headJson.slice(0, -2)},\n  "entries": [${lines.length > 0 ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'not a lower-case SHA-256');
const snapshotSchema = z.object({
  snapshotFormat: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  name: z.string(),
  path: z.string().optional(),
  digest: z.object({ sha256: hex64 }),
  files: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  ignored: z.array(z.string()).max(10_000),
  createdAt: z.string().optional(),
  entries: z
    .array(z.object({ path: z.string().min(1), size: z.number().int().nonnegative(), sha256: hex64 }))
    .max(MAX_SNAPSHOT_ENTRIES),
});

/** Reads and checks a snapshot file: structure, counts, the dataset digest, no path outside the dataset. */
export function readSnapshot(file: string): DatasetSnapshot {
  const bytes = readRegularFile(file, MAX_SNAPSHOT_BYTES, 'snapshot');
  return parseSnapshot(bytes.toString('utf8'), file);
}

/** Checks a snapshot's text (pure): structure, counts, the dataset digest, no path outside the dataset. */
export function parseSnapshot(text: string, file: string): DatasetSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ParseError('BAD_STRUCTURE', `${file}: not JSON (${(error as Error).message})`, undefined, {
      cause: error,
    });
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: snapshot${where}: ${issue?.message ?? 'not a pedigree snapshot'}`,
    );
  }
  const s = parsed.data as DatasetSnapshot;
  for (const [i, entry] of s.ignored.entries()) {
    const problem = checkIgnoreEntry(entry);
    if (problem)
      throw new ParseError(
        'BAD_VALUE',
        `${file}: snapshot.ignored[${i}] ${JSON.stringify(entry.slice(0, 200))} ${problem}`,
      );
  }
  const ignoredPaths = new Set(s.ignored.map(canonicalIgnore));
  const seen = new Set<string>();
  for (const [i, e] of s.entries.entries()) {
    const parts = e.path.split('/');
    if (isAbsolute(e.path) || e.path.includes('\0') || parts.some((p) => p === '..' || p === '' || p === '.'))
      throw new ParseError(
        'BAD_VALUE',
        `${file}: snapshot.entries[${i}].path ${JSON.stringify(e.path.slice(0, 200))} is not a relative path inside the dataset`,
      );
    if (seen.has(e.path))
      throw new ParseError(
        'BAD_VALUE',
        `${file}: snapshot.entries[${i}].path ${JSON.stringify(e.path.slice(0, 200))} is listed twice`,
      );
    seen.add(e.path);
    // A listed file under an ignored path: the snapshot contradicts itself, and verify could never match it.
    const under = parts.map((_, k) => parts.slice(0, k + 1).join('/')).find((p) => ignoredPaths.has(p));
    if (under !== undefined)
      throw new ParseError(
        'BAD_VALUE',
        `${file}: snapshot.entries[${i}].path ${JSON.stringify(e.path.slice(0, 200))} is under the ignored path ${JSON.stringify(under.slice(0, 200))}`,
      );
  }
  if (s.files !== s.entries.length)
    throw new ParseError(
      'BAD_VALUE',
      `${file}: snapshot.files is ${s.files} but ${s.entries.length} entries are listed`,
    );
  const digest = datasetDigest(s.entries);
  if (digest !== s.digest.sha256)
    throw new ParseError(
      'BAD_VALUE',
      `${file}: snapshot.digest.sha256 is ${s.digest.sha256} but the entries give ${digest}: the snapshot was edited`,
    );
  return s;
}

export interface SnapshotDrift {
  readonly verified: boolean;
  readonly name: string;
  readonly digest: string;
  /** The dataset digest now (of the files as they are, the same ignores applied). */
  readonly currentDigest: string;
  readonly files: number;
  readonly bytes: number;
  /** The paths the snapshot leaves out, left out of the check as well. */
  readonly ignored: readonly string[];
  readonly added: readonly SnapshotEntry[];
  readonly removed: readonly SnapshotEntry[];
  readonly changed: readonly {
    readonly path: string;
    readonly before: SnapshotEntry;
    readonly after: SnapshotEntry;
  }[];
}

/** Where a snapshot's dataset is: the path given, else the path it records relative to its own folder. */
export function datasetPathOf(snapshotFile: string, snapshot: DatasetSnapshot, given?: string): string {
  if (given !== undefined) return given;
  if (snapshot.path === undefined)
    throw new UsageError('BAD_ARGUMENT', `${snapshotFile} records no dataset path; give the dataset folder`);
  // pedigree writes the path relative to the snapshot; an absolute one (`/`) would have `verify` hash
  // whatever a snapshot from someone else points at, so it is only used when given.
  if (isAbsolute(snapshot.path) || /^[A-Za-z]:/.test(snapshot.path) || snapshot.path.includes('\0'))
    throw new UsageError(
      'BAD_ARGUMENT',
      `${snapshotFile}: snapshot.path ${JSON.stringify(snapshot.path.slice(0, 200))} is not a relative path; give the dataset folder as the second argument`,
    );
  return resolve(dirname(resolve(snapshotFile)), snapshot.path);
}

/** Compares the dataset as it is with the snapshot: every file added, removed and changed. */
export async function verifySnapshot(
  snapshot: DatasetSnapshot,
  datasetPath: string,
  options: {
    readonly snapshotFile?: string;
    readonly followSymlinks?: boolean;
    readonly workers?: number;
  } = {},
): Promise<SnapshotDrift> {
  const now = await createSnapshot(datasetPath, {
    ignore: snapshot.ignored,
    ...(options.snapshotFile !== undefined ? { outputPath: options.snapshotFile } : {}),
    ...(options.followSymlinks !== undefined ? { followSymlinks: options.followSymlinks } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  });
  const before = new Map(snapshot.entries.map((e) => [e.path, e]));
  const after = new Map(now.entries.map((e) => [e.path, e]));
  const added = now.entries.filter((e) => !before.has(e.path));
  const removed = snapshot.entries.filter((e) => !after.has(e.path));
  const changed = snapshot.entries
    .filter((e) => {
      const a = after.get(e.path);
      return a !== undefined && (a.sha256 !== e.sha256 || a.size !== e.size);
    })
    .map((e) => ({ path: e.path, before: e, after: after.get(e.path) as SnapshotEntry }));
  return {
    verified: added.length === 0 && removed.length === 0 && changed.length === 0,
    name: snapshot.name,
    digest: snapshot.digest.sha256,
    currentDigest: now.digest.sha256,
    files: now.files,
    bytes: now.bytes,
    ignored: snapshot.ignored,
    added,
    removed: [...removed].sort((a, b) => compareCodePoints(a.path, b.path)),
    changed: changed.sort((a, b) => compareCodePoints(a.path, b.path)),
  };
}
