import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { compareStrings } from '../../core/finding.js';
import { type HashOptions, hashJobs } from './hash-pool.js';
import type { HashJob, NodeDigest } from './hash-worker.js';
import { type ResourceDescriptor, resourceAlgorithm, shardRanges, sortResources } from './manifest.js';

/**
 * Enumerates and hashes a model the way OMS v1.0 says a signer and a verifier must (spec §6.1-6.4):
 * regular files under the model root, paths relative and POSIX, the default exclusions (`.git`,
 * `.gitignore`, `.gitattributes`, `.github`) and the given ignore paths matched from the root, the signature
 * file itself left out, symbolic links never followed unless the signature allows them and then never out
 * of the model folder. Hashing streams each file (or byte range) through a small buffer, so a multi-GB shard
 * is never in memory, on all cores (hash-pool.ts).
 */

/** Spec §6.2: excluded by default, matched as top-level components of the model root. */
export const DEFAULT_IGNORED = ['.git', '.gitignore', '.gitattributes', '.github'] as const;
/** Most files enumerated in one model. */
export const MAX_MODEL_FILES = 1_000_000;
/** Deepest directory nesting enumerated. */
export const MAX_MODEL_DEPTH = 64;

export interface EnumerateOptions {
  /** Extra exclusions: exact relative paths from the root (spec §6.2.1). */
  readonly ignorePaths?: readonly string[];
  /** Spec §6.1.1; pedigree still never follows a link out of the model folder. */
  readonly allowSymlinks?: boolean;
  /** The signature file, left out of the enumeration (spec §6.2). */
  readonly signaturePath?: string;
}

export interface ModelFile {
  /** Canonical resource name: relative POSIX path (the file name for a single-file model). */
  readonly name: string;
  readonly absolutePath: string;
  readonly size: number;
}

export interface EnumeratedModel {
  readonly files: readonly ModelFile[];
  /** What was not enumerated and why (a symbolic link refused, a link out of the folder, a limit). */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

/** An ignore entry as spec §6.2.1 allows it: relative, `/`-separated, no globs, no `..`. */
export function checkIgnorePath(entry: string): string | undefined {
  if (entry === '' || entry.startsWith('/') || /[*?[]/.test(entry))
    return 'must be a relative path without glob characters';
  if (entry.split('/').includes('..')) return 'must not contain ..';
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

export function enumerateModel(modelPath: string, options: EnumerateOptions = {}): EnumeratedModel {
  const problems: { path: string; message: string }[] = [];
  const info = statSync(modelPath);
  const signature = options.signaturePath !== undefined ? realpathOrSelf(options.signaturePath) : undefined;
  if (info.isFile()) {
    return { files: [{ name: basename(modelPath), absolutePath: modelPath, size: info.size }], problems };
  }
  const root = realpathSync(modelPath);
  const ignored = (options.ignorePaths ?? []).map(canonical);
  const files: ModelFile[] = [];
  const walk = (dir: string, rel: string, depth: number): void => {
    if (depth > MAX_MODEL_DEPTH) {
      problems.push({ path: rel, message: `deeper than ${MAX_MODEL_DEPTH} levels; not enumerated` });
      return;
    }
    for (const name of readdirSync(dir).sort(compareStrings)) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (rel === '' && (DEFAULT_IGNORED as readonly string[]).includes(name)) continue;
      if (ignored.some((entry) => covered(path, entry))) continue;
      const absolute = join(dir, name);
      if (signature !== undefined && absolute === signature) continue;
      let entry = lstatSync(absolute);
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
        const inside = relative(root, target);
        // The root itself (a cycle) or anything outside it is never followed.
        if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
          problems.push({
            path,
            message: `is a symbolic link to ${target}, outside the model folder; not followed`,
          });
          continue;
        }
      }
      if (entry.isDirectory()) walk(target, path, depth + 1);
      else if (entry.isFile()) {
        if (signature !== undefined && target === signature) continue;
        if (files.length >= MAX_MODEL_FILES) {
          problems.push({ path, message: `more than ${MAX_MODEL_FILES} files; the rest are not enumerated` });
          return;
        }
        files.push({ name: path, absolutePath: target, size: entry.size });
      } else problems.push({ path, message: 'is not a regular file or directory; not enumerated' });
    }
  };
  walk(root, '', 0);
  return { files, problems };
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

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
