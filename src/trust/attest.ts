import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  lstatSync,
  openSync,
  realpathSync,
} from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { describeError, ParseError, UsageError } from '../core/errors.js';
import { compareStrings } from '../core/finding.js';
import { type BundleSigner, checkSigner, signToBundle } from './bundle-write.js';
import { checkBundleSignature, type SignatureCheck, type VerifyTrust } from './check-signature.js';
import { readBoundedFile } from './files.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  jsonShapeProblem,
  MAX_BUNDLE_BYTES,
  parseDsseBundle,
  quote,
  statementJsonOf,
} from './oms/bundle.js';
import { enumerateModel } from './oms/enumerate.js';

/**
 * `pedigree attest` and `pedigree verify-attestation`: any predicate (a BOM, a scan report, a provenance
 * record) about any files, as an in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
 * in a DSSE envelope in a Sigstore bundle v0.3, signed with a key or a certificate like `sign`; verified
 * with a key, CA certificates or Sigstore keyless (so `cosign attest-blob --bundle` output verifies too),
 * then each subject's digest against the file.
 */

/** Largest predicate file read. */
export const MAX_PREDICATE_BYTES = 32 * 1024 * 1024;
/** Most subjects in one statement. */
export const MAX_SUBJECTS = 100_000;
/** In-toto Statement v0.1, still written by older tools; read, never written. */
const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
/** Digest algorithms checked, strongest first (in-toto digest set names, node:crypto names). */
const CHECKED_DIGESTS: readonly (readonly [string, string])[] = [
  ['sha512', 'sha512'],
  ['sha384', 'sha384'],
  ['sha256', 'sha256'],
];

export interface AttestationSubject {
  /** The name in the statement: the path relative to the base folder, `/`-separated. */
  readonly name: string;
  readonly path: string;
}

/** Whether a relative path stays below the folder it is relative to (and is not the folder itself). */
function isBelow(rel: string): boolean {
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The subject name of a path: relative to the base folder and inside it. */
function subjectName(baseDir: string, path: string): string {
  const rel = relative(resolve(baseDir), resolve(path));
  if (!isBelow(rel))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--subject ${path} is not inside the base folder ${baseDir}; subjects are named relative to it (set --base-dir)`,
    );
  return rel.split(sep).join('/');
}

/**
 * The files a list of subject paths names: files as given, folders expanded to their regular files (the
 * default exclusions of model signing, `.git` and the like, left out). Symbolic links are refused, as
 * `sign` refuses them.
 */
export function expandSubjects(paths: readonly string[], baseDir: string): AttestationSubject[] {
  const subjects = new Map<string, AttestationSubject>();
  for (const path of paths) {
    let info: ReturnType<typeof lstatSync>;
    try {
      info = lstatSync(path);
    } catch (error) {
      throw new UsageError('PATH_NOT_FOUND', `--subject ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (info.isSymbolicLink())
      throw new UsageError(
        'BAD_ARGUMENT',
        `--subject ${path} is a symbolic link; give the file it points to`,
      );
    if (info.isFile()) {
      const name = subjectName(baseDir, path);
      subjects.set(name, { name, path });
    } else if (info.isDirectory()) {
      const model = enumerateModel(path);
      if (model.problems.length > 0)
        throw new UsageError(
          'BAD_ARGUMENT',
          `--subject ${path}: ${model.problems
            .slice(0, 5)
            .map((p) => `${p.path}: ${p.message}`)
            .join('; ')}`,
        );
      for (const file of model.files) {
        // Named from the path as given (not the real path enumeration reads: a base folder reached through
        // a link, /tmp on macOS, would put every real path outside it).
        const name = subjectName(baseDir, join(path, ...file.name.split('/')));
        subjects.set(name, { name, path: file.absolutePath });
      }
    } else throw new UsageError('BAD_ARGUMENT', `--subject ${path} is not a regular file or folder`);
    if (subjects.size > MAX_SUBJECTS)
      throw new UsageError('BAD_ARGUMENT', `more than ${MAX_SUBJECTS} subjects`);
  }
  if (subjects.size === 0) throw new UsageError('BAD_ARGUMENT', 'no subject files: give --subject PATH');
  return [...subjects.values()].sort((a, b) => compareStrings(a.name, b.name));
}

/**
 * The digest of a regular file, opened without following a link and without blocking (a FIFO swapped in
 * after the file was checked would block the open for ever); throws when it is not a regular file.
 */
async function digestFile(path: string, algorithm: string): Promise<string> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  let stream: ReturnType<typeof createReadStream> | undefined;
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    const hash = createHash(algorithm);
    stream = createReadStream('', { fd, autoClose: true, highWaterMark: 1 << 20 });
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    if (stream === undefined) closeSync(fd);
    else stream.destroy();
  }
}

