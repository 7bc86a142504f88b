/**
 * A byte search for Keras configurations in a file the HDF5 library could not open (corrupt, truncated,
 * or made to break the library). Keras writes `model_config` as a JSON string attribute, stored whole in
 * the root object header or in a global heap near the start of the file, so JSON objects that start like
 * a Keras configuration are extracted by bracket matching, bounded in bytes searched and kept.
 */
import type { ByteSource } from '../../core/byte-reader.js';
import { decodeLatin1 } from '../../core/byte-reader.js';

/** Bytes searched from the start of the file. */
export const MAX_RECOVERY_SCAN_BYTES = 64 * 1024 * 1024;
/** Bytes of one recovered JSON object. */
export const MAX_RECOVERED_JSON_BYTES = 16 * 1024 * 1024;
/** Objects recovered per file. */
export const MAX_RECOVERED_CONFIGS = 8;
/** Window read at a time; consecutive windows overlap by the length of the longest marker. */
const WINDOW = 1 << 20;

/** How a Keras configuration object starts, as Python's json.dumps writes it (`{"class_name": ...`). */
const STARTS = [/\{\s*"class_name"\s*:/g, /\{\s*"module"\s*:/g];
/** Text that means a Lambda (or another code-carrying object) is present, even in an object cut short. */
const MARKERS = /"(?:Lambda|__lambda__|TorchModuleWrapper)"|"function_type"\s*:\s*"lambda"/;

export interface RecoveredConfigs {
  /** Complete JSON objects found, in file order, each with its offset. */
  readonly objects: readonly { readonly offset: number; readonly text: string }[];
  /** A code-carrying marker seen anywhere in the searched bytes, with its offset. */
  readonly marker: { readonly offset: number; readonly text: string } | undefined;
  /** Bytes searched. */
  readonly searched: number;
}

export function recoverKerasConfigs(source: ByteSource): RecoveredConfigs {
  const limit = Math.min(source.size, MAX_RECOVERY_SCAN_BYTES);
  const objects: { offset: number; text: string }[] = [];
  let marker: RecoveredConfigs['marker'];
  let next = 0; // objects must not overlap: a nested config is part of its parent
  for (let pos = 0; pos < limit && objects.length < MAX_RECOVERED_CONFIGS; pos += WINDOW - 64) {
    const text = decodeLatin1(source.readAt(pos, Math.min(WINDOW, limit - pos)));
    if (marker === undefined) {
      const m = MARKERS.exec(text);
      if (m) marker = { offset: pos + m.index, text: m[0] };
    }
    const starts: number[] = [];
    for (const re of STARTS) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) starts.push(pos + m.index);
    }
    for (const start of starts.sort((a, b) => a - b)) {
      if (start < next || objects.length >= MAX_RECOVERED_CONFIGS) continue;
      const end = matchObject(source, start, Math.min(source.size, start + MAX_RECOVERED_JSON_BYTES));
      if (end === undefined) continue;
      objects.push({
        offset: start,
        text: new TextDecoder('utf-8').decode(source.readAt(start, end - start)),
      });
      next = end;
    }
    if (pos + WINDOW >= limit) break;
  }
  return { objects, marker, searched: limit };
}

/** The end (exclusive) of the JSON object starting at `start`, matching brackets outside strings. */
function matchObject(source: ByteSource, start: number, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let pos = start; pos < limit; pos += WINDOW) {
    const chunk = source.readAt(pos, Math.min(WINDOW, limit - pos));
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
        else if (c === 0) return undefined; // JSON text never holds NUL: the object was cut
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return pos + i + 1;
      } else if (c === 0) return undefined;
    }
  }
  return undefined;
}
