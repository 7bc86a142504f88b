/**
 * GGUF, the model format of ggml, llama.cpp, Ollama and LM Studio (ggml docs/gguf.md), read as llama.cpp
 * reads it (ggml/src/gguf.cpp `gguf_init_from_reader`) and as gguf-py's GGUFReader does where the two
 * differ. Nothing is executed or rendered. The file is
 *
 *   "GGUF" | version u32 | tensor_count | metadata_kv_count | metadata_kv[] | tensor_info[] |
 *   padding to ALIGNMENT | tensor data
 *
 * where a metadata entry is a string key, a u32 value type and the value (arrays carry an item type and a
 * length, and may nest), and a tensor info is a name, n_dims u32, the dimensions, a u32 ggml type and a
 * u64 offset relative to the tensor data. Strings are a length then UTF-8 bytes, never NUL-terminated.
 * Counts, string and array lengths and dimensions are u64 since v2; v1 wrote them as u32 (the tensor data
 * offset is u64 in every version; gguf-parser-go and llama.cpp's GGUFv1 reader agree).
 *
 * v3 allows big-endian files: every value is then big-endian but the magic stays the bytes "GGUF", and the
 * spec gives no marker; llama.cpp and gguf-py tell by the version, whose low 16 bits are zero when it is
 * read in the wrong byte order. Both orders are parsed.
 *
 * Only the header region is read. Fixed-size metadata arrays longer than GGUF_DECODED_ARRAY_ELEMENTS are
 * bounds-checked and skipped unread, and tensor data is never read: tensor sizes come from the ggml type
 * table, so the layout (alignment, overlaps, gaps, data past the end, bytes after the last tensor) is
 * checked from the header alone and a 5 GB file costs what its header costs. Every count and length is
 * checked against a named limit, and against the bytes left, before anything is allocated or looped over.
 *
 * Hand-written rather than @huggingface/gguf (ARCHITECTURE.md's first choice, which allows this when the
 * library cannot bound hostile lengths): its `gguf()` reads a URL or a local path and offers no limits on
 * counts, lengths or nesting, no reading over our ByteSource, and no partial result with the offset of the
 * error, all of which fail-closed reporting needs.
 */
import { ByteReader, type ByteSource, truncateText } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { GGML_TYPES, ggmlTypeName } from './ggml-types.js';

export const GGUF_MAGIC: readonly number[] = [0x47, 0x47, 0x55, 0x46]; // "GGUF" at the byte level
/** docs/gguf.md: "If the alignment is not specified, assume it is 32." */
export const GGUF_DEFAULT_ALIGNMENT = 32;
export const GGUF_ALIGNMENT_KEY = 'general.alignment';
/** llama.cpp refuses tensor names of GGML_MAX_NAME (64) bytes or more (the spec: "at most 64 bytes"). */
export const GGML_MAX_NAME = 64;

/** Metadata entries in one file. Real models have a few dozen (the vocabulary is one entry of arrays). */
export const MAX_GGUF_METADATA_ENTRIES = 65_536;
/**
 * Array elements parsed one by one in one file, across all arrays (strings, nested arrays, and the short
 * fixed-size arrays that are decoded). A 262k-token vocabulary with its merges is about a million; longer
 * fixed-size arrays (scores, token types) are skipped unread and cost nothing.
 */
export const MAX_GGUF_ARRAY_ELEMENTS = 1 << 23;
/** One string (a key, a value, a tensor name): `tokenizer.huggingface.json` holds a whole tokenizer.json. */
export const MAX_GGUF_STRING_BYTES = 64 * 1024 * 1024;
/** All strings of one file together. */
export const MAX_GGUF_TOTAL_STRING_BYTES = 256 * 1024 * 1024;
/** Arrays nested in arrays (the spec allows it; llama.cpp refuses any, gguf-py reads them). */
export const MAX_GGUF_ARRAY_DEPTH = 8;
/** Tensor infos in one file. Real models have hundreds to a few thousand. */
export const MAX_GGUF_TENSORS = 1 << 18;
/** Dimensions of one tensor: ggml's GGML_MAX_DIMS, which llama.cpp enforces ("currently at most 4"). */
export const MAX_GGUF_DIMS = 4;
/** Fixed-size metadata arrays up to this length are decoded; longer ones are skipped unread. */
export const GGUF_DECODED_ARRAY_ELEMENTS = 1024;
/**
 * Padding (bytes between a tensor's end and the next aligned offset, and after the tensor infos) is not
 * read. With alignment 32 it is a few kilobytes; a huge `general.alignment` makes room for data loaders skip
 * and pedigree does not read, reported above this total.
 */