/** Reads a predicate file: a JSON object (what in-toto requires the predicate to be). */
export function readPredicate(path: string): Record<string, unknown> {
  // A pipe is fine (`--predicate <(pedigree bom ...)`), read up to the limit like a file.
  const bytes = readBoundedFile(path, { max: MAX_PREDICATE_BYTES, what: '--predicate' });
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UsageError('BAD_ARGUMENT', `--predicate ${path} is not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--predicate ${path} must hold a JSON object (in-toto predicates are objects)`,
    );
  // What verify-attestation would refuse in the statement is refused here, before anything is signed.
  const shape = jsonShapeProblem({ predicate: value });
  if (shape !== undefined)
    throw new UsageError('BAD_ARGUMENT', `--predicate ${path}: the statement ${shape}`);
  return value as Record<string, unknown>;
}

/** An absolute URI, as in-toto requires `predicateType` to be (RFC 3986 scheme, then anything). */
export function checkPredicateType(type: string): void {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(type))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--predicate-type must be a URI (e.g. https://cyclonedx.org/bom), got '${type}'`,
    );
}

export interface AttestOptions {
  readonly predicateType: string;
  readonly predicate: Record<string, unknown>;
  readonly subjects: readonly AttestationSubject[];
  readonly signer: BundleSigner;
}

/** The statement's JSON text (two-space indent, like `sign`'s). */
export async function attestationStatement(options: Omit<AttestOptions, 'signer'>): Promise<string> {
  checkPredicateType(options.predicateType);
  const subject = [];
  for (const s of options.subjects) {
    let sha256: string;
    try {
      sha256 = await digestFile(s.path, 'sha256');
    } catch (error) {
      throw new UsageError('PATH_UNREADABLE', `--subject ${s.path} cannot be read: ${describeError(error)}`, {
        cause: error,
      });
    }
    subject.push({ name: s.name, digest: { sha256 } });
  }
  return JSON.stringify(
    {
      _type: IN_TOTO_STATEMENT_TYPE,
      subject,
      predicateType: options.predicateType,
      predicate: options.predicate,
    },
    null,
    2,
  );
}

/** Signs the statement; returns the Sigstore bundle's JSON text. */
export async function createAttestation(options: AttestOptions): Promise<string> {
  // Before the subjects are hashed: a certificate not for the key, or one no verifier accepts for signing.
  checkSigner(options.signer);
  const payload = Buffer.from(await attestationStatement(options), 'utf8');
  return signToBundle(IN_TOTO_PAYLOAD_TYPE, payload, options.signer);
}

const statementSchema = z.object({
  _type: z.enum([IN_TOTO_STATEMENT_TYPE, IN_TOTO_STATEMENT_V01]),
  subject: z
    .array(
      z
        .object({
          name: z.string().optional(),
          digest: z.record(z.string(), z.string()),
        })
        .loose(),
    )
    .min(1, 'no subject')
    .max(MAX_SUBJECTS),
  predicateType: z.string().min(1),
  predicate: z.unknown().optional(),
});

export type SubjectStatus = 'match' | 'mismatch' | 'missing' | 'not-checked';

export interface SubjectCheck {
  readonly name: string;
  readonly status: SubjectStatus;
  readonly algorithm?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly reason?: string;
}

export interface AttestationVerification {
  readonly verified: boolean;
  readonly signature: SignatureCheck;
  readonly predicateType?: string;
  /** When `--predicate-type` was given and the statement has another. */
  readonly predicateTypeMismatch?: { readonly expected: string; readonly actual: string };
  readonly subjects: readonly SubjectCheck[];
  /** Given `--subject` paths the statement does not name. */
  readonly unattested: readonly string[];
  readonly predicate?: unknown;
}

export interface VerifyAttestationOptions {
  readonly bundlePath: string;
  readonly trust: VerifyTrust;
  /** Folder subject names are relative to. */
  readonly baseDir: string;
  /** Only these files are checked (each must be a subject); by default every subject is. */
  readonly subjectPaths?: readonly string[];
  readonly predicateType?: string;
}

/** An attestation may come with the files it is about: only a regular file is read, within the limit. */
function readBundleText(path: string): string {
  return readBoundedFile(path, {
    max: MAX_BUNDLE_BYTES,
    what: 'attestation',
    regularOnly: true,
    tooLargeIsParseError: true,
  }).toString('utf8');
}

