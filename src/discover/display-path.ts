/**
 * Display paths (POSIX, relative to the walked folder, `''` for the folder itself) split and joined.
 * `node:path`'s posix functions answer `.` for a top-level name's folder; these answer `''`, which is what
 * the walk's display paths use for the root.
 */

/** The folder of a display path: `a/b/c.json` -> `a/b`, `c.json` -> `''`. */
export function displayDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last component of a display path. */
export function displayName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A name inside a display folder (`''` is the root). */
export function joinDisplay(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
