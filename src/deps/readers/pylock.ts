import { z } from 'zod';
import type { DependencyFile, PackageHash, PackageSource } from '../model.js';
import { normalisePypiName } from '../names.js';
import {
  arrayTableLines,
  DependencyFileBuilder,
  describeZodError,
  entryLabel,
  hashFromParts,
  isTable,
  quote,
  sourceRequirement,
  tableEntries,
} from './python-toml.js';

/**
 * PEP 751 `pylock.toml` (https://peps.python.org/pep-0751/, now the PyPA "pylock.toml Specification").
 * `lock-version` is "1.0"; each `[[packages]]` has `name`, an optional `version` (absent for source trees
 * and VCS checkouts), `marker`, `dependencies` (tables naming other entries), and exactly one way to get
 * it: `vcs` (with `commit-id`), `directory`, `archive`, or an index's `sdist` and/or `wheels`, every
 * archive with `hashes` (a table `{algorithm = hex}`). The spec gives no notion of direct dependencies,
 * so `direct` is left unknown; `'dev' in dependency_groups` and `'x' in extras` in a marker say which
 * group or extra a package is locked for.
 */

/** PEP 751: "Tools SHOULD warn ... if the minor version is newer; MUST raise an error if the major is". */
export const PYLOCK_MAJOR_VERSION = 1;
export const PYLOCK_MINOR_VERSION = 0;

const ArtifactSchema = z.object({
  url: z.string().optional(),
  path: z.string().optional(),
  hashes: z.unknown().optional(),
});

const PackageSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  marker: z.string().optional(),
  index: z.string().optional(),
  dependencies: z.array(z.unknown()).optional(),
  vcs: z
    .object({
      type: z.string().optional(),
      url: z.string().optional(),
      path: z.string().optional(),
      'commit-id': z.string().optional(),
    })
    .optional(),
  directory: z.object({ path: z.string(), editable: z.boolean().optional() }).optional(),
  archive: ArtifactSchema.optional(),
  sdist: ArtifactSchema.optional(),
  wheels: z.array(z.unknown()).optional(),
});

/** `'dev' in dependency_groups`, `"cpu" in extras` in a PEP 751 package marker. */
const MEMBERSHIP_PATTERN = /(['"])([^'"]{1,200})\1\s+in\s+(?:extras|dependency_groups)\b/g;

/** Reads a PEP 751 pylock.toml. Never throws: what cannot be read is a problem in the result. */
export function readPylock(file: string, text: string): DependencyFile {
  const out = new DependencyFileBuilder(file, 'pylock.toml');
  const doc = out.parseToml(text);
  if (doc === undefined) return out.result();

  const lockVersion = doc['lock-version'];
  const match = typeof lockVersion === 'string' ? /^(\d+)\.(\d+)$/.exec(lockVersion) : null;
  if (match === null) {
    out.problem(`lock-version ${quote(lockVersion)} is not "major.minor": not read`);
    return out.result();
  }
  if (Number(match[1]) !== PYLOCK_MAJOR_VERSION) {
    // PEP 751: a different major version is a different format; guessing at it could misreport packages.
    out.problem(
      `lock-version ${quote(lockVersion)} is not supported (only ${PYLOCK_MAJOR_VERSION}.x): not read`,
    );
    return out.result();
  }
  if (Number(match[2]) > PYLOCK_MINOR_VERSION) {
    out.problem(`lock-version ${quote(lockVersion)} is newer than 1.${PYLOCK_MINOR_VERSION}: read as 1.0`);
  }

  const rawPackages = doc.packages;
  if (rawPackages === undefined) return out.result();
  if (!Array.isArray(rawPackages)) {
    out.problem('`packages` is not an array of tables: no packages read');
    return out.result();
  }
  const headerLines = arrayTableLines(text, 'packages');
  const lines = headerLines.length === rawPackages.length ? headerLines : undefined;

  for (const [index, raw] of rawPackages.entries()) {
    if (out.full) break;
    const line = lines?.[index];
    const label = entryLabel('package', index, isTable(raw) ? raw.name : undefined);
    const parsed = PackageSchema.safeParse(raw);
    if (!parsed.success) {
      out.problem(`${label}: ${describeZodError(parsed.error)}`, line);
      continue;
    }
    const entry = parsed.data;
    const ways = (['vcs', 'directory', 'archive'] as const).filter((key) => entry[key] !== undefined);
    const fromIndex = entry.sdist !== undefined || entry.wheels !== undefined;
    if (ways.length + (fromIndex ? 1 : 0) > 1) {
      // PEP 751: vcs, directory, archive and sdist/wheels are mutually exclusive.
      out.problem(
        `${label}: more than one of vcs, directory, archive, sdist/wheels: read as ${ways[0]}`,
        line,
      );
    }
    const source = readSource(entry);
    if (typeof source === 'string') {
      out.problem(`${label}: ${source}`, line);
      continue;
    }

    const hashes: PackageHash[] = [];
    const addHashes = (artifact: unknown, where: string): void => {
      const parsedArtifact = ArtifactSchema.safeParse(artifact);
      if (!parsedArtifact.success) {
        out.problem(`${label}: ${where}: ${describeZodError(parsedArtifact.error)}`, line);
        return;
      }
      const table = parsedArtifact.data.hashes;
      if (!isTable(table)) {
        out.problem(`${label}: ${where} has no hashes table`, line);
        return;
      }
      for (const [algorithm, digest] of tableEntries(table)) {
        const hash = hashFromParts(algorithm, digest);
        if (typeof hash === 'string') out.problem(`${label}: ${where}: ${hash}`, line);
        else hashes.push(hash);
      }
    };
    if (entry.archive !== undefined) addHashes(entry.archive, 'archive');
    if (entry.sdist !== undefined) addHashes(entry.sdist, 'sdist');
    for (const [k, wheel] of (entry.wheels ?? []).entries()) addHashes(wheel, `wheel ${k + 1}`);

    const dependencies: string[] = [];
    for (const [k, item] of (entry.dependencies ?? []).entries()) {
      if (isTable(item) && typeof item.name === 'string') dependencies.push(normalisePypiName(item.name));
      else out.problem(`${label}: dependency ${k + 1} has no name`, line);
    }

    out.add(label, {
      name: entry.name,
      version: entry.version,
      requirement: entry.version === undefined ? sourceRequirement(source) : undefined,
      source,
      hashes,
      marker: entry.marker,
      groups:
        entry.marker === undefined ? [] : [...entry.marker.matchAll(MEMBERSHIP_PATTERN)].map((m) => m[2]!),
      dependencies,
      line,
    });
  }
  return out.result();
}

function readSource(entry: z.infer<typeof PackageSchema>): PackageSource | string {
  if (entry.vcs !== undefined) {
    const location = entry.vcs.url ?? entry.vcs.path;
    if (location === undefined) return 'vcs has neither url nor path';
    const commit = entry.vcs['commit-id'];
    return { kind: 'vcs', url: location, ...(commit !== undefined ? { commit } : {}) };
  }
  if (entry.directory !== undefined) {
    return {
      kind: 'path',
      path: entry.directory.path,
      ...(entry.directory.editable === true ? { editable: true } : {}),
    };
  }
  if (entry.archive !== undefined) {
    if (entry.archive.url !== undefined) return { kind: 'url', url: entry.archive.url };
    if (entry.archive.path !== undefined) return { kind: 'path', path: entry.archive.path };
    return 'archive has neither url nor path';
  }
  return entry.index !== undefined ? { kind: 'registry', url: entry.index } : { kind: 'registry' };
}
