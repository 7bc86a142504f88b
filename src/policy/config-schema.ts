/**
 * Validation of pedigree.yaml: loaded only when a configuration file exists, because zod and yaml cost
 * more start-up time than the rest of a typical scan (BENCHMARKS.md).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeError, UsageError } from '../core/errors.js';
import { SEVERITIES } from '../core/finding.js';

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
