import { createHash, type Hash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';

/**
 * File hashing with DVC's rules (dvc_data/hashfile/hash.py, istextfile.py).
 *
 * - `md5` (DVC 3, `hash: md5`): the MD5 of the bytes.
 * - `md5-dos2unix` (entries without `hash`, written by DVC 1 and 2): the file is read in 1 MiB chunks
 *   (`fobj_md5(chunk_size=2**20)`); a chunk whose first 512 bytes look like text (`istextblock`) is hashed
 *   with every CRLF replaced by LF (`dos2unix`), other chunks as they are. A CRLF split across two chunks
 *   is not replaced. DVC 3 decides per chunk (`Dos2UnixHashStreamFile.read`); DVC 1 and 2 decided once,
 *   from the first chunk, for the whole file (dvc-data before 707bd98, DVC 2's `HashedStreamReader` and
 *   `file_md5`). The two agree unless chunks of one file differ in kind, so both are computed in one pass
 *   and the DVC 2 one is kept only when it differs.
 *
 * MD5 is what DVC records; it is used here to compare with DVC, never as a security boundary of ours.
 */

/** DVC reads and normalises files in chunks of this size (dvc_data/hashfile/hash.py `fobj_md5`). */
export const DVC_HASH_CHUNK_BYTES = 1 << 20;

/** Bytes of a chunk `istextblock` looks at (dvc_data/hashfile/istextfile.py `DEFAULT_CHUNK_SIZE`). */
export const DVC_TEXT_BLOCK_BYTES = 512;

/** Share of non-text bytes above which a block is binary (istextfile.py: `<= 0.30` is text). */
const MAX_NON_TEXT_SHARE = 0.3;

/** `TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"`. */
const TEXT_BYTE = new Uint8Array(256);
for (let b = 32; b < 127; b++) TEXT_BYTE[b] = 1;
for (const b of [0x0a, 0x0d, 0x09, 0x0c, 0x08]) TEXT_BYTE[b] = 1;

/** DVC's `istextblock`: empty is text, a NUL makes binary, else at most 30% bytes outside TEXT_CHARS. */
export function isTextBlock(block: Uint8Array): boolean {
  if (block.length === 0) return true;
  let nonText = 0;
  for (const byte of block) {
    if (byte === 0) return false;
    if (TEXT_BYTE[byte] === 0) nonText++;
  }
  return nonText / block.length <= MAX_NON_TEXT_SHARE;
}

const CRLF = Buffer.from('\r\n');

/** DVC's `dos2unix`: every CRLF becomes LF; a lone CR stays. */
export function dos2unix(chunk: Buffer): Buffer {
  let at = chunk.indexOf(CRLF);
  if (at < 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length);
  let written = 0;
  let from = 0;
  while (at >= 0) {
    written += chunk.copy(out, written, from, at);
    out[written++] = 0x0a;
    from = at + 2;
    at = chunk.indexOf(CRLF, from);
  }
  written += chunk.copy(out, written, from);
  return out.subarray(0, written);
}

/** The hash names this module computes. */
export type DvcFileHashName = 'md5' | 'md5-dos2unix';

export interface DvcDigest {
  /** Lower-case hex: plain MD5, or md5-dos2unix as DVC 3 computes it. */
  readonly md5: string;
  /** md5-dos2unix as DVC 1 and 2 computed it, only when it differs from `md5`. */
  readonly dvc2Md5?: string;
  readonly size: number;
}

/**
 * A streaming hasher with DVC's chunking: bytes may come in any pieces; they are cut into DVC's 1 MiB
 * chunks here, so the per-chunk text decision is the one DVC makes.
 */
export class DvcHasher {
  readonly #dos2unix: boolean;
  readonly #main: Hash = createHash('md5');
  /** The DVC 2 hash, split from `#main` (same state) at the first chunk whose kind differs from the first. */
  #dvc2: Hash | undefined;
  #firstIsText: boolean | undefined;
  readonly #pending: Buffer;
  #pendingLength = 0;
  #size = 0;

  constructor(hashName: DvcFileHashName) {
    this.#dos2unix = hashName === 'md5-dos2unix';
    this.#pending = this.#dos2unix ? Buffer.allocUnsafe(DVC_HASH_CHUNK_BYTES) : Buffer.alloc(0);
  }

  update(bytes: Uint8Array): void {
    this.#size += bytes.length;
    if (!this.#dos2unix) {
      this.#main.update(bytes);
      return;
    }
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(bytes.length - offset, DVC_HASH_CHUNK_BYTES - this.#pendingLength);
      this.#pending.set(bytes.subarray(offset, offset + take), this.#pendingLength);
      this.#pendingLength += take;
      offset += take;
      if (this.#pendingLength === DVC_HASH_CHUNK_BYTES) this.#flush();
    }
  }

  #flush(): void {
    if (this.#pendingLength === 0) return;
    const chunk = this.#pending.subarray(0, this.#pendingLength);
    const isText = isTextBlock(chunk.subarray(0, DVC_TEXT_BLOCK_BYTES));
    this.#firstIsText ??= isText;
    if (isText !== this.#firstIsText && this.#dvc2 === undefined) this.#dvc2 = this.#main.copy();
    const normalised = isText ? dos2unix(chunk) : chunk;
    this.#main.update(normalised);
    if (this.#dvc2) this.#dvc2.update(this.#firstIsText ? (isText ? normalised : dos2unix(chunk)) : chunk);
    this.#pendingLength = 0;
  }

  digest(): DvcDigest {
    if (this.#dos2unix) this.#flush();
    const md5 = this.#main.digest('hex');
    const dvc2Md5 = this.#dvc2?.digest('hex');
    return { md5, ...(dvc2Md5 !== undefined && dvc2Md5 !== md5 ? { dvc2Md5 } : {}), size: this.#size };
  }
}

/** DVC's hash of bytes in memory. */
export function dvcHashBytes(bytes: Uint8Array, hashName: DvcFileHashName): DvcDigest {
  const hasher = new DvcHasher(hashName);
  hasher.update(bytes);
  return hasher.digest();
}

/** A file that could not be hashed, with why; not an exception, so a walk can go on. */
export interface DvcHashFailure {
  readonly error: string;
}

/** Read buffer: DVC's chunk size, so one read is one DVC chunk. */
const READ_BYTES = DVC_HASH_CHUNK_BYTES;

/** Opening a FIFO for reading blocks until a writer comes; non-blocking opens return at once. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Hashes a file with DVC's rules, streaming through one 1 MiB buffer. Symbolic links are followed as
 * DVC follows them; anything but a regular file, and a file that changes while it is read, is a failure.
 */
export async function dvcHashFile(
  path: string | Buffer,
  hashName: DvcFileHashName,
): Promise<DvcDigest | DvcHashFailure> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, OPEN_FLAGS);
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) return { error: 'not a regular file' };
    const hasher = new DvcHasher(hashName);
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, position);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const after = await handle.stat();
    if (position !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs)
      return { error: 'changed while it was read' };
    return hasher.digest();
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  } finally {
    await handle.close();
  }
}

export function isHashFailure(result: DvcDigest | DvcHashFailure): result is DvcHashFailure {
  return 'error' in result;
}
