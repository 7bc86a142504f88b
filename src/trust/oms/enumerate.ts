import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { compareCodePoints } from '../../core/text-order.js';
import { type HashOptions, hashJobs } from './hash-pool.js';
import type { HashJob, NodeDigest } from './hash-worker.js';
import { type ResourceDescriptor, resourceAlgorithm, shardRanges, sortResources } from './manifest.js';

/**
 * Enumerates and hashes a model the way OMS v1.0 says a signer and a verifier must (spec §6.1-6.4):
 * regular files under the model root, paths relative and POSIX, the default exclusions (`.git`,
 * `.gitignore`, `.gitattributes`, `.github`) and the given ignore paths matched from the root, the signature
 * file itself left out, symbolic links never followed unless the signature allows them and then never out
 * of the model folder (links to folders as {@link FolderLinkPolicy} says). Hashing streams each file (or
 * byte range) through a small buffer, so a multi-GB shard is never in memory, on all cores (hash-pool.ts).
 */

/** Spec §6.2: excluded by default, matched as top-level components of the model root. */
export const DEFAULT_IGNORED = ['.git', '.gitignore', '.gitattributes', '.github'] as const;
/** Most files enumerated in one model. */
export const MAX_MODEL_FILES = 1_000_000;
/** Deepest directory nesting enumerated. */
export const MAX_MODEL_DEPTH = 64;
/**
 * Most directory entries looked at in one model. With symbolic links allowed, links to folders inside
 * the model (a folder holding two links to itself, or a chain of folders each holding two links to the
 * next) make the number of paths grow exponentially with the depth: the walk stops here, with a problem
 * that fails the signing or the verification, instead of running for ever.
 */
export const MAX_MODEL_ENTRIES = 4_000_000;
/**
 * Most symbolic links to folders followed in one model (with links allowed). The same folder reached by
 * many links is enumerated once per link, so a chain of folders each linking twice to the next doubles the
 * work at every level: this cap stops that long before {@link MAX_MODEL_ENTRIES} would.
 */
export const MAX_FOLDER_LINKS = 10_000;

/**
 * What a symbolic link to a folder inside the model becomes when links are allowed. model_signing
 * enumerates with `Path.glob` and a `**` pattern (serialization/file.py), which does not descend into
 * linked folders, then skips the link itself (it is not `is_file()`): the folder's files are not in its
 * manifest under the link's path.
 * - `follow`: the linked folder's files are enumerated under the link's path (dataset snapshots).
 * - `refuse`: the link is a problem (signing: a signature listing those files would not verify under
 *   model_signing, and one leaving them out silently is not what fail-closed signing does).
 * - `as-signed` (verification): followed when the signature lists a path under the link (signatures
 *   pedigree made before it refused such links); otherwise not followed, like model_signing, and reported
 *   as a note when the folder it names is itself enumerated and checked in place (the link only gives its
 *   files a second name), or as a problem when that folder is left out (an ignored path such as `.git`,
 *   whose files would be reachable, unchecked, under the link's name).
 */
export type FolderLinkPolicy =
  | { readonly kind: 'follow' }
  | { readonly kind: 'refuse' }
  | {
      readonly kind: 'as-signed';
      /** Every folder holding a signed file, at any depth (`a`, `a/b` for `a/b/c.bin`). */
      readonly signedFolders: ReadonlySet<string>;
    };

export interface EnumerateOptions {
  /** Extra exclusions: exact relative paths from the root (spec §6.2.1). */
  readonly ignorePaths?: readonly string[];
  /** Spec §6.1.1; pedigree still never follows a link out of the model folder. */
  readonly allowSymlinks?: boolean;
  /** The signature file, left out of the enumeration (spec §6.2). */
  readonly signaturePath?: string;
  /** Top-level names left out of a model folder (spec §6.2); {@link DEFAULT_IGNORED} unless given. */
  readonly defaultIgnored?: readonly string[];
  /** Symbolic links to folders, with links allowed; `follow` unless given (see {@link FolderLinkPolicy}). */
  readonly folderLinks?: FolderLinkPolicy;
}

export interface ModelFile {
  /** Canonical resource name: relative POSIX path (the file name for a single-file model). */
  readonly name: string;
  readonly absolutePath: string;
  readonly size: number;
  /** The entry is a symbolic link to this file (allowed links only); absent otherwise. */
  readonly viaLink?: true;
}

export interface EnumeratedModel {
  readonly files: readonly ModelFile[];
  /** What was not enumerated and why (a symbolic link refused, a link out of the folder, a limit). */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
  /** What was not enumerated but needs no checking (a folder link whose folder is checked in place). */
  readonly notes: readonly { readonly path: string; readonly message: string }[];
}