export const MAX_GGUF_UNREAD_PADDING_BYTES = 1024 * 1024;

export interface GgufLimits {
  readonly maxMetadataEntries: number;
  readonly maxArrayElements: number;
  readonly maxStringBytes: number;
  readonly maxTotalStringBytes: number;
  readonly maxArrayDepth: number;
  readonly maxTensors: number;
  readonly maxDims: number;
}

export const DEFAULT_GGUF_LIMITS: GgufLimits = {
  maxMetadataEntries: MAX_GGUF_METADATA_ENTRIES,
  maxArrayElements: MAX_GGUF_ARRAY_ELEMENTS,
  maxStringBytes: MAX_GGUF_STRING_BYTES,
  maxTotalStringBytes: MAX_GGUF_TOTAL_STRING_BYTES,
  maxArrayDepth: MAX_GGUF_ARRAY_DEPTH,
  maxTensors: MAX_GGUF_TENSORS,
  maxDims: MAX_GGUF_DIMS,
};

/** `gguf_metadata_value_type`, by id. */
export const GGUF_VALUE_TYPES = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'bool',
  'string',
  'array',
  'uint64',
  'int64',
  'float64',
] as const;
export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];

const FIXED_SIZE: Readonly<Partial<Record<GgufValueType, number>>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  uint64: 8,
  int64: 8,
  float64: 8,
};

export interface GgufArray {
  readonly type: 'array';
  readonly itemType: GgufValueType;
  readonly length: number;
  /** Where the first element starts. */
  readonly itemsOffset: number;
  /** The elements; undefined for a fixed-size array longer than GGUF_DECODED_ARRAY_ELEMENTS (not read). */
  readonly items: readonly GgufValue[] | undefined;
}

export type GgufValue =
  | {
      readonly type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
      readonly value: number;
    }
  | { readonly type: 'uint64' | 'int64'; readonly value: bigint }
  /** `byte` as stored: the spec allows only 0 and 1; readers take anything else as true. */
  | { readonly type: 'bool'; readonly value: boolean; readonly byte: number }
  /** Invalid UTF-8 is decoded with U+FFFD, as a lenient reader would show it. */
  | { readonly type: 'string'; readonly value: string }
  | GgufArray;

export interface GgufMetadataEntry {
  readonly key: string;
  /** Where the entry (its key) starts. */
  readonly offset: number;
  /** Where the value starts (after the value type; for a string, its length field). */
  readonly valueOffset: number;
  readonly value: GgufValue;
}

export interface GgufTensorInfo {
  readonly name: string;
  /** Where the tensor info starts in the file. */
  readonly offset: number;
  /** `ne[]`, innermost first, as u64 (v1: u32). */
  readonly dims: readonly bigint[];
  /** The ggml type id (see GGML_TYPES). */
  readonly type: number;
  /** Offset of the data relative to the start of the tensor data section. */
  readonly dataOffset: bigint;
}

export type GgufIssueKind =
  /** A metadata key given twice: llama.cpp refuses the file, gguf-py keeps the first, others the last. */
  | 'duplicate-key'
  /** Two tensors with one name: llama.cpp refuses the file, other readers pick one. */
  | 'duplicate-tensor'
  /** A value the spec or llama.cpp rejects: empty key, bool other than 0/1, long name, removed type. */
  | 'invalid'
  /** A ggml type pedigree does not know: the tensor's size, and the layout around it, are unknown. */
  | 'unknown-type'
  /** A shape ggml refuses: a row not a multiple of the block size, or a dimension that is negative as int64. */
  | 'bad-shape'
  /** A tensor offset that is not a multiple of the alignment. */
  | 'misaligned'
  /** Tensor data starting or ending past the end of the file. */
  | 'out-of-file'
  /** Two tensors sharing bytes. */
  | 'overlap'
  /** Bytes between tensors beyond the alignment padding: no tensor covers them. */
  | 'gap'
  /** Bytes after the last tensor beyond its padding. */
  | 'trailing'
  /** More padding than MAX_GGUF_UNREAD_PADDING_BYTES (a huge alignment). */
  | 'padding';

