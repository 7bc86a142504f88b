import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { describeError, UsageError } from '../core/errors.js';
import { compareStrings } from '../core/finding.js';

/** Files found under one walk: stops a scan of `/` or of a folder with millions of files from running away. */
export const MAX_WALK_FILES = 1_000_000;
/** Directory depth: stops symlink-free but absurdly deep trees. */
export const MAX_WALK_DEPTH = 64;

/**
 * Installed packages, virtual environments and tool caches: what a project's tools put next to its files,
 * not the project's own files. `pedigree deps` and `pedigree bom` do not walk into them.
 */
export const ENVIRONMENT_DIRECTORIES: ReadonlySet<string> = new Set([
  'node_modules',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '__pycache__',
  'site-packages',
  '.mypy_cache',
  '.pytest_cache',
]);

/** Directories never descended into: version-control metadata is not part of a model. */
export const VERSION_CONTROL_DIRECTORIES: ReadonlySet<string> = new Set(['.git', '.hg', '.svn']);

export interface DiscoveredFile {
  /** Absolute path on disk (the link's target for followed symlinks). */
  readonly absolutePath: string;
  /** POSIX path shown in reports: relative to the scanned directory, or the file as given. */
  readonly displayPath: string;
  readonly size: number;
}

export interface WalkProblem {
  readonly kind: 'symlink-outside-root' | 'unreadable' | 'limit';
  readonly displayPath: string;
  readonly detail: string;
}

export interface WalkResult {
  readonly files: readonly DiscoveredFile[];
  readonly problems: readonly WalkProblem[];
}

export interface WalkOptions {
  /** Globs matched against display paths (and every parent directory), e.g. `**\/*.log`, `data/**`. */
  readonly exclude?: readonly string[];
  readonly maxFiles?: number;
  /** Directory names never descended into, wherever they are (`node_modules`): cheaper than globs. */
  readonly skipDirectories?: ReadonlySet<string>;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Finds the files to scan under the given paths. Directories are walked recursively in sorted order,
 * `.git` is skipped, and symbolic links are followed only while they stay inside the scanned root (a
 * link out of it is reported, never followed). Each real file is listed once.
 */
export async function walkPaths(inputs: readonly string[], options: WalkOptions = {}): Promise<WalkResult> {
  const exclude = (options.exclude ?? []).map((g) => picomatch(g, { dot: true }));
  const isExcluded = (display: string) => exclude.some((m) => m(display) || m(`${display}/`));
  const maxFiles = options.maxFiles ?? MAX_WALK_FILES;
  const files: DiscoveredFile[] = [];
  const problems: WalkProblem[] = [];
  const seenReal = new Set<string>();
  const multiple = inputs.length > 1;

  for (const input of inputs) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(input);
    } catch (error) {
      throw new UsageError(
        'PATH_NOT_FOUND',
        `cannot read ${input}: ${describeError(error)}; check the path exists`,
        {
          cause: error,
        },
      );
    }
    if (info.isFile()) {
      const real = await realpath(input);
      if (!seenReal.has(real)) {
        seenReal.add(real);
        files.push({ absolutePath: real, displayPath: toPosix(input), size: info.size });
      }
      continue;
    }
    if (!info.isDirectory()) {
      throw new UsageError('BAD_ARGUMENT', `${input} is neither a file nor a directory`);
    }
    const root = await realpath(input);
    const prefix = multiple ? `${toPosix(input).replace(/\/+$/, '')}/` : '';
    const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
      if (depth > MAX_WALK_DEPTH) {
        problems.push({
          kind: 'limit',
          displayPath: prefix + rel,
          detail: `deeper than ${MAX_WALK_DEPTH} levels`,
        });
        return;
      }
      // Synchronous calls: the walk is sequential, and for tens of thousands of entries the thread-pool
      // round trip of each asynchronous lstat costs more than the call (10,000 files: 450 ms to about 100).
      let entries: string[];
      try {
        entries = readdirSync(dir).sort(compareStrings);
      } catch (error) {
        problems.push({ kind: 'unreadable', displayPath: prefix + rel || '.', detail: describeError(error) });
        return;
      }
      for (const name of entries) {
        const abs = path.join(dir, name);
        const childRel = rel === '' ? name : `${rel}/${name}`;
        const display = prefix + childRel;
        if (isExcluded(childRel) || (prefix && isExcluded(display))) continue;
        let entry: ReturnType<typeof lstatSync>;
        try {
          entry = lstatSync(abs);
        } catch (error) {
          problems.push({ kind: 'unreadable', displayPath: display, detail: describeError(error) });
          continue;
        }
        let target = abs;
        let targetInfo = entry;
        if (entry.isSymbolicLink()) {
          try {
            target = realpathSync(abs);
            targetInfo = statSync(target);
          } catch (error) {
            problems.push({
              kind: 'unreadable',
              displayPath: display,
              detail: `broken symbolic link: ${describeError(error)}`,
            });
            continue;
          }
          if (!isInside(root, target)) {
            problems.push({ kind: 'symlink-outside-root', displayPath: display, detail: target });
            continue;
          }
        }
        if (targetInfo.isDirectory()) {
          if (VERSION_CONTROL_DIRECTORIES.has(name) || options.skipDirectories?.has(name)) continue;
          if (entry.isSymbolicLink() && seenReal.has(target)) continue;
          seenReal.add(target);
          await walk(target, childRel, depth + 1);
        } else if (targetInfo.isFile()) {
          if (seenReal.has(target)) continue;
          if (files.length >= maxFiles) {
            problems.push({
              kind: 'limit',
              displayPath: display,
              detail: `more than ${maxFiles} files; the rest were not scanned`,
            });
            return;
          }
          seenReal.add(target);
          files.push({ absolutePath: target, displayPath: display, size: targetInfo.size });
        }
      }
    };
    seenReal.add(root);
    await walk(root, '', 0);
  }
  files.sort((a, b) => compareStrings(a.displayPath, b.displayPath));
  problems.sort((a, b) => compareStrings(a.displayPath, b.displayPath));
  return { files, problems };
}
