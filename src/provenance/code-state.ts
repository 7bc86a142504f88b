import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { relative, sep } from 'node:path';

/**
 * The code a run used: the git repository around the working directory, its commit, whether the work
 * tree differs from it, and digests of the differences, so a run on uncommitted code is never recorded
 * as if it ran the commit. Read with the `git` the user has (its own rules for ignores, attributes and
 * submodules are the ones that matter); bounded in time and output.
 */

/** Longest a git command may take. */
export const GIT_TIMEOUT_MS = 30_000;
/** Largest git output read (a diff of a huge notebook is hashed up to this, then the state is "unknown"). */
export const MAX_GIT_OUTPUT_BYTES = 256 * 1024 * 1024;
/** Most untracked paths listed by name (all are hashed). */
export const MAX_LISTED_UNTRACKED = 100;

export interface CodeState {
  /** The repository's top folder. */
  readonly root: string;
  /** The working directory relative to the root (`.` at the root), `/`-separated. */
  readonly workingDirectory: string;
  readonly commit?: string;
  readonly branch?: string;
  /** `origin`'s URL, credentials removed. */
  readonly remote?: string;
  /** Tracked files differ from the commit, or untracked files exist (ignored files do not count). */
  readonly dirty: boolean;
  /** SHA-256 of `git diff --binary HEAD`: what tracked files changed, exactly. */
  readonly diffSha256?: string;
  /** Untracked, not ignored paths, and a SHA-256 over their names and contents. */
  readonly untracked: readonly string[];
  readonly untrackedCount: number;
  readonly untrackedSha256?: string;
  /** What could not be read (then `dirty` is true: unknown is not clean). */
  readonly problems: readonly string[];
}

/**
 * Configuration every git command runs with. `core.fsmonitor` names a program git runs on `diff` and
 * `ls-files`; set in a repository's own `.git/config` (a project unpacked from an archive with its `.git`),
 * it would run before anything was asked to run (`repro --dry-run`). It only makes status faster, so it is
 * off.
 */
const GIT_CONFIG = ['-c', 'core.fsmonitor=false'] as const;

/** Untracked paths hashed per `git hash-object --stdin-paths` call: one process per batch, not per file. */
export const UNTRACKED_HASH_BATCH = 1_000;
/** Longest one batch of untracked files may take to hash (they can be large data files). */
export const UNTRACKED_HASH_TIMEOUT_MS = 120_000;

