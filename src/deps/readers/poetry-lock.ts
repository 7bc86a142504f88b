import { z } from 'zod';
import type { DependencyFile, PackageHash, PackageSource } from '../model.js';
import { normalisePypiName } from '../names.js';
import { isValidName } from './pep508.js';
import {
  anyOfMarkers,
  arrayTableLines,
  DependencyFileBuilder,
  describeZodError,
  entryLabel,
  hashFromParts,
  isTable,
  parseHashString,
  quote,
  type TomlTable,
  tableEntries,
} from './python-toml.js';

/**
 * poetry.lock, as Poetry writes it (https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock;
 * the format is Poetry's own, described by its source, `poetry/packages/locker.py`).
 *
 * - Lock 1.x (Poetry 1.0-1.4): each `[[package]]` has a `category` (`main` or `dev`); hashes are in
 *   `[metadata.files]`, keyed by package name, and before 1.0 in `[metadata.hashes]` as bare sha256 hex.
 * - Lock 2.x (Poetry 1.5+): `files = [{file, hash}]` per package; 2.1 (Poetry 2.0) adds `groups` and
 *   `markers` (a string, or a table of one marker per group).
 *
 * Each package may have a `[package.source]` (`type` = `git`, `url`, `file`, `directory` or `legacy`, i.e.
 * a named secondary index), `[package.dependencies]` (the graph) and `[package.extras]`. The lock does not
 * say which packages the project asks for itself, so `direct` is left unknown.
 */

/** The newest lock-version major this reader was written against; a newer one is read, with a warning. */
export const POETRY_LOCK_MAJOR_VERSION = 2;

const PackageSchema = z.object({
  name: z.string(),
  version: z.string(),
  category: z.string().optional(),
  groups: z.array(z.string()).optional(),
  marker: z.string().optional(),
  markers: z.unknown().optional(),
  files: z.array(z.unknown()).optional(),
  source: z.unknown().optional(),
  dependencies: z.unknown().optional(),
  develop: z.boolean().optional(),
});

const FileSchema = z.object({ file: z.string().optional(), hash: z.string() });

const SourceSchema = z.object({
  type: z.string(),
  url: z.string().optional(),
  reference: z.string().optional(),
  resolved_reference: z.string().optional(),
});

/** Reads a poetry.lock. Never throws: what cannot be read is a problem in the result. */
export function readPoetryLock(file: string, text: string): DependencyFile {
  const out = new DependencyFileBuilder(file, 'poetry.lock');
  const doc = out.parseToml(text);
  if (doc === undefined) return out.result();

  const metadata = isTable(doc.metadata) ? doc.metadata : undefined;
  const lockVersion = metadata?.['lock-version'];
  if (typeof lockVersion === 'string') {
    const major = Number.parseInt(lockVersion, 10);
    if (major > POETRY_LOCK_MAJOR_VERSION) {
      out.problem(
        `lock-version ${quote(lockVersion)} is newer than ${POETRY_LOCK_MAJOR_VERSION}.x: read as 2.x`,
      );
    }
  }
  const rawPackages = doc.package;
  if (rawPackages === undefined) return out.result();
  if (!Array.isArray(rawPackages)) {
    out.problem('`package` is not an array of tables: no packages read');
    return out.result();
  }
  const headerLines = arrayTableLines(text, 'package');
  const lines = headerLines.length === rawPackages.length ? headerLines : undefined;

  // Lock 1.x keeps hashes outside the packages, by name; several versions of one name share the list.
  const legacyFiles = readLegacyFiles(metadata, out);
  const versionsByName = new Map<string, number>();
  for (const raw of rawPackages) {
    if (isTable(raw) && typeof raw.name === 'string') {
      const key = normalisePypiName(raw.name);
      versionsByName.set(key, (versionsByName.get(key) ?? 0) + 1);
    }
  }

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
    const source = readSource(entry.source, entry.develop === true);
    if (typeof source === 'string') {
      out.problem(`${label}: ${source}`, line);
      continue;
    }

    const hashes: PackageHash[] = [];
    for (const [k, item] of (entry.files ?? []).entries()) {
      const fileEntry = FileSchema.safeParse(item);
      const hash = fileEntry.success
        ? parseHashString(fileEntry.data.hash)
        : describeZodError(fileEntry.error);
      if (typeof hash === 'string') out.problem(`${label}: file ${k + 1}: ${hash}`, line);
      else hashes.push(hash);
    }
    const normalizedName = normalisePypiName(entry.name);
    for (const legacy of legacyFiles.get(normalizedName) ?? []) {
      // With one version of the name every listed file is its own; with several, only files named for it.
      if ((versionsByName.get(normalizedName) ?? 0) <= 1 || fileIsForVersion(legacy.file, entry.version)) {
        hashes.push(legacy.hash);
      }
    }

    const groups = entry.groups ?? (entry.category !== undefined ? [entry.category] : []);
    out.add(label, {
      name: entry.name,
      version: entry.version,
      source,
      hashes,
      marker: readMarkers(entry.markers, label, out, line) ?? entry.marker,
      groups,
      dependencies: readDependencyNames(entry.dependencies, label, out, line),
      line,
    });
  }
  return out.result();
}

