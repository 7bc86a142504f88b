import { lstatSync, statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { compareCodePoints } from '../../core/text-order.js';
import { type BundleSigner, checkSigner, signToBundle } from '../bundle-write.js';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, OMS_PREDICATE_TYPE } from './bundle.js';
import {
  checkIgnorePath,
  DEFAULT_IGNORED,
  DEFAULT_SHARD_SIZE,
  enumerateModel,
  hashModel,
  type ModelFile,
} from './enumerate.js';
import { type ResourceDescriptor, rootDigest, sortResources } from './manifest.js';

/**
 * `pedigree sign`: an OMS v1.0 signature of a model folder or file, as model_signing v1.1 writes it
 * (signing.py `Payload`, sign_ec_key.py, sign_certificate.py), so that model_signing verifies it and
 * pedigree verifies model_signing's: resources in model_signing's order, the root digest over them,
 * `<hash>-sharded-<size>` names in shard mode, the ignore paths recorded, the key hint, a single-file
 * model's resource named `.`.
 */

/** Problems listed in an error before the rest are counted. */
const MAX_LISTED_PROBLEMS = 10;

export interface SignModelOptions {
  readonly modelPath: string;
  readonly signer: BundleSigner;
  /** Where the signature will be written: left out of the model when it is inside it. */
  readonly signaturePath: string;
  /** Paths left out, relative to the model root (see {@link resolveIgnorePaths}). */
  readonly ignorePaths?: readonly string[];
  readonly method?: 'files' | 'shards';
  readonly hashType?: 'sha256' | 'blake2b';
  readonly shardSize?: number;
  readonly allowSymlinks?: boolean;
  /**
   * `false` (model_signing's `--no-ignore-git-paths`): `.git`, `.gitattributes`, `.github` and
   * `.gitignore` are signed like any other path and not recorded as ignored.
   */
  readonly ignoreGitPaths?: boolean;
  readonly workers?: number;
}

export interface SignedModel {
  /** The signature file's text (a Sigstore bundle v0.3, JSON). */
  readonly bundle: string;
  readonly modelName: string;
  readonly rootDigest: string;
  readonly files: number;
  readonly bytes: number;
  readonly resources: readonly ResourceDescriptor[];
  /**
   * What model_signing (v1.1) will make of this signature when it differs from pedigree: a signature it
   * cannot verify, or verifies only with an option (see {@link interoperabilityNotes}).
   */
  readonly notes: readonly string[];
}

/**
 * Turns `--ignore` arguments into paths relative to the model root. model_signing takes them relative to
 * the working directory (`./model/ignore-me`) and keeps only those inside the model; pedigree also takes
 * a path relative to the model root (`ignore-me`) when the working-directory reading falls outside it.
 */
export function resolveIgnorePaths(
  modelPath: string,
  entries: readonly string[],
  cwd = process.cwd(),
): string[] {
  const root = resolve(cwd, modelPath);
  const out: string[] = [];
  for (const entry of entries) {
    const fromCwd = relative(root, resolve(cwd, entry));
    if (fromCwd === '' || entry.replace(/^(?:\.\/+)+/, '') === '' || entry === '.')
      throw new UsageError(
        'BAD_ARGUMENT',
        `--ignore ${entry}: names the whole model; give a path inside the model, relative to it or to the working directory`,
      );
    const inside =
      fromCwd !== '' && !fromCwd.startsWith(`..${sep}`) && fromCwd !== '..' && !isAbsolute(fromCwd);
    const candidate = inside ? fromCwd.split(sep).join('/') : entry.replace(/^\.\/+/, '');
    const problem = checkIgnorePath(candidate);
    if (problem !== undefined || (!inside && (isAbsolute(entry) || entry.startsWith('../'))))
      throw new UsageError(
        'BAD_ARGUMENT',
        `--ignore ${entry}: ${problem ?? 'is outside the model folder'}; give a path inside the model, relative to it or to the working directory`,
      );
    out.push(candidate.replace(/\/+$/, ''));
  }
  return out;
}

/** The model's name in the statement, as model_signing takes it (the last path component). */
export function modelNameOf(modelPath: string): string {
  return basename(resolve(modelPath));
}

