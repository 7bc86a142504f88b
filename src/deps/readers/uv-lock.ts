import { z } from 'zod';
import type { DependencyFile, PackageHash, PackageSource } from '../model.js';
import { normalisePypiName } from '../names.js';
import {
  anyOfMarkers,
  arrayTableLines,
  DependencyFileBuilder,
  describeZodError,
  entryLabel,
  isTable,
  parseHashString,
  quote,
  sourceRequirement,
  type TomlTable,
  tableEntries,
} from './python-toml.js';

/**
 * uv.lock (https://docs.astral.sh/uv/concepts/projects/sync/ and the lockfile section of
 * https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile). Top level: `version` (1 since uv 0.3),
 * `revision`, `requires-python`, `resolution-markers`, `[manifest]` (workspace `members`), and
 * `[[package]]` entries with `name`, `version`, `source` (one of `registry`, `git`, `url`, `path`,
 * `directory`, `editable`, `virtual`), `resolution-markers` (set when the resolver forked and this version
 * serves only some environments), `sdist` and `wheels` (each with a `hash`), `dependencies`,
 * `optional-dependencies` (per extra) and `dev-dependencies` (per PEP 735 group).
 *
 * The same name can appear several times (one entry per fork, `numpy 2.0.2` and `2.2.2`); they stay
 * separate packages, and a dependency edge names `version` and `source` to say which one it means.
 * The project itself (and every workspace member) is in the lock with an `editable` or `virtual` source:
 * it is the root, not a package anyone installs from an index, so it is not listed; the packages it
 * depends on are the direct dependencies, which uv.lock records exactly, so every other package is
 * `direct: false`.
 */

/** The lockfile `version` this reader was written against; a newer one is read, with a warning. */
export const UV_LOCK_VERSION = 1;

const EdgeSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  source: z.unknown().optional(),
  marker: z.string().optional(),
  extra: z.array(z.string()).optional(),
});
type Edge = z.infer<typeof EdgeSchema>;

const PackageSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  source: z.unknown(),
  'resolution-markers': z.array(z.string()).optional(),
  sdist: z.unknown().optional(),
  wheels: z.array(z.unknown()).optional(),
  dependencies: z.array(z.unknown()).optional(),
  'optional-dependencies': z.unknown().optional(),
  'dev-dependencies': z.unknown().optional(),
});

interface UvPackage {
  readonly label: string;
  readonly name: string;
  readonly normalizedName: string;
  readonly version: string | undefined;
  readonly source: PackageSource;
  /** The `source` table as JSON, for matching a dependency edge that names a source. */
  readonly sourceKey: string;
  /** Editable or virtual: a project or workspace member rather than an installed package. */
  readonly isSourceTree: boolean;
  readonly isRoot: boolean;
  readonly markers: readonly string[];
  readonly hashes: readonly PackageHash[];
  readonly dependencies: readonly Edge[];
  readonly optionalDependencies: ReadonlyMap<string, readonly Edge[]>;
  readonly devDependencies: ReadonlyMap<string, readonly Edge[]>;
  readonly line: number | undefined;
}

interface DirectUse {
  groups: Set<string>;
  extras: Set<string>;
  markers: string[];
  /** False once an edge without a marker reaches it: then it applies everywhere. */
  allEdgesMarked: boolean;
}