/** `[package.source]` to a package source; a message when it cannot be read. */
function readSource(value: unknown, develop: boolean): PackageSource | string {
  if (value === undefined) return { kind: 'registry' };
  const parsed = SourceSchema.safeParse(value);
  if (!parsed.success) return `source: ${describeZodError(parsed.error)}`;
  const { type, url, reference, resolved_reference: resolved } = parsed.data;
  if (url === undefined || url === '') return `source of type ${quote(type)} has no url`;
  switch (type) {
    case 'git': {
      // `reference` is what was asked (branch, tag, rev); `resolved_reference` the commit it resolved to.
      const commit = resolved ?? reference;
      return { kind: 'vcs', url, ...(commit !== undefined && commit !== '' ? { commit } : {}) };
    }
    case 'url':
      return { kind: 'url', url };
    case 'file':
      return { kind: 'path', path: url };
    case 'directory':
      return { kind: 'path', path: url, ...(develop ? { editable: true } : {}) };
    case 'legacy':
      // A secondary index declared in `[[tool.poetry.source]]`: still an index, another URL.
      return { kind: 'registry', url };
    default:
      return `unknown source type ${quote(type)}`;
  }
}

/**
 * Lock 2.1 `markers`: one string, or a table with one marker per group (the package is installed for a
 * group when that group's marker holds), so overall it is installed when any of them holds.
 */
function readMarkers(
  value: unknown,
  label: string,
  out: DependencyFileBuilder,
  line: number | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isTable(value)) {
    const markers: string[] = [];
    for (const [group, marker] of tableEntries(value)) {
      if (typeof marker === 'string') markers.push(marker);
      else out.problem(`${label}: markers.${group} is not a string`, line);
    }
    return anyOfMarkers(markers);
  }
  out.problem(`${label}: markers is neither a string nor a table`, line);
  return undefined;
}

/** Names in `[package.dependencies]` (values are constraints, tables or lists of either: only keys matter). */
function readDependencyNames(
  value: unknown,
  label: string,
  out: DependencyFileBuilder,
  line: number | undefined,
): string[] {
  if (value === undefined) return [];
  if (!isTable(value)) {
    out.problem(`${label}: dependencies is not a table`, line);
    return [];
  }
  const names: string[] = [];
  for (const [name] of tableEntries(value)) {
    if (isValidName(name)) names.push(normalisePypiName(name));
    else out.problem(`${label}: invalid dependency name ${quote(name)}`, line);
  }
  return names;
}

interface LegacyFile {
  readonly file: string | undefined;
  readonly hash: PackageHash;
}

/** Lock 1.x `[metadata.files]` (`name = [{file, hash}]`) and pre-1.0 `[metadata.hashes]` (bare sha256). */
function readLegacyFiles(
  metadata: TomlTable | undefined,
  out: DependencyFileBuilder,
): Map<string, LegacyFile[]> {
  const byName = new Map<string, LegacyFile[]>();
  if (metadata === undefined) return byName;
  const push = (name: string, item: LegacyFile): void => {
    const key = normalisePypiName(name);
    const list = byName.get(key);
    if (list === undefined) byName.set(key, [item]);
    else list.push(item);
  };
  const files = metadata.files;
  if (isTable(files)) {
    for (const [name, list] of tableEntries(files)) {
      if (!Array.isArray(list)) {
        out.problem(`[metadata.files] ${quote(name)} is not an array`);
        continue;
      }
      for (const [k, item] of list.entries()) {
        const parsed = FileSchema.safeParse(item);
        const hash = parsed.success ? parseHashString(parsed.data.hash) : describeZodError(parsed.error);
        if (typeof hash === 'string') out.problem(`[metadata.files] ${quote(name)} file ${k + 1}: ${hash}`);
        else push(name, { file: parsed.success ? parsed.data.file : undefined, hash });
      }
    }
  }
  const hashes = metadata.hashes;
  if (isTable(hashes)) {
    for (const [name, list] of tableEntries(hashes)) {
      if (!Array.isArray(list)) {
        out.problem(`[metadata.hashes] ${quote(name)} is not an array`);
        continue;
      }
      for (const item of list) {
        const hash = hashFromParts('sha256', item);
        if (typeof hash === 'string') out.problem(`[metadata.hashes] ${quote(name)}: ${hash}`);
        else push(name, { file: undefined, hash });
      }
    }
  }
  return byName;
}

/** Whether a distribution file name carries this version (`name-1.0.tar.gz`, `name-1.0-py3-none-any.whl`). */
function fileIsForVersion(fileName: string | undefined, version: string): boolean {
  if (fileName === undefined) return false;
  const marker = `-${version}`;
  let at = fileName.indexOf(marker);
  while (at >= 0) {
    const next = fileName.slice(at + marker.length);
    if (next.startsWith('-') || /^\.(tar|zip|whl|egg)/.test(next)) return true;
    at = fileName.indexOf(marker, at + 1);
  }
  return false;
}
