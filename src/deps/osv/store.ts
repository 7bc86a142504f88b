import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import yaml from 'js-yaml';
import { z } from 'zod';
import { openFileSource } from '../../core/file-source.js';
import { compareStrings } from '../../core/finding.js';
import { METHOD_DEFLATE, METHOD_STORED, readZipDirectory } from '../../formats/zip/reader.js';
import { normaliseName } from '../names.js';
import { type OsvRecord, toOsvRecord } from './record.js';

/**
 * The local OSV database: records imported from OSV `all.zip` files or directories of OSV JSON/YAML (such
 * as the PyPA advisory database), stored per source and ecosystem as one JSON record per line with an index
 * from package name to byte ranges, so a scan reads the index and only the records of the packages it
 * asks about instead of re-parsing thousands of files.
 *
 * Layout of a store directory:
 *   store.json                          the sources, with counts, newest record and HTTP validators
 *   sources/<id>/<ecosystem>.jsonl      compact records, sorted by id
 *   sources/<id>/<ecosystem>.index.json normalised package name → [[offset, length], ...]
 */

export const STORE_FORMAT_VERSION = 1;
/** Largest OSV record file read; real ones are a few kilobytes (the largest PyPA file is under 200 KB). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** Most files read from one source (OSV's PyPI `all.zip` has about 20,000). */
export const MAX_SOURCE_FILES = 2_000_000;
/** Largest `all.zip` accepted (the biggest ecosystem zips are a few hundred megabytes). */
export const MAX_ZIP_BYTES = 4 * 1024 * 1024 * 1024;
/** Deepest directory walked under an import directory. */
const MAX_DIRECTORY_DEPTH = 16;
/** Import problems kept for the report (the count is always exact). */
const MAX_PROBLEMS_KEPT = 100;
/** References kept per record: enough for the advisory, the fix and the report. */
const MAX_REFERENCES = 20;
/** Characters of `details` kept as the summary when a record has none. */
const MAX_SUMMARY_CHARS = 300;

export type SourceKind = 'directory' | 'zip' | 'url';

export interface OsvSourceInfo {
  readonly id: string;
  readonly kind: SourceKind;
  /** The directory, file or URL imported. */
  readonly location: string;
  /** When it was imported (ISO 8601). */
  readonly importedAt: string;
  /** Records kept, per ecosystem. */
  readonly ecosystems: Readonly<Record<string, { readonly file: string; readonly records: number }>>;
  readonly records: number;
  /** The newest `modified` among the records: how fresh the data is. */
  readonly newestModified?: string;
  readonly withdrawn: number;
  readonly invalid: number;
  /** HTTP validators of a downloaded source, for conditional requests. */
  readonly etag?: string;
  readonly lastModified?: string;
}

const SourceInfoSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
  kind: z.enum(['directory', 'zip', 'url']),
  location: z.string(),
  importedAt: z.string(),
  ecosystems: z.record(
    z.string(),
    z.object({ file: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/), records: z.number().int().nonnegative() }),
  ),
  records: z.number().int().nonnegative(),
  newestModified: z.string().optional(),
  withdrawn: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
});

const StoreFileSchema = z.object({
  formatVersion: z.literal(STORE_FORMAT_VERSION),
  sources: z.array(SourceInfoSchema),
});

const IndexSchema = z.object({
  formatVersion: z.literal(STORE_FORMAT_VERSION),
  names: z.record(
    z.string(),
    z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()])),
  ),
});

export interface ImportProblem {
  /** File (or zip member) and why its record was not imported. */
  readonly file: string;
  readonly message: string;
}

export interface ImportResult {
  readonly source: OsvSourceInfo;
  readonly problems: readonly ImportProblem[];
  readonly problemCount: number;
}

export class OsvStoreError extends Error {
  override readonly name = 'OsvStoreError';
}

