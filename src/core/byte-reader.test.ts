import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, bufferSource, sliceSource, truncateText } from './byte-reader.js';
import { ParseError } from './errors.js';
import { openFileSource } from './file-source.js';

type Op =
  | { kind: 'u8' }
  | { kind: 'u16le' }
  | { kind: 'u32le' }
  | { kind: 'i32le' }
  | { kind: 'u32be' }
  | { kind: 'u64le' }
  | { kind: 'f64be' }
  | { kind: 'bytes'; n: number }
  | { kind: 'skip'; n: number }
  | { kind: 'line'; max: number }
  | { kind: 'seek'; to: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Op>(
    { kind: 'u8' },
    { kind: 'u16le' },
    { kind: 'u32le' },
    { kind: 'i32le' },
    { kind: 'u32be' },
    { kind: 'u64le' },
    { kind: 'f64be' },
  ),
  fc.record({ kind: fc.constant('bytes' as const), n: fc.nat(40) }),
  fc.record({ kind: fc.constant('skip' as const), n: fc.nat(40) }),
  fc.record({ kind: fc.constant('line' as const), max: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('seek' as const), to: fc.nat(120) }),
);

/** A straightforward model of the reader over a whole buffer, to compare the windowed reader against. */
function modelApply(data: Uint8Array, pos: number, op: Op): { pos: number; value: unknown } | 'error' {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const need = (n: number) => n === 0 || pos + n <= data.length;
  const empty = (op.kind === 'bytes' || op.kind === 'skip') && op.n === 0;
  if (pos > data.length && op.kind !== 'seek' && !empty) return 'error';
  switch (op.kind) {
    case 'u8':
      return need(1) ? { pos: pos + 1, value: data[pos] } : 'error';
    case 'u16le':
      return need(2) ? { pos: pos + 2, value: view.getUint16(pos, true) } : 'error';
    case 'u32le':
      return need(4) ? { pos: pos + 4, value: view.getUint32(pos, true) } : 'error';
    case 'i32le':
      return need(4) ? { pos: pos + 4, value: view.getInt32(pos, true) } : 'error';
    case 'u32be':
      return need(4) ? { pos: pos + 4, value: view.getUint32(pos, false) } : 'error';
    case 'u64le':
      return need(8) ? { pos: pos + 8, value: view.getBigUint64(pos, true) } : 'error';
    case 'f64be':
      return need(8) ? { pos: pos + 8, value: view.getFloat64(pos, false) } : 'error';
    case 'bytes':
      return need(op.n) ? { pos: pos + op.n, value: Array.from(data.subarray(pos, pos + op.n)) } : 'error';
    case 'skip':
      return need(op.n) ? { pos: pos + op.n, value: undefined } : 'error';
    case 'line': {
      const nl = data.indexOf(0x0a, pos);
      if (nl < 0 || nl - pos > op.max) return 'error';
      return { pos: nl + 1, value: Array.from(data.subarray(pos, nl)) };
    }
    case 'seek':
      // Seeking past the end is allowed; the next read fails.
      return { pos: op.to, value: undefined };
  }
}

function readerApply(r: ByteReader, op: Op): unknown {
  switch (op.kind) {
    case 'bytes':
      return Array.from(r.bytes(op.n));
    case 'skip':
      return r.skip(op.n);
    case 'line':
      return Array.from(r.line(op.max));
    case 'seek':
      return r.seek(op.to);
    default:
      return r[op.kind]();
  }
}

describe('ByteReader', () => {
  it('reads exactly what a whole-buffer model reads, whatever the window size (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(opArb, { maxLength: 30 }),
        (data, window, ops) => {
          const reader = new ByteReader(bufferSource(data), 0, window);
          let pos = 0;
          for (const op of ops) {
            const expected = modelApply(data, pos, op);
            if (expected === 'error') {
              expect(() => readerApply(reader, op)).toThrow(ParseError);
              return;
            }
            const got = readerApply(reader, op);
            if (typeof expected.value === 'number' && Number.isNaN(expected.value)) expect(got).toBeNaN();
            else expect(got).toEqual(expected.value);
            pos = expected.pos;
            expect(reader.offset).toBe(pos);
            expect(reader.remaining).toBe(data.length - pos);
            expect(reader.atEnd).toBe(pos >= data.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('names the offset and what was being read when input runs out', () => {
    const r = new ByteReader(Uint8Array.from([1, 2, 3]));
    r.u16le();
    try {
      r.u32le('frame size');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).code).toBe('TRUNCATED');
      expect((e as ParseError).offset).toBe(2);
      expect((e as Error).message).toContain('frame size');
    }
  });

  it('slices sources without reading outside the slice', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(70),
        fc.nat(70),
        fc.nat(70),
        fc.nat(70),
        (d, s, n, p, l) => {
          const slice = sliceSource(bufferSource(d), s, n);
          const expected = d.subarray(Math.min(s, d.length), Math.min(d.length, s + n));
          expect(slice.size).toBe(expected.length);
          expect(Array.from(slice.readAt(p, l))).toEqual(Array.from(expected.subarray(p, p + l)));
        },
      ),
    );
  });

  it('reads files by window exactly like memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-br-'));
    try {
      const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256);
      const file = join(dir, 'f.bin');
      writeFileSync(file, data);
      const src = openFileSource(file);
      try {
        expect(src.size).toBe(5000);
        expect(Array.from(src.readAt(4990, 100))).toEqual(Array.from(data.subarray(4990)));
        const r = new ByteReader(src, 0, 7);
        r.seek(1234);
        expect(Array.from(r.bytes(50))).toEqual(Array.from(data.subarray(1234, 1284)));
      } finally {
        src.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('truncates and de-controls text for messages', () => {
    expect(truncateText('abc\u0000def', 100)).not.toContain('\u0000');
    expect(truncateText('x'.repeat(500), 10).length).toBeLessThan(40);
  });
});
