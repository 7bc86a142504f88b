import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ParseError, UsageError } from '../core/errors.js';
import { readBoundedFile } from './files.js';
import { type SignatureAlgorithm, signatureAlgorithmOf } from './oms/dsse.js';

/**
 * Key and certificate files for signing and verification: PEM in, PEM out, bounded reads, and the key
 * types OMS and Sigstore use (ECDSA P-256/P-384/P-521, Ed25519). Keys are never logged; a private key
 * file is created with mode 0600 and never overwritten unless asked.
 */

/** Largest key or certificate file read (a PEM chain of ten certificates is about 20 kB). */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;
/** Most certificates read from one PEM file. */
export const MAX_PEM_CERTIFICATES = 64;

export const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Reads a key or certificate file, at most {@link MAX_KEY_FILE_BYTES} (a pipe is read too, bounded). */
function readBounded(path: string, what: string): Buffer {
  return readBoundedFile(path, { max: MAX_KEY_FILE_BYTES, what });
}

function checkSupported(key: KeyObject, path: string): SignatureAlgorithm {
  const algorithm = signatureAlgorithmOf(key);
  if (algorithm === undefined)
    throw new UsageError(
      'BAD_ARGUMENT',
      `${path}: ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''} keys are not supported; use ECDSA P-256, P-384, P-521 or Ed25519`,
    );
  return algorithm;
}

/** Reads a PEM private key (PKCS#8 or SEC1, encrypted when a passphrase is given). */
export function readPrivateKey(path: string, passphrase?: string): KeyObject {
  const pem = readBounded(path, 'private key');
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase !== undefined ? { key: pem, passphrase } : { key: pem });
  } catch (error) {
    const message = (error as Error).message;
    const encrypted = /passphrase|decrypt|bad decrypt/i.test(message) || pem.includes('ENCRYPTED');
    throw new UsageError(
      'BAD_ARGUMENT',
      encrypted && passphrase === undefined
        ? `${path}: the private key is encrypted; give its passphrase with --password-file or PEDIGREE_KEY_PASSWORD`
        : encrypted
          ? `${path}: the passphrase does not decrypt the private key`
          : `${path}: not a PEM private key (${message})`,
      { cause: error },
    );
  }
  checkSupported(key, path);
  return key;
}

/** Reads a PEM public key; a certificate's or a private key's public half is taken as well. */
export function readPublicKey(path: string): KeyObject {
  const pem = readBounded(path, 'public key');
  let key: KeyObject;
  try {
    if (pem.includes('-----BEGIN CERTIFICATE-----')) key = new X509Certificate(pem).publicKey;
    else key = createPublicKey(pem);
  } catch (error) {
    throw new UsageError('BAD_ARGUMENT', `${path}: not a PEM public key (${(error as Error).message})`, {
      cause: error,
    });
  }
  checkSupported(key, path);
  return key;
}

const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';

/**
 * The certificate blocks of a PEM text, at most `max`, found in one pass with indexOf: the lazy regular
 * expression this replaces rescanned the rest of the text for every BEGIN line without an END, so a
 * 1 MB file of BEGIN lines took seconds.
 */
function pemBlocks(text: string, max: number): string[] {
  const blocks: string[] = [];
  let from = 0;
  while (blocks.length < max) {
    const begin = text.indexOf(PEM_BEGIN, from);
    if (begin < 0) break;
    const end = text.indexOf(PEM_END, begin + PEM_BEGIN.length);
    if (end < 0) break;
    blocks.push(text.slice(begin, end + PEM_END.length));
    from = end + PEM_END.length;
  }
  return blocks;
}

/** Splits a PEM file into its certificates, in file order. */
export function readCertificates(path: string): X509Certificate[] {
  const text = readBounded(path, 'certificate file').toString('utf8');
  const blocks = pemBlocks(text, MAX_PEM_CERTIFICATES + 1);
  if (blocks.length === 0)
    throw new UsageError('BAD_ARGUMENT', `${path}: no PEM certificate (-----BEGIN CERTIFICATE-----) found`);
  if (blocks.length > MAX_PEM_CERTIFICATES)
    throw new UsageError('BAD_ARGUMENT', `${path}: more than ${MAX_PEM_CERTIFICATES} certificates`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new UsageError(
        'BAD_ARGUMENT',
        `${path}: certificate ${i + 1} does not parse (${(error as Error).message})`,
        { cause: error },
      );
    }
  });
}

/** A DER certificate from a bundle (base64), with the bundle field named when it does not parse. */
export function certificateFromBase64(rawBytes: string, field: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(rawBytes, 'base64'));
  } catch (error) {
    throw new ParseError(
      'BAD_VALUE',
      `${field}: not a DER certificate (${(error as Error).message})`,
      undefined,
      {
        cause: error,
      },
    );
  }
}