/** The default store directory: `$PEDIGREE_CACHE_DIR/osv`, else the platform's user cache directory. */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.PEDIGREE_CACHE_DIR) return join(env.PEDIGREE_CACHE_DIR, 'osv');
  const home = env.HOME ?? env.USERPROFILE ?? '.';
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'pedigree', 'Cache', 'osv');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'pedigree', 'osv');
  // XDG Base Directory Specification: $XDG_CACHE_HOME, default ~/.cache.
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'pedigree', 'osv');
}

/** The snapshot built from the PyPA advisory database that ships with pedigree (see data/osv/README.md). */
export function bundledStoreDir(): string {
  // src/deps/osv/store.ts and dist/deps/osv/store.js are both three levels below the package root.
  return resolve(new URL('.', import.meta.url).pathname, '..', '..', '..', 'data', 'osv');
}

/** A stable id for a source: its kind and name, with a short hash of where it is. */
export function sourceIdFor(kind: SourceKind, location: string, name?: string): string {
  const label = (name ?? basename(location))
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, 60);
  const hash = createHash('sha256').update(`${kind}\u0000${location}`).digest('hex').slice(0, 8);
  return `${label || kind}-${hash}`;
}

function readStoreFile(storeDir: string): OsvSourceInfo[] {
  const path = join(storeDir, 'store.json');
  if (!existsSync(path)) return [];
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new OsvStoreError(`${path}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = StoreFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OsvStoreError(
      `${path}: not a pedigree OSV store of format ${STORE_FORMAT_VERSION} (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}); run \`pedigree db import\` or \`pedigree db update\` again`,
    );
  }
  return parsed.data.sources as OsvSourceInfo[];
}

function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function writeStoreFile(storeDir: string, sources: readonly OsvSourceInfo[]): void {
  const sorted = [...sources].sort(compareIds);
  writeFileAtomic(
    join(storeDir, 'store.json'),
    `${JSON.stringify({ formatVersion: STORE_FORMAT_VERSION, sources: sorted }, null, 2)}\n`,
  );
}

/** The sources imported into a store (empty when nothing was imported). */
export function storeSources(storeDir: string): readonly OsvSourceInfo[] {
  return readStoreFile(storeDir);
}

// ---------------------------------------------------------------------------------------------------
// Reading OSV sources

interface RawRecord {
  readonly file: string;
  readonly text: string;
}

function* walkDirectory(root: string): Generator<RawRecord | ImportProblem> {
  // The PyPA repository keeps its advisories under vulns/ (triage/ holds rejected reports): import those.
  const start =
    existsSync(join(root, 'vulns')) && statSync(join(root, 'vulns')).isDirectory()
      ? join(root, 'vulns')
      : root;
  const stack: { dir: string; depth: number }[] = [{ dir: start, depth: 0 }];
  let files = 0;
  while (stack.length > 0) {
    const { dir, depth } = stack.pop() as { dir: string; depth: number };
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (error) {
      yield { file: dir, message: `directory not readable (${(error as Error).message})` };
      continue;
    }
    for (const name of names.reverse()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(path);
      } catch (error) {
        yield { file: path, message: `not readable (${(error as Error).message})` };
        continue;
      }
      // Symbolic links are not followed: an advisory directory has none, and a link could lead anywhere.
      if (stat.isSymbolicLink()) continue;
      if (stat.isDirectory()) {
        if (depth + 1 > MAX_DIRECTORY_DEPTH)
          yield { file: path, message: `deeper than ${MAX_DIRECTORY_DEPTH} folders: not read` };
        else stack.push({ dir: path, depth: depth + 1 });
        continue;
      }
      if (!/\.(json|ya?ml)$/i.test(name)) continue;
      if (++files > MAX_SOURCE_FILES) {
        yield { file: path, message: `more than ${MAX_SOURCE_FILES} files: the rest were not read` };
        return;
      }
      if (stat.size > MAX_RECORD_BYTES) {
        yield { file: path, message: `larger than ${MAX_RECORD_BYTES} bytes: not read` };
        continue;
      }
      try {
        yield { file: path, text: readFileSync(path, 'utf8') };
      } catch (error) {
        yield { file: path, message: `not readable (${(error as Error).message})` };
      }
    }
  }
}

