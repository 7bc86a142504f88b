import { compareStrings } from '../../core/finding.js';
import { isWeakAlgorithm } from './hashes.js';
import type { BomHash } from './model.js';

/**
 * Why two hash lists say nothing about whether the content is the same: no hashes on one side or both,
 * no algorithm in common, or equal only by algorithms with practical collisions (MD5, SHA-1).
 */
export type NotComparableReason =
  | 'no-hashes'
  | 'no-hashes-in-a'
  | 'no-hashes-in-b'
  | 'no-common-algorithm'
  | 'weak-only';

export interface AlgorithmDelta {
  readonly algorithm: string;
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly before?: string;
  readonly after?: string;
}

/**
 * Hashes of one component in A and B. `changed` when any algorithm both sides list has different digests
 * (one mismatch is enough: equal MD5 next to a different SHA-256 is different content); `unchanged` when
 * every algorithm both sides list agrees and at least one of them is collision resistant; otherwise
 * `not-comparable`, which is neither "the same" nor "changed".
 */
export interface HashComparison {
  readonly status: 'unchanged' | 'changed' | 'not-comparable';
  readonly reason?: NotComparableReason;
  /** Algorithms listed on both sides, whose digests were compared. */
  readonly compared: readonly string[];
  /** Every algorithm of either side, sorted. */
  readonly algorithms: readonly AlgorithmDelta[];
}

/** Compares two hash lists (each one digest per algorithm) algorithm by algorithm. */
export function compareHashes(a: readonly BomHash[], b: readonly BomHash[]): HashComparison {
  const before = new Map(a.map((h) => [h.algorithm, h.value]));
  const after = new Map(b.map((h) => [h.algorithm, h.value]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings);
  const algorithms: AlgorithmDelta[] = names.map((algorithm) => {
    const x = before.get(algorithm);
    const y = after.get(algorithm);
    if (x === undefined) return { algorithm, change: 'added', after: y as string };
    if (y === undefined) return { algorithm, change: 'removed', before: x };
    return { algorithm, change: x === y ? 'unchanged' : 'changed', before: x, after: y };
  });
  const compared = algorithms.filter((d) => d.change === 'changed' || d.change === 'unchanged');
  const comparedNames = compared.map((d) => d.algorithm);
  if (compared.some((d) => d.change === 'changed'))
    return { status: 'changed', compared: comparedNames, algorithms };
  let reason: NotComparableReason | undefined;
  if (a.length === 0 && b.length === 0) reason = 'no-hashes';
  else if (a.length === 0) reason = 'no-hashes-in-a';
  else if (b.length === 0) reason = 'no-hashes-in-b';
  else if (compared.length === 0) reason = 'no-common-algorithm';
  else if (compared.every((d) => isWeakAlgorithm(d.algorithm))) reason = 'weak-only';
  return reason === undefined
    ? { status: 'unchanged', compared: comparedNames, algorithms }
    : { status: 'not-comparable', reason, compared: comparedNames, algorithms };
}

/** Whether the BOM's hash lists differ at all: a digest changed, or an algorithm was added or dropped. */
export function hashListsDiffer(comparison: HashComparison): boolean {
  return comparison.algorithms.some((d) => d.change !== 'unchanged');
}

/** The reason in words, for reports. */
export function describeNotComparable(reason: NotComparableReason): string {
  switch (reason) {
    case 'no-hashes':
      return 'no hashes in either BOM';
    case 'no-hashes-in-a':
      return 'no hashes in A';
    case 'no-hashes-in-b':
      return 'no hashes in B';
    case 'no-common-algorithm':
      return 'no hash algorithm in common';
    case 'weak-only':
      return 'equal only by MD5/SHA-1, which are not collision resistant';
  }
}