/**
 * A model that is a single file is one resource named `.` (model_signing names resources with
 * `path.relative_to(model_path)`, which is `.` for the model file itself).
 */
export function singleFileResourceNames(modelPath: string, files: readonly ModelFile[]): ModelFile[] {
  if (!statSync(modelPath).isFile()) return [...files];
  return files.map((f) => ({ ...f, name: '.' }));
}

function recordedIgnorePaths(
  modelPath: string,
  signaturePath: string,
  user: readonly string[],
  defaults: readonly string[],
): string[] {
  const root = resolve(modelPath);
  const sigRel = relative(root, resolve(signaturePath));
  // Inside the model: not `..` nor under it (a file named `..sig` is inside), not on another drive.
  const inside = sigRel !== '' && sigRel !== '..' && !sigRel.startsWith(`..${sep}`) && !isAbsolute(sigRel);
  const signature = inside ? [sigRel.split(sep).join('/')] : [];
  return [...new Set([...defaults, ...signature, ...user])].sort(compareCodePoints);
}

/** A path as `lstat` must see it to tell a link: without the trailing `/` that would resolve the link. */
function withoutTrailingSlash(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, '');
  return trimmed === '' ? path : trimmed;
}

/**
 * What model_signing v1.1 will not verify, or verifies only with an option, in a signature made with these
 * settings: written as notes on standard error, not refused, since pedigree verifies all of them.
 * - shards: model_signing's CLI has no shard option and verifies by files whatever the signature says; its
 *   Python API (`verifying.Config().verify()`, which reads the serialization from the signature) does.
 * - a colon in a file name with shards: model_signing splits shard names on every `:` (manifest.py
 *   `_Shard.from_str`) and refuses the name.
 * - blake2b: model_signing names that hash `blake2` in its options and `blake2b` in its signatures, and
 *   cannot verify a `blake2b` signature, not even its own ("Unsupported hashing method blake2b").
 * - links: its CLI verifies with `--allow-symlinks` only (it takes the option from its command line, not
 *   the signature; its Python API never allows links, hashing.Config resets the serializer's setting), and
 *   it counts the model path itself (a link to the model folder or file).
 * - Ed25519: its key verifier reads elliptic-curve (ECDSA) keys only.
 */
export function interoperabilityNotes(settings: {
  readonly modelPath: string;
  readonly method: 'files' | 'shards';
  readonly hashType: 'sha256' | 'blake2b';
  /** The files signed; `viaLink` marks those reached through a symbolic link. */
  readonly files: readonly Pick<ModelFile, 'name' | 'viaLink'>[];
  readonly keyType?: string;
}): string[] {
  const notes: string[] = [];
  if (settings.method === 'shards')
    notes.push(
      "model_signing's command line cannot verify a shard signature (it has no shard option); its Python API can (model_signing.verifying.Config().verify reads the shard size from the signature)",
    );
  const colon =
    settings.method === 'shards' ? settings.files.find((file) => file.name.includes(':'))?.name : undefined;
  if (colon !== undefined)
    notes.push(
      `model_signing cannot read shard names of files whose names hold a colon (${JSON.stringify(colon)}); it will not verify this signature`,
    );
  if (settings.hashType === 'blake2b')
    notes.push(
      'model_signing cannot verify a blake2b signature, not even its own (it names the hash blake2 in its options); use sha256 for a signature both tools verify',
    );
  let modelIsLink = false;
  try {
    modelIsLink = lstatSync(withoutTrailingSlash(settings.modelPath)).isSymbolicLink();
  } catch {
    modelIsLink = false;
  }
  const links = settings.files.filter((file) => file.viaLink === true);
  if (links.length > 0 || modelIsLink)
    notes.push(
      `model_signing verifies this signature only from its command line with --allow-symlinks (${
        modelIsLink
          ? `the model path ${settings.modelPath} is itself a symbolic link`
          : `${links.length === 1 ? 'a file is a symbolic link' : `${links.length} files are symbolic links`}, such as ${JSON.stringify(links[0]?.name)}`
      })`,
    );
  if (settings.keyType === 'ed25519')
    notes.push(
      'model_signing (v1.1) verifies ECDSA keys only; pedigree verifies this Ed25519 signature, model_signing will not',
    );
  return notes;
}

