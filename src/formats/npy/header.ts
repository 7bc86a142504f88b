/**
 * The .npy header (numpy/lib/format.py, NEP 1): magic `\x93NUMPY`, major and minor version, a little-endian
 * header length (2 bytes in 1.0, 4 bytes in 2.0 and 3.0), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. numpy reads the literal with
 * `ast.literal_eval`; we parse the same literal subset (never evaluating anything) and check the three keys
 * numpy itself requires, refusing what we cannot read rather than guessing.
 */
import type { ByteSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { classifyDescr, type DescrClass } from './dtype.js';
import { isSequence, type Literal, LiteralParser } from './literal.js';

export type { DescrClass } from './dtype.js';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/**
 * numpy refuses headers longer than this by default (format.py `_MAX_HEADER_SIZE`), but not when loading
 * with allow_pickle=True (`read_array` and `numpy.load` then lift the limit to 2**64), which is exactly
 * when an object array's pickle runs; so a longer header is still read, up to MAX_PARSED_NPY_HEADER_BYTES.
 */
export const MAX_NPY_HEADER_BYTES = 10_000;
/** Headers longer than this are not parsed (the data after them is still checked for a pickle). */
export const MAX_PARSED_NPY_HEADER_BYTES = 1 << 20;

/** The fixed part of a .npy file: enough to know where the header ends and the data starts. */
export interface NpyPreamble {
  readonly version: string;
  readonly major: number;
  /** Where the header text starts, and its length as the length field gives it. */
  readonly headerStart: number;
  readonly headerLength: number;
  /** Where the array data (or the pickle) starts: numpy reads exactly headerLength bytes of header. */
  readonly dataOffset: number;
}

export interface NpyHeader extends NpyPreamble {
  /** The dtype description as written: a string like `<f8`, or a list for structured dtypes. */
  readonly descr: string;
  /**
   * Whether numpy builds a dtype holding Python objects (`dtype.hasobject`), so the data is a pickle that
   * `read_array` unpickles with allow_pickle=True; 'unknown' when pedigree cannot tell (fail closed).
   */
  readonly dtypeClass: DescrClass;
  /** What made the dtype 'unknown' (or 'object'). */
  readonly dtypeWhy?: string;
  readonly fortranOrder: boolean;
  /** numpy checks only that each entry is an int, so negative entries are kept as they are. */
  readonly shape: readonly number[];
}

export function isNpy(head: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => head[i] === b);
}

/** Reads the magic, version and header length; throws ParseError when there is no header to read. */
export function readNpyPreamble(source: ByteSource): NpyPreamble {
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
  return {
    version: `${major}.${minor}`,
    major,
    headerStart: start,
    headerLength: length,
    dataOffset: start + length,
  };
}

/** Version 3.0 headers are UTF-8, 1.0 and 2.0 latin-1 (format.py `_header_size_info`); both strict. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseNpyHeader(
  source: ByteSource,
  preamble: NpyPreamble = readNpyPreamble(source),
): NpyHeader {
  const { headerStart: start, headerLength: length, major } = preamble;
  if (length > MAX_PARSED_NPY_HEADER_BYTES) {
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `the .npy header is ${length} bytes, over pedigree's limit of ${MAX_PARSED_NPY_HEADER_BYTES}`,
      8,
    );
  }
  const bytes = source.readAt(start, length);
  if (bytes.length < length)
    throw new ParseError('TRUNCATED', 'the .npy header is truncated', start + bytes.length);
  let text: string;
  try {
    // Buffer's latin1 is ISO-8859-1 (TextDecoder's 'latin1' is windows-1252, which differs in 0x80-0x9f).
    text = major === 3 ? utf8.decode(bytes) : Buffer.from(bytes).toString('latin1');
  } catch (cause) {
    throw new ParseError('BAD_VALUE', 'the .npy 3.0 header is not valid UTF-8', start, { cause });
  }
  // numpy reads the dict with ast.literal_eval, so read it as a Python literal too: regexes over the text
  // disagree with it on repeated keys (the last wins), comments, escapes and concatenated strings.
  const header = new LiteralParser(text, start).parse();
  const keys = header instanceof Map ? [...header.keys()].sort().join(',') : '';
  if (!(header instanceof Map) || keys !== 'descr,fortran_order,shape') {
    throw new ParseError(
      'BAD_STRUCTURE',
      `the .npy header is not a dict of exactly descr, fortran_order and shape: ${text.slice(0, 120)}`,
      start,
    );
  }
  const descrEntry = header.get('descr') as { value: Literal; raw: string };
  const fortran = header.get('fortran_order')?.value;
  const shapeValue = header.get('shape')?.value;
  if (typeof fortran !== 'boolean')
    throw new ParseError('BAD_VALUE', 'the .npy fortran_order is not True or False', start);
  if (!isSequence(shapeValue, 'tuple'))
    throw new ParseError('BAD_VALUE', 'the .npy shape is not a tuple', start);
  // `_read_array_header` checks only `isinstance(x, int)` (True and False are ints); `read_array` unpickles
  // an object array whatever the shape, so negative entries must not stop the analysis.
  const shape = shapeValue.items.map((n) => {
    if (typeof n !== 'number' && typeof n !== 'boolean')
      throw new ParseError('BAD_VALUE', `bad .npy shape entry '${String(n)}'`, start);
    return Number(n);
  });
  const descr = typeof descrEntry.value === 'string' ? descrEntry.value : descrEntry.raw;
  const dtype = classifyDescr(descrEntry.value);
  return {
    ...preamble,
    descr,
    dtypeClass: dtype.class,
    ...(dtype.why !== undefined ? { dtypeWhy: dtype.why } : {}),
    fortranOrder: fortran,
    shape,
  };
}
