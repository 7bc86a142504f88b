import { compareStrings } from '../../core/finding.js';
import type { BomReadContext } from './fields.js';
import type { BomHash } from './model.js';

/**
 * Algorithm names as CycloneDX spells them (CycloneDX 1.6 `hash-alg`), keyed by the name lower-cased
 * without separators, so SPDX 3 `sha3_256`, SPDX 2 `SHA3-256` and CycloneDX `SHA3-256` are one algorithm.
 * SPDX-only algorithms (SHA-224, MD2, MD4, MD6, ADLER32) get a spelling in the same style.
 */
const ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['md2', 'MD2'],
  ['md4', 'MD4'],
  ['md5', 'MD5'],
  ['md6', 'MD6'],
  ['adler32', 'ADLER32'],
  ['sha1', 'SHA-1'],
  ['sha224', 'SHA-224'],
  ['sha256', 'SHA-256'],
  ['sha384', 'SHA-384'],
  ['sha512', 'SHA-512'],
  ['sha3224', 'SHA3-224'],
  ['sha3256', 'SHA3-256'],
  ['sha3384', 'SHA3-384'],
  ['sha3512', 'SHA3-512'],
  ['blake2b256', 'BLAKE2b-256'],
  ['blake2b384', 'BLAKE2b-384'],
  ['blake2b512', 'BLAKE2b-512'],
  ['blake3', 'BLAKE3'],
  ['streebog256', 'Streebog-256'],
  ['streebog512', 'Streebog-512'],
]);

/**
 * Algorithms with practical collisions (MD5: Wang et al. 2004; SHA-1: SHAttered 2017) or none of the
 * properties of a cryptographic hash (ADLER32, MD2, MD4): equal digests by these alone do not show equal
 * content against someone who chose the content.
 */
const WEAK_ALGORITHMS: ReadonlySet<string> = new Set(['MD2', 'MD4', 'MD5', 'SHA-1', 'ADLER32']);

/** The CycloneDX spelling of a hash algorithm name from any of the formats; unknown names upper-cased. */
export function normaliseAlgorithm(name: string): string {
  const key = name.toLowerCase().replace(/[-_\s]/g, '');
  return ALGORITHMS.get(key) ?? name.trim().toUpperCase();
}

/** Whether equal digests by this algorithm say little against an adversary (see WEAK_ALGORITHMS). */
export function isWeakAlgorithm(algorithm: string): boolean {
  return WEAK_ALGORITHMS.has(algorithm);
}

/** Hex digests in lower case (CycloneDX allows either case); anything else as written, trimmed. */
export function normaliseDigest(value: string): string {
  const trimmed = value.trim();
  return /^[0-9a-fA-F]+$/.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

/**
 * One digest per algorithm, sorted by algorithm. The same algorithm listed twice with the same digest is
 * one hash; with two different digests the BOM contradicts itself about the content, and is refused rather
 * than compared by whichever value came first.
 */
export function collectHashes(
  entries: readonly { algorithm: string; value: string; path: string }[],
  context: BomReadContext,
): readonly BomHash[] {
  const byAlgorithm = new Map<string, string>();
  for (const entry of entries) {
    const algorithm = normaliseAlgorithm(entry.algorithm);
    const value = normaliseDigest(entry.value);
    const previous = byAlgorithm.get(algorithm);
    if (previous !== undefined && previous !== value)
      context.fail(
        entry.path,
        `a second, different ${algorithm} digest for the same component (${previous.slice(0, 16)}… and ${value.slice(0, 16)}…)`,
        'BAD_VALUE',
      );
    byAlgorithm.set(algorithm, value);
  }
  return [...byAlgorithm]
    .map(([algorithm, value]) => ({ algorithm, value }))
    .sort((x, y) => compareStrings(x.algorithm, y.algorithm));
}