export interface GgufIssue {
  readonly kind: GgufIssueKind;
  readonly message: string;
  /** Where the evidence is: the entry, the tensor info, or the uncovered bytes. */
  readonly offset: number;
  /** For `gap` and `trailing`: the bytes no tensor covers, [start, end) within the file. */
  readonly range?: { readonly start: number; readonly end: number };
}

export interface GgufFile {
  readonly version: 1 | 2 | 3;
  readonly byteOrder: 'little' | 'big';
  readonly metadata: readonly GgufMetadataEntry[];
  readonly tensors: readonly GgufTensorInfo[];
  /** `general.alignment`, or GGUF_DEFAULT_ALIGNMENT. */
  readonly alignment: number;
  /** Where the tensor infos end: the header region is [0, headerEnd). */
  readonly headerEnd: number;
  /** Where the tensor data section starts: headerEnd aligned up. */
  readonly dataStart: number;
  readonly size: number;
  /** What is wrong with the file, in file order per check. */
  readonly issues: readonly GgufIssue[];
}

/** Filled while parsing, so a caller keeps what was read before a ParseError (a chat template, say). */
export interface GgufPartial {
  readonly metadata: GgufMetadataEntry[];
  readonly tensors: GgufTensorInfo[];
}

export interface GgufParseOptions {
  readonly limits?: Partial<GgufLimits>;
  readonly partial?: GgufPartial;
}

export function isGguf(head: Uint8Array): boolean {
  return GGUF_MAGIC.every((b, i) => head[i] === b);
}

/** Reads the GGUF header and checks the tensor layout; throws ParseError when the header cannot be read. */
export function parseGguf(source: ByteSource, options: GgufParseOptions = {}): GgufFile {
  return new GgufParser(source, { ...DEFAULT_GGUF_LIMITS, ...options.limits }, options.partial).parse();
}

/**
 * The size of a tensor's data, as `ggml_nbytes` computes it for a contiguous tensor, or undefined when the
 * type is unknown or a row is not a whole number of blocks (ggml refuses both). 0 when a dimension is 0.
 */
export function ggufTensorBytes(tensor: Pick<GgufTensorInfo, 'dims' | 'type'>): bigint | undefined {
  const type = GGML_TYPES.get(tensor.type);
  if (type === undefined) return undefined;
  const block = BigInt(type.blockSize);
  const ne0 = tensor.dims[0] ?? 1n; // ggml sets unused dimensions to 1: n_dims 0 is one element
  if (ne0 % block !== 0n) return undefined;
  let elements = 1n;
  for (const d of tensor.dims) elements *= d;
  return (elements / block) * BigInt(type.typeSize);
}

/**
 * The bytes a reader maps for the tensor: ggml's size, or for rows that are not whole blocks (which ggml
 * refuses) gguf-py's `n_elems * type_size // block_size`, so such a tensor cannot hide the bytes after it.
 */
function layoutBytes(tensor: GgufTensorInfo): bigint | undefined {
  const exact = ggufTensorBytes(tensor);
  const type = GGML_TYPES.get(tensor.type);
  if (exact !== undefined || type === undefined) return exact;
  const elements = tensor.dims.reduce((a, d) => a * d, 1n);
  return (elements * BigInt(type.typeSize)) / BigInt(type.blockSize);
}

const INT64_LIMIT = 1n << 63n;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return lenientUtf8.decode(bytes);
  }
}

const quote = (name: string) => `'${truncateText(name, 80)}'`;

const alignUp = (n: bigint, alignment: bigint) => ((n + alignment - 1n) / alignment) * alignment;
const min = (a: bigint, b: bigint) => (a < b ? a : b);

class GgufParser {
  private readonly r: ByteReader;
  private littleEndian = true;
  private v1 = false;
  private elements = 0;
  private stringBytes = 0;
  private readonly issues: GgufIssue[] = [];
  private readonly metadata: GgufMetadataEntry[];
  private readonly tensors: GgufTensorInfo[];

  constructor(
    private readonly source: ByteSource,
    private readonly limits: GgufLimits,
    partial: GgufPartial | undefined,
  ) {
    this.r = new ByteReader(source);
    this.metadata = partial?.metadata ?? [];
    this.tensors = partial?.tensors ?? [];
  }

