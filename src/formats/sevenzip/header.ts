import type { ByteSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { memberCrc } from '../zip/reader.js';

/** 7z signature: '7z\xBC\xAF\x27\x1C' (7-Zip DOC/7zFormat.txt, "SignatureHeader"). */
export const SEVENZIP_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] as const;
/** SignatureHeader: magic, version, StartHeaderCRC, then NextHeaderOffset/Size (UINT64) and NextHeaderCRC. */
const SIGNATURE_HEADER_BYTES = 32;
/**
 * Bytes of the next header searched for an encryption coder. An encoded header (kEncodedHeader) holds only
 * the streams info of the packed real header, a few dozen bytes; a plain header lists every file, so only
 * its encoded form is searched.
 */
export const MAX_ENCODED_HEADER_BYTES = 64 * 1024;

const K_HEADER = 0x01;
const K_ENCODED_HEADER = 0x17;
/** Coder id of 7zAES (AES-256 + SHA-256 key derivation), DOC/Methods.txt "06F10701". */
const AES_CODER_ID = [0x06, 0xf1, 0x07, 0x01];

/** What the signature header says about a 7z archive, read without decompressing anything. */
export interface SevenZipSignature {
  readonly version: { readonly major: number; readonly minor: number };
  readonly nextHeaderOffset: bigint;
  readonly nextHeaderSize: bigint;
  /** 'empty' for an archive with no files (NextHeaderSize 0). */
  readonly header: 'plain' | 'encoded' | 'empty' | 'unknown';
  /** The encoded header is packed with 7zAES: nothing, not even the member names, can be read without the password. */
  readonly headerEncrypted: boolean;
  /** Problems that 7-Zip reports as a damaged archive. */
  readonly problems: readonly string[];
}

export function isSevenZipHead(head: Uint8Array): boolean {
  return SEVENZIP_MAGIC.every((b, i) => head[i] === b);
}

function u64le(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, true);
}

function containsSequence(bytes: Uint8Array, seq: readonly number[]): boolean {
  outer: for (let i = 0; i + seq.length <= bytes.length; i++) {
    for (let j = 0; j < seq.length; j++) if (bytes[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Reads the 32-byte signature header and, for an encoded header, looks for the 7zAES coder in it (7-Zip
 * `-mhe=on`). Throws ParseError when the bytes are not a 7z archive or the header is cut short.
 */
export function parseSevenZipSignature(source: ByteSource): SevenZipSignature {
  const head = source.readAt(0, SIGNATURE_HEADER_BYTES);
  if (!isSevenZipHead(head)) throw new ParseError('BAD_MAGIC', 'not a 7z archive', 0);
  if (head.length < SIGNATURE_HEADER_BYTES) {
    throw new ParseError('TRUNCATED', 'the 7z signature header is cut short', head.length);
  }
  const problems: string[] = [];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (memberCrc(head.subarray(12, 32)) !== view.getUint32(8, true))
    problems.push('the start header CRC is wrong');
  const nextHeaderOffset = u64le(head, 12);
  const nextHeaderSize = u64le(head, 20);
  const version = { major: head[6] as number, minor: head[7] as number };
  if (nextHeaderSize === 0n) {
    return { version, nextHeaderOffset, nextHeaderSize, header: 'empty', headerEncrypted: false, problems };
  }
  const start = BigInt(SIGNATURE_HEADER_BYTES) + nextHeaderOffset;
  if (start + nextHeaderSize > BigInt(source.size)) {
    problems.push(`the header (${nextHeaderSize} bytes at offset ${start}) runs past the end of the file`);
    return { version, nextHeaderOffset, nextHeaderSize, header: 'unknown', headerEncrypted: false, problems };
  }
  const first = source.readAt(Number(start), 1)[0];
  if (first === K_HEADER) {
    return { version, nextHeaderOffset, nextHeaderSize, header: 'plain', headerEncrypted: false, problems };
  }
  if (first !== K_ENCODED_HEADER) {
    problems.push(
      `the header starts with property id 0x${(first ?? 0).toString(16)}, not Header or EncodedHeader`,
    );
    return { version, nextHeaderOffset, nextHeaderSize, header: 'unknown', headerEncrypted: false, problems };
  }
  const encoded = source.readAt(Number(start), Math.min(Number(nextHeaderSize), MAX_ENCODED_HEADER_BYTES));
  return {
    version,
    nextHeaderOffset,
    nextHeaderSize,
    header: 'encoded',
    headerEncrypted: containsSequence(encoded, AES_CODER_ID),
    problems,
  };
}
