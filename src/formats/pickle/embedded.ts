import { decodeLatin1 } from '../../core/byte-reader.js';
import type { PBytes } from './values.js';

/**
 * Payloads hidden inside a pickle's constants: a pickle inside bytes handed to `pickle.loads`, or encoded
 * as base64/hex text, or compressed. Found by content so the scanner can analyse them as nested pickles,
 * whatever function they are handed to (FIELD-NOTES: nested and encoded pickles).
 */
export interface EmbeddedPayload {
  /** Offset of the constant in the outer pickle. */
  readonly offset: number;
  readonly encoding: 'raw' | 'latin1' | 'base64' | 'hex';
  /** What the decoded bytes start like. */
  readonly looksLike: 'pickle' | 'compressed';
  readonly data: Uint8Array;
  /** True when the constant was longer than we keep. */
  readonly truncated: boolean;
}

/** Smallest constant worth checking: a pickle with one GLOBAL and a call is longer than this. */
export const MIN_EMBEDDED_BYTES = 8;

/** Whether bytes start like a pickle (PROTO 1-5, or a protocol-0 GLOBAL/INST/MARK opening). */
export function looksLikePickleStart(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  const first = b[0] as number;
  if (first === 0x80) return (b[1] as number) >= 1 && (b[1] as number) <= 5;
  if (first === 0x63 || first === 0x69) {
    // GLOBAL/INST: 'c' module '\n' name '\n' with identifier-like text
    let i = 1;
    let lines = 0;
    while (i < b.length && i < 256 && lines < 2) {
      const c = b[i] as number;
      if (c === 0x0a) {
        if (i === 1) return false;
        lines++;
      } else if (
        !(
          c === 0x2e ||
          c === 0x5f ||
          (c >= 0x30 && c <= 0x39) ||
          (c >= 0x41 && c <= 0x5a) ||
          (c >= 0x61 && c <= 0x7a)
        )
      ) {
        return false;
      }
      i++;
    }
    return lines === 2 || (lines === 1 && i === b.length);
  }
  return false;
}

/** gzip, zlib (valid FCHECK), bz2, xz, lzma-alone: a compressed pickle inside a constant. */
export function looksCompressed(b: Uint8Array): boolean {
  if (b.length < 3) return false;
  const [a, c, d] = [b[0] as number, b[1] as number, b[2] as number];
  if (a === 0x1f && c === 0x8b) return true;
  if (a === 0x78 && ((a << 8) | c) % 31 === 0 && (c & 0x20) === 0) return true;
  if (a === 0x42 && c === 0x5a && d === 0x68) return true; // BZh
  if (a === 0xfd && c === 0x37 && d === 0x7a) return true; // xz
  return false;
}

function classify(b: Uint8Array): EmbeddedPayload['looksLike'] | undefined {
  if (looksLikePickleStart(b)) return 'pickle';
  if (looksCompressed(b)) return 'compressed';
  return undefined;
}

const BASE64_RE = /^[A-Za-z0-9+/\-_\s]+={0,2}\s*$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;

function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length < 12 || !BASE64_RE.test(compact)) return undefined;
  const normal = compact.replaceAll('-', '+').replaceAll('_', '/');
  return Buffer.from(normal, 'base64');
}

/**
 * Checks one constant. With `probeOnly`, only the kept prefix is looked at and a non-undefined answer
 * means "read the whole constant and ask again".
 */
export function detectEmbeddedPayload(
  value: PBytes | string,
  offset: number,
  maxBytes: number,
  probeOnly = false,
): EmbeddedPayload | undefined {
  if (typeof value !== 'string') {
    const data = value.prefix;
    const truncated = value.length > data.length;
    const raw = classify(data);
    if (raw) return { offset, encoding: 'raw', looksLike: raw, data: data.subarray(0, maxBytes), truncated };
    if (probeOnly) {
      const text = decodeLatin1(data.subarray(0, 64));
      return BASE64_RE.test(text) || HEX_RE.test(text.slice(0, text.length & ~1))
        ? { offset, encoding: 'raw', looksLike: 'pickle', data, truncated }
        : undefined;
    }
    return detectInText(decodeLatin1(data), offset, maxBytes, truncated);
  }
  if (value.length < MIN_EMBEDDED_BYTES) return undefined;
  return detectInText(value, offset, maxBytes, false);
}

function detectInText(
  text: string,
  offset: number,
  maxBytes: number,
  truncated: boolean,
): EmbeddedPayload | undefined {
  // A str that holds bytes one per code point (NumPy/joblib pickle bytes as latin-1 text).
  let latin1 = true;
  for (let i = 0; i < text.length && i < 8; i++) if (text.charCodeAt(i) > 0xff) latin1 = false;
  if (latin1) {
    const head = Buffer.from(text.slice(0, 256), 'latin1');
    const kind = classify(head);
    if (kind) {
      const data = Buffer.from(text.slice(0, maxBytes), 'latin1');
      return {
        offset,
        encoding: 'latin1',
        looksLike: kind,
        data,
        truncated: truncated || text.length > maxBytes,
      };
    }
  }
  const trimmed = text.trim();
  if (HEX_RE.test(trimmed) && trimmed.length >= 8) {
    const data = Buffer.from(trimmed.slice(0, maxBytes * 2), 'hex');
    const kind = classify(data);
    if (kind) return { offset, encoding: 'hex', looksLike: kind, data, truncated };
  }
  const decoded = decodeBase64(trimmed.length > maxBytes * 2 ? trimmed.slice(0, maxBytes * 2) : trimmed);
  if (decoded) {
    const kind = classify(decoded);
    if (kind) return { offset, encoding: 'base64', looksLike: kind, data: decoded, truncated };
  }
  return undefined;
}