/** Checks one subject against the file its name gives, under the base folder only. */
async function checkSubject(
  name: string,
  digests: Readonly<Record<string, string>>,
  baseDir: string,
  baseReal: string,
): Promise<SubjectCheck> {
  const chosen = CHECKED_DIGESTS.find(([inToto]) => typeof digests[inToto] === 'string');
  if (!chosen)
    return {
      name,
      status: 'not-checked',
      reason: `no digest pedigree checks (has ${Object.keys(digests).slice(0, 10).map(quote).join(', ') || 'none'}; checks sha256, sha384, sha512)`,
    };
  const [algorithm, nodeName] = chosen;
  const expected = (digests[algorithm] as string).toLowerCase();
  const notChecked = (reason: string): SubjectCheck => ({
    name,
    status: 'not-checked',
    algorithm,
    expected,
    reason,
  });
  if (name.includes('\0')) return notChecked('the name contains a NUL character');
  // A statement's subject names are untrusted: never read outside the base folder or anything but a file.
  const path = resolve(baseDir, name);
  if (name === '' || isAbsolute(name) || !isBelow(relative(resolve(baseDir), path)))
    return notChecked('names a path outside the base folder');
  let info: ReturnType<typeof lstatSync>;
  try {
    info = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? { name, status: 'missing', algorithm, expected, reason: `no file ${path}` }
      : notChecked(`${path} cannot be read (${describeError(error)})`);
  }
  if (!info.isFile()) return notChecked(`${path} is not a regular file (symbolic links are not followed)`);
  // The last component is a file, but a folder on the way may be a link out of the base folder.
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    return notChecked(`${path} cannot be read (${describeError(error)})`);
  }
  if (!isBelow(relative(baseReal, real)))
    return notChecked(`${path} leads outside the base folder through a symbolic link; not read`);
  let actual: string;
  try {
    actual = await digestFile(real, nodeName);
  } catch (error) {
    return notChecked(`${path} cannot be read (${describeError(error)})`);
  }
  return { name, status: actual === expected ? 'match' : 'mismatch', algorithm, expected, actual };
}

export async function verifyAttestation(options: VerifyAttestationOptions): Promise<AttestationVerification> {
  const file = options.bundlePath;
  const bundle = parseDsseBundle(readBundleText(file), file);
  const parsed = statementSchema.safeParse(statementJsonOf(bundle, file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: statement${issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? ''}: ${issue?.message ?? 'not an in-toto statement'}`,
    );
  }
  const statement = parsed.data;
  const signature = checkBundleSignature(bundle, options.trust, { file });
  const base = { signature, predicateType: statement.predicateType };
  if (!signature.ok) return { ...base, verified: false, subjects: [], unattested: [] };
  let baseReal: string;
  try {
    baseReal = realpathSync(options.baseDir);
  } catch (error) {
    throw new UsageError('PATH_NOT_FOUND', `--base-dir ${options.baseDir}: ${describeError(error)}`, {
      cause: error,
    });
  }
  // A name listed twice keeps every digest it was given: each is checked, so a second entry with other
  // digests cannot be hidden behind a first that matches (or the other way round).
  const byName = new Map<string, Readonly<Record<string, string>>[]>();
  let unnamed = 0;
  for (const s of statement.subject) {
    if (s.name === undefined) {
      unnamed += 1;
      continue;
    }
    const list = byName.get(s.name) ?? [];
    list.push(s.digest);
    byName.set(s.name, list);
  }
  const checks: SubjectCheck[] = [];
  const unattested: string[] = [];
  if (options.subjectPaths !== undefined && options.subjectPaths.length > 0) {
    for (const subject of expandSubjects(options.subjectPaths, options.baseDir)) {
      const entries = byName.get(subject.name);
      if (entries === undefined) unattested.push(subject.name);
      else
        for (const digests of entries)
          checks.push(await checkSubject(subject.name, digests, options.baseDir, baseReal));
    }
  } else {
    for (const [name, entries] of [...byName].sort(([a], [b]) => compareStrings(a, b)))
      for (const digests of entries)
        checks.push(await checkSubject(name, digests, options.baseDir, baseReal));
    // Every subject is checked by default: one without a name names no file, so it cannot be.
    if (unnamed > 0)
      checks.push({
        name: '',
        status: 'not-checked',
        reason: `${unnamed} subject${unnamed === 1 ? ' has' : 's have'} no name, so no file to check`,
      });
  }
  const mismatch =
    options.predicateType !== undefined && options.predicateType !== statement.predicateType
      ? { expected: options.predicateType, actual: statement.predicateType }
      : undefined;
  const verified =
    mismatch === undefined &&
    unattested.length === 0 &&
    checks.length > 0 &&
    checks.every((c) => c.status === 'match');
  return {
    ...base,
    verified,
    ...(mismatch ? { predicateTypeMismatch: mismatch } : {}),
    subjects: checks,
    unattested: unattested.sort(compareStrings),
    predicate: statement.predicate,
  };
}