/** Reads a uv.lock. Never throws: what cannot be read is a problem in the result. */
export function readUvLock(file: string, text: string): DependencyFile {
  const out = new DependencyFileBuilder(file, 'uv.lock');
  const doc = out.parseToml(text);
  if (doc === undefined) return out.result();

  const version = doc.version;
  if (typeof version !== 'number') {
    out.problem('no lockfile `version`: read as uv.lock version 1');
  } else if (version > UV_LOCK_VERSION) {
    out.problem(`uv.lock version ${version} is newer than ${UV_LOCK_VERSION}: read as version 1`);
  }
  const rawPackages = doc.package;
  if (rawPackages === undefined) return out.result();
  if (!Array.isArray(rawPackages)) {
    out.problem('`package` is not an array of tables: no packages read');
    return out.result();
  }

  const members = readMembers(doc, out);
  const headerLines = arrayTableLines(text, 'package');
  const lines = headerLines.length === rawPackages.length ? headerLines : undefined;

  const packages: UvPackage[] = [];
  for (const [index, raw] of rawPackages.entries()) {
    if (out.full) break;
    const parsed = readPackage(raw, index, lines?.[index], members, out);
    if (parsed !== undefined) packages.push(parsed);
  }

  const byName = new Map<string, UvPackage[]>();
  for (const pkg of packages) {
    const list = byName.get(pkg.normalizedName);
    if (list === undefined) byName.set(pkg.normalizedName, [pkg]);
    else list.push(pkg);
  }
  const resolve = (edge: Edge, from: UvPackage): UvPackage[] => {
    const targets = resolveEdge(edge, byName);
    if (targets.length === 0) {
      out.problem(`${from.label}: dependency ${quote(edge.name)} names no package in the lock`, from.line);
    }
    return targets;
  };

  const roots = packages.filter((pkg) => pkg.isRoot);
  const direct = new Map<UvPackage, DirectUse>();
  const markDirect = (edge: Edge, root: UvPackage, group: string | undefined): void => {
    for (const target of resolve(edge, root)) {
      if (target.isRoot) continue;
      let use = direct.get(target);
      if (use === undefined) {
        use = { groups: new Set(), extras: new Set(), markers: [], allEdgesMarked: true };
        direct.set(target, use);
      }
      if (group !== undefined) use.groups.add(group);
      for (const extra of edge.extra ?? []) use.extras.add(extra);
      if (edge.marker === undefined) use.allEdgesMarked = false;
      else use.markers.push(edge.marker);
    }
  };
  for (const root of roots) {
    for (const edge of root.dependencies) markDirect(edge, root, undefined);
    for (const [extra, edges] of root.optionalDependencies)
      for (const edge of edges) markDirect(edge, root, extra);
    for (const [group, edges] of root.devDependencies)
      for (const edge of edges) markDirect(edge, root, group);
  }

  for (const pkg of packages) {
    if (pkg.isRoot) continue;
    const edges = [...pkg.dependencies, ...[...pkg.optionalDependencies.values()].flat()];
    const dependencies = new Set<string>();
    for (const edge of edges)
      for (const target of resolve(edge, pkg)) dependencies.add(target.normalizedName);
    const use = direct.get(pkg);
    // The marker of a forked version is where the resolver placed it; otherwise, for a direct dependency
    // that the project only wants in some environments, the project's own markers.
    const marker =
      pkg.markers.length > 0
        ? anyOfMarkers(pkg.markers)
        : use?.allEdgesMarked
          ? anyOfMarkers(use.markers)
          : undefined;
    out.add(pkg.label, {
      name: pkg.name,
      version: pkg.version,
      requirement: pkg.version === undefined ? sourceRequirement(pkg.source) : undefined,
      source: pkg.source,
      hashes: pkg.hashes,
      marker,
      extras: use === undefined ? [] : [...use.extras],
      groups: use === undefined ? [] : [...use.groups],
      direct: roots.length === 0 ? undefined : use !== undefined,
      dependencies: [...dependencies],
      line: pkg.line,
    });
  }
  return out.result();
}

function readMembers(doc: TomlTable, out: DependencyFileBuilder): Set<string> | undefined {
  const manifest = doc.manifest;
  if (!isTable(manifest) || manifest.members === undefined) return undefined;
  const parsed = z.array(z.string()).safeParse(manifest.members);
  if (!parsed.success) {
    out.problem(`[manifest] members: ${describeZodError(parsed.error)}`);
    return undefined;
  }
  return new Set(parsed.data.map(normalisePypiName));
}

