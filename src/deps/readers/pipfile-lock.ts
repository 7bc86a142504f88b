import { z } from 'zod';
import {
  type DependencyFile,
  MAX_DEPENDENCY_FILE_BYTES,
  MAX_PACKAGES_PER_FILE,
  type PackageHash,
  type PackageSource,
  type ReadProblem,
} from '../model.js';
import { normalisePypiName } from '../names.js';
import { parseVersion } from '../pep440.js';
import { anyOfMarkers } from './python-toml.js';
import { comparePackages, type DraftPackage, quote, redactUrl, toPackage } from './requirements.js';

/**
 * Pipenv's `Pipfile.lock` (JSON; pipenv docs "Pipfile & Pipfile.lock", pipfile-spec 6). `_meta.sources` lists
 * the indexes by name; every other top-level key is a category: `default` (Pipfile `[packages]`), `develop`
 * (`[dev-packages]`) and custom categories under their own names. Each entry is keyed by the project name
 * and holds `version: "==1.2.3"`, `hashes: ["sha256:..."]`, `markers`, `index`, `extras`, or instead of a
 * version `git`+`ref`, `path`/`file` (+`editable`). Groups: `default` → none, `develop` → `dev`, custom →
 * its name. The lockfile does not say which packages are direct, so `direct` stays unknown.
 *
 * pipenv locks each category on its own, so a package both categories need is written in each
 * (presidio-analyzer's lock has `filelock==3.12.0` in `default` and `develop`). It is one installation:
 * entries with the same name, version and source are read as one package, in the groups of all of them
 * (`default` named explicitly then, so it does not read as dev-only).
 */

const HashListSchema = z.array(z.string());
const EntrySchema = z.object({
  version: z.string().optional(),
  hashes: HashListSchema.optional(),
  markers: z.string().optional(),
  index: z.string().optional(),
  extras: z.array(z.string()).optional(),
  git: z.string().optional(),
  hg: z.string().optional(),
  svn: z.string().optional(),
  bzr: z.string().optional(),
  ref: z.string().optional(),
  path: z.string().optional(),
  file: z.string().optional(),
  editable: z.boolean().optional(),
});
const SourceSchema = z.object({ name: z.string(), url: z.string() });
const MetaSchema = z.object({ sources: z.array(z.unknown()).optional() });

