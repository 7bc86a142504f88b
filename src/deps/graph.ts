import { compareStrings } from '../core/finding.js';
import type { DependencyPackage } from './model.js';

/**
 * "Who pulled this in": for a package a lockfile records as a dependency of others, the shortest chains
 * from a direct dependency (or from a package nothing depends on, when the lockfile does not mark direct
 * ones) down to it, within the same file. Edges are by normalised name, as lockfiles record them.
 */

/** Most chains reported per package, and the longest chain followed. */
export const MAX_CHAINS = 3;
const MAX_CHAIN_LENGTH = 32;

export interface DependencyGraph {
  /** Chains of normalised names, each starting at a top-level package and ending at `name`. */
  chainsTo(file: string, name: string): readonly (readonly string[])[];
}

export function buildDependencyGraph(packages: readonly DependencyPackage[]): DependencyGraph {
  const parents = new Map<string, Map<string, Set<string>>>();
  const direct = new Map<string, Set<string>>();
  const known = new Map<string, Set<string>>();
  for (const pkg of packages) {
    const file = pkg.declaredAt.file;
    const byChild = parents.get(file) ?? new Map<string, Set<string>>();
    parents.set(file, byChild);
    if (!known.has(file)) known.set(file, new Set());
    known.get(file)?.add(pkg.normalizedName);
    if (pkg.direct === true) {
      const set = direct.get(file) ?? new Set<string>();
      set.add(pkg.normalizedName);
      direct.set(file, set);
    }
    for (const child of pkg.dependencies) {
      if (child === pkg.normalizedName) continue;
      const set = byChild.get(child) ?? new Set<string>();
      set.add(pkg.normalizedName);
      byChild.set(child, set);
    }
  }
  return {
    chainsTo(file, name) {
      const byChild = parents.get(file);
      if (!byChild || (direct.get(file)?.has(name) ?? false)) return [];
      const roots = direct.get(file);
      const isTop = (n: string) => (roots !== undefined ? roots.has(n) : (byChild.get(n)?.size ?? 0) === 0);
      // Breadth-first upwards: the first chains found are the shortest.
      const chains: string[][] = [];
      let frontier: string[][] = [[name]];
      const seen = new Set([name]);
      for (
        let depth = 0;
        depth < MAX_CHAIN_LENGTH && frontier.length > 0 && chains.length < MAX_CHAINS;
        depth++
      ) {
        const next: string[][] = [];
        for (const chain of frontier) {
          const head = chain[0] as string;
          for (const parent of [...(byChild.get(head) ?? [])].sort(compareStrings)) {
            if (chain.includes(parent)) continue;
            const longer = [parent, ...chain];
            if (isTop(parent)) {
              if (chains.length < MAX_CHAINS) chains.push(longer);
            } else if (!seen.has(parent)) {
              seen.add(parent);
              next.push(longer);
            }
          }
        }
        frontier = next;
      }
      return chains;
    },
  };
}
