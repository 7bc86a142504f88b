import { z } from 'zod';
import type { DependencyFile, PackageHash, PackageSource } from '../model.js';
import { normalisePypiName } from '../names.js';
import { parsePep508 } from './pep508.js';
import {
  anyOfMarkers,
  arrayTableLines,
  DependencyFileBuilder,
  describeZodError,
  entryLabel,
  isTable,
  type PackageInput,
  parseHashString,
  quote,
  sourceRequirement,
  type TomlTable,
  tableEntries,
} from './python-toml.js';

/**
 * pdm.lock (https://pdm-project.org/latest/usage/lockfile/). `[metadata]` holds `lock_version`, the
 * locked `groups` and `strategy`; each `[[package]]` has `name`, `version`, `groups` (lock 4.4+; `sections`
 * before 4.0), `marker`, `files = [{file|url, hash}]` (lock 4.1+; before, `[metadata.files]` keyed by
 * `"name version"`), `dependencies` as PEP 508 strings, and for non-index packages `git` with `ref` and
 * `revision`, `url`, or `path` with `editable`.
 *
 * pdm writes a package once more for each set of extras it is used with (`requests` and `requests` with
 * `extras = ["security"]`): the same distribution, so those entries are merged into one package with the
 * extras. Different versions stay separate. The lock does not say which packages the project asks for
 * itself, so `direct` is left unknown.
 */

/** The newest lock_version major this reader was written against; a newer one is read, with a warning. */
export const PDM_LOCK_MAJOR_VERSION = 4;

const PackageSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  extras: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
  sections: z.array(z.string()).optional(),
  marker: z.string().optional(),
  files: z.array(z.unknown()).optional(),
  dependencies: z.array(z.unknown()).optional(),
  git: z.string().optional(),
  ref: z.string().optional(),
  revision: z.string().optional(),
  url: z.string().optional(),
  path: z.string().optional(),
  editable: z.boolean().optional(),
});

const FileSchema = z.object({ file: z.string().optional(), url: z.string().optional(), hash: z.string() });

interface Merged {
  input: PackageInput & {
    hashes: PackageHash[];
    extras: string[];
    groups: string[];
    dependencies: string[];
  };
  label: string;
  markers: string[];
  /** An entry without a marker applies everywhere, whatever the others say. */
  unconditional: boolean;
}