/** The in-toto statement's JSON text, laid out like model_signing's (protobuf JSON, two-space indent). */
export function omsStatementJson(
  modelName: string,
  resources: readonly ResourceDescriptor[],
  serialization: Record<string, unknown>,
): string {
  const statement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: modelName, digest: { sha256: rootDigest(resources) } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization,
      resources: resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    },
  };
  return JSON.stringify(statement, null, 2);
}

export async function signModel(options: SignModelOptions): Promise<SignedModel> {
  checkSigner(options.signer);
  const method = options.method ?? 'files';
  const hashType = options.hashType ?? 'sha256';
  const shardSize = method === 'shards' ? (options.shardSize ?? DEFAULT_SHARD_SIZE) : undefined;
  if (shardSize !== undefined && (!Number.isSafeInteger(shardSize) || shardSize <= 0))
    throw new UsageError('BAD_ARGUMENT', `--shard-size must be a positive integer, got ${shardSize}`);
  const allowSymlinks = options.allowSymlinks ?? false;
  const defaults = options.ignoreGitPaths === false ? [] : DEFAULT_IGNORED;
  const ignorePaths = recordedIgnorePaths(
    options.modelPath,
    options.signaturePath,
    options.ignorePaths ?? [],
    defaults,
  );
  let enumerated: ReturnType<typeof enumerateModel>;
  try {
    enumerated = enumerateModel(options.modelPath, {
      ignorePaths,
      defaultIgnored: defaults,
      allowSymlinks,
      signaturePath: options.signaturePath,
      // model_signing leaves a linked folder's files out of what it signs: never signed either way here.
      folderLinks: { kind: 'refuse' },
    });
  } catch (error) {
    throw new UsageError('PATH_NOT_FOUND', `${options.modelPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Fail closed: a model is signed whole or not at all, never with some of its files quietly left out.
  if (enumerated.problems.length > 0) {
    const listed = enumerated.problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${p.path}: ${p.message}`);
    const more = enumerated.problems.length - listed.length;
    throw new UsageError(
      'BAD_ARGUMENT',
      `${options.modelPath}: not signed, some files cannot be signed as they are:\n${listed.join('\n')}${more > 0 ? `\n  ... and ${more} more` : ''}${allowSymlinks ? '' : '\n(--allow-symlinks signs links that stay inside the model folder; --ignore leaves paths out)'}`,
    );
  }
  // As model_signing refuses it ("Model contains no regular files after applying exclusions"): a
  // signature over nothing would verify any empty folder, and with --ignore-unsigned-files any model.
  if (enumerated.files.length === 0)
    throw new UsageError(
      'BAD_ARGUMENT',
      `${options.modelPath}: not signed, it holds no regular file${ignorePaths.length > 0 ? ` once ${ignorePaths.join(', ')} are left out` : ''}`,
    );
  const files = singleFileResourceNames(options.modelPath, enumerated.files);
  const resources = sortResources(
    await hashModel(
      files,
      { method, hashType, ...(shardSize !== undefined ? { shardSize } : {}) },
      options.workers !== undefined ? { workers: options.workers } : {},
    ),
  );
  const serialization: Record<string, unknown> = {
    method,
    hash_type: hashType,
    ...(shardSize !== undefined ? { shard_size: shardSize } : {}),
    allow_symlinks: allowSymlinks,
    ignore_paths: ignorePaths,
  };
  const modelName = modelNameOf(options.modelPath);
  const payload = Buffer.from(omsStatementJson(modelName, resources, serialization), 'utf8');
  return {
    bundle: signToBundle(IN_TOTO_PAYLOAD_TYPE, payload, options.signer),
    modelName,
    rootDigest: rootDigest(resources),
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
    resources,
    notes: interoperabilityNotes({
      modelPath: options.modelPath,
      method,
      hashType,
      files,
      ...(options.signer.privateKey.asymmetricKeyType !== undefined
        ? { keyType: options.signer.privateKey.asymmetricKeyType }
        : {}),
    }),
  };
}
