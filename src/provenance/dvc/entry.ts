import { isRecord } from '../../core/json.js';
import {
  type DvcDataEntry,
  type DvcDirEntry,
  type DvcExternalKind,
  type DvcProblem,
  type DvcProblemCode,
  problemValue,
} from './model.js';

/**
 * Reads one output or dependency entry the way DVC's schema does (dvc/output.py `SCHEMA`,
 * `CHECKSUM_SCHEMA`, `META_SCHEMA`, `DIR_FILES_SCHEMA`; dvc/dependency/__init__.py `SCHEMA`). What does
 * not fit is reported with its field and left out; the rest of the entry is kept.
 */

export interface EntryContext {
  readonly file: string;
  /** Field path of the entry itself, e.g. `outs[0]`. */
  readonly field: string;
  /** Position of the entry in its list. */
  readonly index?: number;
  readonly problems: DvcProblem[];
  readonly maxDirFiles: number;
}

const HEX_MD5 = /^([0-9a-f]{32})(\.dir)?$/;

/** `remote://`, `s3://`, `https://`, ... : dvc/config.py `_resolve` and dvc/fs treat these as URLs. */
const URL_PATH = /^[A-Za-z][\w+.-]*:\/\//;
/** DVC datasets are addressed as `ds://name` (dvc/dependency/dataset.py). */
const DATASET_PATH = /^ds:\/\//;
/** POSIX absolute paths and Windows drive or UNC paths. */
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

/** The kind of a path that is not in the workspace, or undefined for a workspace path. */
export function externalKindOfPath(path: string): DvcExternalKind | undefined {
  if (DATASET_PATH.test(path)) return 'dataset';
  if (URL_PATH.test(path)) return 'url';
  if (ABSOLUTE_PATH.test(path)) return 'absolute-path';
  return undefined;
}

function problem(
  ctx: EntryContext,
  field: string,
  code: DvcProblemCode,
  message: string,
  value?: unknown,
): void {
  ctx.problems.push({
    file: ctx.file,
    field: field === '' ? ctx.field : `${ctx.field}.${field}`,
    code,
    message,
    ...(value !== undefined ? { value: problemValue(value) } : {}),
  });
}

/** A non-negative integer from YAML (which hands integers over as bigint). */
export function toCount(value: unknown): number | undefined {
  if (typeof value === 'bigint')
    return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  return undefined;
}

/**
 * DVC's `CHECKSUM_SCHEMA`: empty means none, an integer is taken as its decimal digits (an unquoted
 * all-digit MD5 is a YAML integer), the value is lower-cased. We then require 32 hex digits, with `.dir`
 * for directories. Returns undefined for "no checksum" and null for one that is not an MD5.
 */
export function readMd5(value: unknown): { md5: string; isDir: boolean } | null | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const text = typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? value : null;
  if (text === null) return null;
  const match = HEX_MD5.exec(text.toLowerCase());
  if (!match) return null;
  return { md5: match[1] as string, isDir: match[2] !== undefined };
}

function readBoolean(ctx: EntryContext, raw: Record<string, unknown>, key: string): boolean | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  problem(ctx, key, 'bad-value', 'is not true or false', value);
  return undefined;
}

function readString(ctx: EntryContext, raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  problem(ctx, key, 'bad-value', 'is not a string', value);
  return undefined;
}

function readDirFiles(ctx: EntryContext, value: unknown): DvcDirEntry[] | undefined {
  if (!Array.isArray(value)) {
    problem(ctx, 'files', 'bad-value', 'is not a list');
    return undefined;
  }
  if (value.length > ctx.maxDirFiles) {
    problem(ctx, 'files', 'too-many', `lists more than ${ctx.maxDirFiles} files; not read`);
    return undefined;
  }
  const files: DvcDirEntry[] = [];
  for (const [i, item] of value.entries()) {
    const field = `files[${i}]`;
    if (!isRecord(item) || typeof item.relpath !== 'string' || item.relpath === '') {
      problem(ctx, `${field}.relpath`, 'missing', 'is missing');
      return undefined;
    }
    const md5 = readMd5(item.md5);
    if (md5 === null || md5?.isDir) {
      problem(ctx, `${field}.md5`, 'bad-value', 'is not the MD5 of a file', item.md5);
      return undefined;
    }
    const size = toCount(item.size);
    files.push({
      relpath: item.relpath,
      ...(md5 ? { md5: md5.md5 } : {}),
      ...(size !== undefined ? { size } : {}),
    });
  }
  return files;
}

function readRepo(ctx: EntryContext, value: unknown): DvcDataEntry['repo'] | undefined {
  if (!isRecord(value) || typeof value.url !== 'string') {
    problem(ctx, 'repo.url', 'missing', 'is missing');
    return undefined;
  }
  const rev = typeof value.rev === 'string' ? value.rev : undefined;
  const revLock = typeof value.rev_lock === 'string' ? value.rev_lock : undefined;
  return { url: value.url, ...(rev ? { rev } : {}), ...(revLock ? { revLock } : {}) };
}