  parse(): GgufFile {
    const { r, limits } = this;
    const magic = r.bytes(Math.min(4, this.source.size), 'magic');
    if (!isGguf(magic)) throw new ParseError('BAD_MAGIC', 'not a GGUF file (magic "GGUF" missing)', 0);
    const version = this.readVersion();
    // Smallest tensor info: empty name, no dimensions, type, offset; smallest entry: empty key, type, a byte.
    const tensorCount = this.count('tensor_count', 'tensor infos', limits.maxTensors, this.v1 ? 20 : 24);
    const metadataCount = this.count(
      'metadata_kv_count',
      'metadata entries',
      limits.maxMetadataEntries,
      this.v1 ? 9 : 13,
    );

    const keys = new Set<string>();
    for (let i = 0; i < metadataCount; i++) {
      const offset = r.offset;
      const key = this.string('metadata key').value;
      if (key === '')
        this.issue('invalid', `metadata entry ${i} has an empty key, which llama.cpp refuses`, offset);
      if (keys.has(key)) {
        this.issue(
          'duplicate-key',
          `the metadata key ${quote(key)} is given more than once: llama.cpp refuses the file, gguf-py reads the first value, other readers the last`,
          offset,
        );
      }
      keys.add(key);
      const label = quote(key);
      const type = this.valueType(`the type of metadata ${label}`);
      const valueOffset = r.offset;
      const value = this.value(type, 0, label);
      this.metadata.push({ key, offset, valueOffset, value });
    }
    const alignment = this.alignment();

    const names = new Set<string>();
    for (let i = 0; i < tensorCount; i++) {
      const tensor = this.tensorInfo();
      if (names.has(tensor.name)) {
        this.issue(
          'duplicate-tensor',
          `two tensors are named ${quote(tensor.name)}: llama.cpp refuses the file, other readers pick one`,
          tensor.offset,
        );
      }
      names.add(tensor.name);
      this.tensors.push(tensor);
    }
    const headerEnd = r.offset;
    // docs/gguf.md: the tensor data starts at the end of the tensor infos aligned up to ALIGNMENT.
    const dataStart = Number(alignUp(BigInt(headerEnd), BigInt(alignment)));
    const file = {
      version,
      byteOrder: this.littleEndian ? 'little' : 'big',
      metadata: this.metadata,
      tensors: this.tensors,
      alignment,
      headerEnd,
      dataStart,
      size: this.source.size,
      issues: this.issues,
    } as const;
    checkTensors(file, this.issues);
    checkLayout(file, this.issues);
    return file;
  }

  private readVersion(): 1 | 2 | 3 {
    const raw = this.r.u32le('version');
    let version = raw;
    // gguf.cpp: "assuming that the GGUF version is 3, the non-native endian model would read it as
    // 0x30000000" (0x03000000): a byte-swapped version has its low 16 bits zero. gguf-py reads it swapped.
    if (raw !== 0 && (raw & 0xffff) === 0) {
      this.littleEndian = false;
      version =
        (raw & 0xff) * 0x1000000 +
        ((raw >>> 8) & 0xff) * 0x10000 +
        ((raw >>> 16) & 0xff) * 0x100 +
        (raw >>> 24);
    }
    if (version !== 1 && version !== 2 && version !== 3) {
      const order = this.littleEndian ? '' : 'big-endian ';
      throw new ParseError(
        'UNSUPPORTED',
        `unsupported ${order}GGUF version ${version} (pedigree reads 1 to 3)`,
        4,
      );
    }
    this.v1 = version === 1;
    return version;
  }

  private issue(kind: GgufIssueKind, message: string, offset: number): void {
    this.issues.push({ kind, message, offset });
  }

  // --- primitive reads, in the file's byte order -------------------------------------------------------

  private u32(what: string): number {
    return this.littleEndian ? this.r.u32le(what) : this.r.u32be(what);
  }

  private u64(what: string): bigint {
    if (this.littleEndian) return this.r.u64le(what);
    const hi = BigInt(this.r.u32be(what));
    return (hi << 32n) | BigInt(this.r.u32be(what));
  }

  private view(n: number, what: string): DataView {
    const b = this.r.bytes(n, what);
    return new DataView(b.buffer, b.byteOffset, n);
  }

