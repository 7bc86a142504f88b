import { createHash } from 'node:crypto';
import { compareCodePoints } from '../../core/text-order.js';

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
  /**
   * The hash type, or in shard serialization the name model_signing writes and compares,
   * `<hash>-sharded-<shard size>` (e.g. `sha256-sharded-1000000000`); see {@link resourceAlgorithm}.
   */
  readonly algorithm: string;
}

/**
 * The `algorithm` a resource descriptor carries. model_signing (v1.0.0 and later) names shard digests
 * `<hash>-sharded-<size>` and compares that name when it verifies, so a signature written with plain
 * `sha256` shard resources would fail under it; the OMS schema lists only the bare names. pedigree writes
 * what model_signing writes and reads both.
 */
export function resourceAlgorithm(
  method: 'files' | 'shards',
  hashType: OmsAlgorithm,
  shardSize: number | undefined,
): string {
  return method === 'shards' ? `${hashType}-sharded-${shardSize}` : hashType;
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

function compareComponents(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareCodePoints(pa[i] as string, pb[i] as string);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/**
 * Orders resource names as model_signing does (manifest.py: `sorted()` over `_File(PurePosixPath)` or
 * `_Shard(path, start, end)` keys): by path components, by code point (Python compares `str` by code
 * point; JavaScript's `<` by UTF-16 unit, which puts U+1F600 before U+FF01), then by numeric shard offsets. The
 * spec's plain string sort (§6.4) differs for `a/b` against `a.b` and for `f:1000:2000` against
 * `f:200:300`; the tool that writes nearly every OMS signature in use is followed, since the root digest
 * is computed in this order.
 */
export function compareResourceNames(a: string, b: string): number {
  const sa = parseShardName(a);
  const sb = parseShardName(b);
  if (sa && sb) {
    const c = compareComponents(sa.path, sb.path);
    if (c !== 0) return c;
    return sa.start - sb.start || sa.end - sb.end;
  }
  return compareComponents(a, b) || compareCodePoints(a, b);
}

/** Resource descriptors in the order model_signing writes them (see {@link compareResourceNames}). */
export function sortResources(resources: readonly ResourceDescriptor[]): ResourceDescriptor[] {
  return [...resources].sort((a, b) => compareResourceNames(a.name, b.name));
}

/**
 * The root digest (spec §6.5.1): SHA-256 over the raw bytes of every resource digest, whatever algorithm
 * the resources use, in the order given. A verifier takes the order the signature lists (as model_signing
 * does, signing.py `dsse_payload_to_manifest`), a signer sorts first with {@link sortResources}.
 */
export function rootDigest(resources: readonly ResourceDescriptor[]): string {
  const hash = createHash('sha256');
  for (const r of resources) {
    if (!/^(?:[0-9a-f]{2})*$/.test(r.digest))
      throw new RangeError(`resource ${r.name}: digest is not lower-case hex`);
    hash.update(Buffer.from(r.digest, 'hex'));
  }
  return hash.digest('hex');
}