/** One `outs`/`deps` entry of a `.dvc` file or `dvc.lock`; undefined (with a problem) when it has no path. */
export function parseDataEntry(raw: unknown, ctx: EntryContext): DvcDataEntry | undefined {
  if (!isRecord(raw)) {
    problem(ctx, '', 'bad-value', 'is not a mapping');
    return undefined;
  }
  const path = raw.path;
  if (typeof path !== 'string' || path === '') {
    problem(ctx, 'path', 'missing', 'is missing');
    return undefined;
  }
  const hashField = readString(ctx, raw, 'hash');
  // dvc/output.py `_compute_hash_info_from_meta`: no `hash` field means a 2.x entry, hashed md5-dos2unix.
  const hashName = hashField ?? 'md5-dos2unix';
  const md5 = readMd5(raw.md5);
  if (md5 === null) problem(ctx, 'md5', 'bad-value', 'is not an MD5', raw.md5);
  const size = toCount(raw.size);
  if (raw.size !== undefined && raw.size !== null && size === undefined)
    problem(ctx, 'size', 'bad-value', 'is not a byte count', raw.size);
  const nfiles = toCount(raw.nfiles);
  if (raw.nfiles !== undefined && raw.nfiles !== null && nfiles === undefined)
    problem(ctx, 'nfiles', 'bad-value', 'is not a file count', raw.nfiles);
  const files = raw.files === undefined ? undefined : readDirFiles(ctx, raw.files);
  const repo = raw.repo === undefined ? undefined : readRepo(ctx, raw.repo);
  const labels = Array.isArray(raw.labels)
    ? raw.labels.filter((l): l is string => typeof l === 'string')
    : undefined;
  const external: DvcExternalKind | undefined =
    raw.repo !== undefined ? 'repo' : raw.db !== undefined ? 'database' : externalKindOfPath(path);
  const isExec = readBoolean(ctx, raw, 'isexec');
  const cache = readBoolean(ctx, raw, 'cache');
  const persist = readBoolean(ctx, raw, 'persist');
  const push = readBoolean(ctx, raw, 'push');
  const etag = readString(ctx, raw, 'etag');
  const checksum = readString(ctx, raw, 'checksum');
  const versionId = readString(ctx, raw, 'version_id');
  const remote = readString(ctx, raw, 'remote');
  const desc = readString(ctx, raw, 'desc');
  const type = readString(ctx, raw, 'type');
  return {
    index: ctx.index ?? 0,
    path,
    hashName,
    ...(md5 ? { md5: md5.md5 } : {}),
    // dvc/output.py `_compute_meta_hash_info_from_files`: a `.dir` hash, `nfiles` or `files` make a directory.
    isDir: md5?.isDir === true || nfiles !== undefined || files !== undefined,
    ...(size !== undefined ? { size } : {}),
    ...(nfiles !== undefined ? { nfiles } : {}),
    ...(isExec !== undefined ? { isExec } : {}),
    ...(etag !== undefined ? { etag } : {}),
    ...(checksum !== undefined ? { checksum } : {}),
    ...(versionId !== undefined ? { versionId } : {}),
    ...(files ? { files } : {}),
    ...(cache !== undefined ? { cache } : {}),
    ...(persist !== undefined ? { persist } : {}),
    ...(push !== undefined ? { push } : {}),
    ...(remote !== undefined ? { remote } : {}),
    ...(desc !== undefined ? { desc } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(labels && labels.length > 0 ? { labels } : {}),
    ...(repo ? { repo } : {}),
    ...(external ? { external } : {}),
  };
}

/** Reads a list of entries under `key`, bounded; a missing key is an empty list. */
export function parseDataEntries(
  raw: Record<string, unknown>,
  key: string,
  ctx: Omit<EntryContext, 'field'> & { readonly fieldPrefix: string; readonly maxEntries: number },
): DvcDataEntry[] {
  const value = raw[key];
  const field = ctx.fieldPrefix === '' ? key : `${ctx.fieldPrefix}.${key}`;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.problems.push({ file: ctx.file, field, code: 'bad-value', message: 'is not a list' });
    return [];
  }
  const entries: DvcDataEntry[] = [];
  for (const [i, item] of value.slice(0, ctx.maxEntries).entries()) {
    const entry = parseDataEntry(item, { ...ctx, field: `${field}[${i}]`, index: i });
    if (entry) entries.push(entry);
  }
  if (value.length > ctx.maxEntries)
    ctx.problems.push({
      file: ctx.file,
      field,
      code: 'too-many',
      message: `has more than ${ctx.maxEntries} entries; the rest are not read`,
    });
  return entries;
}
