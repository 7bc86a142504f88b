import { type Dirent, promises as fsp } from 'node:fs';
import { ParseError } from '../../core/errors.js';
import { decodeFileName } from './fs-names.js';
import { DVCIGNORE_FILE, type DvcIgnore } from './ignore.js';
import { readBoundedFile } from './read.js';

/**
 * The files of a directory out, as DVC collects them to hash it (dvc_data/hashfile/build.py
 * `_build_tree`, `_walk_files`; dvc_objects/fs/local.py `walk` over `os.walk(followlinks=False)`):
 *
 * - regular files, and symbolic links to files (followed);
 * - folders are entered, except symbolic links to folders, which `os.walk` lists but does not enter, so
 *   neither they nor anything under them is part of the hash;
 * - empty folders contribute nothing;
 * - DVC's ignore rules apply (ignored folders are not entered), a `.dvcignore` met on the way adds its
 *   patterns, and a folder holding a `.dvc` entry is a sub-repository and left out;
 * - a `.dvcignore` that is not itself ignored makes DVC refuse the directory
 *   (`IgnoreInCollectedDirError`).
 *
 * Anything DVC would fail on (broken links, unreadable folders) or hang on (FIFOs) is reported as
 * unreadable instead of opened.
 */

export interface WalkedFile {
  /** `/`-separated path relative to the out, decoded as Python decodes it. */
  readonly relpath: string;
  /** The file's path as bytes, to open it even when its name is not UTF-8. */
  readonly path: Buffer;
}

export interface WalkResult {
  readonly files: readonly WalkedFile[];
  /** Entries DVC would fail on or that are not files, with why. */
  readonly unreadable: readonly { readonly relpath: string; readonly reason: string }[];
  /** Symbolic links to folders, which DVC leaves out. */
  readonly skippedLinks: readonly string[];
  /** Why the whole directory cannot be hashed as DVC would, if it cannot. */
  readonly refused?: string;
  /** Problems of `.dvcignore` files met inside the out. */
  readonly ignoreProblems: readonly string[];
}

export interface WalkOptions {
  /**
   * The walked folder's path relative to the project root, `/`-separated, `''` for the root: ignore
   * rules are matched against project paths.
   */
  readonly projectPath: string;
  /** Refuse a folder holding a `.dvcignore`, as DVC does for a directory out (default true). */
  readonly refuseDvcignore?: boolean;
  /** Keep only the files whose name this accepts (default: all); others are not counted. */
  readonly include?: (name: string) => boolean;
  /** Entries visited before giving up (default: unbounded apart from `maxFiles`). */
  readonly maxEntries?: number;
  /** Rules in effect at the out (defaults and the `.dvcignore` files above it). */
  readonly ignore: DvcIgnore;
  readonly maxFiles: number;
  readonly maxDepth: number;
  readonly maxIgnoreRules: number;
  readonly maxDvcignoreBytes: number;
}

const SLASH = Buffer.from('/');

function join(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, SLASH, name]);
}

async function exists(path: Buffer): Promise<boolean> {
  try {
    await fsp.lstat(path);
    return true;
  } catch {
    return false;
  }
}

interface Pending {
  readonly abs: Buffer;
  /** Relative to the out, `''` for the out itself. */
  readonly rel: string;
  readonly ignore: DvcIgnore;
  readonly depth: number;
}