function* readZip(path: string): Generator<RawRecord | ImportProblem> {
  const source = openFileSource(path);
  try {
    if (source.size > MAX_ZIP_BYTES) throw new OsvStoreError(`${path}: larger than ${MAX_ZIP_BYTES} bytes`);
    const dir = readZipDirectory(source, { maxEntries: MAX_SOURCE_FILES });
    if (dir.entries.length === 0) throw new OsvStoreError(`${path}: not a zip file with OSV records`);
    if (dir.omittedEntries > 0)
      yield { file: path, message: `more than ${MAX_SOURCE_FILES} members: ${dir.omittedEntries} not read` };
    for (const entry of dir.entries) {
      const file = `${path}!/${entry.name}`;
      if (entry.isDirectory || !/\.(json|ya?ml)$/i.test(entry.name)) continue;
      if (entry.dataOffset < 0) {
        yield { file, message: 'local header unreadable' };
        continue;
      }
      if (entry.uncompressedSize > MAX_RECORD_BYTES) {
        yield {
          file,
          message: `declares ${entry.uncompressedSize} bytes, over ${MAX_RECORD_BYTES}: not read`,
        };
        continue;
      }
      const raw = source.readAt(entry.dataOffset, entry.compressedSize);
      let bytes: Uint8Array;
      try {
        if (entry.method === METHOD_STORED) bytes = raw;
        // maxOutputLength bounds what a lying header can make us allocate.
        else if (entry.method === METHOD_DEFLATE)
          bytes = inflateRawSync(raw, { maxOutputLength: MAX_RECORD_BYTES });
        else {
          yield { file, message: `compression method ${entry.method} not supported` };
          continue;
        }
      } catch (error) {
        yield { file, message: `could not be decompressed (${(error as Error).message})` };
        continue;
      }
      yield { file, text: new TextDecoder('utf-8').decode(bytes) };
    }
  } finally {
    source.close();
  }
}

/**
 * Parses one record file. JSON first (OSV's own format); YAML with js-yaml's failsafe schema otherwise, in
 * which every scalar is the string written: the 266 unquoted dates of the PyPA data stay strings
 * (FIELD-NOTES), and an unquoted version such as `fixed: 1.10` stays "1.10" instead of becoming the number
 * 1.1. js-yaml parses the whole PyPA database in well under a second where `yaml` takes five.
 */
function parseRecordText(file: string, text: string): unknown {
  if (/\.json$/i.test(file)) return JSON.parse(text);
  return yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA, filename: file, json: true });
}

/** A record as stored for one ecosystem: only what matching, severity, fixes and the report use. */
function compactFor(record: OsvRecord, ecosystem: string): OsvRecord {
  const affected = (record.affected ?? [])
    .filter((a) => a.package?.ecosystem === ecosystem)
    .map((a) => ({
      ...(a.package ? { package: a.package } : {}),
      ...(a.severity?.length ? { severity: a.severity } : {}),
      // GIT ranges name commits, which never match a version: dropped, as matching skips them anyway.
      ...(a.ranges ? { ranges: a.ranges.filter((r) => r.type !== 'GIT') } : {}),
      ...(a.versions?.length ? { versions: a.versions } : {}),
      ...(typeof a.database_specific?.severity === 'string'
        ? { database_specific: { severity: a.database_specific.severity } }
        : {}),
    }));
  const summary = record.summary ?? (record.details ? firstSentences(record.details) : undefined);
  return {
    id: record.id,
    ...(record.aliases?.length ? { aliases: [...record.aliases].sort() } : {}),
    ...(record.modified ? { modified: record.modified } : {}),
    ...(record.published ? { published: record.published } : {}),
    ...(summary ? { summary } : {}),
    ...(record.severity?.length ? { severity: record.severity } : {}),
    affected,
    ...(record.references?.length ? { references: record.references.slice(0, MAX_REFERENCES) } : {}),
    ...(typeof record.database_specific?.severity === 'string'
      ? { database_specific: { severity: record.database_specific.severity } }
      : {}),
  };
}

