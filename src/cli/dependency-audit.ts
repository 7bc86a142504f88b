import { PolicyError, UsageError } from '../core/errors.js';
import { type DatabaseChoice, openDatabase } from '../deps/database.js';
import { OsvStoreError } from '../deps/osv/store.js';
import { type CompiledPolicy, compileDependencyPolicy } from '../deps/policy.js';
import { type DepsOptions, type DepsReport, scanDependencies } from '../deps/run.js';
import type { DepsPolicy } from '../policy/config-schema.js';

/**
 * What `pedigree deps` and the audit inside `pedigree scan` share: compiling the `deps:` policy, opening the
 * OSV database and running the audit, with invalid policies and store failures as usage errors (exit 2).
 */

/** The `deps:` section compiled; an invalid one is a usage error naming the file. */
export function compilePolicyOrFail(
  deps: DepsPolicy | undefined,
  file: string | undefined,
  found: boolean,
): CompiledPolicy | undefined {
  try {
    return deps !== undefined ? compileDependencyPolicy(deps) : undefined;
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw new UsageError(
      'BAD_CONFIG',
      `${file}: invalid configuration: ${error.message}${found ? ' (found in the scanned folder; pass --no-config to ignore it)' : ''}`,
      { cause: error },
    );
  }
}

/** The process environment as `${VAR}` expansion in requirements files reads it (pip reads it too). */
export function processEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/** Opens the database, audits `paths` and closes it; a store that cannot be read is a usage error. */
export function auditDependencies(
  paths: readonly string[],
  choice: DatabaseChoice,
  options: Omit<DepsOptions, 'database'>,
): DepsReport {
  try {
    const database = openDatabase(choice);
    try {
      return scanDependencies(paths, { ...options, database });
    } finally {
      database.close();
    }
  } catch (error) {
    if (error instanceof OsvStoreError) throw new UsageError('DATABASE', error.message, { cause: error });
    throw error;
  }
}
