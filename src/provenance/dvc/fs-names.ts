/**
 * File names as Python sees them. DVC gets names from `os.walk`, which decodes them from bytes with
 * UTF-8 and `surrogateescape`: each byte that is not part of valid UTF-8 becomes the lone surrogate
 * U+DC80-U+DCFF. Those names go into `.dir` JSON as `\udcXX`, so to reproduce the hash of a folder with
 * such a name we decode the same way (Node's default decoding would turn them into U+FFFD).
 */

/** Length of the well-formed UTF-8 sequence starting at `i` (Unicode Table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  // 0xED 0xA0-0xBF would encode a surrogate: Python's UTF-8 codec refuses it, so do we.
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `bytes.decode('utf-8', 'surrogateescape')`. */
export function decodeFileName(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    // Not valid UTF-8: decode piece by piece, escaping each byte that starts no valid sequence.
  }
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + (bytes[i] as number));
      i++;
    } else {
      out += UTF8.decode(bytes.subarray(i, i + length));
      i += length;
    }
  }
  return out;
}
