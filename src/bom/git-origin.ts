import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { readFileHead } from '../core/read-head.js';

/**
 * Where a model folder came from when it is a git clone of a Hugging Face repository (`git clone
 * https://huggingface.co/org/name`, the Hub's documented way to download a whole repository): the
 * `origin` remote names the repository and `HEAD` the commit, which is the Hub's revision. Only the
 * folder's own `.git` is read (never one above it, which would describe some other repository), only
 * regular files (a `.git/config` link could point anywhere), and each read is bounded.
 */

/** Largest `.git/config`, `HEAD`, ref or `packed-refs` file read. */
export const MAX_GIT_FILE_BYTES = 256 * 1024;

/** Hub hosts a clone URL may use (`hf.co` is the Hub's short domain). */
const HUB_URL =
  /^(?:https?:\/\/(?:[^@/\s]+@)?(?:huggingface\.co|hf\.co)\/|git@(?:huggingface\.co|hf\.co):|ssh:\/\/git@(?:huggingface\.co|hf\.co)\/)([A-Za-z0-9][\w.-]*)\/([\w.-]+?)(?:\.git)?\/?$/;
const COMMIT = /^[0-9a-f]{40}$/;

function readSmall(path: string): string | undefined {
  try {
    const info = lstatSync(path);
    if (!info.isFile()) return undefined;
    const { bytes, truncated } = readFileHead(path, MAX_GIT_FILE_BYTES);
    return truncated ? undefined : bytes.toString('utf8');
  } catch {
    return undefined;
  }
}

/** The `url` of `[remote "origin"]` in a git config file (git-config(1) syntax, simple form). */
export function originUrl(config: string): string | undefined {
  let inOrigin = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inOrigin = /^\[\s*remote\s+"origin"\s*\]$/.test(line);
      continue;
    }
    if (!inOrigin) continue;
    const m = /^url\s*=\s*(.+?)\s*$/.exec(line);
    if (m) return (m[1] as string).replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** `org/name` of a Hub model repository URL; undefined for datasets, spaces and other hosts. */
export function hubModelOfUrl(url: string): string | undefined {
  const m = HUB_URL.exec(url);
  if (!m) return undefined;
  const [org, name] = [m[1] as string, m[2] as string];
  if (org === 'datasets' || org === 'spaces') return undefined;
  return `${org}/${name}`;
}

/** The commit `HEAD` points at: directly, through a loose ref, or through `packed-refs`. */
function headCommit(gitDir: string): string | undefined {
  const head = readSmall(join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (COMMIT.test(head)) return head;
  const ref = /^ref:\s*(refs\/[\w./-]+)$/.exec(head)?.[1];
  if (ref === undefined || ref.split('/').includes('..')) return undefined;
  const loose = readSmall(join(gitDir, ...ref.split('/')))?.trim();
  if (loose !== undefined && COMMIT.test(loose)) return loose;
  for (const line of (readSmall(join(gitDir, 'packed-refs')) ?? '').split(/\r?\n/)) {
    const [commit, name] = line.trim().split(/\s+/);
    if (name === ref && commit !== undefined && COMMIT.test(commit)) return commit;
  }
  return undefined;
}

/** The Hub repository and revision of a folder that is a git clone of one, if it is. */
export function gitHubOrigin(folder: string): { hubId: string; revision?: string } | undefined {
  const gitDir = join(folder, '.git');
  // The folder's own `.git`, a real directory: a link (or a `gitdir:` file of a worktree or submodule)
  // would take the reads somewhere else.
  try {
    if (!lstatSync(gitDir).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const config = readSmall(join(gitDir, 'config'));
  if (config === undefined) return undefined;
  const url = originUrl(config);
  const hubId = url !== undefined ? hubModelOfUrl(url) : undefined;
  if (hubId === undefined) return undefined;
  const revision = headCommit(gitDir);
  return revision !== undefined ? { hubId, revision } : { hubId };
}
