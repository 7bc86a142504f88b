import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describeError, UsageError } from '../core/errors.js';
import type { PedigreeConfig } from './config-schema.js';

export type { PedigreeConfig, ReproPolicy } from './config-schema.js';

/** File names looked for in the scanned root, in this order. */
export const CONFIG_FILE_NAMES = ['pedigree.yaml', 'pedigree.yml', '.pedigree.yaml'] as const;

/** Appended to errors about a file found in the scanned folder: the user did not choose it. */
const FOUND_HINT = ' (found in the scanned folder; pass --no-config to ignore it)';

/** Largest config file read: a config is a few lines; anything bigger is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads the configuration: the file given, or the first of CONFIG_FILE_NAMES in `root` when it is a
 * directory. Returns undefined when there is none. `discovered` is true for a file found in `root`: it
 * belongs to whoever controls the scanned folder, not to the user (see found-config.ts).
 */
export async function readConfig(
  explicit: string | undefined,
  root: string | undefined,
): Promise<{ config: PedigreeConfig; file: string; discovered: boolean } | undefined> {
  const candidates = explicit ? [explicit] : root ? CONFIG_FILE_NAMES.map((n) => path.join(root, n)) : [];
  for (const file of candidates) {
    let text: string;
    try {
      const bytes = await readFile(file);
      if (bytes.length > MAX_CONFIG_BYTES) {
        throw new UsageError(
          'BAD_CONFIG',
          `${file}: larger than ${MAX_CONFIG_BYTES} bytes${explicit ? '' : FOUND_HINT}`,
        );
      }
      text = bytes.toString('utf8');
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) continue;
      throw new UsageError('BAD_CONFIG', `cannot read config ${file}: ${describeError(error)}`, {
        cause: error,
      });
    }
    const { parseConfig } = await import('./config-schema.js');
    try {
      return { config: parseConfig(text, file), file, discovered: !explicit };
    } catch (error) {
      if (explicit || !(error instanceof UsageError)) throw error;
      throw new UsageError('BAD_CONFIG', `${error.message}${FOUND_HINT}`, { cause: error });
    }
  }
  return undefined;
}