  /** A count or length: u32 in v1, u64 since v2. */
  private length(what: string): bigint {
    return this.v1 ? BigInt(this.u32(what)) : this.u64(what);
  }

  /**
   * A header count, checked against its limit and against the bytes left (each item takes at least
   * `minItemBytes`), so a hostile count fails at once instead of after a long loop.
   */
  private count(what: string, items: string, limit: number, minItemBytes: number): number {
    const at = this.r.offset;
    const n = this.length(what);
    if (n > BigInt(limit)) {
      throw new ParseError('LIMIT_EXCEEDED', `${what} ${n} is over pedigree's limit of ${limit}`, at);
    }
    this.needs(n * BigInt(minItemBytes), `${n} ${items}`, at);
    return Number(n);
  }

  /** Throws TRUNCATED unless `bytes` bytes are left after the cursor. */
  private needs(bytes: bigint, what: string, at: number): void {
    const left = BigInt(Math.max(0, this.source.size - this.r.offset));
    if (bytes > left) {
      throw new ParseError(
        'TRUNCATED',
        `unexpected end of data: ${what} need at least ${bytes} bytes, ${left} left`,
        at,
      );
    }
  }

  private string(what: string): { value: string; bytes: number } {
    const at = this.r.offset;
    const n = this.length(`${what} length`);
    if (n > BigInt(this.limits.maxStringBytes)) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `${what} is ${n} bytes long, over pedigree's limit of ${this.limits.maxStringBytes}`,
        at,
      );
    }
    const bytes = Number(n);
    this.stringBytes += bytes;
    if (this.stringBytes > this.limits.maxTotalStringBytes) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `the strings of this file total more than pedigree's limit of ${this.limits.maxTotalStringBytes} bytes`,
        at,
      );
    }
    return { value: decodeText(this.r.bytes(bytes, what)), bytes };
  }

  private valueType(what: string): GgufValueType {
    const at = this.r.offset;
    const id = this.u32(what);
    const type = GGUF_VALUE_TYPES[id];
    // An unknown type has no known size: nothing after it can be found.
    if (type === undefined) throw new ParseError('BAD_VALUE', `${what} is ${id}, not a GGUF value type`, at);
    return type;
  }

  /** `label` is the entry's key, quoted for messages (made once per entry, not per array element). */
  private value(type: GgufValueType, depth: number, label: string): GgufValue {
    const { r } = this;
    const le = this.littleEndian;
    switch (type) {
      case 'uint8':
        return { type, value: r.u8(label) };
      case 'int8':
        return { type, value: this.view(1, label).getInt8(0) };
      case 'uint16':
        return { type, value: this.view(2, label).getUint16(0, le) };
      case 'int16':
        return { type, value: this.view(2, label).getInt16(0, le) };
      case 'uint32':
        return { type, value: this.u32(label) };
      case 'int32':
        return { type, value: this.view(4, label).getInt32(0, le) };
      case 'float32':
        return { type, value: this.view(4, label).getFloat32(0, le) };
      case 'float64':
        return { type, value: this.view(8, label).getFloat64(0, le) };
      case 'uint64':
        return { type, value: this.view(8, label).getBigUint64(0, le) };
      case 'int64':
        return { type, value: this.view(8, label).getBigInt64(0, le) };
      case 'bool': {
        const at = r.offset;
        const byte = r.u8(label);
        if (byte > 1) {
          // docs/gguf.md: "Anything else is invalid, and should be treated as either the model being
          // invalid or the reader being buggy."
          this.issue('invalid', `a bool in ${label} is ${byte}, not 0 or 1`, at);
        }
        return { type, value: byte !== 0, byte };
      }
      case 'string':
        return { type, value: this.string(label).value };
      case 'array':
        return this.array(depth + 1, label);
    }
  }

  private array(depth: number, label: string): GgufArray {
    const { r, limits } = this;
    const at = r.offset;
    if (depth > limits.maxArrayDepth) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `arrays in ${label} are nested more than pedigree's limit of ${limits.maxArrayDepth} levels`,
        at,
      );
    }
    const itemType = this.valueType(`the item type of an array in ${label}`);
    const n = this.length(`the length of an array in ${label}`);
    const fixed = FIXED_SIZE[itemType];
    // Every element takes at least its fixed size, a string its length field, an array its type and length.
    const lengthBytes = this.v1 ? 4n : 8n;
    const minItem =
      fixed !== undefined ? BigInt(fixed) : itemType === 'string' ? lengthBytes : 4n + lengthBytes;
    this.needs(n * minItem, `an array of ${n} ${itemType} in ${label}`, at);
    const length = Number(n); // at most the file size
    const itemsOffset = r.offset;
    if (fixed !== undefined && length > GGUF_DECODED_ARRAY_ELEMENTS) {
      r.skip(length * fixed, `an array in ${label}`);
      return { type: 'array', itemType, length, itemsOffset, items: undefined };
    }
    if (this.elements + length > limits.maxArrayElements) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `the arrays of this file hold more than pedigree's limit of ${limits.maxArrayElements} elements (${label} alone has ${length})`,
        at,
      );
    }
    this.elements += length;
    const items: GgufValue[] = [];
    for (let i = 0; i < length; i++) items.push(this.value(itemType, depth, label));
    return { type: 'array', itemType, length, itemsOffset, items };
  }

  /** `general.alignment`, as llama.cpp requires it: a u32 power of two (gguf-py also requires the u32). */
  private alignment(): number {
    const entry = this.metadata.find((e) => e.key === GGUF_ALIGNMENT_KEY); // the first, as gguf-py
    if (entry === undefined) return GGUF_DEFAULT_ALIGNMENT;
    if (entry.value.type !== 'uint32') {
      throw new ParseError(
        'BAD_VALUE',
        `${GGUF_ALIGNMENT_KEY} is a ${entry.value.type}, not a uint32: the tensor data cannot be located`,
        entry.valueOffset,
      );
    }
    const alignment = entry.value.value;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
      throw new ParseError(
        'BAD_VALUE',
        `${GGUF_ALIGNMENT_KEY} is ${alignment}, not a power of two: the tensor data cannot be located`,
        entry.valueOffset,
      );
    }
    return alignment;
  }

  private tensorInfo(): GgufTensorInfo {
    const { r, limits } = this;
    const offset = r.offset;
    const { value: name, bytes } = this.string('tensor name');
    if (bytes >= GGML_MAX_NAME) {
      this.issue(
        'invalid',
        `the tensor name ${quote(name)} is ${bytes} bytes long; llama.cpp refuses names of ${GGML_MAX_NAME} bytes or more`,
        offset,
      );
    }
    const dimsAt = r.offset;
    const nDims = this.u32(`n_dimensions of tensor ${quote(name)}`);
    if (nDims > limits.maxDims) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `tensor ${quote(name)} has ${nDims} dimensions, over ggml's limit of ${limits.maxDims}`,
        dimsAt,
      );
    }
    const dims: bigint[] = [];
    for (let j = 0; j < nDims; j++) dims.push(this.length(`dimension ${j} of tensor ${quote(name)}`));
    const type = this.u32(`the type of tensor ${quote(name)}`);
    const dataOffset = this.u64(`the data offset of tensor ${quote(name)}`);
    return { name, offset, dims, type, dataOffset };
  }
}

