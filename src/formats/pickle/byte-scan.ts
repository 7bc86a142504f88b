import { type ByteSource, decodeLatin1 } from '../../core/byte-reader.js';

/**
 * A last resort after the simulation stops at one of its own limits (CPython has none: a million nested
 * MARKs, a 10-million-item stack or a 1 MiB line load fine): the bytes it did not reach are searched for
 * the literal ways a pickle names a global (GLOBAL/INST lines, STACK_GLOBAL over two string pushes), so a payload placed after a limit-tripping prefix is still
 * reported (red team round 4). Names built from memo entries cannot be recovered this way; the limit itself
 * is reported as not analysed.
 */
export interface ScannedImport {
  readonly module: string;
  readonly name: string;
  readonly offset: number;
  readonly opcode: 'GLOBAL' | 'INST' | 'STACK_GLOBAL';
}

/** Bytes searched per window; windows overlap so a name across a boundary is still seen. */
export const BYTE_SCAN_WINDOW = 1 << 20;
const OVERLAP = 1024;
/** Distinct imports reported from one scan. */
export const MAX_SCANNED_IMPORTS = 1000;

const NAME = String.raw`[A-Za-z_][\w.]{0,255}`;
/** GLOBAL `c` / INST `i`: `module\nname\n` (Lib/pickle.py load_global, load_inst). */
const TEXT_IMPORT = new RegExp(String.raw`([ci])(${NAME})\n(${NAME})\n`, 'g');
const STACK_GLOBAL = 0x93;
const MAX_NAME = 256;

const isNameByte = (b: number) =>
  (b >= 0x30 && b <= 0x39) ||
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  b === 0x5f ||
  b === 0x2e;
const isNameStart = (b: number) => isNameByte(b) && !(b >= 0x30 && b <= 0x39) && b !== 0x2e;

function le(bytes: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 256 + (bytes[at + k] as number);
  return v;
}

/**
 * The identifier-like string pushed by the opcode that ends right before `end`, read backwards: a memo
 * store (MEMOIZE, BINPUT, LONG_BINPUT) may follow the push; the push is SHORT_BINUNICODE, BINUNICODE,
 * BINUNICODE8, SHORT_BINSTRING, BINSTRING (length-prefixed), or UNICODE/STRING lines (protocol 0).
 */
function stringBefore(bytes: Uint8Array, end: number): { start: number; value: string }[] {
  const out: { start: number; value: string }[] = [];
  const ends = [end];
  if (bytes[end - 1] === 0x94) ends.push(end - 1);
  if (end >= 2 && bytes[end - 2] === 0x71) ends.push(end - 2); // q: BINPUT n
  if (end >= 5 && bytes[end - 5] === 0x72) ends.push(end - 5); // r: LONG_BINPUT nnnn
  for (const e of ends) {
    // Length-prefixed pushes: the name is bytes [e - L, e).
    let L = 0;
    while (L < MAX_NAME && e - L - 1 >= 0 && isNameByte(bytes[e - L - 1] as number)) {
      L++;
      const s = e - L;
      if (!isNameStart(bytes[s] as number)) continue;
      const value = decodeLatin1(bytes.subarray(s, e));
      const headers: [number, number][] = [
        [0x8c, 1], // SHORT_BINUNICODE
        [0x55, 1], // U SHORT_BINSTRING
        [0x58, 4], // X BINUNICODE
        [0x54, 4], // T BINSTRING
        [0x8d, 8], // BINUNICODE8
      ];
      for (const [op, n] of headers) {
        const at = s - n - 1;
        if (at >= 0 && bytes[at] === op && le(bytes, s - n, n) === L) out.push({ start: at, value });
      }
    }
    // Protocol-0 lines: V<name>\n (UNICODE) or S'<name>'\n (STRING).
    if (bytes[e - 1] === 0x0a) {
      let q = e - 2;
      const quoted = bytes[q] === 0x27 || bytes[q] === 0x22;
      if (quoted) q--;
      let k = q;
      while (k >= 0 && e - k < MAX_NAME && isNameByte(bytes[k] as number)) k--;
      if (quoted) {
        const value = decodeLatin1(bytes.subarray(k + 1, q + 1));
        if (
          value.length > 0 &&
          isNameStart(value.charCodeAt(0)) &&
          bytes[k] === bytes[q + 1] &&
          bytes[k - 1] === 0x53
        )
          out.push({ start: k - 1, value });
      } else {
        // `V` is itself a name character: every `V` inside the run may be the opcode.
        for (let v = k + 1; v < q; v++) {
          if (bytes[v] !== 0x56) continue;
          const value = decodeLatin1(bytes.subarray(v + 1, q + 1));
          if (isNameStart(value.charCodeAt(0))) out.push({ start: v, value });
        }
      }
    }
  }
  return out;
}

/**
 * `keep` decides which names count (the caller's policy: allowed names are not worth reporting), so decoy
 * names cannot fill the result before the real one is reached (red team round 6).
 */
export function scanForImports(
  source: ByteSource,
  start: number,
  end = source.size,
  keep: (module: string, name: string) => boolean = () => true,
): ScannedImport[] {
  const found = new Map<string, ScannedImport>();
  const add = (imp: ScannedImport) => {
    const key = `${imp.module}\u0000${imp.name}`;
    if (found.has(key) || found.size >= MAX_SCANNED_IMPORTS || !keep(imp.module, imp.name)) return;
    found.set(key, imp);
  };
  for (let pos = start; pos < end; pos += BYTE_SCAN_WINDOW - OVERLAP) {
    const bytes = source.readAt(pos, Math.min(BYTE_SCAN_WINDOW, end - pos));
    const text = decodeLatin1(bytes);
    for (const m of text.matchAll(TEXT_IMPORT)) {
      add({
        module: m[2] as string,
        name: m[3] as string,
        offset: pos + (m.index ?? 0),
        opcode: m[1] === 'c' ? 'GLOBAL' : 'INST',
      });
    }
    for (let p = bytes.indexOf(STACK_GLOBAL); p >= 0; p = bytes.indexOf(STACK_GLOBAL, p + 1)) {
      for (const name of stringBefore(bytes, p)) {
        for (const module of stringBefore(bytes, name.start)) {
          add({ module: module.value, name: name.value, offset: pos + module.start, opcode: 'STACK_GLOBAL' });
        }
      }
    }
    if (pos + BYTE_SCAN_WINDOW >= end || found.size >= MAX_SCANNED_IMPORTS) break;
  }
  return [...found.values()].sort((a, b) => a.offset - b.offset);
}