/**
 * The key hint model_signing v1.1+ writes in `verificationMaterial.publicKey.hint`: lower-case hex
 * SHA-256 of the key's PEM SubjectPublicKeyInfo text as OpenSSL writes it (sign_ec_key.py hashes
 * `public_bytes(PEM, SubjectPublicKeyInfo)`; Node's SPKI PEM export is byte-identical).
 */
export function publicKeyHint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return createHash('sha256').update(pem, 'utf8').digest('hex');
}

/** Whether a private key and a public key are the two halves of one pair. */
export function keysMatch(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return derived.equals(publicKey.export({ type: 'spki', format: 'der' }));
}

export interface GeneratedKeyPair {
  readonly privatePem: string;
  readonly publicPem: string;
  readonly hint: string;
}

const CURVES: Readonly<Record<Exclude<KeyType, 'ed25519'>, string>> = {
  'ecdsa-p256': 'P-256',
  'ecdsa-p384': 'P-384',
  'ecdsa-p521': 'P-521',
};

/**
 * A new key pair, the private half as PKCS#8 PEM (encrypted with AES-256-CBC under the passphrase when
 * one is given, the PBES2 scheme OpenSSL and Python's `cryptography` read), the public half as SPKI PEM.
 */
export function generateKeyPair(type: KeyType, passphrase?: string): GeneratedKeyPair {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: CURVES[type] });
  const privatePem = pair.privateKey.export(
    passphrase !== undefined
      ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }
      : { type: 'pkcs8', format: 'pem' },
  ) as string;
  return {
    privatePem,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    hint: publicKeyHint(pair.publicKey),
  };
}

/** A file to write with {@link writeNewFiles}. */
export interface NewFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/** Where a path lands once its folder's links are resolved, to tell two spellings of one file apart. */
function landingPath(path: string): string {
  let dir: string;
  try {
    dir = realpathSync(dirname(path));
  } catch (error) {
    throw new UsageError('PATH_UNREADABLE', `${path} cannot be written: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return join(dir, basename(path));
}

function createExclusive(path: string, content: string, mode: number): void {
  let fd: number;
  try {
    // O_EXCL with O_NOFOLLOW: neither a file nor a symbolic link planted where the key goes is followed.
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'EEXIST' ? 'BAD_ARGUMENT' : 'PATH_UNREADABLE',
      code === 'EEXIST'
        ? `${path} already exists; not overwritten (use --force to replace it)`
        : `${path} cannot be written: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    // The mode given to open() is narrowed by the umask: set it exactly, before any byte is written.
    fchmodSync(fd, mode);
    const bytes = Buffer.from(content, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (error) {
    closeSync(fd);
    removeQuietly(path);
    throw new UsageError('PATH_UNREADABLE', `${path} cannot be written: ${(error as Error).message}`, {
      cause: error,
    });
  }
  closeSync(fd);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Writes files (a key pair) all or none, each with exactly its mode whatever the umask. Without
 * `overwrite` an existing file (or a symbolic link) at any of the paths stops everything before a byte is
 * written, and files created are removed again if a later one fails. With `overwrite` each file is written
 * beside its target under a fresh name and renamed over it: the old file (a 0644 file, a hard link, a
 * symbolic link planted there) is replaced, never written through, and stays whole if writing fails. Two
 * paths naming the same file (`k.pem` and `./k.pem`) are refused: one would replace the other.
 */
export function writeNewFiles(files: readonly NewFile[], overwrite = false): void {
  const landing = files.map((f) => landingPath(f.path));
  for (const [i, path] of landing.entries())
    if (landing.indexOf(path) !== i)
      throw new UsageError(
        'BAD_ARGUMENT',
        `${files[landing.indexOf(path)]?.path} and ${files[i]?.path} are the same file; give two different files`,
      );
  if (!overwrite) {
    for (const f of files) {
      let exists = true;
      try {
        lstatSync(f.path);
      } catch {
        exists = false;
      }
      if (exists)
        throw new UsageError(
          'BAD_ARGUMENT',
          `${f.path} already exists; not overwritten (use --force to replace it)`,
        );
    }
    const created: string[] = [];
    try {
      for (const f of files) {
        createExclusive(f.path, f.content, f.mode);
        created.push(f.path);
      }
    } catch (error) {
      for (const path of created) removeQuietly(path);
      throw error;
    }
    return;
  }
  const temporary = files.map((f, i) =>
    join(dirname(landing[i] as string), `.${basename(f.path)}.${process.pid}.${Date.now()}.tmp`),
  );
  try {
    for (const [i, f] of files.entries()) createExclusive(temporary[i] as string, f.content, f.mode);
    for (const [i, f] of files.entries()) {
      try {
        renameSync(temporary[i] as string, f.path);
      } catch (error) {
        throw new UsageError('PATH_UNREADABLE', `${f.path} cannot be written: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  } finally {
    for (const path of temporary) removeQuietly(path);
  }
}
