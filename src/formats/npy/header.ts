/**
 * The .npy header (numpy/lib/format.py, NEP 1): magic `\x93NUMPY`, major and minor version, a little-endian
 * header length (2 bytes in 1.0, 4 bytes in 2.0 and 3.0), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. numpy reads the literal with
 * `ast.literal_eval`; we never evaluate it, we match the three keys numpy itself requires.
 */
import type { ByteSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy refuses headers longer than this by default (format.py `_MAX_HEADER_SIZE`). */
export const MAX_NPY_HEADER_BYTES = 10_000;

export interface NpyHeader {
  readonly version: string;
  /** The dtype description as written: a string like `<f8`, or a list for structured dtypes. */
  readonly descr: string;
  /** True when the dtype holds Python objects, so the data is a pickle (`allow_pickle=True` to load). */
  readonly hasObjects: boolean;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Where the array data (or the pickle) starts. */
  readonly dataOffset: number;
}

export function isNpy(head: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => head[i] === b);
}

export function parseNpyHeader(source: ByteSource): NpyHeader {
  const fixed = source.readAt(0, 12);
  if (!isNpy(fixed)) throw new ParseError('BAD_MAGIC', 'not a .npy file (magic \\x93NUMPY missing)', 0);
  if (fixed.length < 10) throw new ParseError('TRUNCATED', 'the .npy header is truncated', fixed.length);
  const major = fixed[6] as number;
  const minor = fixed[7] as number;
  let length: number;
  let start: number;
  if (major === 1) {
    length = (fixed[8] as number) | ((fixed[9] as number) << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (fixed.length < 12) throw new ParseError('TRUNCATED', 'the .npy header is truncated', fixed.length);
    length =
      ((fixed[8] as number) | ((fixed[9] as number) << 8) | ((fixed[10] as number) << 16)) +
      (fixed[11] as number) * 2 ** 24;
    start = 12;
  } else {
    throw new ParseError('UNSUPPORTED', `unsupported .npy version ${major}.${minor}`, 6);
  }
  if (length > MAX_NPY_HEADER_BYTES) {
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `the .npy header is ${length} bytes, over numpy's limit of ${MAX_NPY_HEADER_BYTES}`,
      8,
    );
  }
  const bytes = source.readAt(start, length);
  if (bytes.length < length)
    throw new ParseError('TRUNCATED', 'the .npy header is truncated', start + bytes.length);
  // Version 3.0 allows UTF-8; 1.0 and 2.0 are latin-1 (format.py `_read_array_header`).
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes);
  const descrMatch =
    /['"]descr['"]\s*:\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\[[\s\S]*?\](?=\s*,\s*['"](?:fortran_order|shape)['"]|\s*,?\s*\}))/.exec(
      text,
    );
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrMatch || !fortranMatch || !shapeMatch) {
    throw new ParseError(
      'BAD_STRUCTURE',
      `the .npy header does not have descr, fortran_order and shape: ${text.slice(0, 120)}`,
      start,
    );
  }
  const rawDescr = descrMatch[1] as string;
  const descr = rawDescr.startsWith('[') ? rawDescr : rawDescr.slice(1, -1);
  const shape = (shapeMatch[1] as string)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0)
        throw new ParseError('BAD_VALUE', `bad .npy shape entry '${s}'`, start);
      return n;
    });
  // Object fields: the kind character O in a plain or structured descr ('|O', 'O', ('f', '|O')).
  const hasObjects = rawDescr.startsWith('[')
    ? /['"][|<>=]?O\d*['"]/.test(rawDescr)
    : /^[|<>=]?O\d*$/.test(descr);
  return {
    version: `${major}.${minor}`,
    descr,
    hasObjects,
    fortranOrder: fortranMatch[1] === 'True',
    shape,
    dataOffset: start + length,
  };
}
