/**
 * Builds GGUF files for tests (docs/gguf.md): any version, either byte order, every value type, tensors
 * laid out as llama.cpp writes them (each at the previous one's end aligned up) unless an offset is given.
 */
import { GGML_TYPES } from './ggml-types.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_VALUE_TYPES, type GgufValueType } from './reader.js';

export type TestValue =
  | {
      readonly type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
      readonly value: number;
    }
  | { readonly type: 'uint64' | 'int64'; readonly value: bigint }
  | { readonly type: 'bool'; readonly value: number }
  | { readonly type: 'string'; readonly value: string | Uint8Array }
  | { readonly type: 'array'; readonly itemType: GgufValueType; readonly items: readonly TestValue[] };

/** Value constructors: `gv.str('x')`, `gv.arr('uint8', [gv.u8(1)])`. */
export const gv = {
  u8: (value: number): TestValue => ({ type: 'uint8', value }),
  i8: (value: number): TestValue => ({ type: 'int8', value }),
  u16: (value: number): TestValue => ({ type: 'uint16', value }),
  i16: (value: number): TestValue => ({ type: 'int16', value }),
  u32: (value: number): TestValue => ({ type: 'uint32', value }),
  i32: (value: number): TestValue => ({ type: 'int32', value }),
  f32: (value: number): TestValue => ({ type: 'float32', value }),
  f64: (value: number): TestValue => ({ type: 'float64', value }),
  u64: (value: bigint): TestValue => ({ type: 'uint64', value }),
  i64: (value: bigint): TestValue => ({ type: 'int64', value }),
  /** A bool as its byte (the spec allows 0 and 1 only). */
  bool: (value: boolean | number): TestValue => ({ type: 'bool', value: Number(value) }),
  str: (value: string | Uint8Array): TestValue => ({ type: 'string', value }),
  arr: (itemType: GgufValueType, items: readonly TestValue[]): TestValue => ({
    type: 'array',
    itemType,
    items,
  }),
};

export interface TestTensor {
  readonly name: string;
  readonly dims: readonly (number | bigint)[];
  /** ggml type id; F32 by default. */
  readonly type?: number;
  /** Data offset relative to the data section; by default where llama.cpp would put it. */
  readonly offset?: number | bigint;
  /** The tensor's bytes (zeros by default). */
  readonly data?: Uint8Array;
}

export interface GgufSpec {
  readonly version?: 1 | 2 | 3;
  readonly bigEndian?: boolean;
  readonly metadata?: readonly (readonly [string, TestValue])[];
  readonly tensors?: readonly TestTensor[];
  /** Alignment used to lay out tensors; also written as `general.alignment` unless the metadata has it. */
  readonly alignment?: number;
  /** Counts written in the header instead of the real ones. */
  readonly tensorCount?: bigint;
  readonly metadataCount?: bigint;
  /** Bytes appended after the tensor data. */
  readonly trailing?: Uint8Array;
}