async function readDvcignore(path: Buffer, maxBytes: number): Promise<string | { error: string }> {
  try {
    return (await readBoundedFile(path, maxBytes)).toString('utf8');
  } catch (error) {
    if (error instanceof ParseError)
      return { error: error.message.slice(error.message.lastIndexOf(': ') + 2) };
    return { error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

/** Lists the files DVC would hash for the directory at `root` (absolute). */
export async function walkDvcDirectory(root: string | Buffer, options: WalkOptions): Promise<WalkResult> {
  const files: WalkedFile[] = [];
  const unreadable: { relpath: string; reason: string }[] = [];
  const skippedLinks: string[] = [];
  const ignoreProblems: string[] = [];
  const projectOf = (rel: string) =>
    rel === '' ? options.projectPath : options.projectPath === '' ? rel : `${options.projectPath}/${rel}`;
  const maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  let visited = 0;
  const stack: Pending[] = [
    { abs: Buffer.isBuffer(root) ? root : Buffer.from(root), rel: '', ignore: options.ignore, depth: 0 },
  ];
  while (stack.length > 0) {
    const dir = stack.pop() as Pending;
    if (dir.depth > options.maxDepth)
      return {
        files,
        unreadable,
        skippedLinks,
        ignoreProblems,
        refused: `nested deeper than ${options.maxDepth} folders`,
      };
    let entries: Dirent<Buffer>[];
    try {
      entries = await fsp.readdir(dir.abs, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      unreadable.push({
        relpath: dir.rel === '' ? '.' : dir.rel,
        reason: (error as NodeJS.ErrnoException).code ?? 'unreadable folder',
      });
      continue;
    }
    let ignore = dir.ignore;
    const dvcignore = entries.find((e) => e.name.equals(Buffer.from(DVCIGNORE_FILE)));
    const dvcignoreRel = dir.rel === '' ? DVCIGNORE_FILE : `${dir.rel}/${DVCIGNORE_FILE}`;
    if (dvcignore && !ignore.matchesSelf(projectOf(dvcignoreRel), false)) {
      const text = await readDvcignore(join(dir.abs, dvcignore.name), options.maxDvcignoreBytes);
      if (typeof text === 'string') {
        const loaded = ignore.withFile(
          projectOf(dir.rel),
          text,
          projectOf(dvcignoreRel),
          options.maxIgnoreRules,
        );
        ignore = loaded.ignore;
        for (const p of loaded.problems)
          ignoreProblems.push(`${projectOf(dvcignoreRel)}:${p.line}: ${p.message}`);
      } else ignoreProblems.push(`${projectOf(dvcignoreRel)}: ${text.error}`);
    }
    visited += entries.length;
    if (visited > maxEntries)
      return { files, unreadable, skippedLinks, ignoreProblems, refused: `more than ${maxEntries} entries` };
    for (const entry of entries) {
      const name = decodeFileName(entry.name);
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      const abs = join(dir.abs, entry.name);
      let kind: 'dir' | 'file' | 'link-dir' | 'other' | { broken: string };
      if (entry.isDirectory()) kind = 'dir';
      else if (entry.isFile()) kind = 'file';
      else if (entry.isSymbolicLink()) {
        try {
          const target = await fsp.stat(abs);
          kind = target.isDirectory() ? 'link-dir' : target.isFile() ? 'file' : 'other';
        } catch (error) {
          kind = { broken: (error as NodeJS.ErrnoException).code ?? 'broken link' };
        }
      } else kind = 'other';
      const isDir = kind === 'dir' || kind === 'link-dir';
      if (isDir) {
        // dvc/ignore.py `_update_sub_repo`: a folder with a `.dvc` entry is another repository.
        if (kind === 'dir' && (await exists(join(abs, Buffer.from('.dvc')))))
          ignore = ignore.withSubrepo(projectOf(rel));
        if (ignore.matchesSelf(projectOf(rel), true)) continue;
        if (kind === 'link-dir') skippedLinks.push(rel);
        else stack.push({ abs, rel, ignore, depth: dir.depth + 1 });
        continue;
      }
      if (ignore.matchesSelf(projectOf(rel), false)) continue;
      if (options.include && !options.include(name)) continue;
      if (name === DVCIGNORE_FILE && options.refuseDvcignore !== false)
        return {
          files,
          unreadable,
          skippedLinks,
          ignoreProblems,
          refused: `${rel} is inside the directory; DVC refuses to hash a directory holding a .dvcignore`,
        };
      if (kind === 'file') {
        if (files.length >= options.maxFiles)
          return {
            files,
            unreadable,
            skippedLinks,
            ignoreProblems,
            refused: `more than ${options.maxFiles} files`,
          };
        files.push({ relpath: rel, path: abs });
      } else if (typeof kind === 'object')
        unreadable.push({ relpath: rel, reason: `broken link (${kind.broken})` });
      else unreadable.push({ relpath: rel, reason: 'not a regular file' });
    }
  }
  return { files, unreadable, skippedLinks, ignoreProblems };
}
