import { ParseError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import { compareCodePoints } from '../../core/text-order.js';
import { readMd5, toCount } from './entry.js';
import { dvcHashBytes } from './hash.js';
import { MAX_DIR_FILES } from './limits.js';
import type { DvcDirEntry } from './model.js';

/**
 * DVC directory hashes (dvc_data/hashfile/tree.py). A directory is recorded as a list of its files,
 * `[{"md5": ..., "relpath": ...}]` sorted by `relpath`, serialised with Python's
 * `json.dumps(..., sort_keys=True)` (`Tree.as_bytes`) and hashed like a file (`Tree.digest`); the hash
 * gets a `.dir` suffix, and the same bytes are the `.dir` object in the cache. Byte-identical JSON needs
 * Python's defaults: `", "` and `": "` separators, and `ensure_ascii`, which writes every character
 * outside printable ASCII as lower-case `\uXXXX` (UTF-16 units, so astral characters as surrogate pairs).
 */

export { compareCodePoints } from '../../core/text-order.js';

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  8: '\\b',
  12: '\\f',
};

/** Python's `json.dumps(text)` with `ensure_ascii=True`. */
export function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const short = SHORT_ESCAPES[unit];
    if (short !== undefined) out += short;
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, '0')}`;
    else out += text[i];
  }
  return `${out}"`;
}

/** Entries sorted as DVC sorts them (`Tree.as_list`: by relpath). */
export function sortDvcTree(entries: readonly DvcDirEntry[]): DvcDirEntry[] {
  return [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
}

/** The bytes DVC hashes for a directory and stores as its `.dir` object. */
export function serializeDvcTree(entries: readonly DvcDirEntry[]): Buffer {
  const items = sortDvcTree(entries).map((entry) =>
    entry.md5 === undefined
      ? `{"relpath": ${pythonJsonString(entry.relpath)}}`
      : `{"md5": ${pythonJsonString(entry.md5)}, "relpath": ${pythonJsonString(entry.relpath)}}`,
  );
  return Buffer.from(`[${items.join(', ')}]`, 'utf8');
}

/** The directory's MD5 (hex, without the `.dir` suffix DVC appends). */
export function digestDvcTree(entries: readonly DvcDirEntry[]): string {
  // The JSON is printable ASCII without CRLF, so md5 and md5-dos2unix agree on it.
  return dvcHashBytes(serializeDvcTree(entries), 'md5').md5;
}

export interface ParseDvcTreeOptions {
  /** Name used in errors, e.g. the cache object's path. */
  readonly file: string;
  readonly maxEntries?: number;
}

/**
 * Parses a `.dir` object: a JSON list of `{"md5", "relpath"}` (dvc_data/hashfile/tree.py `Tree.load`,
 * which refuses anything but a list). Throws {@link ParseError} for one that is not a manifest: not JSON,
 * not a list, entries without relpath or MD5, the same relpath twice, too many entries.
 */
export function parseDvcTree(bytes: Uint8Array, options: ParseDvcTreeOptions): DvcDirEntry[] {
  const { file } = options;
  const maxEntries = options.maxEntries ?? MAX_DIR_FILES;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new ParseError('BAD_STRUCTURE', `${file}: not JSON`, undefined, { cause: error });
  }
  if (!Array.isArray(data)) throw new ParseError('BAD_STRUCTURE', `${file}: not a list of files`);
  if (data.length > maxEntries)
    throw new ParseError('LIMIT_EXCEEDED', `${file}: lists more than ${maxEntries} files`);
  const seen = new Set<string>();
  const entries: DvcDirEntry[] = [];
  for (const [i, item] of data.entries()) {
    if (!isRecord(item) || typeof item.relpath !== 'string' || item.relpath === '')
      throw new ParseError('BAD_STRUCTURE', `${file}: entry ${i} has no relpath`);
    const md5 = readMd5(item.md5);
    if (!md5 || md5.isDir)
      throw new ParseError('BAD_VALUE', `${file}: entry ${i} (${item.relpath}) has no file MD5`);
    if (seen.has(item.relpath))
      throw new ParseError('BAD_STRUCTURE', `${file}: ${item.relpath} is listed twice`);
    seen.add(item.relpath);
    const size = toCount(item.size);
    entries.push({ relpath: item.relpath, md5: md5.md5, ...(size !== undefined ? { size } : {}) });
  }
  return entries;
}
