import { createHash } from 'node:crypto';
import { compareStrings } from '../../core/finding.js';

/**
 * The manifest of an OpenSSF Model Signing (OMS) v1.0 signature: the resource descriptors (one per file,
 * or one per byte range with shard serialization) and the root digest the in-toto statement's subject
 * carries (OMS spec v1.0 §6.3-6.5, https://github.com/ossf/model-signing-spec).
 */

/** OMS v1.0 hash algorithm identifiers (spec §5.2, algorithm-registry.md). */
export type OmsAlgorithm = 'sha256' | 'blake2b' | 'blake3';

export interface ResourceDescriptor {
  /** `files`: the relative POSIX path; `shards`: `path:start:end` (start inclusive, end exclusive). */
  readonly name: string;
  /** Lower-case hex digest of the file or byte range. */
  readonly digest: string;
  readonly algorithm: OmsAlgorithm;
}

/** A shard resource name split into its file and byte range. */
export interface ShardName {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Splits a shard resource name. File names may contain colons, so the byte range is the *last two*
 * colon-separated decimal integers (spec §6.3.2); undefined when the name has no valid range.
 */
export function parseShardName(name: string): ShardName | undefined {
  const m = /^(.+):(0|[1-9]\d*):(0|[1-9]\d*)$/.exec(name);
  if (!m) return undefined;
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) return undefined;
  return { path: m[1] as string, start, end };
}

/** The byte ranges shard serialization cuts a file of `size` bytes into (empty files have none). */
export function shardRanges(size: number, shardSize: number): { start: number; end: number }[] {
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0)
    throw new RangeError('shard size must be a positive integer');
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += shardSize)
    ranges.push({ start, end: Math.min(size, start + shardSize) });
  return ranges;
}

/** Resource descriptors in canonical order: sorted by name, by code point (spec §6.4). */
export function sortResources(resources: readonly ResourceDescriptor[]): ResourceDescriptor[] {
  return [...resources].sort((a, b) => compareStrings(a.name, b.name));
}

/**
 * The root digest (spec §6.5.1): SHA-256 over the raw bytes of every resource digest, in canonical order,
 * whatever algorithm the resources use.
 */
export function rootDigest(resources: readonly ResourceDescriptor[]): string {
  const hash = createHash('sha256');
  for (const r of sortResources(resources)) {
    if (!/^(?:[0-9a-f]{2})*$/.test(r.digest))
      throw new RangeError(`resource ${r.name}: digest is not lower-case hex`);
    hash.update(Buffer.from(r.digest, 'hex'));
  }
  return hash.digest('hex');
}