/** The start of `details` as a summary: whole when short, else cut at a word with an ellipsis. */
function firstSentences(details: string): string {
  const text = details.replace(/\s+/g, ' ').trim();
  if (text.length <= MAX_SUMMARY_CHARS) return text;
  const cut = text.slice(0, MAX_SUMMARY_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_SUMMARY_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}

/** File-name-safe form of an ecosystem name (`Debian:12` → `Debian_12`). */
function ecosystemFile(ecosystem: string): string {
  return ecosystem.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || '_';
}

const compareIds = (a: { id: string }, b: { id: string }) => compareStrings(a.id, b.id);

/**
 * Imports OSV records from a directory (recursively; the PyPA repository's `vulns/`) or an OSV `all.zip`
 * into the store, replacing an earlier import of the same source. Withdrawn records are dropped; records
 * that are not valid OSV are counted and reported, never fatal.
 */
export function importOsv(
  storeDir: string,
  location: string,
  options: {
    readonly kind?: SourceKind;
    readonly id?: string;
    readonly now?: Date;
    readonly etag?: string;
    readonly lastModified?: string;
    /** The location recorded (a URL for downloads); defaults to the absolute path. */
    readonly recordedLocation?: string;
    /** Gzip the record files (the snapshot shipped in the package); they are then read whole when queried. */
    readonly compress?: boolean;
  } = {},
): ImportResult {
  const path = resolve(location);
  if (!existsSync(path)) throw new OsvStoreError(`${location}: no such file or directory`);
  const isDirectory = statSync(path).isDirectory();
  const kind: SourceKind = options.kind ?? (isDirectory ? 'directory' : 'zip');
  const recordedLocation = options.recordedLocation ?? path;
  const id = options.id ?? sourceIdFor(kind, recordedLocation);
  const problems: ImportProblem[] = [];
  let problemCount = 0;
  const problem = (p: ImportProblem) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push(p);
  };
  const byEcosystem = new Map<string, Map<string, OsvRecord>>();
  let withdrawn = 0;
  let invalid = 0;
  let newestModified: string | undefined;
  for (const item of isDirectory ? walkDirectory(path) : readZip(path)) {
    if (!('text' in item)) {
      problem(item);
      continue;
    }
    let value: unknown;
    try {
      value = parseRecordText(item.file, item.text);
    } catch (error) {
      invalid++;
      problem({ file: item.file, message: `not JSON or YAML (${(error as Error).message.split('\n')[0]})` });
      continue;
    }
    const parsed = toOsvRecord(value);
    if (!parsed.ok) {
      invalid++;
      problem({ file: item.file, message: `not an OSV record (${parsed.problems.join('; ')})` });
      continue;
    }
    const record = parsed.record;
    // OSV schema: "withdrawn" marks a record that should no longer be used.
    if (record.withdrawn !== undefined) {
      withdrawn++;
      continue;
    }
    if (record.modified && (newestModified === undefined || record.modified > newestModified))
      newestModified = record.modified;
    const ecosystems = new Set(
      (record.affected ?? []).flatMap((a) => (a.package ? [a.package.ecosystem] : [])),
    );
    for (const ecosystem of ecosystems) {
      const records = byEcosystem.get(ecosystem) ?? new Map<string, OsvRecord>();
      const earlier = records.get(record.id);
      // The same id twice in one source (a copy in another folder): the newer one is kept.
      if (earlier === undefined || (record.modified ?? '') > (earlier.modified ?? ''))
        records.set(record.id, compactFor(record, ecosystem));
      byEcosystem.set(ecosystem, records);
    }
  }

  mkdirSync(join(storeDir, 'sources'), { recursive: true });
  const target = join(storeDir, 'sources', id);
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const ecosystems: Record<string, { file: string; records: number }> = {};
  let total = 0;
  for (const ecosystem of [...byEcosystem.keys()].sort()) {
    const records = [...(byEcosystem.get(ecosystem)?.values() ?? [])].sort(compareIds);
    const file = ecosystemFile(ecosystem);
    const names = new Map<string, [number, number][]>();
    const lines: Buffer[] = [];
    let offset = 0;
    for (const record of records) {
      const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
      const range: [number, number] = [offset, line.length - 1];
      for (const name of new Set(
        (record.affected ?? []).flatMap((a) => (a.package ? [normaliseName(ecosystem, a.package.name)] : [])),
      )) {
        const list = names.get(name) ?? [];
        list.push(range);
        names.set(name, list);
      }
      lines.push(line);
      offset += line.length;
    }
    const body = Buffer.concat(lines);
    if (options.compress) writeFileSync(join(staging, `${file}.jsonl.gz`), gzipSync(body, { level: 9 }));
    else writeFileSync(join(staging, `${file}.jsonl`), body);
    const index = Object.fromEntries([...names.entries()].sort(([a], [b]) => compareStrings(a, b)));
    writeFileSync(
      join(staging, `${file}.index.json`),
      JSON.stringify({ formatVersion: STORE_FORMAT_VERSION, names: index }),
    );
    ecosystems[ecosystem] = { file, records: records.length };
    total += records.length;
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);

  const source: OsvSourceInfo = {
    id,
    kind,
    location: recordedLocation,
    importedAt: (options.now ?? new Date()).toISOString(),
    ecosystems,
    records: total,
    ...(newestModified ? { newestModified } : {}),
    withdrawn,
    invalid,
    ...(options.etag ? { etag: options.etag } : {}),
    ...(options.lastModified ? { lastModified: options.lastModified } : {}),
  };
  const sources = readStoreFile(storeDir).filter((s) => s.id !== id);
  writeStoreFile(storeDir, [...sources, source]);
  return { source, problems, problemCount };
}

