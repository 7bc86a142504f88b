/**
 * A small marshal writer for tests (Python/marshal.c w_object), for the code object layouts of Python
 * versions other than the one that made the committed fixtures.
 */
import type { CodeLayout } from './reader.js';

export type PyObj =
  | null
  | boolean
  | number
  | string
  | { readonly bytes: Uint8Array | string }
  | { readonly tuple: readonly PyObj[] }
  | { readonly code: CodeSpec }
  | { readonly raw: Uint8Array };

export interface CodeSpec {
  readonly name: string;
  readonly names?: readonly string[];
  readonly consts?: readonly PyObj[];
  readonly varnames?: readonly string[];
  readonly filename?: string;
}

class Writer {
  readonly out: number[] = [];
  byte(b: number): this {
    this.out.push(b & 0xff);
    return this;
  }
  i32(n: number): this {
    for (let i = 0; i < 4; i++) this.byte((n >>> (8 * i)) & 0xff);
    return this;
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.byte(x);
    return this;
  }
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function write(w: Writer, v: PyObj, layout: CodeLayout): void {
  if (v === null) w.byte(0x4e);
  else if (v === true) w.byte(0x54);
  else if (v === false) w.byte(0x46);
  else if (typeof v === 'number') {
    if (Number.isInteger(v)) w.byte(0x69).i32(v);
    else {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v);
      w.byte(0x67).bytes(b);
    }
  } else if (typeof v === 'string') {
    const b = enc(v);
    if (/^[\x00-\x7f]*$/.test(v) && b.length < 256) w.byte(0x7a).byte(b.length).bytes(b);
    else w.byte(0x75).i32(b.length).bytes(b);
  } else if ('bytes' in v) {
    const b = typeof v.bytes === 'string' ? enc(v.bytes) : v.bytes;
    w.byte(0x73).i32(b.length).bytes(b);
  } else if ('tuple' in v) {
    if (v.tuple.length < 256) w.byte(0x29).byte(v.tuple.length);
    else w.byte(0x28).i32(v.tuple.length);
    for (const item of v.tuple) write(w, item, layout);
  } else if ('raw' in v) w.bytes(v.raw);
  else writeCode(w, v.code, layout);
}

function writeCode(w: Writer, c: CodeSpec, layout: CodeLayout): void {
  w.byte(0x63);
  const ints = layout === 'py38-310' ? 6 : 5;
  for (let i = 0; i < ints; i++) w.i32(i === 0 ? 1 : 0);
  const names = c.names ?? [];
  const varnames = c.varnames ?? ['x'];
  write(w, { bytes: 'd\x00S\x00' }, layout);
  write(w, { tuple: c.consts ?? [null] }, layout);
  write(w, { tuple: names }, layout);
  if (layout === 'py311-314') {
    write(w, { tuple: varnames }, layout);
    write(w, { bytes: '\x20'.repeat(varnames.length) }, layout);
    write(w, c.filename ?? '<test>', layout);
    write(w, c.name, layout);
    write(w, c.name, layout); // qualname
    w.i32(1);
    write(w, { bytes: '' }, layout);
    write(w, { bytes: '' }, layout);
  } else {
    write(w, { tuple: varnames }, layout);
    write(w, { tuple: [] }, layout);
    write(w, { tuple: [] }, layout);
    write(w, c.filename ?? '<test>', layout);
    write(w, c.name, layout);
    w.i32(1);
    write(w, { bytes: '' }, layout);
  }
}

/** `marshal.dumps(obj)` as the given Python version's layout would write it (without FLAG_REF). */
export function marshalDumps(v: PyObj, layout: CodeLayout): Uint8Array {
  const w = new Writer();
  write(w, v, layout);
  return new Uint8Array(w.out);
}
