import parseSpdx from 'spdx-expression-parse';
import { compareStrings } from '../core/finding.js';
import type { DependencyFile, DependencyPackage, PackageHash } from '../deps/model.js';
import { purlFor } from '../deps/names.js';
import type { InventoryHash, InventoryLibrary, InventoryLicense } from './inventory.js';

/**
 * Libraries of the inventory from what the manifest and lockfile readers read (the same readers
 * `pedigree deps` uses): one entry per package and version, whichever files name it, with the union of
 * their hashes, licences and dependency edges, and every place that declares it.
 */

/** Groups that hold only development tools: packages only there are CycloneDX scope `optional`. */
const DEV_GROUPS = new Set([
  'dev',
  'develop',
  'development',
  'devoptional',
  'test',
  'tests',
  'testing',
  'doc',
  'docs',
  'lint',
  'linting',
  'typing',
  'types',
]);

/** pip/lockfile algorithm names to CycloneDX's `hash-alg` enum; others have no CycloneDX name and are left out. */
const HASH_ALGORITHMS: Readonly<Record<string, InventoryHash['algorithm']>> = {
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
  sha1: 'SHA-1',
  md5: 'MD5',
};

/** Hex lengths per algorithm: a value of the wrong length is not that digest (and would fail the schema). */
const HEX_LENGTH: Readonly<Record<InventoryHash['algorithm'], number>> = {
  'SHA-256': 64,
  'SHA-384': 96,
  'SHA-512': 128,
  'SHA-1': 40,
  MD5: 32,
  'BLAKE2b-256': 64,
  BLAKE3: 64,
};

export function inventoryHash(hash: PackageHash): InventoryHash | undefined {
  const algorithm = HASH_ALGORITHMS[hash.algorithm.toLowerCase()];
  if (!algorithm) return undefined;
  const value = hash.value.toLowerCase();
  return new RegExp(`^[0-9a-f]{${HEX_LENGTH[algorithm]}}$`).test(value) ? { algorithm, value } : undefined;
}

/** A licence string as an SPDX expression when it is one, else by name. */
export function licenseOf(text: string, source: string): InventoryLicense {
  const trimmed = text.trim();
  try {
    parseSpdx(trimmed);
    return { expression: trimmed, source };
  } catch {
    return { name: trimmed.slice(0, 200), source };
  }
}

function refOf(pkg: DependencyPackage): string {
  if (pkg.version !== undefined) return pkg.purl ?? purlFor(pkg.ecosystem, pkg.name, pkg.version);
  return `lib:${pkg.ecosystem}/${pkg.normalizedName}`;
}

function sourceUrlOf(pkg: DependencyPackage): string | undefined {
  switch (pkg.source.kind) {
    case 'registry':
      return pkg.source.url;
    case 'url':
      return pkg.source.url;
    case 'vcs':
      return pkg.source.commit ? `${pkg.source.url}@${pkg.source.commit}` : pkg.source.url;
    case 'path':
      return undefined;
  }
}

interface Accumulator {
  first: DependencyPackage;
  hashes: Map<string, InventoryHash>;
  licenses: Map<string, InventoryLicense>;
  direct: boolean[];
  devOnly: boolean;
  dependsOn: Set<string>;
  declaredIn: Set<string>;
  sourceUrl?: string;
}

export function buildLibraries(files: readonly DependencyFile[]): InventoryLibrary[] {
  const entries = new Map<string, Accumulator>();
  for (const file of files) {
    // Dependency edges name packages by normalised name; within one file a name is one resolved package.
    const refByName = new Map<string, string>();
    for (const pkg of file.packages)
      if (pkg.version !== undefined) refByName.set(pkg.normalizedName, refOf(pkg));
    for (const pkg of file.packages) {
      const ref = refOf(pkg);
      let acc = entries.get(ref);
      if (!acc) {
        acc = {
          first: pkg,
          hashes: new Map(),
          licenses: new Map(),
          direct: [],
          devOnly: true,
          dependsOn: new Set(),
          declaredIn: new Set(),
        };
        entries.set(ref, acc);
      }
      for (const h of pkg.hashes) {
        const hash = inventoryHash(h);
        if (hash) acc.hashes.set(`${hash.algorithm}:${hash.value}`, hash);
      }
      if (pkg.license) {
        const license = licenseOf(pkg.license, pkg.declaredAt.file);
        acc.licenses.set(license.expression ?? `name:${license.name}`, license);
      }
      if (pkg.direct !== undefined) acc.direct.push(pkg.direct);
      const dev = pkg.groups.length > 0 && pkg.groups.every((g) => DEV_GROUPS.has(g.toLowerCase()));
      if (!dev) acc.devOnly = false;
      for (const dep of pkg.dependencies) {
        const target = refByName.get(dep);
        if (target && target !== ref) acc.dependsOn.add(target);
      }
      acc.declaredIn.add(
        pkg.declaredAt.line !== undefined
          ? `${pkg.declaredAt.file}:${pkg.declaredAt.line}`
          : pkg.declaredAt.file,
      );
      acc.sourceUrl ??= sourceUrlOf(pkg);
    }
  }
  // A manifest's requirement (`grpcio>=1.60` in pyproject.toml) next to the lock that resolves it is the
  // same package, not a second, versionless one: its declaration and directness join the locked entries.
  const resolvedByName = new Map<string, Accumulator[]>();
  for (const acc of entries.values())
    if (acc.first.version !== undefined) {
      const key = `${acc.first.ecosystem}\0${acc.first.normalizedName}`;
      resolvedByName.set(key, [...(resolvedByName.get(key) ?? []), acc]);
    }
  for (const [ref, acc] of [...entries]) {
    if (acc.first.version !== undefined) continue;
    const resolved = resolvedByName.get(`${acc.first.ecosystem}\0${acc.first.normalizedName}`);
    if (!resolved) continue;
    for (const target of resolved) {
      for (const d of acc.declaredIn) target.declaredIn.add(d);
      target.direct.push(...acc.direct);
      if (!acc.devOnly) target.devOnly = false;
    }
    entries.delete(ref);
  }
  const libraries: InventoryLibrary[] = [];
  for (const [ref, acc] of entries) {
    const pkg = acc.first;
    const direct = acc.direct.includes(true) ? true : acc.direct.length > 0 ? false : undefined;
    libraries.push({
      ref,
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      ...(pkg.version !== undefined ? { version: pkg.version } : {}),
      ...(pkg.version === undefined && pkg.requirement ? { requirement: pkg.requirement } : {}),
      ...(pkg.version !== undefined ? { purl: ref } : {}),
      hashes: [...acc.hashes.values()].sort(
        (a, b) => compareStrings(a.algorithm, b.algorithm) || compareStrings(a.value, b.value),
      ),
      licenses: [...acc.licenses.values()].sort((a, b) =>
        compareStrings(a.expression ?? a.name ?? '', b.expression ?? b.name ?? ''),
      ),
      ...(direct !== undefined ? { direct } : {}),
      optional: acc.devOnly,
      dependsOn: [...acc.dependsOn].sort(compareStrings),
      declaredIn: [...acc.declaredIn].sort(compareStrings),
      ...(acc.sourceUrl ? { sourceUrl: acc.sourceUrl } : {}),
    });
  }
  return libraries.sort((a, b) => compareStrings(a.ref, b.ref));
}