/** Reads a pdm.lock. Never throws: what cannot be read is a problem in the result. */
export function readPdmLock(file: string, text: string): DependencyFile {
  const out = new DependencyFileBuilder(file, 'pdm.lock');
  const doc = out.parseToml(text);
  if (doc === undefined) return out.result();

  const metadata = isTable(doc.metadata) ? doc.metadata : undefined;
  const lockVersion = metadata?.lock_version;
  if (typeof lockVersion === 'string' && Number.parseInt(lockVersion, 10) > PDM_LOCK_MAJOR_VERSION) {
    out.problem(`lock_version ${quote(lockVersion)} is newer than ${PDM_LOCK_MAJOR_VERSION}.x: read as 4.x`);
  }
  const rawPackages = doc.package;
  if (rawPackages === undefined) return out.result();
  if (!Array.isArray(rawPackages)) {
    out.problem('`package` is not an array of tables: no packages read');
    return out.result();
  }
  const headerLines = arrayTableLines(text, 'package');
  const lines = headerLines.length === rawPackages.length ? headerLines : undefined;
  const legacyFiles = readLegacyFiles(metadata, out);

  const merged = new Map<string, Merged>();
  for (const [index, raw] of rawPackages.entries()) {
    const line = lines?.[index];
    const label = entryLabel('package', index, isTable(raw) ? raw.name : undefined);
    const parsed = PackageSchema.safeParse(raw);
    if (!parsed.success) {
      out.problem(`${label}: ${describeZodError(parsed.error)}`, line);
      continue;
    }
    const entry = parsed.data;
    const source = readSource(entry);
    const normalizedName = normalisePypiName(entry.name);

    const hashes: PackageHash[] = [];
    for (const [k, item] of (entry.files ?? []).entries()) {
      const fileEntry = FileSchema.safeParse(item);
      const hash = fileEntry.success
        ? parseHashString(fileEntry.data.hash)
        : describeZodError(fileEntry.error);
      if (typeof hash === 'string') out.problem(`${label}: file ${k + 1}: ${hash}`, line);
      else hashes.push(hash);
    }
    if (entry.version !== undefined)
      hashes.push(...(legacyFiles.get(`${normalizedName} ${entry.version}`) ?? []));

    const dependencies: string[] = [];
    for (const [k, item] of (entry.dependencies ?? []).entries()) {
      if (typeof item !== 'string') {
        out.problem(`${label}: dependency ${k + 1} is not a string`, line);
        continue;
      }
      const requirement = parsePep508(item);
      if ('error' in requirement)
        out.problem(`${label}: dependency ${quote(item)}: ${requirement.error}`, line);
      // An extras entry depends on its own base entry (`requests[security]` on `requests`): not an edge.
      else if (normalisePypiName(requirement.name) !== normalizedName) {
        dependencies.push(normalisePypiName(requirement.name));
      }
    }

    const key = `${normalizedName}\u0000${entry.version ?? ''}\u0000${JSON.stringify(source)}`;
    const existing = merged.get(key);
    const groups = entry.groups ?? entry.sections ?? [];
    if (existing === undefined) {
      merged.set(key, {
        input: {
          name: entry.name,
          version: entry.version,
          requirement: entry.version === undefined ? sourceRequirement(source) : undefined,
          source,
          hashes,
          extras: [...(entry.extras ?? [])],
          groups: [...groups],
          dependencies,
          line,
        },
        label,
        markers: entry.marker === undefined ? [] : [entry.marker],
        unconditional: entry.marker === undefined,
      });
    } else {
      existing.input.hashes.push(...hashes);
      existing.input.extras.push(...(entry.extras ?? []));
      existing.input.groups.push(...groups);
      existing.input.dependencies.push(...dependencies);
      if (entry.marker === undefined) existing.unconditional = true;
      else existing.markers.push(entry.marker);
    }
  }

  for (const { input, label, markers, unconditional } of merged.values()) {
    out.add(label, { ...input, marker: unconditional ? undefined : anyOfMarkers(markers) });
  }
  return out.result();
}

function readSource(entry: z.infer<typeof PackageSchema>): PackageSource {
  if (entry.git !== undefined) {
    // `ref` is what was asked (branch, tag); `revision` the commit it resolved to.
    const commit = entry.revision ?? entry.ref;
    return { kind: 'vcs', url: entry.git, ...(commit !== undefined ? { commit } : {}) };
  }
  if (entry.path !== undefined) {
    return { kind: 'path', path: entry.path, ...(entry.editable === true ? { editable: true } : {}) };
  }
  if (entry.url !== undefined) return { kind: 'url', url: entry.url };
  return { kind: 'registry' };
}

/** Lock 4.0 and before: `[metadata.files]` keyed by `"name version"`. */
function readLegacyFiles(
  metadata: TomlTable | undefined,
  out: DependencyFileBuilder,
): Map<string, PackageHash[]> {
  const byKey = new Map<string, PackageHash[]>();
  const files = metadata?.files;
  if (!isTable(files)) return byKey;
  for (const [key, list] of tableEntries(files)) {
    const space = key.lastIndexOf(' ');
    if (space <= 0 || !Array.isArray(list)) {
      out.problem(`[metadata.files] ${quote(key)}: expected "name version" = [files]`);
      continue;
    }
    // The key may carry extras (`requests[security] 2.26.0`); hashes belong to the distribution.
    const name = key.slice(0, space).replace(/\[.*\]$/, '');
    const mapKey = `${normalisePypiName(name)} ${key.slice(space + 1)}`;
    const hashes = byKey.get(mapKey) ?? [];
    for (const [k, item] of list.entries()) {
      const parsed = FileSchema.safeParse(item);
      const hash = parsed.success ? parseHashString(parsed.data.hash) : describeZodError(parsed.error);
      if (typeof hash === 'string') out.problem(`[metadata.files] ${quote(key)} file ${k + 1}: ${hash}`);
      else hashes.push(hash);
    }
    byKey.set(mapKey, hashes);
  }
  return byKey;
}
