import { promises as fsp } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { describeError, UsageError } from '../../core/errors.js';
import { cacheObjectPath, DVC_DIR, resolveCacheDir } from './cache.js';
import { type DvcConfig, parseDvcConfig } from './config.js';
import { type DvcFile, parseDvcFile } from './dvc-file.js';
import { type DvcLock, parseDvcLock } from './dvc-lock.js';
import { type DvcPipeline, type DvcPipelineStage, parseDvcYaml } from './dvc-yaml.js';
import {
  type DvcDigest,
  type DvcFileHashName,
  type DvcHashFailure,
  dvcHashFile,
  isHashFailure,
} from './hash.js';
import { DVCIGNORE_FILE, DvcIgnore } from './ignore.js';
import { type DvcLimits, resolveDvcLimits } from './limits.js';
import type { DvcDataEntry, DvcDirEntry, DvcHashName, DvcProblem } from './model.js';
import { readBoundedFile } from './read.js';
import { compareCodePoints, digestDvcTree, parseDvcTree } from './tree.js';
import { walkDvcDirectory } from './walk.js';

/**
 * Verifies the data a DVC project tracks against the MD5s its `.dvc` files and `dvc.lock` record, with
 * DVC's own hashing rules (see hash.ts, tree.ts, walk.ts, ignore.ts), from the workspace or the cache.
 * Fails closed: an entry whose data could not be read completely is never `ok`.
 */

export type DvcVerifySource = 'workspace' | 'cache';

export interface VerifyDvcOptions {
  /**
   * `workspace` (default): hash the files in the project and compare with the recorded MD5s.
   * `cache`: check that the cache holds every recorded object and that each hashes to its name.
   */
  readonly from?: DvcVerifySource;
  /** Read `.dir` manifests from the cache so that a changed directory's files are named (default true). */
  readonly useCache?: boolean;
  /** Cache folder to use instead of the one `.dvc/config` names. */
  readonly cacheDir?: string;
  /** Also verify the recorded dependencies of stages (default true). */
  readonly includeDeps?: boolean;
  /** DVC files to verify, relative to the root (`data.dvc`, `dvc.lock`); default: every one found. */
  readonly targets?: readonly string[];
  readonly limits?: Partial<DvcLimits>;
}

export type DvcOutStatus = 'ok' | 'changed' | 'missing' | 'not-checked';

/** A bounded, sorted list of paths with their exact count. */
export interface DvcPathList {
  readonly count: number;
  readonly paths: readonly string[];
}

/** How a directory differs, file by file, from its manifest. */
export interface DvcDirectoryDrift {
  /** Where the per-file MD5s came from: the cache's `.dir` object, the entry's `files:` list, or nowhere. */
  readonly manifest: 'cache' | 'dvc-file' | 'none';
  /** Why no manifest could be used, when none was. */
  readonly manifestProblem?: string;
  /** Files found in the workspace, or listed in the manifest when verifying the cache. */
  readonly files: number;
  /** Workspace: files not in the manifest. Cache: always empty. */
  readonly added: DvcPathList;
  /** Workspace: manifest files not found. Cache: objects missing from the cache. */
  readonly removed: DvcPathList;
  /** Workspace: files whose MD5 differs. Cache: objects whose content does not hash to their name. */
  readonly changed: DvcPathList;
  /** Files that could not be read (broken links, FIFOs, permissions, changed while read). */
  readonly unreadable: DvcPathList;
}

export interface DvcOutResult {
  /** The DVC file that records the entry, and the stage for `dvc.lock`. */
  readonly source: {
    readonly file: string;
    readonly stage?: string;
    readonly role: 'out' | 'dep';
    readonly index: number;
  };
  /** Project-relative, `/`-separated; for external entries, as written. */
  readonly path: string;
  readonly hashName: DvcHashName;
  readonly isDir: boolean;
  /** Recorded MD5, with `.dir` for directories. */
  readonly expected?: string;
  /** Computed MD5 (workspace) when it could be computed. */
  readonly actual?: string;
  readonly status: DvcOutStatus;
  /** Why the status is not `ok`, in words. */
  readonly reason?: string;
  /** The data matched only as DVC 1 and 2 hashed text (the whole file judged by its first 1 MiB). */
  readonly matchedRule?: 'dvc2-whole-file-text';
  readonly directory?: DvcDirectoryDrift;
}