/** Bytes of a tensor by the ggml type table (the reader's ggufTensorBytes, restated independently). */
export function tensorSize(t: TestTensor): number {
  const type = GGML_TYPES.get(t.type ?? 0);
  if (type === undefined) throw new Error(`test tensor of unknown type ${t.type}`);
  const elements = t.dims.reduce<number>((a, d) => a * Number(d), 1);
  return (elements / type.blockSize) * type.typeSize;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

class Writer {
  readonly parts: Buffer[] = [];
  length = 0;
  constructor(
    private readonly le: boolean,
    private readonly v1: boolean,
  ) {}
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  fixed(n: number, write: (b: Buffer) => void): void {
    const b = Buffer.alloc(n);
    write(b);
    this.push(b);
  }
  u32(v: number): void {
    this.fixed(4, (b) => (this.le ? b.writeUInt32LE(v) : b.writeUInt32BE(v)));
  }
  u64(v: bigint): void {
    this.fixed(8, (b) => (this.le ? b.writeBigUInt64LE(v) : b.writeBigUInt64BE(v)));
  }
  /** A count or length: u32 in v1. */
  len(v: number | bigint): void {
    if (this.v1) this.u32(Number(v));
    else this.u64(BigInt(v));
  }
  string(s: string | Uint8Array): void {
    const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
    this.len(bytes.length);
    this.push(bytes);
  }
  typeId(t: GgufValueType): void {
    this.u32(GGUF_VALUE_TYPES.indexOf(t));
  }
  /** The value's body (without its type). */
  value(v: TestValue): void {
    const le = this.le;
    if (v.type === 'string') this.string(v.value);
    else if (v.type === 'array') {
      this.typeId(v.itemType);
      this.len(v.items.length);
      for (const item of v.items) this.value(item);
    } else if (v.type === 'uint64') this.u64(v.value);
    else if (v.type === 'int64')
      this.fixed(8, (b) => (le ? b.writeBigInt64LE(v.value) : b.writeBigInt64BE(v.value)));
    else {
      const [size, write]: [number, (b: Buffer, n: number) => unknown] = {
        uint8: [1, (b: Buffer, n: number) => b.writeUInt8(n)],
        bool: [1, (b: Buffer, n: number) => b.writeUInt8(n)],
        int8: [1, (b: Buffer, n: number) => b.writeInt8(n)],
        uint16: [2, (b: Buffer, n: number) => (le ? b.writeUInt16LE(n) : b.writeUInt16BE(n))],
        int16: [2, (b: Buffer, n: number) => (le ? b.writeInt16LE(n) : b.writeInt16BE(n))],
        uint32: [4, (b: Buffer, n: number) => (le ? b.writeUInt32LE(n) : b.writeUInt32BE(n))],
        int32: [4, (b: Buffer, n: number) => (le ? b.writeInt32LE(n) : b.writeInt32BE(n))],
        float32: [4, (b: Buffer, n: number) => (le ? b.writeFloatLE(n) : b.writeFloatBE(n))],
        float64: [8, (b: Buffer, n: number) => (le ? b.writeDoubleLE(n) : b.writeDoubleBE(n))],
      }[v.type] as [number, (b: Buffer, n: number) => unknown];
      const n = v.value as number;
      this.fixed(size, (b) => write(b, n));
    }
  }
}

export interface BuiltGguf {
  /** Magic, counts, metadata and tensor infos. */
  readonly header: Uint8Array;
  /** Where the tensor data starts (the header aligned up). */
  readonly dataStart: number;
  /** The size of the whole file: data section padded to the alignment, then `trailing`. */
  readonly size: number;
  /** Each tensor's data offset (relative to the data section) and size. */
  readonly layout: readonly { readonly offset: number; readonly size: number }[];
}

/** The header of a GGUF file and the size the whole file has, without building the tensor data. */
export function buildGgufHeader(spec: GgufSpec = {}): BuiltGguf {
  const version = spec.version ?? 3;
  const w = new Writer(!spec.bigEndian, version === 1);
  const alignment = spec.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const metadata = [...(spec.metadata ?? [])];
  if (spec.alignment !== undefined && !metadata.some(([k]) => k === 'general.alignment')) {
    metadata.push(['general.alignment', gv.u32(spec.alignment)]);
  }
  const tensors = spec.tensors ?? [];
  w.push(Buffer.from('GGUF', 'latin1'));
  w.u32(version);
  w.len(spec.tensorCount ?? BigInt(tensors.length));
  w.len(spec.metadataCount ?? BigInt(metadata.length));
  for (const [key, value] of metadata) {
    w.string(key);
    w.typeId(value.type);
    w.value(value);
  }
  let cursor = 0;
  const layout: { offset: number; size: number }[] = [];
  for (const t of tensors) {
    const size = t.data?.length ?? tensorSize(t);
    const offset = t.offset === undefined ? cursor : Number(t.offset);
    layout.push({ offset, size });
    cursor = alignUp(offset + size, alignment);
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.len(d);
    w.u32(t.type ?? 0);
    w.u64(t.offset === undefined ? BigInt(offset) : BigInt(t.offset));
  }
  const header = new Uint8Array(Buffer.concat(w.parts));
  const dataStart = alignUp(header.length, alignment);
  const dataEnd = layout.reduce((end, l) => Math.max(end, alignUp(l.offset + l.size, alignment)), 0);
  return { header, dataStart, size: dataStart + dataEnd + (spec.trailing?.length ?? 0), layout };
}

/** A whole GGUF file. */
export function buildGguf(spec: GgufSpec = {}): Uint8Array {
  const built = buildGgufHeader(spec);
  const out = new Uint8Array(built.size);
  out.set(built.header, 0);
  (spec.tensors ?? []).forEach((t, i) => {
    const at = built.layout[i] as { offset: number };
    if (t.data) out.set(t.data, built.dataStart + at.offset);
  });
  if (spec.trailing) out.set(spec.trailing, built.size - spec.trailing.length);
  return out;
}
