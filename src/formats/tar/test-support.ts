/**
 * Builds tar bytes block by block for tests, including what no normal writer produces (sized directories,
 * odd pax records, GNU sparse headers), so the reader can be checked against Lib/tarfile.py's reading.
 */

export const BLOCK = 512;

export interface RawHeaderSpec {
  readonly name: string | Uint8Array;
  /** Typeflag character; '0' by default. */
  readonly type?: string;
  /** The size field's value (octal), or raw bytes for it. */
  readonly size?: number | Uint8Array;
  readonly linkName?: string;
  /** ustar (default), GNU ('ustar  ') or v7 (no magic). */
  readonly magic?: 'ustar' | 'gnu' | 'v7';
  readonly prefix?: string;
  /** Old GNU sparse fields (type 'S'): up to four regions, the isextended byte and the real size. */
  readonly sparse?: {
    readonly regions: readonly (readonly [number, number])[];
    readonly isextended: boolean;
    readonly realSize: number;
  };
}

const bytesOf = (value: string | Uint8Array) =>
  typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'latin1')) : value;

const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, '0')}\0`;

/** One header block with a valid checksum (Lib/tarfile.py calc_chksums: unsigned sum, field as spaces). */
export function rawHeader(spec: RawHeaderSpec): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, value: string | Uint8Array) =>
    h.set(bytesOf(value).subarray(0, length), offset);
  put(0, 100, spec.name);
  put(100, 8, octal(0o644, 8));
  put(108, 8, octal(0, 8));
  put(116, 8, octal(0, 8));
  put(124, 12, typeof spec.size === 'object' ? spec.size : octal(spec.size ?? 0, 12));
  put(136, 12, octal(1704164646, 12));
  h[156] = (spec.type ?? '0').charCodeAt(0);
  put(157, 100, spec.linkName ?? '');
  const magic = spec.magic ?? 'ustar';
  if (magic === 'ustar') put(257, 8, 'ustar\x0000');
  if (magic === 'gnu') put(257, 8, 'ustar  \0');
  if (spec.sparse) {
    spec.sparse.regions.slice(0, 4).forEach(([offset, numbytes], i) => {
      put(386 + 24 * i, 12, octal(offset, 12));
      put(398 + 24 * i, 12, octal(numbytes, 12));
    });
    h[482] = spec.sparse.isextended ? 1 : 0;
    put(483, 12, octal(spec.sparse.realSize, 12));
  } else if (spec.prefix !== undefined) put(345, 155, spec.prefix);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** A GNU sparse extension block: up to 21 regions and its own isextended byte (offset 504). */
export function sparseExtension(
  regions: readonly (readonly [number, number])[],
  isextended: boolean,
): Uint8Array {
  const b = new Uint8Array(BLOCK);
  regions.slice(0, 21).forEach(([offset, numbytes], i) => {
    b.set(bytesOf(octal(offset, 12)), 24 * i);
    b.set(bytesOf(octal(numbytes, 12)), 24 * i + 12);
  });
  b[504] = isextended ? 1 : 0;
  return b;
}

/** Data padded with NULs to whole blocks. */
export function padded(data: string | Uint8Array): Uint8Array {
  const bytes = bytesOf(data);
  const out = new Uint8Array(Math.ceil(bytes.length / BLOCK) * BLOCK);
  out.set(bytes);
  return out;
}

/** pax records "<len> <key>=<value>\n", the length counting itself (values as UTF-8). */
export function paxRecords(records: readonly (readonly [string, string])[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const [k, v] of records) {
    const body = Buffer.from(` ${k}=${v}\n`, 'utf8');
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    parts.push(Buffer.from(String(len)), body);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A header with its data, padded. */
export function member(spec: RawHeaderSpec, data: string | Uint8Array = ''): Uint8Array {
  const bytes = bytesOf(data);
  return concat(rawHeader({ size: bytes.length, ...spec }), padded(bytes));
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** The end-of-archive marker: two zero blocks. */
export const END = new Uint8Array(2 * BLOCK);
