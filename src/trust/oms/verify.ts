import { statSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { compareCodePoints } from '../../core/text-order.js';
import { checkBundleSignature, type SignatureCheck, type VerifyTrust } from '../check-signature.js';
import { readBoundedFile } from '../files.js';
import { MAX_BUNDLE_BYTES, type OmsSignature, parseOmsBundle } from './bundle.js';
import { DEFAULT_IGNORED, enumerateModel, hashModel, type ModelFile } from './enumerate.js';
import { parseShardName, type ResourceDescriptor, rootDigest } from './manifest.js';

/**
 * `pedigree verify`: checks an OMS signature (key, certificate or Sigstore keyless) and then that the
 * model on disk is the model that was signed, as model_signing's verifier does (verifying.py): the
 * model is enumerated and hashed with the serialization the signature records, its recorded ignore paths
 * (and any the user adds) left out, and the two manifests compared. Unlike model_signing, which stops at
 * the first difference class it prints, every added, removed and changed file is listed, and a file that
 * could not be checked (a symbolic link the signature does not allow, a link out of the folder) fails the
 * verification rather than being skipped. What pedigree leaves unchecked because model_signing does (a link
 * to a folder checked in place, predicate keys v1.0 does not define) is reported as a note.
 */

export type { SignatureCheck, VerifyTrust };

export interface VerifyModelOptions {
  readonly modelPath: string;
  readonly signaturePath: string;
  readonly trust: VerifyTrust;
  /** More paths to leave out, relative to the model root (needed for signatures before v1.1, which do not record theirs). */
  readonly ignorePaths?: readonly string[];
  /**
   * Files the signature does not list are reported but do not fail the verification (model_signing's
   * option), nor do paths it does not list that cannot be enumerated (a stray link or FIFO): model_signing
   * then looks at the listed files only.
   */
  readonly ignoreUnsignedFiles?: boolean;
  /**
   * `false`: the git paths (`.git`, `.gitattributes`, `.github`, `.gitignore`) are compared like any other
   * unless the signature records them as ignored (model_signing's `--no-ignore-git-paths`). By default
   * they are left out, as model_signing leaves them out when it verifies, except those the signature
   * lists a file under (a model signed with `--no-ignore-git-paths` lists `.gitattributes`).
   */
  readonly ignoreGitPaths?: boolean;
  readonly workers?: number;
}

export interface ChangedFile {
  readonly path: string;
  /** `files` serialization: the signed and the current digest. */
  readonly expected?: string;
  readonly actual?: string;
  /** `shards` serialization: the byte ranges whose digests differ, were added or are gone. */
  readonly shards?: readonly string[];
}

export interface ModelVerification {
  readonly verified: boolean;
  readonly signature: SignatureCheck;
  readonly layout: OmsSignature['layout'];
  readonly modelName: string;
  readonly rootDigest: string;
  readonly serialization: OmsSignature['serialization'];
  /** Paths left out of the comparison: the recorded ones, the user's and the default git paths applied. */
  readonly ignorePaths: readonly string[];
  /**
   * Predicate keys OMS v1.0 does not define: signed, not checked against the model (as model_signing
   * ignores them), shown so that a reader knows the signature says more than was checked.
   */
  readonly extraPredicateFields: readonly string[];
  /** Whether the files were compared (not when the signature itself failed). */
  readonly compared: boolean;
  readonly files: number;
  readonly bytes: number;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ChangedFile[];
  /** Files present but not signed, left out with `ignoreUnsignedFiles`. */
  readonly unsigned: readonly string[];
  /** What could not be checked (fails the verification). */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
  /**
   * What was not checked and does not fail the verification: a link to a folder checked in place (see
   * enumerate.ts FolderLinkPolicy), an unlisted path that cannot be enumerated with ignoreUnsignedFiles.
   */
  readonly notes: readonly { readonly path: string; readonly message: string }[];
}

/**
 * The signature file sits in the model folder by default, so it is as untrusted as the model: only a
 * regular file is read (a FIFO there would block the open for ever, /dev/zero would never end), and no more
 * than {@link MAX_BUNDLE_BYTES}.
 */
function readSignature(path: string): OmsSignature {
  const bytes = readBoundedFile(path, {
    max: MAX_BUNDLE_BYTES,
    what: 'signature',
    regularOnly: true,
    tooLargeIsParseError: true,
  });
  return parseOmsBundle(bytes.toString('utf8'), path);
}

function fileOf(name: string, method: 'files' | 'shards'): string {
  return method === 'shards' ? (parseShardName(name)?.path ?? name) : name;
}

/** Compares two manifests file by file (shards grouped under their file). */
export function compareManifests(
  expected: readonly ResourceDescriptor[],
  actual: readonly ResourceDescriptor[],
  method: 'files' | 'shards',
): { added: string[]; removed: string[]; changed: ChangedFile[] } {
  const group = (resources: readonly ResourceDescriptor[]) => {
    const byFile = new Map<string, Map<string, string>>();
    for (const r of resources) {
      const path = fileOf(r.name, method);
      const entry = byFile.get(path) ?? new Map<string, string>();
      byFile.set(path, entry);
      entry.set(r.name, r.digest);
    }
    return byFile;
  };
  const want = group(expected);
  const have = group(actual);
  const added = [...have.keys()].filter((p) => !want.has(p)).sort(compareCodePoints);
  const removed = [...want.keys()].filter((p) => !have.has(p)).sort(compareCodePoints);
  const changed: ChangedFile[] = [];
  for (const path of [...want.keys()].filter((p) => have.has(p)).sort(compareCodePoints)) {
    const w = want.get(path) as Map<string, string>;
    const h = have.get(path) as Map<string, string>;
    if (method === 'files') {
      const [[, e] = ['', '']] = [...w];
      const [[, a] = ['', '']] = [...h];
      if (e !== a) changed.push({ path, expected: e, actual: a });
      continue;
    }
    const ranges = new Set([...w.keys(), ...h.keys()]);
    const differing = [...ranges].filter((r) => w.get(r) !== h.get(r));
    if (differing.length > 0)
      changed.push({
        path,
        shards: differing.map((r) => (parseShardName(r) ? r.slice(path.length + 1) : r)),
      });
  }
  return { added, removed, changed };
}

/** A single-file model's resource takes the name the signature gives it (`.` or the file's name). */
function nameSingleFile(
  modelPath: string,
  files: readonly ModelFile[],
  signature: OmsSignature,
): ModelFile[] {
  if (!statSync(modelPath).isFile()) return [...files];
  const names = new Set(signature.resources.map((r) => fileOf(r.name, signature.serialization.method)));
  return files.map((f) => ({ ...f, name: names.has('.') ? '.' : f.name }));
}

/** Every folder holding a listed file, at any depth: `a` and `a/b` for `a/b/c.bin`. */
function foldersOf(files: ReadonlySet<string>): Set<string> {
  const folders = new Set<string>();
  for (const file of files)
    for (let i = file.indexOf('/'); i > 0; i = file.indexOf('/', i + 1)) folders.add(file.slice(0, i));
  return folders;
}

/** Whether a path names a listed file or a folder holding one (or the model root). */
function isSignedPath(path: string, files: ReadonlySet<string>, folders: ReadonlySet<string>): boolean {
  return path === '.' || path === '' || files.has(path) || folders.has(path);
}

export async function verifyModel(options: VerifyModelOptions): Promise<ModelVerification> {
  const signature = readSignature(options.signaturePath);
  const check = checkBundleSignature(signature, options.trust, {
    file: options.signaturePath,
    legacyV02: signature.layout === 'v0.2',
  });
  const serialization = signature.serialization;
  const signedFiles = new Set(signature.resources.map((r) => fileOf(r.name, serialization.method)));
  const signedFolders = foldersOf(signedFiles);
  // model_signing leaves the git paths out when it verifies (hashing.Config ignores them unless told
  // `--no-ignore-git-paths`), whatever the signature records. One the signature lists a file under was
  // signed with them included: leaving it out would report the signed file as removed, so it is compared.
  const defaultIgnored =
    options.ignoreGitPaths === false
      ? []
      : DEFAULT_IGNORED.filter((name) => !signedFiles.has(name) && !signedFolders.has(name));
  const userAndRecorded = [...serialization.ignorePaths, ...(options.ignorePaths ?? [])];
  const ignorePaths = [...new Set([...userAndRecorded, ...defaultIgnored])].sort(compareCodePoints);
  const base = {
    signature: check,
    layout: signature.layout,
    modelName: signature.subject.name,
    rootDigest: signature.subject.sha256,
    serialization,
    ignorePaths,
    extraPredicateFields: signature.extraPredicateFields,
  };
  const empty = {
    added: [],
    removed: [],
    changed: [],
    unsigned: [],
    problems: [],
    notes: [],
    files: 0,
    bytes: 0,
  };
  if (!check.ok) return { ...base, ...empty, verified: false, compared: false };
  // The subject's root digest must be the digest of the resources listed (signing.py checks the same).
  if (signature.layout === 'v1.0' && rootDigest(signature.resources) !== signature.subject.sha256)
    return {
      ...base,
      ...empty,
      verified: false,
      compared: false,
      signature: {
        ...check,
        ok: false,
        reason: `the signed manifest is inconsistent: its resources hash to ${rootDigest(signature.resources)}, the subject says ${signature.subject.sha256}`,
      },
    };
  if (serialization.hashType === 'blake3')
    throw new UsageError(
      'BAD_ARGUMENT',
      `${options.signaturePath}: the model was hashed with BLAKE3, which this build cannot compute (node:crypto has no BLAKE3)`,
    );
  let enumerated: ReturnType<typeof enumerateModel>;
  try {
    enumerated = enumerateModel(options.modelPath, {
      ignorePaths: userAndRecorded,
      defaultIgnored,
      allowSymlinks: serialization.allowSymlinks,
      signaturePath: options.signaturePath,
      folderLinks: { kind: 'as-signed', signedFolders },
    });
  } catch (error) {
    throw new UsageError('PATH_NOT_FOUND', `${options.modelPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const present = nameSingleFile(options.modelPath, enumerated.files, signature);
  // A file the signature does not list is added (or, with ignoreUnsignedFiles, unsigned) whatever its
  // content, so it is not hashed: a huge (or sparse) file dropped into the model costs nothing.
  // (With shards an empty file has no shard, so no resource either way: it is neither signed nor added.)
  const listed = (f: ModelFile) =>
    signedFiles.has(f.name) || (serialization.method === 'shards' && f.size === 0);
  const files = present.filter(listed);
  const unlisted = present.filter((f) => !listed(f)).map((f) => f.name);
  const unsigned = options.ignoreUnsignedFiles ? unlisted : [];
  const actual = await hashModel(
    files,
    {
      method: serialization.method,
      hashType: serialization.hashType,
      ...(serialization.shardSize !== undefined ? { shardSize: serialization.shardSize } : {}),
    },
    options.workers !== undefined ? { workers: options.workers } : {},
  );
  const diff = compareManifests(signature.resources, actual, serialization.method);
  if (!options.ignoreUnsignedFiles) diff.added = [...diff.added, ...unlisted].sort(compareCodePoints);
  // With ignoreUnsignedFiles, a path the signature does not list (nor a folder holding a listed file)
  // that cannot be enumerated is an unsigned path like any other: model_signing hashes the listed files
  // only and never looks at it. A listed file that cannot be read still fails (it is also removed).
  const problems: { path: string; message: string }[] = [];
  const notes = [...enumerated.notes];
  for (const problem of enumerated.problems)
    if (options.ignoreUnsignedFiles && !isSignedPath(problem.path, signedFiles, signedFolders))
      notes.push({ path: problem.path, message: `${problem.message}; not in the signature, so ignored` });
    else problems.push(problem);
  // A signature listing no file proves nothing: with ignoreUnsignedFiles it would pass any model.
  if (signature.resources.length === 0)
    problems.push({ path: '.', message: 'the signature lists no file; it proves nothing about the model' });
  const verified =
    problems.length === 0 &&
    diff.added.length === 0 &&
    diff.removed.length === 0 &&
    diff.changed.length === 0;
  return {
    ...base,
    verified,
    compared: true,
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
    ...diff,
    unsigned: unsigned.sort(compareCodePoints),
    problems,
    notes: notes.sort((a, b) => compareCodePoints(a.path, b.path)),
  };
}
