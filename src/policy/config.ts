import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeError, UsageError } from '../core/errors.js';
import { SEVERITIES } from '../core/finding.js';

/** File names looked for in the scanned root, in this order. */
export const CONFIG_FILE_NAMES = ['pedigree.yaml', 'pedigree.yml', '.pedigree.yaml'] as const;

/** Largest config file read: a config is a few lines; anything bigger is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** A pickle global pattern: `module.Name`, or `module.*` for every top-level name of a module. */
const GLOBAL_PATTERN = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*\.(\*|[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*)$/;

const configSchema = z.strictObject({
  failOn: z.enum([...SEVERITIES, 'none'] as const).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  pickle: z
    .strictObject({
      allow: z.array(z.string().regex(GLOBAL_PATTERN, 'expected `module.Name` or `module.*`')).optional(),
    })
    .optional(),
});

export type PedigreeConfig = z.infer<typeof configSchema>;

/** Parses and validates pedigree.yaml text; every problem is listed in the error, unknown keys included. */
export function parseConfig(text: string, file: string): PedigreeConfig {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new UsageError('BAD_CONFIG', `${file}: not valid YAML: ${describeError(error)}`, { cause: error });
  }
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `${where}: ${issue.message}`;
    });
    throw new UsageError('BAD_CONFIG', `${file}: invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/**
 * Reads the configuration: the file given, or the first of CONFIG_FILE_NAMES in `root` when it is a
 * directory. Returns undefined when there is none.
 */
export async function readConfig(
  explicit: string | undefined,
  root: string | undefined,
): Promise<{ config: PedigreeConfig; file: string } | undefined> {
  const candidates = explicit ? [explicit] : root ? CONFIG_FILE_NAMES.map((n) => path.join(root, n)) : [];
  for (const file of candidates) {
    let text: string;
    try {
      const bytes = await readFile(file);
      if (bytes.length > MAX_CONFIG_BYTES) {
        throw new UsageError('BAD_CONFIG', `${file}: larger than ${MAX_CONFIG_BYTES} bytes`);
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
    return { config: parseConfig(text, file), file };
  }
  return undefined;
}