function git(
  cwd: string,
  args: readonly string[],
  options: { readonly input?: string; readonly timeout?: number } = {},
): { ok: boolean; stdout: Buffer; error?: string } {
  const result = spawnSync('git', [...GIT_CONFIG, ...args], {
    cwd,
    timeout: options.timeout ?? GIT_TIMEOUT_MS,
    // A timeout must end git even when it ignores SIGTERM.
    killSignal: 'SIGKILL',
    maxBuffer: MAX_GIT_OUTPUT_BYTES,
    // No pager, no prompts, no user-specific diff drivers or colour: the same bytes for everyone.
    env: { ...process.env, GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    ...(options.input !== undefined
      ? { input: options.input, stdio: ['pipe', 'pipe', 'pipe'] as const }
      : { stdio: ['ignore', 'pipe', 'pipe'] as const }),
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOBUFS'
        ? `more than ${MAX_GIT_OUTPUT_BYTES} bytes of output`
        : code === 'ETIMEDOUT'
          ? `no answer in ${(options.timeout ?? GIT_TIMEOUT_MS) / 1000} s`
          : result.error.message;
    return { ok: false, stdout: Buffer.alloc(0), error: why };
  }
  if (result.status !== 0)
    return {
      ok: false,
      stdout: result.stdout ?? Buffer.alloc(0),
      error: (result.stderr ?? Buffer.alloc(0)).toString('utf8').trim(),
    };
  return { ok: true, stdout: result.stdout };
}

/** A remote URL without user names or passwords (`https://token@host/...`). */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

/** A name `--stdin-paths` reads as given: one line, not C-quoted (a leading `"` is unquoted by git). */
function plainLine(name: string): boolean {
  return !/[\n\r]/.test(name) && !name.startsWith('"');
}

/**
 * The git object ids of untracked files (as `git hash-object --no-filters` gives them), `undefined` for
 * one that cannot be hashed (named in `problems`). A repository with thousands of untracked files costs a
 * few processes, not one per file.
 */
function hashUntracked(root: string, names: readonly string[], problems: string[]): (string | undefined)[] {
  const ids: (string | undefined)[] = new Array(names.length).fill(undefined);
  const batchable = names.map((n, i) => [n, i] as const).filter(([n]) => plainLine(n));
  for (let start = 0; start < batchable.length; start += UNTRACKED_HASH_BATCH) {
    const batch = batchable.slice(start, start + UNTRACKED_HASH_BATCH);
    const out = git(root, ['hash-object', '--no-filters', '--stdin-paths'], {
      input: batch.map(([n]) => `${n}\n`).join(''),
      timeout: UNTRACKED_HASH_TIMEOUT_MS,
    });
    const lines = out.ok ? out.stdout.toString('utf8').split('\n').filter(Boolean) : [];
    if (out.ok && lines.length === batch.length) {
      for (const [k, [, i]] of batch.entries()) ids[i] = lines[k];
      continue;
    }
    // git stops at the first file it cannot hash: hash this batch one file at a time to name it.
    for (const [name, i] of batch) ids[i] = hashOne(root, name, problems);
  }
  for (const [i, name] of names.entries()) if (!plainLine(name)) ids[i] = hashOne(root, name, problems);
  return ids;
}

function hashOne(root: string, name: string, problems: string[]): string | undefined {
  const object = git(root, ['hash-object', '--no-filters', '--', name]);
  if (object.ok) return object.stdout.toString('utf8').trim();
  problems.push(`${name}: cannot be hashed (${object.error})`);
  return undefined;
}

/** The code state of the repository holding `cwd`; undefined when it is not in a git work tree (or git is missing). */
export function readCodeState(cwd: string): CodeState | undefined {
  const top = git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top.ok) return undefined;
  const root = top.stdout.toString('utf8').trim();
  const problems: string[] = [];
  const head = git(cwd, ['rev-parse', '--verify', '-q', 'HEAD']);
  const commit = head.ok ? head.stdout.toString('utf8').trim() : undefined;
  if (!commit) problems.push('the repository has no commit yet');
  const branchOut = git(cwd, ['symbolic-ref', '--short', '-q', 'HEAD']);
  const branch = branchOut.ok ? branchOut.stdout.toString('utf8').trim() : undefined;
  const remoteOut = git(cwd, ['config', '--get', 'remote.origin.url']);
  const remote = remoteOut.ok ? withoutCredentials(remoteOut.stdout.toString('utf8').trim()) : undefined;
  let diffSha256: string | undefined;
  let trackedDirty = false;
  if (commit) {
    // --no-ext-diff/--no-textconv: the bytes, not a user's rendering of them.
    const diff = git(root, ['diff', '--binary', '--no-ext-diff', '--no-textconv', '--no-color', 'HEAD']);
    if (diff.ok) {
      trackedDirty = diff.stdout.length > 0;
      if (trackedDirty) diffSha256 = createHash('sha256').update(diff.stdout).digest('hex');
    } else problems.push(`git diff failed: ${diff.error}`);
  }
  const others = git(root, ['ls-files', '--others', '--exclude-standard', '-z']);
  const untracked: string[] = [];
  let untrackedSha256: string | undefined;
  let untrackedCount = 0;
  if (others.ok) {
    const names = others.stdout.toString('utf8').split('\0').filter(Boolean).sort();
    untrackedCount = names.length;
    if (names.length > 0) {
      // Names and contents, so that two runs with different untracked scripts differ.
      const objects = hashUntracked(root, names, problems);
      const hash = createHash('sha256');
      for (const [i, name] of names.entries()) hash.update(`${name}\0${objects[i] ?? 'unreadable'}\n`);
      untrackedSha256 = hash.digest('hex');
      untracked.push(...names.slice(0, MAX_LISTED_UNTRACKED));
    }
  } else problems.push(`git ls-files failed: ${others.error}`);
  let here = cwd;
  try {
    here = realpathSync(cwd);
  } catch {
    // git ran there, so it exists; a realpath failure only leaves the path as given.
  }
  const workingDirectory = relative(root, here).split(sep).join('/') || '.';
  return {
    root,
    workingDirectory,
    ...(commit ? { commit } : {}),
    ...(branch ? { branch } : {}),
    ...(remote ? { remote } : {}),
    dirty: trackedDirty || untrackedCount > 0 || problems.length > 0,
    ...(diffSha256 ? { diffSha256 } : {}),
    untracked,
    untrackedCount,
    ...(untrackedSha256 ? { untrackedSha256 } : {}),
    problems,
  };
}