/** Removes a source from the store. */
export function removeSource(storeDir: string, id: string): boolean {
  const sources = readStoreFile(storeDir);
  if (!sources.some((s) => s.id === id)) return false;
  writeStoreFile(
    storeDir,
    sources.filter((s) => s.id !== id),
  );
  rmSync(join(storeDir, 'sources', id), { recursive: true, force: true });
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Querying

export interface OsvDatabase {
  /** Where the records come from, for the report. */
  readonly sources: readonly (OsvSourceInfo & { readonly store: string })[];
  /** Every record naming this package in this ecosystem, across sources (newest copy of each id). */
  recordsFor(ecosystem: string, name: string): readonly OsvRecord[];
  /** Ecosystems with records. */
  readonly ecosystems: readonly string[];
  close(): void;
}

interface OpenIndex {
  readonly names: Record<string, [number, number][]>;
  /** An open record file, or the whole decompressed file for a gzipped one. */
  readonly records: { readonly fd: number } | { readonly bytes: Buffer };
  readonly path: string;
}

/** Largest gzipped record file decompressed into memory (the bundled PyPA snapshot is about 4 MB). */
const MAX_GZIPPED_RECORDS_BYTES = 256 * 1024 * 1024;

/**
 * Opens one or more stores for querying. Each source's index is read when its ecosystem is first asked
 * about; records are read by offset and parsed only for the packages asked about.
 */
export function openOsvDatabase(
  storeDirs: readonly string[],
  options: { readonly fallbackStoreDirs?: readonly string[] } = {},
): OsvDatabase {
  const primary = storeDirs.flatMap((store) => readStoreFile(store).map((s) => ({ ...s, store })));
  // A fallback store (the bundled snapshot) serves only the ecosystems no primary source covers.
  const covered = new Set(primary.flatMap((s) => Object.keys(s.ecosystems)));
  const fallback = (options.fallbackStoreDirs ?? []).flatMap((store) =>
    readStoreFile(store)
      .map((s) => ({
        ...s,
        store,
        ecosystems: Object.fromEntries(Object.entries(s.ecosystems).filter(([e]) => !covered.has(e))),
      }))
      .filter((s) => Object.keys(s.ecosystems).length > 0),
  );
  const sources = [...primary, ...fallback];
  const indexes = new Map<string, OpenIndex | null>();
  const cache = new Map<string, readonly OsvRecord[]>();

  const indexFor = (source: (typeof sources)[number], ecosystem: string): OpenIndex | null => {
    const key = `${source.store}\u0000${source.id}\u0000${ecosystem}`;
    const known = indexes.get(key);
    if (known !== undefined) return known;
    const entry = source.ecosystems[ecosystem];
    if (entry === undefined) {
      indexes.set(key, null);
      return null;
    }
    const base = join(source.store, 'sources', source.id, entry.file);
    let parsed: z.infer<typeof IndexSchema>;
    try {
      parsed = IndexSchema.parse(JSON.parse(readFileSync(`${base}.index.json`, 'utf8')));
    } catch (error) {
      throw new OsvStoreError(
        `${base}.index.json: unreadable OSV index (${(error as Error).message.split('\n')[0]}); import the source again`,
      );
    }
    let open: OpenIndex;
    if (existsSync(`${base}.jsonl`)) {
      open = { names: parsed.names, records: { fd: openSync(`${base}.jsonl`, 'r') }, path: `${base}.jsonl` };
    } else {
      const path = `${base}.jsonl.gz`;
      let bytes: Buffer;
      try {
        bytes = gunzipSync(readFileSync(path), { maxOutputLength: MAX_GZIPPED_RECORDS_BYTES });
      } catch (error) {
        throw new OsvStoreError(
          `${path}: unreadable OSV records (${(error as Error).message}); import the source again`,
        );
      }
      open = { names: parsed.names, records: { bytes }, path };
    }
    indexes.set(key, open);
    return open;
  };

  return {
    sources,
    ecosystems: [...new Set(sources.flatMap((s) => Object.keys(s.ecosystems)))].sort(),
    recordsFor(ecosystem, name) {
      const wanted = normaliseName(ecosystem, name);
      const cacheKey = `${ecosystem}\u0000${wanted}`;
      const cached = cache.get(cacheKey);
      if (cached) return cached;
      const byId = new Map<string, OsvRecord>();
      for (const source of sources) {
        const index = indexFor(source, ecosystem);
        // Own properties only: a package named `constructor` or `__proto__` must not find Object's.
        const ranges = index && Object.hasOwn(index.names, wanted) ? index.names[wanted] : undefined;
        if (!index || !ranges) continue;
        for (const [offset, length] of ranges) {
          let buffer: Buffer;
          let got: number;
          if ('fd' in index.records) {
            buffer = Buffer.alloc(length);
            got = readSync(index.records.fd, buffer, 0, length, offset);
          } else {
            buffer = index.records.bytes.subarray(offset, offset + length);
            got = buffer.length;
          }
          let record: OsvRecord;
          try {
            if (got !== length) throw new Error('short read');
            const checked = toOsvRecord(JSON.parse(buffer.toString('utf8')));
            if (!checked.ok) throw new Error(checked.problems.join('; '));
            record = checked.record;
          } catch (error) {
            throw new OsvStoreError(
              `${index.path} at byte ${offset}: corrupt record (${(error as Error).message}); import the source again`,
            );
          }
          const earlier = byId.get(record.id);
          if (earlier === undefined || (record.modified ?? '') > (earlier.modified ?? ''))
            byId.set(record.id, record);
        }
      }
      const records = [...byId.values()].sort(compareIds);
      cache.set(cacheKey, records);
      return records;
    },
    close() {
      for (const index of indexes.values()) if (index && 'fd' in index.records) closeSync(index.records.fd);
      indexes.clear();
    },
  };
}
