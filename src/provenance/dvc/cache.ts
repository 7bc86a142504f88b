import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { DvcConfig } from './config.js';
import type { DvcHashName } from './model.js';

/**
 * Where DVC keeps the data it tracks (dvc/cachemgr.py `CacheManager`, dvc_objects/db.py `oid_to_path`).
 * The cache is `.dvc/cache` unless `[cache] dir` says otherwise (a relative `dir` is relative to the
 * config file's folder, `.dvc/`: dvc/config.py `_resolve`; `~` is expanded). Objects are named by their
 * hash, split after two characters; a directory's object is its `.dir` manifest:
 *
 * - DVC 3 (`md5`): `<cache>/files/md5/ab/cdef….` (`FILES_DIR`, `DEFAULT_ALGORITHM` prefix);
 * - DVC 2 entries (`md5-dos2unix`), which DVC 3 still reads from the old place: `<cache>/ab/cdef…`.
 */

/** The project's `.dvc` folder. */
export const DVC_DIR = '.dvc';

/** Resolves the cache folder from `.dvc/config` and `.dvc/config.local` (the local one wins). */
export function resolveCacheDir(root: string, configs: readonly (DvcConfig | undefined)[]): string {
  let dir: string | undefined;
  for (const config of configs) if (config?.cacheDir !== undefined) dir = config.cacheDir;
  const dvcDir = join(root, DVC_DIR);
  if (dir === undefined) return join(dvcDir, 'cache');
  if (dir === '~' || dir.startsWith('~/')) dir = join(homedir(), dir.slice(1));
  return isAbsolute(dir) ? dir : resolve(dvcDir, dir);
}

/** The cache object holding data with this MD5 (`.dir` manifests get the suffix). */
export function cacheObjectPath(
  cacheDir: string,
  hashName: DvcHashName,
  md5: string,
  isDir: boolean,
): string {
  const name = `${md5.slice(2)}${isDir ? '.dir' : ''}`;
  return hashName === 'md5-dos2unix'
    ? join(cacheDir, md5.slice(0, 2), name)
    : join(cacheDir, 'files', 'md5', md5.slice(0, 2), name);
}