export interface DvcFileRead {
  readonly path: string;
  readonly kind: 'dvc' | 'dvc.yaml' | 'dvc.lock';
  /** Why the file could not be read at all. */
  readonly error?: string;
}

export interface DvcVerifyReport {
  readonly from: DvcVerifySource;
  /** The cache folder used: relative to the root when inside it. */
  readonly cacheDir: string;
  readonly files: readonly DvcFileRead[];
  readonly outs: readonly DvcOutResult[];
  /** What readers could not take from the files, and other things that keep the check from being complete. */
  readonly problems: readonly DvcProblem[];
  readonly summary: {
    readonly ok: number;
    readonly changed: number;
    readonly missing: number;
    readonly notChecked: number;
  };
  /**
   * `drift` when anything changed or is missing; otherwise `incomplete` when anything could not be
   * checked or read; `ok` only when everything recorded was verified.
   */
  readonly verdict: 'ok' | 'drift' | 'incomplete';
}

// ---------------------------------------------------------------------------------------------------------

type Task = <T>(work: () => Promise<T>) => Promise<T>;

/** Runs at most `n` tasks at once; a finishing task hands its slot to the next waiting one. */
function createLimiter(n: number): Task {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Maps `items` through `work` with at most `n` in flight, without creating a promise per item up front. */
async function mapPool<T, R>(items: readonly T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

function pathList(paths: readonly string[], max: number): DvcPathList {
  const sorted = [...paths].sort(compareCodePoints);
  return { count: sorted.length, paths: sorted.slice(0, max) };
}

/** Normalises `base/wdir/path` to a project path; undefined when it leaves the project. */
function projectPath(base: string, wdir: string | undefined, path: string): string | undefined {
  if (posix.isAbsolute(path)) return undefined;
  const joined = posix.normalize(posix.join(base === '' ? '.' : base, wdir ?? '.', path));
  if (joined === '..' || joined.startsWith('../')) return undefined;
  const trimmed = joined.replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

function toAbsolute(root: string, rel: string): string {
  return rel === '' ? root : join(root, ...rel.split('/'));
}

function displayDir(root: string, dir: string): string {
  const rel = relative(root, dir);
  return rel !== '' && !rel.startsWith('..') && !posix.isAbsolute(rel) && !rel.includes(`..${sep}`)
    ? rel.split(sep).join('/')
    : dir;
}

function isFileHashName(name: DvcHashName): name is DvcFileHashName {
  return name === 'md5' || name === 'md5-dos2unix';
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** One recorded entry to verify, with where it was recorded and where its data is. */
interface Item {
  readonly source: DvcOutResult['source'];
  readonly entry: DvcDataEntry;
  /** Project path, or undefined when the entry's path leaves the project. */
  readonly path: string | undefined;
  /** Set when the entry cannot be verified whatever the data: the reason. */
  readonly skip?: string;
  readonly cache: boolean;
}

/** A directory as DVC would hash it: each readable file's digest, and what could not be read. */
interface Scan {
  readonly refused?: string;
  readonly actual: ReadonlyMap<string, DvcDigest>;
  readonly unreadable: readonly string[];
}

class Verifier {
  readonly #root: string;
  readonly #limits: DvcLimits;
  readonly #from: DvcVerifySource;
  readonly #useCache: boolean;
  readonly #cacheDir: string;
  readonly #problems: DvcProblem[];
  readonly #task: Task;
  readonly #hashes = new Map<string, Promise<DvcDigest | DvcHashFailure>>();
  readonly #ignores = new Map<string, Promise<DvcIgnore>>();
  /** One walk and hash per directory and hash name: a stage's out is often the next stage's dep. */
  readonly #scans = new Map<string, Promise<Scan>>();

  constructor(
    root: string,
    limits: DvcLimits,
    options: VerifyDvcOptions,
    cacheDir: string,
    problems: DvcProblem[],
  ) {
    this.#root = root;
    this.#limits = limits;
    this.#from = options.from ?? 'workspace';
    this.#useCache = options.useCache !== false;
    this.#cacheDir = cacheDir;
    this.#problems = problems;
    this.#task = createLimiter(Math.max(1, limits.hashConcurrency));
  }

  #hash(path: string | Buffer, hashName: DvcFileHashName): Promise<DvcDigest | DvcHashFailure> {
    const key = `${hashName}\0${Buffer.isBuffer(path) ? path.toString('latin1') : path}`;
    let pending = this.#hashes.get(key);
    if (!pending) {
      pending = this.#task(() => dvcHashFile(path, hashName));
      this.#hashes.set(key, pending);
    }
    return pending;
  }

  /** Ignore rules in effect in folder `dir` (project path): defaults plus the `.dvcignore` files above it. */
  ignoreAt(dir: string): Promise<DvcIgnore> {
    let pending = this.#ignores.get(dir);
    if (!pending) {
      pending = (async () => {
        const parent =
          dir === ''
            ? DvcIgnore.defaults()
            : await this.ignoreAt(posix.dirname(dir) === '.' ? '' : posix.dirname(dir));
        const file = dir === '' ? DVCIGNORE_FILE : `${dir}/${DVCIGNORE_FILE}`;
        if (parent.matchesSelf(file, false)) return parent;
        let text: Buffer;
        try {
          text = await readBoundedFile(toAbsolute(this.#root, file), this.#limits.maxDvcignoreBytes);
        } catch (error) {
          if (errorCode(error) !== 'ENOENT')
            this.#problems.push({
              file,
              field: '',
              code: 'bad-value',
              message: `not read: ${describeError(error)}`,
            });
          return parent;
        }
        const loaded = parent.withFile(dir, text.toString('utf8'), file, this.#limits.maxDvcignorePatterns);
        for (const p of loaded.problems)
          this.#problems.push({ file, field: `line ${p.line}`, code: 'bad-value', message: p.message });
        return loaded.ignore;
      })();
      this.#ignores.set(dir, pending);
    }
    return pending;
  }

  async verify(item: Item): Promise<DvcOutResult> {
    const { entry } = item;
    const expected = entry.md5 !== undefined ? `${entry.md5}${entry.isDir ? '.dir' : ''}` : undefined;
    const base = {
      source: item.source,
      path: item.path ?? entry.path,
      hashName: entry.hashName,
      isDir: entry.isDir,
      ...(expected !== undefined ? { expected } : {}),
    };
    const notChecked = (reason: string): DvcOutResult => ({ ...base, status: 'not-checked', reason });
    if (item.skip) return notChecked(item.skip);
    if (item.path === undefined) return notChecked('the path leaves the project');
    // A path written into a DVC file can be a megabyte of `a/a/a/...`: each of its folders would have its
    // .dvcignore read and every ignore rule matched against every prefix. No walk goes deeper than this.
    if (item.path.split('/').length > this.#limits.maxWalkDepth)
      return notChecked(`nested deeper than ${this.#limits.maxWalkDepth} folders`);
    if (!isFileHashName(entry.hashName))
      return notChecked(`hash ${JSON.stringify(entry.hashName)} is not one DVC computes for workspace data`);
    if (entry.files === undefined && entry.md5 === undefined)
      return notChecked('no MD5 is recorded (the data was never committed, or the stage never ran)');
    const ignore = await this.ignoreAt(posix.dirname(item.path) === '.' ? '' : posix.dirname(item.path));
    if (item.path !== '' && ignore.isIgnored(item.path, entry.isDir))
      return notChecked(
        "the path is ignored (DVC's default rules or .dvcignore); DVC refuses to track ignored outputs",
      );
    if (this.#from === 'cache') {
      if (!item.cache) return notChecked('not cached (cache: false): only the workspace copy exists');
      return entry.isDir
        ? this.#cacheDirectory(base, item, entry.hashName)
        : this.#cacheFile(base, entry.md5 as string, entry.hashName);
    }
    return entry.isDir
      ? this.#workspaceDirectory(base, item, entry.hashName, ignore)
      : this.#workspaceFile(base, item.path, entry.md5 as string, entry.hashName);
  }

  async #workspaceFile(
    base: Omit<DvcOutResult, 'status'>,
    path: string,
    md5: string,
    hashName: DvcFileHashName,
  ): Promise<DvcOutResult> {
    const abs = toAbsolute(this.#root, path);
    const wrongKind = await workspaceKind(base, abs, false);
    if (wrongKind) return wrongKind;
    const digest = await this.#hash(abs, hashName);
    if (isHashFailure(digest))
      return { ...base, status: 'not-checked', reason: `not readable (${digest.error})` };
    if (digest.md5 === md5) return { ...base, actual: digest.md5, status: 'ok' };
    if (digest.dvc2Md5 === md5)
      return { ...base, actual: digest.dvc2Md5, status: 'ok', matchedRule: 'dvc2-whole-file-text' };
    return {
      ...base,
      actual: digest.md5,
      status: 'changed',
      reason: 'the content differs from the recorded MD5',
    };
  }

  /** The directory's manifest: the entry's `files:` list, else the cache's `.dir` object when it is sound. */
  async #manifest(
    item: Item,
    hashName: DvcFileHashName,
  ): Promise<{
    entries?: DvcDirEntry[];
    source: DvcDirectoryDrift['manifest'];
    problem?: string;
    expected?: string;
  }> {
    const { entry } = item;
    if (entry.files) {
      // dvc/output.py `_compute_meta_hash_info_from_files`: the hash is recomputed from `files:`.
      const digest = `${digestDvcTree(entry.files)}.dir`;
      if (entry.md5 !== undefined && `${entry.md5}.dir` !== digest)
        this.#problems.push({
          file: item.source.file,
          field: `${item.source.stage ? `stages.${item.source.stage}.` : ''}${item.source.role}s[${item.source.index}].md5`,
          code: 'inconsistent',
          message: `differs from the hash of the files: list (${digest}), which DVC uses`,
        });
      return { entries: [...entry.files], source: 'dvc-file', expected: digest };
    }
    if (!this.#useCache && this.#from === 'workspace')
      return { source: 'none', problem: 'not read (useCache: false)' };
    const objectPath = cacheObjectPath(this.#cacheDir, hashName, entry.md5 as string, true);
    let bytes: Buffer;
    try {
      bytes = await readBoundedFile(objectPath, this.#limits.maxDirManifestBytes);
    } catch (error) {
      return {
        source: 'none',
        problem:
          errorCode(error) === 'ENOENT'
            ? 'the .dir object is not in the cache'
            : `the .dir object is not readable: ${describeError(error)}`,
      };
    }
    const own = await this.#hash(objectPath, hashName);
    if (isHashFailure(own))
      return { source: 'none', problem: `the .dir object is not readable: ${own.error}` };
    if (own.md5 !== entry.md5 && own.dvc2Md5 !== entry.md5)
      return { source: 'none', problem: 'the .dir object in the cache does not hash to its name; not used' };
    try {
      return {
        entries: parseDvcTree(bytes, {
          file: displayDir(this.#root, objectPath),
          maxEntries: this.#limits.maxDirFiles,
        }),
        source: 'cache',
      };
    } catch (error) {
      return { source: 'none', problem: describeError(error) };
    }
  }

  #scan(abs: string, path: string, hashName: DvcFileHashName, ignore: DvcIgnore): Promise<Scan> {
    const key = `${hashName}\0${path}`;
    let pending = this.#scans.get(key);
    if (!pending) {
      pending = (async (): Promise<Scan> => {
        const walk = await walkDvcDirectory(abs, {
          projectPath: path,
          ignore,
          maxFiles: this.#limits.maxDirFiles,
          maxDepth: this.#limits.maxWalkDepth,
          maxIgnoreRules: this.#limits.maxDvcignorePatterns,
          maxDvcignoreBytes: this.#limits.maxDvcignoreBytes,
        });
        for (const message of walk.ignoreProblems)
          this.#problems.push({ file: path, field: '', code: 'bad-value', message });
        const unreadable = walk.unreadable.map((u) => u.relpath);
        const actual = new Map<string, DvcDigest>();
        if (walk.refused) return { refused: walk.refused, actual, unreadable };
        const digests = await mapPool(walk.files, this.#limits.hashConcurrency, (f) =>
          this.#task(() => dvcHashFile(f.path, hashName)),
        );
        for (const [i, file] of walk.files.entries()) {
          const digest = digests[i] as DvcDigest | DvcHashFailure;
          if (isHashFailure(digest)) unreadable.push(file.relpath);
          else actual.set(file.relpath, digest);
        }
        return { actual, unreadable };
      })();
      this.#scans.set(key, pending);
    }
    return pending;
  }

  async #workspaceDirectory(
    base: Omit<DvcOutResult, 'status'>,
    item: Item,
    hashName: DvcFileHashName,
    ignore: DvcIgnore,
  ): Promise<DvcOutResult> {
    const path = item.path as string;
    const abs = toAbsolute(this.#root, path);
    const wrongKind = await workspaceKind(base, abs, true);
    if (wrongKind) return wrongKind;
    const manifest = await this.#manifest(item, hashName);
    const expected = manifest.expected ?? (base.expected as string);
    const scan = await this.#scan(abs, path, hashName, ignore);
    if (scan.refused) return { ...base, expected, status: 'not-checked', reason: scan.refused };
    const { actual } = scan;
    const unreadable = [...scan.unreadable];
    const max = this.#limits.maxDriftPaths;
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    if (manifest.entries) {
      const listed = new Map(manifest.entries.map((e) => [e.relpath, e.md5]));
      for (const [relpath, digest] of actual) {
        if (!listed.has(relpath)) added.push(relpath);
        else {
          const want = listed.get(relpath);
          if (want !== digest.md5 && want !== digest.dvc2Md5) changed.push(relpath);
        }
      }
      const unreadableSet = new Set(unreadable);
      for (const relpath of listed.keys())
        if (!actual.has(relpath) && !unreadableSet.has(relpath)) removed.push(relpath);
    }
    const directory: DvcDirectoryDrift = {
      manifest: manifest.source,
      ...(manifest.problem ? { manifestProblem: manifest.problem } : {}),
      files: actual.size + unreadable.length,
      added: pathList(added, max),
      removed: pathList(removed, max),
      changed: pathList(changed, max),
      unreadable: pathList(unreadable, max),
    };
    const drift = added.length + removed.length + changed.length;
    if (unreadable.length > 0)
      return drift > 0
        ? {
            ...base,
            expected,
            status: 'changed',
            reason: 'files were added, removed or changed (and some could not be read)',
            directory,
          }
        : {
            ...base,
            expected,
            status: 'not-checked',
            reason: `${unreadable.length} file(s) could not be read`,
            directory,
          };
    const entries = [...actual].map(([relpath, d]) => ({ relpath, md5: d.md5 }));
    const computed = `${digestDvcTree(entries)}.dir`;
    if (computed === expected) return { ...base, expected, actual: computed, status: 'ok', directory };
    if ([...actual.values()].some((d) => d.dvc2Md5 !== undefined)) {
      const dvc2 = `${digestDvcTree([...actual].map(([relpath, d]) => ({ relpath, md5: d.dvc2Md5 ?? d.md5 })))}.dir`;
      if (dvc2 === expected)
        return {
          ...base,
          expected,
          actual: dvc2,
          status: 'ok',
          matchedRule: 'dvc2-whole-file-text',
          directory,
        };
    }
    const reason =
      drift > 0
        ? 'files were added, removed or changed'
        : manifest.entries
          ? 'the directory hash differs although every listed file matches'
          : 'the directory hash differs (no manifest to name the files)';
    return { ...base, expected, actual: computed, status: 'changed', reason, directory };
  }

  async #cacheObject(
    md5: string,
    isDir: boolean,
    hashName: DvcFileHashName,
    remember = true,
  ): Promise<'ok' | 'missing' | 'corrupt' | string> {
    const path = cacheObjectPath(this.#cacheDir, hashName, md5, isDir);
    try {
      await fsp.stat(path);
    } catch (error) {
      return errorCode(error) === 'ENOENT'
        ? 'missing'
        : `not readable (${errorCode(error) ?? describeError(error)})`;
    }
    const digest = remember
      ? await this.#hash(path, hashName)
      : await this.#task(() => dvcHashFile(path, hashName));
    if (isHashFailure(digest)) return `not readable (${digest.error})`;
    return digest.md5 === md5 || digest.dvc2Md5 === md5 ? 'ok' : 'corrupt';
  }

  async #cacheFile(
    base: Omit<DvcOutResult, 'status'>,
    md5: string,
    hashName: DvcFileHashName,
  ): Promise<DvcOutResult> {
    const verdict = await this.#cacheObject(md5, false, hashName);
    if (verdict === 'ok') return { ...base, status: 'ok' };
    if (verdict === 'missing')
      return { ...base, status: 'missing', reason: 'the object is not in the cache' };
    if (verdict === 'corrupt')
      return {
        ...base,
        status: 'changed',
        reason: 'the cache object does not hash to its name (corrupt or tampered)',
      };
    return { ...base, status: 'not-checked', reason: `the cache object is ${verdict}` };
  }

  async #cacheDirectory(
    base: Omit<DvcOutResult, 'status'>,
    item: Item,
    hashName: DvcFileHashName,
  ): Promise<DvcOutResult> {
    const manifest = await this.#manifest(item, hashName);
    const expected = manifest.expected ?? (base.expected as string);
    const max = this.#limits.maxDriftPaths;
    const empty = pathList([], max);
    if (!manifest.entries) {
      const missing = manifest.problem === 'the .dir object is not in the cache';
      const corrupt = manifest.problem?.includes('does not hash to its name') === true;
      return {
        ...base,
        expected,
        status: missing ? 'missing' : corrupt ? 'changed' : 'not-checked',
        reason: manifest.problem ?? 'no manifest',
        directory: {
          manifest: 'none',
          ...(manifest.problem ? { manifestProblem: manifest.problem } : {}),
          files: 0,
          added: empty,
          removed: empty,
          changed: empty,
          unreadable: empty,
        },
      };
    }
    const withMd5 = manifest.entries.filter((e): e is DvcDirEntry & { md5: string } => e.md5 !== undefined);
    const verdicts = await mapPool(withMd5, this.#limits.hashConcurrency, (e) =>
      this.#cacheObject(e.md5, false, hashName, false),
    );
    const removed: string[] = [];
    const changed: string[] = [];
    const unreadable: string[] = manifest.entries.filter((e) => e.md5 === undefined).map((e) => e.relpath);
    for (const [i, e] of withMd5.entries()) {
      const verdict = verdicts[i];
      if (verdict === 'missing') removed.push(e.relpath);
      else if (verdict === 'corrupt') changed.push(e.relpath);
      else if (verdict !== 'ok') unreadable.push(e.relpath);
    }
    const directory: DvcDirectoryDrift = {
      manifest: manifest.source,
      files: manifest.entries.length,
      added: empty,
      removed: pathList(removed, max),
      changed: pathList(changed, max),
      unreadable: pathList(unreadable, max),
    };
    if (changed.length > 0)
      return {
        ...base,
        expected,
        status: 'changed',
        reason: 'cache objects do not hash to their names (corrupt or tampered)',
        directory,
      };
    if (removed.length > 0)
      return {
        ...base,
        expected,
        status: 'missing',
        reason: 'objects are missing from the cache',
        directory,
      };
    if (unreadable.length > 0)
      return {
        ...base,
        expected,
        status: 'not-checked',
        reason: `${unreadable.length} object(s) could not be checked`,
        directory,
      };
    return { ...base, expected, status: 'ok', directory };
  }
}

// ---------------------------------------------------------------------------------------------------------

const LOCK_FILE = 'dvc.lock';
const PIPELINE_FILE = 'dvc.yaml';

/** dvc/dvcfile.py `is_valid_filename`: `.dvc` files and `dvc.yaml`; plus `dvc.lock`. */
function isDvcFileName(name: string): boolean {
  return name.endsWith('.dvc') || name === PIPELINE_FILE || name === LOCK_FILE;
}

async function discover(root: string, limits: DvcLimits, problems: DvcProblem[]): Promise<string[]> {
  const walk = await walkDvcDirectory(root, {
    projectPath: '',
    // The walk reads each folder's .dvcignore itself, the root's included.
    ignore: DvcIgnore.defaults(),
    refuseDvcignore: false,
    include: isDvcFileName,
    maxFiles: limits.maxProjectDvcFiles,
    maxEntries: limits.maxProjectEntries,
    maxDepth: limits.maxWalkDepth,
    maxIgnoreRules: limits.maxDvcignorePatterns,
    maxDvcignoreBytes: limits.maxDvcignoreBytes,
  });
  for (const message of walk.ignoreProblems)
    problems.push({ file: '', field: '', code: 'bad-value', message });
  if (walk.refused)
    problems.push({
      file: '',
      field: '',
      code: 'too-many',
      message: `the project was not searched completely: ${walk.refused}`,
    });
  for (const u of walk.unreadable)
    problems.push({ file: u.relpath, field: '', code: 'bad-value', message: `not read: ${u.reason}` });
  return walk.files.map((f) => f.relpath);
}

async function readConfig(
  root: string,
  name: string,
  maxBytes: number,
  problems: DvcProblem[],
): Promise<DvcConfig | undefined> {
  const file = `${DVC_DIR}/${name}`;
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(join(root, DVC_DIR, name), maxBytes);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT')
      problems.push({ file, field: '', code: 'bad-value', message: `not read: ${describeError(error)}` });
    return undefined;
  }
  const config = parseDvcConfig(bytes.toString('utf8'), { file, maxBytes });
  problems.push(...config.problems);
  return config;
}

function lockStageDefinition(pipeline: DvcPipeline | undefined, name: string): DvcPipelineStage | undefined {
  if (!pipeline) return undefined;
  const exact = pipeline.stages.find((s) => s.name === name);
  if (exact) return exact;
  const at = name.indexOf('@');
  const baseName = at >= 0 ? name.slice(0, at) : name;
  return pipeline.stages.find((s) => s.name === baseName && s.form !== 'single');
}

/**
 * The result for a workspace entry that is missing, unreadable, or a file where DVC recorded a directory
 * (or the other way round); undefined when it is there and of the recorded kind.
 */
async function workspaceKind(
  base: Omit<DvcOutResult, 'status'>,
  abs: string,
  directory: boolean,
): Promise<DvcOutResult | undefined> {
  try {
    const stat = await fsp.stat(abs);
    if (stat.isDirectory() === directory) return undefined;
    return directory
      ? { ...base, status: 'changed', reason: 'is not a folder; DVC recorded a directory' }
      : { ...base, status: 'changed', reason: 'is a folder; DVC recorded a file' };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { ...base, status: 'missing', reason: 'not in the workspace' };
    return {
      ...base,
      status: 'not-checked',
      reason: `not readable (${errorCode(error) ?? describeError(error)})`,
    };
  }
}

/**
 * Verifies every output (and, by default, dependency) recorded by the `.dvc` files and `dvc.lock` files
 * of the DVC project at `root`. Throws {@link UsageError} when `root` is not a readable folder; everything
 * else is reported in the result.
 */
export async function verifyDvcProject(
  root: string,
  options: VerifyDvcOptions = {},
): Promise<DvcVerifyReport> {
  try {
    if (!(await fsp.stat(root)).isDirectory())
      throw new UsageError('BAD_ARGUMENT', `${root} is not a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('PATH_NOT_FOUND', `${root} cannot be read: ${describeError(error)}`, {
      cause: error,
    });
  }
  const limits = resolveDvcLimits(options.limits);
  const problems: DvcProblem[] = [];
  const configs = [
    await readConfig(root, 'config', limits.maxConfigBytes, problems),
    await readConfig(root, 'config.local', limits.maxConfigBytes, problems),
  ];
  const cacheDir = options.cacheDir ?? resolveCacheDir(root, configs);
  const verifier = new Verifier(root, limits, options, cacheDir, problems);
  const includeDeps = options.includeDeps !== false;

  const names = options.targets
    ? options.targets.map((t) => t.split(sep).join('/').replace(/^\.\//, ''))
    : await discover(root, limits, problems);
  const dvcFiles = names.filter(
    (n) => posix.basename(n) !== LOCK_FILE && posix.basename(n) !== PIPELINE_FILE,
  );
  const pipelineDirs = [
    ...new Set(
      names
        .filter((n) => posix.basename(n) === LOCK_FILE || posix.basename(n) === PIPELINE_FILE)
        .map((n) => (posix.dirname(n) === '.' ? '' : posix.dirname(n))),
    ),
  ];
  const files: DvcFileRead[] = [];
  const items: Item[] = [];

  const readText = async (file: string, maxBytes: number): Promise<Buffer | undefined> => {
    try {
      return await readBoundedFile(toAbsolute(root, file), maxBytes);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  };

  for (const file of [...dvcFiles].sort(compareCodePoints)) {
    let parsed: DvcFile;
    try {
      const bytes = await readText(file, limits.maxDvcFileBytes);
      if (bytes === undefined) {
        files.push({ path: file, kind: 'dvc', error: 'not found' });
        continue;
      }
      parsed = parseDvcFile(bytes, { file, limits });
    } catch (error) {
      files.push({ path: file, kind: 'dvc', error: describeError(error) });
      continue;
    }
    files.push({ path: file, kind: 'dvc' });
    problems.push(...parsed.problems);
    const dir = posix.dirname(file) === '.' ? '' : posix.dirname(file);
    const add = (entry: DvcDataEntry, role: 'out' | 'dep', index: number) => {
      const path = entry.external ? undefined : projectPath(dir, parsed.wdir, entry.path);
      const skip = entry.external
        ? entry.repo
          ? `imported from ${entry.repo.url}${entry.repo.revLock ? `@${entry.repo.revLock}` : ''}: verify it in that repository`
          : `not in the workspace (${entry.external})`
        : undefined;
      items.push({
        source: { file, role, index },
        entry,
        path,
        cache: entry.cache !== false,
        ...(skip ? { skip } : {}),
      });
    };
    for (const e of parsed.outs) add(e, 'out', e.index);
    if (includeDeps) for (const e of parsed.deps) add(e, 'dep', e.index);
  }

  for (const dir of pipelineDirs.sort(compareCodePoints)) {
    const yamlFile = dir === '' ? PIPELINE_FILE : `${dir}/${PIPELINE_FILE}`;
    const lockFile = dir === '' ? LOCK_FILE : `${dir}/${LOCK_FILE}`;
    let pipeline: DvcPipeline | undefined;
    let lock: DvcLock | undefined;
    try {
      const bytes = await readText(yamlFile, limits.maxDvcYamlBytes);
      if (bytes !== undefined) {
        pipeline = parseDvcYaml(bytes, { file: yamlFile, limits });
        files.push({ path: yamlFile, kind: 'dvc.yaml' });
        problems.push(...pipeline.problems);
      }
    } catch (error) {
      files.push({ path: yamlFile, kind: 'dvc.yaml', error: describeError(error) });
    }
    try {
      const bytes = await readText(lockFile, limits.maxDvcLockBytes);
      if (bytes !== undefined) {
        lock = parseDvcLock(bytes, { file: lockFile, limits });
        files.push({ path: lockFile, kind: 'dvc.lock' });
        problems.push(...lock.problems);
      }
    } catch (error) {
      files.push({ path: lockFile, kind: 'dvc.lock', error: describeError(error) });
    }
    const locked = new Set<string>();
    for (const stage of lock?.stages ?? []) {
      locked.add(stage.name);
      const definition = lockStageDefinition(pipeline, stage.name);
      if (pipeline && !definition)
        problems.push({
          file: lockFile,
          field: `stages.${stage.name}`,
          code: 'inconsistent',
          message: `is not a stage of ${yamlFile}; DVC ignores it`,
        });
      const templatedWdir = definition?.wdir?.includes('${') === true;
      const flags = new Map((definition?.outs ?? []).map((o) => [o.path, o]));
      const add = (entry: DvcDataEntry, role: 'out' | 'dep', index: number) => {
        const path =
          entry.external || templatedWdir ? undefined : projectPath(dir, definition?.wdir, entry.path);
        const skip = entry.external
          ? `not in the workspace (${entry.external})`
          : templatedWdir
            ? `the stage's wdir is a template (${definition?.wdir}); not evaluated`
            : undefined;
        const cache = role === 'out' && (entry.cache ?? flags.get(entry.path)?.cache ?? true);
        items.push({
          source: { file: lockFile, stage: stage.name, role, index },
          entry,
          path,
          cache,
          ...(skip ? { skip } : {}),
        });
      };
      for (const e of stage.outs) add(e, 'out', e.index);
      if (includeDeps) for (const e of stage.deps) add(e, 'dep', e.index);
    }
    // Outs a plain stage of dvc.yaml declares but dvc.lock does not record: nothing to compare with.
    for (const stage of pipeline?.stages ?? []) {
      if (stage.form !== 'single' || stage.templated) continue;
      const lockStage = lock?.stages.find((s) => s.name === stage.name);
      const recorded = new Set(lockStage?.outs.map((o) => o.path));
      for (const [index, out] of stage.outs.entries()) {
        if (recorded.has(out.path)) continue;
        const entry: DvcDataEntry = {
          index,
          path: out.path,
          hashName: 'md5',
          isDir: false,
          cache: out.cache,
        };
        items.push({
          source: { file: yamlFile, stage: stage.name, role: 'out', index },
          entry,
          path: projectPath(dir, stage.wdir, out.path),
          cache: out.cache,
          skip: locked.has(stage.name)
            ? `${lockFile} records no hash for this out`
            : `the stage is not in ${lockFile} (never run, or not committed)`,
        });
      }
    }
  }

  const outs = await mapPool(items, limits.hashConcurrency, (item) => verifier.verify(item));
  const summary = {
    ok: outs.filter((o) => o.status === 'ok').length,
    changed: outs.filter((o) => o.status === 'changed').length,
    missing: outs.filter((o) => o.status === 'missing').length,
    notChecked: outs.filter((o) => o.status === 'not-checked').length,
  };
  const verdict =
    summary.changed + summary.missing > 0
      ? 'drift'
      : summary.notChecked > 0 || problems.length > 0 || files.some((f) => f.error !== undefined)
        ? 'incomplete'
        : 'ok';
  return {
    from: options.from ?? 'workspace',
    cacheDir: displayDir(root, cacheDir),
    files,
    outs,
    problems,
    summary,
    verdict,
  };
}