/** Hash algorithms pip installs with (`--hash`, which pipenv passes on): sha256, sha384, sha512. */
const HASH_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const COMMIT_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** Reads a Pipfile.lock. Never throws: what cannot be read is a problem in the result. */
export function readPipfileLock(file: string, text: string): DependencyFile {
  const problems: ReadProblem[] = [];
  const problem = (message: string, line?: number): void => {
    problems.push({ file, ...(line !== undefined ? { line } : {}), message });
  };
  const result = (drafts: DraftPackage[]): DependencyFile => ({
    path: file,
    format: 'Pipfile.lock',
    packages: drafts.map(toPackage).sort(comparePackages),
    problems,
    includes: [],
  });
  if (text.length > MAX_DEPENDENCY_FILE_BYTES) {
    problem(`file is larger than ${MAX_DEPENDENCY_FILE_BYTES} bytes: not read`);
    return result([]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    problem(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
    return result([]);
  }
  if (!isObject(data)) {
    problem('not a Pipfile.lock: the top level is not a JSON object');
    return result([]);
  }
  const indexes = readSources(data._meta, problem);
  const lines = entryLines(text);
  const drafts: DraftPackage[] = [];
  for (const [category, entries] of Object.entries(data)) {
    if (category === '_meta') continue;
    if (!isObject(entries)) {
      problem(`category ${quote(category)} is not an object: skipped`);
      continue;
    }
    for (const [name, raw] of Object.entries(entries)) {
      if (drafts.length >= MAX_PACKAGES_PER_FILE) {
        problem(`more than ${MAX_PACKAGES_PER_FILE} packages: the rest is not read`);
        return result(drafts);
      }
      const line = lines.get(`${category}\u0000${name}`);
      const draft = readEntry(category, name, raw, indexes, (message) => problem(message, line));
      if (draft === undefined) continue;
      if (line !== undefined) draft.declaredAt = { file, line };
      else draft.declaredAt = { file };
      drafts.push(draft);
    }
  }
  return result(mergeCategories(drafts));
}

/** One package for entries of several categories that name the same distribution (see above). */
function mergeCategories(drafts: readonly DraftPackage[]): DraftPackage[] {
  interface Merged {
    draft: DraftPackage;
    markers: string[];
    unconditional: boolean;
  }
  const byKey = new Map<string, Merged[]>();
  const all: Merged[] = [];
  for (const draft of drafts) {
    // pipenv writes `index` only for packages named in the Pipfile, so the same registry package can come
    // with and without one: they still merge; two different known indexes do not.
    const where = draft.source.kind === 'registry' ? 'registry' : draft.source;
    const key = JSON.stringify([draft.normalizedName, draft.version, draft.requirement, where]);
    const list = byKey.get(key) ?? [];
    byKey.set(key, list);
    const url = (d: DraftPackage) => (d.source.kind === 'registry' ? d.source.url : undefined);
    const seen = list.find(
      (m) => url(m.draft) === undefined || url(draft) === undefined || url(m.draft) === url(draft),
    );
    if (seen === undefined) {
      const merged = {
        draft,
        markers: draft.marker !== undefined ? [draft.marker] : [],
        unconditional: draft.marker === undefined,
      };
      list.push(merged);
      all.push(merged);
      continue;
    }
    const first = seen.draft;
    if (url(first) === undefined && url(draft) !== undefined) first.source = draft.source;
    if (first.groups.length === 0) first.groups.push('default');
    first.groups.push(...(draft.groups.length === 0 ? ['default'] : draft.groups));
    const known = new Set(first.hashes.map((h) => `${h.algorithm}:${h.value}`));
    for (const hash of draft.hashes)
      if (!known.has(`${hash.algorithm}:${hash.value}`)) first.hashes.push(hash);
    for (const extra of draft.extras) if (!first.extras.includes(extra)) first.extras.push(extra);
    // Installed where any entry's marker holds; an entry without one is installed everywhere.
    if (draft.marker === undefined) seen.unconditional = true;
    else seen.markers.push(draft.marker);
  }
  return all.map(({ draft, markers, unconditional }) => {
    const marker = unconditional ? undefined : anyOfMarkers(markers);
    if (marker === undefined) delete draft.marker;
    else draft.marker = marker;
    return draft;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `_meta.sources`: index name → URL (credentials dropped). */
function readSources(meta: unknown, problem: (message: string) => void): Map<string, string> {
  const indexes = new Map<string, string>();
  const parsed = MetaSchema.safeParse(meta ?? {});
  if (!parsed.success) {
    problem('_meta is not an object with a sources list: index URLs unknown');
    return indexes;
  }
  for (const source of parsed.data.sources ?? []) {
    const entry = SourceSchema.safeParse(source);
    if (entry.success) indexes.set(entry.data.name, redactUrl(entry.data.url));
    else problem('_meta.sources has an entry without a string name and url: skipped');
  }
  return indexes;
}

function readEntry(
  category: string,
  name: string,
  raw: unknown,
  indexes: ReadonlyMap<string, string>,
  problem: (message: string) => void,
): DraftPackage | undefined {
  const parsed = EntrySchema.safeParse(raw);
  const label = `${category}.${name}`;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    problem(
      `${quote(label)}: ${issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'invalid'}: skipped`,
    );
    return undefined;
  }
  const entry = parsed.data;
  const draft: DraftPackage = {
    ecosystem: 'PyPI',
    name,
    normalizedName: normalisePypiName(name),
    source: { kind: 'registry' },
    hashes: readHashes(entry.hashes ?? [], (message) => problem(`${quote(label)}: ${message}`)),
    extras: entry.extras ?? [],
    groups: category === 'default' ? [] : [category === 'develop' ? 'dev' : category],
    dependencies: new Set(),
    declaredAt: { file: '' },
  };
  if (entry.markers !== undefined && entry.markers.trim() !== '') draft.marker = entry.markers.trim();
  const vcs = entry.git ?? entry.hg ?? entry.svn ?? entry.bzr;
  if (vcs !== undefined) {
    const url = redactUrl(vcs);
    const commit = entry.ref !== undefined && COMMIT_RE.test(entry.ref) ? entry.ref.toLowerCase() : undefined;
    draft.source = { kind: 'vcs', url, ...(commit !== undefined ? { commit } : {}) };
    draft.requirement = entry.ref !== undefined ? `${url}@${entry.ref}` : url;
    if (entry.editable) draft.groups.push('editable');
    return draft;
  }
  if (entry.path !== undefined || entry.file !== undefined) {
    const location = (entry.path ?? entry.file)!;
    const source: PackageSource =
      /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location) && !/^file:/i.test(location)
        ? { kind: 'url', url: redactUrl(location) }
        : { kind: 'path', path: location, ...(entry.editable ? { editable: true } : {}) };
    draft.source = source;
    draft.requirement = source.kind === 'url' ? source.url : location;
    return draft;
  }
  if (entry.index !== undefined) {
    const url = indexes.get(entry.index);
    if (url === undefined) problem(`${quote(label)}: index ${quote(entry.index)} is not in _meta.sources`);
    draft.source = url !== undefined ? { kind: 'registry', url } : { kind: 'registry' };
  }
  const version = entry.version;
  if (version === undefined || version === '*' || version.trim() === '') {
    draft.requirement = version?.trim() || '*';
    return draft;
  }
  // pipenv writes `==X`; `===X` is PEP 440 arbitrary equality. Anything else is a range, not a lock.
  const pin = /^===(.+)$/.exec(version) ?? /^==([^*,<>=!~\s]+)$/.exec(version);
  if (
    pin === null ||
    (version.startsWith('==') && !version.startsWith('===') && parseVersion(pin[1]!) === undefined)
  ) {
    problem(`${quote(label)}: version ${quote(version)} is not an exact PEP 440 pin: left unresolved`);
    draft.requirement = version;
    return draft;
  }
  draft.version = pin[1]!;
  return draft;
}

function readHashes(values: readonly string[], problem: (message: string) => void): PackageHash[] {
  const hashes: PackageHash[] = [];
  for (const value of values) {
    const colon = value.indexOf(':');
    const algorithm = value.slice(0, colon).toLowerCase();
    const hex = value.slice(colon + 1);
    const expected = HASH_HEX_LENGTH[algorithm];
    if (colon === -1 || expected === undefined || hex.length !== expected || !/^[0-9a-fA-F]+$/.test(hex)) {
      problem(`hash ${quote(value)} is not alg:hex with sha256, sha384 or sha512: ignored`);
      continue;
    }
    hashes.push({ algorithm, value: hex.toLowerCase() });
  }
  return hashes;
}

/**
 * Lines of `"name":` entries in pipenv's own layout (`json.dumps(..., indent=4)`: categories at four
 * spaces, packages at eight). Other layouts simply get no line numbers.
 */
function entryLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let category: string | undefined;
  const physical = text.split('\n');
  for (let i = 0; i < physical.length; i++) {
    const match = /^( {4}| {8})"((?:[^"\\]|\\.)*)":/.exec(physical[i]!);
    if (!match) continue;
    const key = unescapeJson(match[2]!);
    if (key === undefined) continue;
    if (match[1]!.length === 4) category = key;
    else if (category !== undefined) {
      const id = `${category}\u0000${key}`;
      if (!lines.has(id)) lines.set(id, i + 1);
    }
  }
  return lines;
}

function unescapeJson(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