/** Per-tensor checks: types and shapes as llama.cpp validates them before loading. */
function checkTensors(file: GgufFile, issues: GgufIssue[]): void {
  for (const t of file.tensors) {
    const type = GGML_TYPES.get(t.type);
    if (type === undefined) {
      issues.push({
        kind: 'unknown-type',
        message: `tensor ${quote(t.name)} has ggml type ${t.type}, which pedigree does not know: its size, and the layout around it, could not be checked`,
        offset: t.offset,
      });
      continue;
    }
    if (type.removed) {
      issues.push({
        kind: 'invalid',
        message: `tensor ${quote(t.name)} has type ${type.name}, which ggml no longer loads from GGUF files`,
        offset: t.offset,
      });
    }
    const shape = `[${t.dims.join(', ')}]`;
    if (t.dims.some((d) => d >= INT64_LIMIT)) {
      issues.push({
        kind: 'bad-shape',
        message: `tensor ${quote(t.name)} has shape ${shape}: a dimension is negative as ggml's int64`,
        offset: t.offset,
      });
    } else if ((t.dims[0] ?? 1n) % BigInt(type.blockSize) !== 0n) {
      issues.push({
        kind: 'bad-shape',
        message: `tensor ${quote(t.name)} of type ${type.name} has shape ${shape}: its rows are not a whole number of ${type.blockSize}-element blocks, which ggml refuses`,
        offset: t.offset,
      });
    }
  }
}

