/**
 * The fallback for TensorFlow protobufs pedigree does not decode (over the size limit, or malformed): a
 * chunked search of the raw bytes for `NodeDef.op` fields naming given ops, so an op that runs Python or
 * touches files is reported even when the graph cannot be analysed. A NodeDef's op is field 2, a string:
 * the tag byte 0x12, a one-byte length (op names are short), then the name.
 */
import type { ByteSource } from '../../core/byte-reader.js';

/** Bytes read at a time: a multi-GB frozen graph is searched without being held in memory. */
export const BYTE_SCAN_CHUNK_BYTES = 16 * 1024 * 1024;
/** Occurrences recorded in one file (each op's first offset and count are kept past it). */
export const MAX_BYTE_SCAN_HITS = 10_000;

/** NodeDef field 2 (`op`), wire type 2: (2 << 3) | 2. */
const OP_TAG = 0x12;

export interface EncodedOpHit {
  readonly op: string;
  /** Offset of the first occurrence (of the tag byte). */
  readonly offset: number;
  readonly count: number;
}

/** Finds `op` fields naming any of `ops` anywhere in the source; sorted by first offset. */
export function findEncodedOpNames(
  source: ByteSource,
  ops: readonly string[],
  chunkBytes: number = BYTE_SCAN_CHUNK_BYTES,
): EncodedOpHit[] {
  const byLength = new Map<number, Buffer[]>();
  let longest = 0;
  for (const op of new Set(ops)) {
    const bytes = Buffer.from(op, 'latin1');
    if (bytes.length === 0 || bytes.length > 127) continue;
    byLength.set(bytes.length, [...(byLength.get(bytes.length) ?? []), bytes]);
    longest = Math.max(longest, bytes.length);
  }
  const hits = new Map<string, { offset: number; count: number }>();
  let total = 0;
  const overlap = longest + 1;
  for (let start = 0; start < source.size; start += chunkBytes) {
    const raw = source.readAt(start, Math.min(chunkBytes + overlap, source.size - start));
    const chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    // Tags starting in the overlap belong to the next chunk.
    const limit = Math.min(chunk.length, chunkBytes);
    for (let at = chunk.indexOf(OP_TAG); at >= 0 && at < limit; at = chunk.indexOf(OP_TAG, at + 1)) {
      const length = chunk[at + 1] ?? 0;
      const candidates = byLength.get(length);
      if (candidates === undefined || at + 2 + length > chunk.length) continue;
      for (const name of candidates) {
        if (chunk.compare(name, 0, length, at + 2, at + 2 + length) !== 0) continue;
        const op = name.toString('latin1');
        const hit = hits.get(op);
        if (hit === undefined) hits.set(op, { offset: start + at, count: 1 });
        else if (total < MAX_BYTE_SCAN_HITS) hit.count++;
        total++;
      }
    }
  }
  return [...hits.entries()]
    .map(([op, { offset, count }]) => ({ op, offset, count }))
    .sort((a, b) => a.offset - b.offset || (a.op < b.op ? -1 : 1));
}
