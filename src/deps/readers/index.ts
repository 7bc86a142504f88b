import type { DependencyFileKind } from '../file-kinds.js';
import type { DependencyFile } from '../model.js';
import { readCondaEnvironment } from './conda.js';
import { readNpmLock } from './npm-lock.js';
import { readPdmLock } from './pdm-lock.js';
import { readPipfileLock } from './pipfile-lock.js';
import { readPoetryLock } from './poetry-lock.js';
import { readPylock } from './pylock.js';
import { readPyproject } from './pyproject.js';
import { readRequirements } from './requirements.js';
import { readUvLock } from './uv-lock.js';

export { type DependencyFileKind, dependencyFileKind } from '../file-kinds.js';

export interface ReadOptions {
  /** Loads a file included by `-r`/`-c` (POSIX path, already resolved and confined by the caller). */
  readonly load?: (path: string) => string | undefined;
  /** Environment for `${VAR}` in requirements files. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Reads a dependency file of a known kind. Readers never throw on content; problems are in the result. */
export function readDependencyFile(
  kind: DependencyFileKind,
  file: string,
  text: string,
  options: ReadOptions = {},
): DependencyFile {
  switch (kind) {
    case 'requirements':
      return readRequirements(file, text, {
        ...(options.load ? { load: options.load } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
    case 'pyproject.toml':
      return readPyproject(file, text);
    case 'poetry.lock':
      return readPoetryLock(file, text);
    case 'uv.lock':
      return readUvLock(file, text);
    case 'Pipfile.lock':
      return readPipfileLock(file, text);
    case 'pdm.lock':
      return readPdmLock(file, text);
    case 'pylock.toml':
      return readPylock(file, text);
    case 'conda':
      return readCondaEnvironment(file, text, {
        ...(options.load ? { load: options.load } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
    case 'package-lock.json':
      return readNpmLock(file, text);
  }
}