/** An ignore entry as spec §6.2.1 allows it: relative, `/`-separated, no globs, no `..`. */
export function checkIgnorePath(entry: string): string | undefined {
  if (entry === '') return 'is empty';
  if (entry.startsWith('/') || /[*?[]/.test(entry)) return 'must be a relative path without glob characters';
  if (entry.split('/').includes('..')) return 'must not contain ..';
  if (entry.includes('\0')) return 'must not contain a NUL character';
  // `.` (or `./`) would be recorded in the signature, where it can only mean the whole model.
  if (canonical(entry) === '') return 'names the whole model';
  return undefined;
}

function canonical(entry: string): string {
  return entry
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/** Whether `path` is `entry` or inside it. */
function covered(path: string, entry: string): boolean {
  return path === entry || path.startsWith(`${entry}/`);
}

/** A file name's bytes for a message: printable ASCII as is, any other byte as `\xhh`. */
function escapedBytes(raw: Buffer): string {
  let out = '';
  for (const byte of raw)
    out +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

/** Whether `target` (a real path) is `root` or inside it. */
function isInside(root: string, target: string): boolean {
  const inside = relative(root, target);
  return inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside));
}

export function enumerateModel(modelPath: string, options: EnumerateOptions = {}): EnumeratedModel {
  const problems: { path: string; message: string }[] = [];
  const notes: { path: string; message: string }[] = [];
  const info = statSync(modelPath);
  const signature = options.signaturePath !== undefined ? realpathOrSelf(options.signaturePath) : undefined;
  if (info.isFile()) {
    // The real path, so that hashing (which never opens through a link) reads the file the link names.
    return {
      files: [{ name: basename(modelPath), absolutePath: realpathSync(modelPath), size: info.size }],
      problems,
      notes,
    };
  }
  const root = realpathSync(modelPath);
  const ignored = (options.ignorePaths ?? []).map(canonical);
  const defaults: readonly string[] = options.defaultIgnored ?? DEFAULT_IGNORED;
  const folderLinkPolicy: FolderLinkPolicy = options.folderLinks ?? { kind: 'follow' };
  /** Whether a path (relative, POSIX) is left out by the default or the given exclusions. */
  const isIgnored = (path: string): boolean =>
    defaults.includes(path.split('/')[0] as string) || ignored.some((entry) => covered(path, entry));
  const files: ModelFile[] = [];
  let entries = 0;
  let folderLinks = 0;
  let stopped = false;
  const stop = (path: string, message: string): void => {
    problems.push({ path, message });
    stopped = true;
  };
  /** `ancestors`: the real paths of the folders being walked, to refuse a link back into one (a cycle). */
  const walk = (dir: string, rel: string, depth: number, ancestors: Set<string>): void => {
    if (depth > MAX_MODEL_DEPTH) {
      problems.push({ path: rel, message: `deeper than ${MAX_MODEL_DEPTH} levels; not enumerated` });
      return;
    }
    let names: Buffer[];
    try {
      names = readdirSync(dir, { encoding: 'buffer' });
    } catch (error) {
      problems.push({
        path: rel === '' ? '.' : rel,
        message: `cannot be listed (${(error as Error).message})`,
      });
      return;
    }
    const decoded = names.map((raw) => ({ raw, name: raw.toString('utf8') }));
    decoded.sort((a, b) => compareCodePoints(a.name, b.name));
    for (const { raw, name } of decoded) {
      if (stopped) return;
      entries += 1;
      if (entries > MAX_MODEL_ENTRIES) {
        stop(rel === '' ? '.' : rel, `more than ${MAX_MODEL_ENTRIES} entries; the rest are not enumerated`);
        return;
      }
      const path = rel === '' ? name : `${rel}/${name}`;
      // A name that is not UTF-8 has no resource name of its own (it would read as U+FFFD and could pass
      // for another file's name), so it is never silently left out or confused: it is a problem.
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        problems.push({
          path: `${rel === '' ? '' : `${rel}/`}${escapedBytes(raw)}`,
          message: 'its name is not valid UTF-8; not enumerated',
        });
        continue;
      }
      if (rel === '' && defaults.includes(name)) continue;
      if (ignored.some((entry) => covered(path, entry))) continue;
      const absolute = join(dir, name);
      if (signature !== undefined && absolute === signature) continue;
      let entry: ReturnType<typeof lstatSync>;
      try {
        entry = lstatSync(absolute);
      } catch (error) {
        problems.push({ path, message: `cannot be read (${(error as Error).message})` });
        continue;
      }
      let target = absolute;
      if (entry.isSymbolicLink()) {
        if (!options.allowSymlinks) {
          problems.push({
            path,
            message: 'is a symbolic link; not followed (the signature does not allow them)',
          });
          continue;
        }
        try {
          target = realpathSync(absolute);
          entry = statSync(target);
        } catch (error) {
          problems.push({ path, message: `is a broken symbolic link (${(error as Error).message})` });
          continue;
        }
        if (!isInside(root, target)) {
          problems.push({
            path,
            message: `is a symbolic link to ${target}, outside the model folder; not followed`,
          });
          continue;
        }
        if (entry.isDirectory() && folderLinkPolicy.kind !== 'follow') {
          const inModel = relative(root, target).split(sep).join('/');
          const shown = inModel === '' ? 'the model folder itself' : `the folder ${inModel}`;
          if (folderLinkPolicy.kind === 'refuse') {
            problems.push({
              path,
              message: `is a symbolic link to ${shown}; model_signing does not follow links to folders (it would leave their files out), so it is not signed (--ignore it, or replace it with the folder)`,
            });
            continue;
          }
          if (!folderLinkPolicy.signedFolders.has(path)) {
            if (inModel !== '' && isIgnored(inModel))
              problems.push({
                path,
                message: `is a symbolic link to ${shown}, which is left out of the signature; its files would be read unchecked under this name`,
              });
            else
              notes.push({
                path,
                message: `is a symbolic link to ${shown}; not followed, as model_signing does not follow links to folders (its files are checked where they are)`,
              });
            continue;
          }
        }
        // The root or a folder being walked: following it would never end.
        if (entry.isDirectory() && ancestors.has(target)) {
          problems.push({
            path,
            message: `is a symbolic link to ${target}, a folder that contains it (a cycle); not followed`,
          });
          continue;
        }
        if (entry.isDirectory() && ++folderLinks > MAX_FOLDER_LINKS) {
          stop(path, `more than ${MAX_FOLDER_LINKS} symbolic links to folders; the rest are not enumerated`);
          return;
        }
      }
      if (entry.isDirectory()) {
        ancestors.add(target);
        walk(target, path, depth + 1, ancestors);
        ancestors.delete(target);
      } else if (entry.isFile()) {
        // The signature itself is left out above, by its own path; a link to it is a file of the model
        // whose content changes at every signing, never a file to drop silently (it could be anything a
        // loader picks up): it cannot be signed or verified.
        if (signature !== undefined && target === signature) {
          problems.push({ path, message: 'is a symbolic link to the signature file; not followed' });
          continue;
        }
        if (files.length >= MAX_MODEL_FILES) {
          stop(path, `more than ${MAX_MODEL_FILES} files; the rest are not enumerated`);
          return;
        }
        files.push({
          name: path,
          absolutePath: target,
          size: entry.size,
          ...(target !== absolute ? { viaLink: true as const } : {}),
        });
      } else problems.push({ path, message: 'is not a regular file or directory; not enumerated' });
    }
  };
  walk(root, '', 0, new Set([root]));
  return { files, problems, notes };
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Most byte ranges hashed for one model, as many as a signature may list (bundle.ts MAX_RESOURCES): a tiny
 * shard size over a large model (`--shard-size 1` on a GB) would otherwise build a billion jobs in memory.
 */
export const MAX_SHARDS = 1_000_000;

/** model_signing's shard size when a shard signature does not give one (sign.ts has the same default). */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

/** Node's names for OMS algorithms (blake2b is BLAKE2b-512, algorithm-registry.md). */
const NODE_HASH: Readonly<Record<'sha256' | 'blake2b', NodeDigest>> = {
  sha256: 'sha256',
  blake2b: 'blake2b512',
};

/**
 * The resource descriptors of enumerated files, in canonical order (spec §6.3-6.4). Files (or, with the
 * `shards` method, byte ranges) are hashed in parallel on worker threads (see hash-pool.ts); the result
 * does not depend on the number of threads.
 */
export async function hashModel(
  files: readonly ModelFile[],
  serialization: {
    readonly method: 'files' | 'shards';
    readonly hashType: 'sha256' | 'blake2b' | 'blake3';
    readonly shardSize?: number;
  },
  options: HashOptions = {},
): Promise<ResourceDescriptor[]> {
  const { method, hashType } = serialization;
  if (hashType === 'blake3')
    throw new RangeError('blake3 is not supported by this build (node:crypto has no BLAKE3)');
  const shardSize = method === 'shards' ? (serialization.shardSize ?? DEFAULT_SHARD_SIZE) : undefined;
  const algorithm = resourceAlgorithm(method, hashType, shardSize);
  if (shardSize !== undefined) {
    const shards = files.reduce((sum, f) => sum + Math.ceil(f.size / shardSize), 0);
    if (shards > MAX_SHARDS)
      throw new UsageError(
        'BAD_ARGUMENT',
        `a shard size of ${shardSize} bytes cuts the model into ${shards} shards, more than ${MAX_SHARDS}; use a larger shard size`,
      );
  }
  const names: string[] = [];
  const jobs: HashJob[] = [];
  for (const file of files) {
    const ranges =
      shardSize === undefined ? [{ start: 0, end: file.size }] : shardRanges(file.size, shardSize);
    for (const { start, end } of ranges) {
      names.push(shardSize === undefined ? file.name : `${file.name}:${start}:${end}`);
      jobs.push({ path: file.absolutePath, start, end, fileSize: file.size, algorithm: NODE_HASH[hashType] });
    }
  }
  const digests = await hashJobs(jobs, options);
  return sortResources(names.map((name, i) => ({ name, digest: digests[i] as string, algorithm })));
}