/**
 * Where the tensors' bytes are. The spec wants every offset a multiple of the alignment and the space
 * between tensors padded to it; llama.cpp goes further and requires each tensor to start exactly where the
 * previous one's padded data ends. What no tensor covers beyond that padding (gaps, bytes after the last
 * tensor) is data every loader skips, which is where a polyglot keeps its payload: reported with its range
 * so it can be analysed. Overlaps, misalignment and data past the end make loaders disagree or refuse.
 */
function checkLayout(file: GgufFile, issues: GgufIssue[]): void {
  const alignment = BigInt(file.alignment);
  const size = BigInt(file.size);
  const dataStart = BigInt(file.dataStart);
  const placed = file.tensors.map((t) => {
    const start = dataStart + t.dataOffset;
    const bytes = layoutBytes(t);
    return { t, start, end: bytes === undefined ? undefined : start + bytes };
  });
  for (const { t, start, end } of placed) {
    if (t.dataOffset % alignment !== 0n) {
      issues.push({
        kind: 'misaligned',
        message: `tensor ${quote(t.name)} starts at data offset ${t.dataOffset}, not a multiple of the alignment ${file.alignment}`,
        offset: t.offset,
      });
    }
    if (start > size || (end !== undefined && end > size)) {
      issues.push({
        kind: 'out-of-file',
        message: `tensor ${quote(t.name)} has its data at [${start}, ${end ?? '?'}) in a file of ${size} bytes`,
        offset: t.offset,
      });
    }
  }

  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  const ordered = [...placed].sort(
    (a, b) => cmp(a.start, b.start) || cmp(a.end ?? a.start, b.end ?? b.start),
  );
  // `covered`: where the bytes covered so far end, and by which tensor; undefined after a tensor of unknown
  // size, until a later tensor starts (nothing can be said about the bytes in between).
  let covered: { end: bigint; name: string | undefined } | undefined = {
    end: BigInt(file.headerEnd),
    name: undefined,
  };
  let padding = 0n;
  const uncovered = (kind: 'gap' | 'trailing', from: bigint, to: bigint, message: string) => {
    const start = Number(from);
    const end = Number(to < size ? to : size);
    issues.push({ kind, message, offset: start, range: { start, end } });
  };
  for (const { t, start, end } of ordered) {
    if (covered !== undefined) {
      const padded = alignUp(covered.end, alignment);
      if (start < covered.end && covered.name !== undefined) {
        issues.push({
          kind: 'overlap',
          message: `tensors ${quote(covered.name)} and ${quote(t.name)} share the bytes [${start}, ${end !== undefined && end < covered.end ? end : covered.end})`,
          offset: t.offset,
        });
      } else if (covered.end < size) {
        padding += min(min(start, padded), size) - covered.end;
        if (start > padded) {
          const after = covered.name === undefined ? 'the tensor infos' : `tensor ${quote(covered.name)}`;
          uncovered(
            'gap',
            covered.end,
            start,
            `${start - padded} bytes between ${after} and tensor ${quote(t.name)} belong to no tensor (file offsets [${covered.end}, ${start}))`,
          );
        }
      }
    }
    if (end === undefined) covered = undefined;
    else if (covered === undefined || end > covered.end) covered = { end, name: t.name };
  }
  if (covered !== undefined && covered.end < size) {
    const padded = alignUp(covered.end, alignment);
    if (size > padded) {
      padding += padded - covered.end;
      const after =
        covered.name === undefined ? 'the tensor infos' : `the last tensor (${quote(covered.name)})`;
      uncovered(
        'trailing',
        covered.end,
        size,
        `${size - padded} bytes after ${after} and its padding belong to no tensor (file offsets [${covered.end}, ${size}))`,
      );
    } else {
      padding += size - covered.end;
    }
  }
  if (padding > BigInt(MAX_GGUF_UNREAD_PADDING_BYTES)) {
    issues.push({
      kind: 'padding',
      message: `${padding} bytes of alignment padding (alignment ${file.alignment}) lie between tensors; loaders skip them and pedigree does not read them`,
      offset: file.headerEnd,
    });
  }
}

export { GGML_TYPES, ggmlTypeName };
