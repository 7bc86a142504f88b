import { lstatSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import pc from 'picocolors';
import { describeError, ParseError, UsageError } from '../../core/errors.js';
import { readFileHead } from '../../core/read-head.js';
import { writeFileNoFollow } from '../../core/write-file.js';
import { safe } from '../../report/text.js';
import type { BundleSigner } from '../../trust/bundle-write.js';
import { readBoundedFile } from '../../trust/files.js';
import {
  generateKeyPair,
  KEY_TYPES,
  type KeyType,
  readCertificates,
  readPrivateKey,
  readPublicKey,
  writeNewFiles,
} from '../../trust/keys.js';
import { MAX_BUNDLE_BYTES } from '../../trust/oms/bundle.js';
import { resolveIgnorePaths, signModel } from '../../trust/oms/sign.js';
import { type ModelVerification, type VerifyTrust, verifyModel } from '../../trust/oms/verify.js';
import { checkKeylessPolicy, DEFAULT_TRUSTED_ROOT_PATH, loadTrustedRoot } from '../../trust/sigstore.js';
import type { CliIo } from '../io.js';
import { positiveIntegerOption } from '../options.js';
import { deliverReportAndVerdict } from '../output.js';

/** `pedigree keygen`, `pedigree sign` and `pedigree verify` (OpenSSF Model Signing, OMS v1.0). */

/** The environment variable holding a private key's passphrase when no --password-file is given. */
export const PASSWORD_ENV = 'PEDIGREE_KEY_PASSWORD';
/** Largest passphrase file read. */
const MAX_PASSWORD_BYTES = 4096;

/** Reads a passphrase: the file's first line (as `openssl -passin file:` takes it), else the variable. */
export function readPassphrase(passwordFile: string | undefined): string | undefined {
  if (passwordFile !== undefined) {
    // A pipe is fine (`--password-file <(pass show key)`), read up to the limit like a file.
    const bytes = readBoundedFile(passwordFile, { max: MAX_PASSWORD_BYTES, what: '--password-file' });
    return bytes.toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const fromEnv = process.env[PASSWORD_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** The default signature file: `model.sig` inside a model folder, `<file>.sig` beside a model file. */
export function defaultSignaturePath(modelPath: string): string {
  try {
    return statSync(modelPath).isDirectory() ? join(modelPath, 'model.sig') : `${modelPath}.sig`;
  } catch (error) {
    throw new UsageError('PATH_NOT_FOUND', `${modelPath}: ${describeError(error)}`, { cause: error });
  }
}

export interface KeygenOptions {
  readonly type: string;
  readonly output: string;
  readonly publicOutput?: string;
  readonly passwordFile?: string;
  readonly force: boolean;
}

export async function runKeygen(options: KeygenOptions, io: CliIo): Promise<number> {
  if (!(KEY_TYPES as readonly string[]).includes(options.type))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--type must be one of ${KEY_TYPES.join(', ')}, got '${options.type}'`,
    );
  const publicOutput = options.publicOutput ?? `${options.output.replace(/\.pem$/, '')}.pub.pem`;
  if (resolve(publicOutput) === resolve(options.output))
    throw new UsageError('BAD_ARGUMENT', 'the private and the public key cannot go to the same file');
  const passphrase = readPassphrase(options.passwordFile);
  const pair = generateKeyPair(options.type as KeyType, passphrase);
  // The private key is created 0600 and never replaces a file unless --force; the public key is 0644.
  // Both are written or neither (no private key left without its public half after an error).
  writeNewFiles(
    [
      { path: options.output, content: pair.privatePem, mode: 0o600 },
      { path: publicOutput, content: pair.publicPem, mode: 0o644 },
    ],
    options.force,
  );
  io.stderr(
    `pedigree keygen: ${options.type} private key ${options.output}${passphrase !== undefined ? ' (encrypted)' : ''} (mode 0600), public key ${publicOutput}\n`,
  );
  io.stdout(`${pair.hint}\n`);
  return 0;
}

/** The signing options of `sign`, `attest` and `run`: `--key`, `--certificate`, `--certificate-chain`, `--password-file`. */
export interface SignerOptions {
  readonly key: string;
  readonly certificate?: string;
  readonly certificateChain: readonly string[];
  readonly passwordFile?: string;
}

/**
 * The signer those options name: the private key (its passphrase from --password-file or the
 * environment), with the certificate's leaf and the chain after it for the certificate method.
 */
export function readSigner(options: SignerOptions): BundleSigner {
  const privateKey = readPrivateKey(options.key, readPassphrase(options.passwordFile));
  return options.certificate !== undefined
    ? {
        kind: 'certificate',
        privateKey,
        chain: [
          ...readCertificates(options.certificate).slice(0, 1),
          ...options.certificateChain.flatMap((path) => readCertificates(path)),
        ],
      }
    : { kind: 'key', privateKey };
}

export interface SignCommandOptions {
  readonly key?: string;
  readonly certificate?: string;
  readonly certificateChain: readonly string[];
  readonly output?: string;
  readonly ignore: readonly string[];
  readonly allowSymlinks: boolean;
  /** `false`: `--no-ignore-git-paths` (the git paths are signed, not recorded as ignored). */
  readonly ignoreGitPaths?: boolean;
  readonly method: string;
  readonly shardSize?: string;
  readonly hash: string;
  readonly passwordFile?: string;
  readonly workers?: string;
  readonly quiet: boolean;
}

export async function runSign(modelPath: string, options: SignCommandOptions, io: CliIo): Promise<number> {
  if (options.key === undefined)
    throw new UsageError(
      'BAD_ARGUMENT',
      'sign needs --key PRIVATE_KEY.pem (with --certificate for the certificate method); Sigstore keyless signing needs the network and is not offered',
    );
  if (options.certificate === undefined && options.certificateChain.length > 0)
    throw new UsageError('BAD_ARGUMENT', '--certificate-chain goes with --certificate');
  if (options.method !== 'files' && options.method !== 'shards')
    throw new UsageError('BAD_ARGUMENT', `--method must be files or shards, got '${options.method}'`);
  if (options.hash !== 'sha256' && options.hash !== 'blake2b')
    throw new UsageError('BAD_ARGUMENT', `--hash must be sha256 or blake2b, got '${options.hash}'`);
  const shardSize = positiveIntegerOption(options.shardSize, '--shard-size');
  if (shardSize !== undefined && options.method !== 'shards')
    throw new UsageError('BAD_ARGUMENT', '--shard-size goes with --method shards');
  const workers = positiveIntegerOption(options.workers, '--workers');
  const signaturePath = options.output ?? defaultSignaturePath(modelPath);
  const signer = readSigner({ ...options, key: options.key });
  checkSignatureOutput(modelPath, signaturePath);
  const started = performance.now();
  let signed: Awaited<ReturnType<typeof signModel>>;
  try {
    signed = await signModel({
      modelPath,
      signer,
      signaturePath,
      ignorePaths: resolveIgnorePaths(modelPath, options.ignore),
      method: options.method,
      hashType: options.hash,
      ...(shardSize !== undefined ? { shardSize } : {}),
      allowSymlinks: options.allowSymlinks,
      ...(options.ignoreGitPaths === false ? { ignoreGitPaths: false } : {}),
      ...(workers !== undefined ? { workers } : {}),
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // A file that cannot be read or changed while it was hashed: an operational error (exit 2), named.
    throw new UsageError('PATH_UNREADABLE', `${modelPath}: not signed: ${describeError(error)}`, {
      cause: error,
    });
  }
  // Never through a symbolic link planted where the signature goes (model.sig -> ~/.bashrc), never into a FIFO.
  writeFileNoFollow(signaturePath, signed.bundle, 'signature');
  const seconds = (performance.now() - started) / 1000;
  // Not errors: pedigree verifies these signatures; model_signing will not, or only with an option.
  if (!options.quiet) for (const note of signed.notes) io.stderr(`pedigree sign: note: ${note}\n`);
  if (!options.quiet)
    io.stderr(
      `pedigree sign: ${signed.modelName}: ${signed.files} files, ${formatBytes(signed.bytes)}, ${signed.resources.length} digests (${options.method}, ${options.hash}) in ${seconds.toFixed(2)} s; root digest sha256:${signed.rootDigest}; signature ${signaturePath}\n`,
    );
  return 0;
}

/** Whether a file's first bytes read as a Sigstore bundle (a signature a new one may replace). */
function looksLikeBundle(path: string): boolean {
  try {
    const { bytes } = readFileHead(path, MAX_BUNDLE_BYTES);
    const json = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    return (
      typeof json.mediaType === 'string' && json.mediaType.startsWith('application/vnd.dev.sigstore.bundle')
    );
  } catch {
    return false;
  }
}

/**
 * Refuses a signature path that would destroy part of the model: the model file itself, or a file in the
 * model folder that is not an earlier signature (`-o model/config.json` would leave config.json out of the
 * signature, then overwrite it), a symbolic link (model.sig -> ~/.bashrc, planted in a downloaded model)
 * or anything but a regular file (a FIFO would block the write for ever).
 */
function checkSignatureOutput(modelPath: string, signaturePath: string): void {
  let existing: ReturnType<typeof lstatSync>;
  try {
    existing = lstatSync(signaturePath);
  } catch {
    return;
  }
  // Refused now, before the model is hashed, and again when the file is written (writeFileNoFollow).
  if (existing.isSymbolicLink())
    throw new UsageError(
      'BAD_ARGUMENT',
      `signature file ${signaturePath} is a symbolic link; the signature is not written through it (remove it or give another --output)`,
    );
  if (!existing.isFile())
    throw new UsageError(
      'BAD_ARGUMENT',
      `signature file ${signaturePath} exists and is not a regular file; give another --output`,
    );
  let model: ReturnType<typeof statSync>;
  try {
    model = statSync(modelPath);
  } catch {
    return; // signing names the missing model
  }
  const sameFile = model.dev === existing.dev && model.ino === existing.ino;
  const rel = relative(resolve(modelPath), resolve(signaturePath));
  const inside =
    model.isDirectory() && rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  if (sameFile || (inside && !looksLikeBundle(signaturePath)))
    throw new UsageError(
      'BAD_ARGUMENT',
      `signature file ${signaturePath} is ${sameFile ? 'the model itself' : 'a file of the model, not a signature'}; it would be overwritten: give another --output`,
    );
}

/** How the signer is to be trusted: `--key`, `--certificate-chain`, or Sigstore keyless. */
export interface TrustCommandOptions {
  readonly key?: string;
  readonly certificateChain: readonly string[];
  readonly identity?: string;
  readonly identityRegex?: string;
  readonly issuer?: string;
  readonly issuerRegex?: string;
  readonly trustedRoot?: string;
}

/** Whether any option says whom to trust (`--trusted-root` alone does not). */
export function hasTrust(o: TrustCommandOptions): boolean {
  return (
    o.key !== undefined ||
    o.certificateChain.length > 0 ||
    o.identity !== undefined ||
    o.identityRegex !== undefined ||
    o.issuer !== undefined ||
    o.issuerRegex !== undefined
  );
}

export interface VerifyCommandOptions extends TrustCommandOptions {
  readonly signature?: string;
  readonly ignore: readonly string[];
  readonly ignoreUnsignedFiles: boolean;
  /** `false`: `--no-ignore-git-paths` (the git paths are compared unless the signature ignores them). */
  readonly ignoreGitPaths?: boolean;
  readonly format: string;
  readonly output?: string;
  readonly workers?: string;
  readonly quiet: boolean;
}

export function trustFrom(options: TrustCommandOptions): VerifyTrust {
  const keyless =
    options.identity !== undefined ||
    options.identityRegex !== undefined ||
    options.issuer !== undefined ||
    options.issuerRegex !== undefined;
  const chosen = [options.key !== undefined, options.certificateChain.length > 0, keyless].filter(
    Boolean,
  ).length;
  if (chosen !== 1)
    throw new UsageError(
      'BAD_ARGUMENT',
      'verify needs exactly one of --key PUBLIC_KEY.pem, --certificate-chain CA.pem, or Sigstore keyless --identity (or --identity-regex) with --issuer',
    );
  if (options.trustedRoot !== undefined && !keyless)
    throw new UsageError(
      'BAD_ARGUMENT',
      '--trusted-root goes with Sigstore keyless verification (--identity and --issuer); --key and --certificate-chain do not use it',
    );
  if (options.key !== undefined) return { kind: 'key', publicKey: readPublicKey(options.key) };
  if (options.certificateChain.length > 0)
    return { kind: 'certificate', roots: options.certificateChain.flatMap((p) => readCertificates(p)) };
  if (options.identity === undefined && options.identityRegex === undefined)
    throw new UsageError(
      'BAD_ARGUMENT',
      'Sigstore keyless verification needs --identity or --identity-regex',
    );
  if (options.issuer === undefined && options.issuerRegex === undefined)
    throw new UsageError('BAD_ARGUMENT', 'Sigstore keyless verification needs --issuer or --issuer-regex');
  const policy = {
    ...(options.identity !== undefined ? { identity: options.identity } : {}),
    ...(options.identityRegex !== undefined ? { identityRegex: options.identityRegex } : {}),
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.issuerRegex !== undefined ? { issuerRegex: options.issuerRegex } : {}),
  };
  // Checked now (a regex that does not compile), not only once a keyless signature is met.
  checkKeylessPolicy(policy);
  let trustedRoot: ReturnType<typeof loadTrustedRoot>;
  try {
    trustedRoot = loadTrustedRoot(options.trustedRoot ?? DEFAULT_TRUSTED_ROOT_PATH);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new UsageError('BAD_ARGUMENT', `--trusted-root ${describeError(error)}`, { cause: error });
  }
  return { kind: 'sigstore', policy, trustedRoot };
}

/** Schema version of `verify --format json`. */
export const VERIFY_JSON_SCHEMA_VERSION = '1.0.0';

export function renderVerificationJson(
  result: ModelVerification,
  modelPath: string,
  signaturePath: string,
  version: string,
): string {
  return `${JSON.stringify(
    {
      schemaVersion: VERIFY_JSON_SCHEMA_VERSION,
      tool: { name: 'pedigree', version },
      model: modelPath,
      signatureFile: signaturePath,
      ...result,
    },
    null,
    2,
  )}\n`;
}

export function renderVerificationText(
  result: ModelVerification,
  modelPath: string,
  signaturePath: string,
  color: boolean,
): string {
  const c = color
    ? pc
    : { green: (s: string) => s, red: (s: string) => s, bold: (s: string) => s, dim: (s: string) => s };
  const lines: string[] = [];
  const s = result.signature;
  lines.push(`${c.bold('model')}      ${safe(modelPath)}`);
  lines.push(
    `${c.bold('signature')}  ${safe(signaturePath)} (${s.method}${result.layout === 'v0.2' ? ', model_signing v0.2 layout' : ''})`,
  );
  if (s.ok)
    lines.push(
      `           ${c.green('valid')}: signed by ${safe(s.signer ?? 'an unnamed signer')}${s.signedAt ? ` at ${s.signedAt}` : ''}`,
    );
  else lines.push(`           ${c.red('INVALID')}: ${safe(s.reason ?? 'the signature does not verify')}`);
  if (result.compared) {
    const ser = result.serialization;
    lines.push(
      `${c.bold('files')}      ${result.files} files, ${formatBytes(result.bytes)} hashed (${ser.method}${ser.shardSize ? ` of ${ser.shardSize} bytes` : ''}, ${ser.hashType})${result.ignorePaths.length > 0 ? `; ignored: ${safe(result.ignorePaths.join(', '))}` : ''}`,
    );
    for (const change of result.changed) {
      if (change.shards)
        lines.push(
          `  ${c.red('changed')}      ${safe(change.path)} (byte ranges ${safe(change.shards.slice(0, 5).join(', '))}${change.shards.length > 5 ? `, ... ${change.shards.length - 5} more` : ''})`,
        );
      else
        lines.push(
          `  ${c.red('changed')}      ${safe(change.path)} (signed ${change.expected}, now ${change.actual})`,
        );
    }
    for (const path of result.added) lines.push(`  ${c.red('added')}        ${safe(path)}`);
    for (const path of result.removed) lines.push(`  ${c.red('removed')}      ${safe(path)}`);
    for (const p of result.problems)
      lines.push(`  ${c.red('not checked')}  ${safe(p.path)}: ${safe(p.message)}`);
    for (const path of result.unsigned)
      lines.push(`  ${c.dim('unsigned')}     ${safe(path)} (not in the signature; ignored)`);
    for (const n of result.notes)
      lines.push(`  ${c.dim('note')}         ${safe(n.path)}: ${safe(n.message)}`);
  } else lines.push(`${c.bold('files')}      not compared: the signature is not valid`);
  if (result.extraPredicateFields.length > 0)
    lines.push(
      `${c.bold('note')}       the signed predicate also holds ${result.extraPredicateFields.length === 1 ? 'a field' : 'fields'} OMS v1.0 does not define, not checked (as model_signing ignores them): ${safe(result.extraPredicateFields.slice(0, 10).join(', '))}${result.extraPredicateFields.length > 10 ? `, ... ${result.extraPredicateFields.length - 10} more` : ''}`,
    );
  const counts = [
    result.changed.length > 0 ? `${result.changed.length} changed` : '',
    result.added.length > 0 ? `${result.added.length} added` : '',
    result.removed.length > 0 ? `${result.removed.length} removed` : '',
    result.problems.length > 0 ? `${result.problems.length} not checked` : '',
  ].filter(Boolean);
  lines.push(
    result.verified
      ? c.green(`VERIFIED: ${safe(modelPath)} is the model that was signed`)
      : c.red(`NOT VERIFIED: ${s.ok ? counts.join(', ') : 'invalid signature'}`),
  );
  return `${lines.join('\n')}\n`;
}

export async function runVerify(
  modelPath: string,
  options: VerifyCommandOptions,
  io: CliIo,
): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json')
    throw new UsageError('BAD_ARGUMENT', `--format must be text or json, got '${options.format}'`);
  const workers = positiveIntegerOption(options.workers, '--workers');
  const signaturePath = options.signature ?? defaultSignaturePath(modelPath);
  const trust = trustFrom(options);
  let result: ModelVerification;
  try {
    result = await verifyModel({
      modelPath,
      signaturePath,
      trust,
      ignorePaths: resolveIgnorePaths(modelPath, options.ignore),
      ignoreUnsignedFiles: options.ignoreUnsignedFiles,
      ...(options.ignoreGitPaths === false ? { ignoreGitPaths: false } : {}),
      ...(workers !== undefined ? { workers } : {}),
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // A signature file that does not parse is an operational error (exit 2) with its field named.
    throw new UsageError('BAD_ARGUMENT', describeError(error), { cause: error });
  }
  const rendered =
    options.format === 'json'
      ? renderVerificationJson(result, modelPath, signaturePath, io.version)
      : renderVerificationText(
          result,
          modelPath,
          signaturePath,
          options.output === undefined && io.stdoutIsTTY && !io.noColor,
        );
  await deliverReportAndVerdict(
    rendered,
    options,
    `pedigree verify: ${modelPath}: ${result.verified ? 'verified' : 'NOT verified'}`,
    io,
  );
  return result.verified ? 0 : 1;
}