function readPackage(
  raw: unknown,
  index: number,
  line: number | undefined,
  members: Set<string> | undefined,
  out: DependencyFileBuilder,
): UvPackage | undefined {
  const label = entryLabel('package', index, isTable(raw) ? raw.name : undefined);
  const parsed = PackageSchema.safeParse(raw);
  if (!parsed.success) {
    out.problem(`${label}: ${describeZodError(parsed.error)}`, line);
    return undefined;
  }
  const entry = parsed.data;
  const source = readSource(entry.source);
  if (typeof source === 'string') {
    out.problem(`${label}: ${source}`, line);
    return undefined;
  }
  const normalizedName = normalisePypiName(entry.name);
  const isSourceTree = source.kind === 'path' && (source.editable || source.virtual);
  // A workspace lists its members; a single project is the source tree at ".".
  const isRoot = isSourceTree && (members !== undefined ? members.has(normalizedName) : source.path === '.');

  const hashes: PackageHash[] = [];
  const addHash = (artifact: unknown, where: string): void => {
    if (!isTable(artifact)) {
      out.problem(`${label}: ${where} is not a table`, line);
      return;
    }
    // Artifacts from a local path or a git checkout have no hash; uv omits the key.
    if (artifact.hash === undefined) return;
    const hash = parseHashString(artifact.hash);
    if (typeof hash === 'string') out.problem(`${label}: ${where}: ${hash}`, line);
    else hashes.push(hash);
  };
  if (entry.sdist !== undefined) addHash(entry.sdist, 'sdist');
  for (const [k, wheel] of (entry.wheels ?? []).entries()) addHash(wheel, `wheel ${k + 1}`);

  const readEdges = (list: readonly unknown[], where: string): Edge[] => {
    const edges: Edge[] = [];
    for (const [k, item] of list.entries()) {
      const edge = EdgeSchema.safeParse(item);
      if (edge.success) edges.push(edge.data);
      else out.problem(`${label}: ${where} ${k + 1}: ${describeZodError(edge.error)}`, line);
    }
    return edges;
  };
  const readEdgeTable = (value: unknown, where: string): Map<string, Edge[]> => {
    const result = new Map<string, Edge[]>();
    if (value === undefined) return result;
    if (!isTable(value)) {
      out.problem(`${label}: ${where} is not a table`, line);
      return result;
    }
    for (const [key, list] of tableEntries(value)) {
      if (!Array.isArray(list)) out.problem(`${label}: ${where}.${key} is not an array`, line);
      else result.set(key, readEdges(list, `${where}.${key}`));
    }
    return result;
  };

  return {
    label,
    name: entry.name,
    normalizedName,
    version: entry.version,
    source: source.source,
    sourceKey: JSON.stringify(entry.source),
    isSourceTree,
    isRoot,
    markers: entry['resolution-markers'] ?? [],
    hashes,
    dependencies: readEdges(entry.dependencies ?? [], 'dependency'),
    optionalDependencies: readEdgeTable(entry['optional-dependencies'], 'optional-dependencies'),
    devDependencies: readEdgeTable(entry['dev-dependencies'], 'dev-dependencies'),
    line,
  };
}

type ReadSource =
  | { kind: 'path'; source: PackageSource; path: string; editable: boolean; virtual: boolean }
  | { kind: 'other'; source: PackageSource };

/** The `source` inline table: exactly one of the keys uv writes, with a string value. */
function readSource(value: unknown): ReadSource | string {
  if (!isTable(value)) return `source is not a table: ${quote(value)}`;
  const entries = tableEntries(value).filter(([key]) => key !== 'subdirectory');
  const first = entries[0];
  if (entries.length !== 1 || first === undefined)
    return `source has ${entries.length} kinds: ${quote(value)}`;
  const [kind, location] = first;
  if (typeof location !== 'string' || location === '')
    return `source ${kind} is not a string: ${quote(location)}`;
  switch (kind) {
    case 'registry':
      return { kind: 'other', source: { kind: 'registry', url: location } };
    case 'git': {
      // uv writes `https://host/repo?rev=v1#<full commit>`: the fragment is the resolved commit.
      const hash = location.indexOf('#');
      if (hash < 0) return { kind: 'other', source: { kind: 'vcs', url: location } };
      const commit = location.slice(hash + 1);
      return {
        kind: 'other',
        source: { kind: 'vcs', url: location.slice(0, hash), ...(commit !== '' ? { commit } : {}) },
      };
    }
    case 'url':
      return { kind: 'other', source: { kind: 'url', url: location } };
    case 'path':
    case 'directory':
      return {
        kind: 'path',
        source: { kind: 'path', path: location },
        path: location,
        editable: false,
        virtual: false,
      };
    case 'editable':
      return {
        kind: 'path',
        source: { kind: 'path', path: location, editable: true },
        path: location,
        editable: true,
        virtual: false,
      };
    case 'virtual':
      return {
        kind: 'path',
        source: { kind: 'path', path: location },
        path: location,
        editable: false,
        virtual: true,
      };
    default:
      return `unknown source kind ${quote(kind)}`;
  }
}

/** The packages a dependency edge means: by name, narrowed by `version` and `source` when it gives them. */
function resolveEdge(edge: Edge, byName: ReadonlyMap<string, UvPackage[]>): UvPackage[] {
  let candidates = byName.get(normalisePypiName(edge.name)) ?? [];
  if (edge.version !== undefined) candidates = candidates.filter((pkg) => pkg.version === edge.version);
  if (edge.source !== undefined) {
    const key = JSON.stringify(edge.source);
    candidates = candidates.filter((pkg) => pkg.sourceKey === key);
  }
  return candidates;
}
