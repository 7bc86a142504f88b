import { mkdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { describeError, UsageError } from '../../core/errors.js';
import { recordRun } from '../../provenance/run.js';
import { safe } from '../../report/text.js';
import { signToBundle } from '../../trust/bundle-write.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../trust/oms/bundle.js';
import type { CliIo } from '../io.js';
import { positiveIntegerOption } from '../options.js';
import { readSigner } from './sign.js';

/** `pedigree run [options] -- COMMAND...`: run a training command and record its provenance. */

export interface RunCommandOptions {
  readonly input: readonly string[];
  readonly baseModel: readonly string[];
  readonly output: readonly string[];
  readonly metrics?: string;
  readonly seed?: string;
  readonly python?: string;
  readonly noPython: boolean;
  readonly lockfile: readonly string[];
  readonly recordEnv: readonly string[];
  readonly provenance?: string;
  /** Where the command runs; input, output and metrics paths are relative to it. */
  readonly cwd?: string;
  readonly key?: string;
  readonly certificate?: string;
  readonly certificateChain: readonly string[];
  readonly passwordFile?: string;
  readonly workers?: string;
  readonly quiet: boolean;
  /** For tests: do not pass the command's output through. */
  readonly silent?: boolean;
}

/** Where a run's record goes by default: `.pedigree/runs/<UTC time>-<invocation>.provenance.json`. */
export function defaultProvenancePath(startedOn: string, invocationId: string, signed: boolean): string {
  const stamp = startedOn.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(
    '.pedigree',
    'runs',
    `${stamp}-${invocationId.slice(0, 8)}.provenance${signed ? '.sigstore' : ''}.json`,
  );
}

export async function runRun(
  command: readonly string[],
  options: RunCommandOptions,
  io: CliIo,
): Promise<number> {
  if (options.seed !== undefined && !/^\S{1,256}$/.test(options.seed))
    throw new UsageError('BAD_ARGUMENT', `--seed must be one word, got '${options.seed}'`);
  if (options.certificate !== undefined && options.key === undefined)
    throw new UsageError('BAD_ARGUMENT', '--certificate goes with --key');
  for (const name of options.recordEnv)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError('BAD_ARGUMENT', `--record-env takes a variable name, got '${safe(name)}'`);
  if (options.cwd !== undefined && !statSync(options.cwd, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError('PATH_NOT_FOUND', `--cwd ${safe(options.cwd)}: no such folder`);
  const runFolder = resolve(options.cwd ?? '.');
  // The record written into what it describes would change it after the fact: an input whose digest no
  // longer matches, an output folder with one file more than its subjects.
  if (options.provenance !== undefined) {
    const record = resolve(options.provenance);
    const declared: [string, string][] = [
      ...options.input.map((p): [string, string] => ['--input', p]),
      ...options.output.map((p): [string, string] => ['--output', p]),
      ...(options.metrics !== undefined ? [['--metrics', options.metrics] as [string, string]] : []),
    ];
    for (const [option, path] of declared) {
      const inside = relative(resolve(runFolder, path), record);
      if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside)))
        throw new UsageError(
          'BAD_ARGUMENT',
          `--provenance ${safe(options.provenance)} is ${inside === '' ? '' : 'inside '}${option} ${safe(path)}: the record would change what it records; write it elsewhere`,
        );
    }
  }
  const workers = positiveIntegerOption(options.workers, '--workers');
  // The key is read (and its passphrase checked) before the command runs, not after hours of training.
  const signer = options.key !== undefined ? readSigner({ ...options, key: options.key }) : undefined;
  const record = await recordRun({
    command,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    inputs: options.input,
    baseModels: options.baseModel,
    outputs: options.output,
    ...(options.metrics !== undefined ? { metricsFile: options.metrics } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.noPython
      ? { python: false as const }
      : options.python !== undefined
        ? { python: options.python, requirePython: true }
        : {}),
    ...(options.lockfile.length > 0 ? { lockfiles: options.lockfile } : {}),
    recordEnv: options.recordEnv,
    stdio: options.silent ? 'ignore' : 'inherit',
    version: io.version,
    ...(workers !== undefined ? { workers } : {}),
  });
  const statementText = `${JSON.stringify(record.statement, null, 2)}\n`;
  const meta = record.statement.predicate.runDetails.metadata;
  // The default record goes under the run's folder, where `pedigree lineage` looks.
  const path =
    options.provenance ??
    join(options.cwd ?? '.', defaultProvenancePath(meta.startedOn, meta.invocationId, signer !== undefined));
  const text = signer
    ? signToBundle(IN_TOTO_PAYLOAD_TYPE, Buffer.from(statementText, 'utf8'), signer)
    : statementText;
  try {
    mkdirSync(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (error) {
    throw new UsageError('PATH_UNREADABLE', `cannot write ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
  if (!options.quiet) {
    const outputs = record.statement.subject.length;
    io.stderr(
      `pedigree run: ${record.status === 'succeeded' ? 'succeeded' : 'FAILED'}${record.exitCode !== null ? ` (exit ${record.exitCode})` : record.signal ? ` (${record.signal})` : ''}; ${outputs} output file${outputs === 1 ? '' : 's'} recorded; provenance${signer ? ' (signed)' : ''} ${path}\n`,
    );
    for (const problem of record.problems) io.stderr(`  ${problem}\n`);
  }
  return record.status === 'succeeded' ? 0 : 1;
}
