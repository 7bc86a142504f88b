import { type ByteSource, decodeLatin1 } from '../../core/byte-reader.js';

/**
 * A last resort after the simulation stops at one of its own limits (CPython has none: a million nested
 * MARKs, a 10-million-item stack or a 1 MiB line load fine): the bytes it did not reach are searched for
 * the two literal ways a pickle names a global, so a payload placed after a limit-tripping prefix is still
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
/** STACK_GLOBAL over two SHORT_BINUNICODE pushes, each optionally memoised (what pickle protocol 4+ writes). */
const STACK_IMPORT = new RegExp(String.raw`\x8c([\s\S])(${NAME})\x94?\x8c([\s\S])(${NAME})\x94?\x93`, 'g');

export function scanForImports(source: ByteSource, start: number, end = source.size): ScannedImport[] {
  const found = new Map<string, ScannedImport>();
  const add = (imp: ScannedImport) => {
    const key = `${imp.module}\u0000${imp.name}`;
    if (!found.has(key) && found.size < MAX_SCANNED_IMPORTS) found.set(key, imp);
  };
  for (let pos = start; pos < end; pos += BYTE_SCAN_WINDOW - OVERLAP) {
    const text = decodeLatin1(source.readAt(pos, Math.min(BYTE_SCAN_WINDOW, end - pos)));
    for (const m of text.matchAll(TEXT_IMPORT)) {
      add({
        module: m[2] as string,
        name: m[3] as string,
        offset: pos + (m.index ?? 0),
        opcode: m[1] === 'c' ? 'GLOBAL' : 'INST',
      });
    }
    for (const m of text.matchAll(STACK_IMPORT)) {
      const [, len1, module, len2, name] = m as unknown as [string, string, string, string, string];
      // The length bytes must match the strings, or this is not two SHORT_BINUNICODE opcodes.
      if (len1.charCodeAt(0) !== module.length || len2.charCodeAt(0) !== name.length) continue;
      add({ module, name, offset: pos + (m.index ?? 0), opcode: 'STACK_GLOBAL' });
    }
    if (pos + BYTE_SCAN_WINDOW >= end || found.size >= MAX_SCANNED_IMPORTS) break;
  }
  return [...found.values()].sort((a, b) => a.offset - b.offset);
}
