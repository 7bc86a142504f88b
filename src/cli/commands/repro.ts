import { mkdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pc from 'picocolors';
import { describeError, UsageError } from '../../core/errors.js';
import { readConfig } from '../../policy/config.js';
import { type LineageRecord, parseLineageRecord } from '../../provenance/lineage.js';
import { MAX_PROVENANCE_BYTES, runStatus } from '../../provenance/provenance.js';
import { readRegularFile } from '../../provenance/read-file.js';
import {
  checkParity,
  type ParityReport,
  type ReproResult,
  type ReproSettings,
  reproduceRun,
  resolveRunDirectory,
} from '../../provenance/repro.js';
import { safe } from '../../report/text.js';
import { checkBundleSignature } from '../../trust/check-signature.js';
import type { CliIo } from '../io.js';
import { positiveIntegerOption } from '../options.js';
import { deliverReportAndVerdict } from '../output.js';
import { defaultProvenancePath } from './run.js';
import { hasTrust, type TrustCommandOptions, trustFrom } from './sign.js';

/** `pedigree repro PROVENANCE`: environment parity, then the recorded run again, compared with its record. */

/** Schema version of `repro --format json`. */
export const REPRO_JSON_SCHEMA_VERSION = '1.0.0';

export interface ReproCommandOptions extends TrustCommandOptions {
  readonly cwd?: string;
  readonly dryRun: boolean;
  readonly overwrite: boolean;
  readonly seed?: string;
  readonly python?: string;
  readonly noPython: boolean;
  readonly env: readonly string[];
  readonly config?: string;
  readonly noConfig: boolean;
  readonly absoluteTolerance?: string;
  readonly relativeTolerance?: string;
  /** `true`: write the re-run's record to the default place; a string: to this file. */
  readonly record?: string | boolean;
  readonly format: string;
  readonly output?: string;
  readonly workers?: string;
  readonly quiet: boolean;
  /** For tests: do not pass the command's output through. */
  readonly silent?: boolean;
}

type Colors = {
  green: (s: string) => string;
  red: (s: string) => string;
  bold: (s: string) => string;
  yellow: (s: string) => string;
};
const plain: Colors = { green: (s) => s, red: (s) => s, bold: (s) => s, yellow: (s) => s };

function tolerance(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError('BAD_ARGUMENT', `${name} must be a number of 0 or more, got '${value}'`);
  return n;
}

/** Reads the record (plain or a Sigstore bundle), checking its signature when a trust option is given. */
function readRecord(file: string, options: TrustCommandOptions): LineageRecord {
  const trust = hasTrust(options) ? trustFrom(options) : undefined;
  try {
    return parseLineageRecord(
      // A record can come from anywhere: a FIFO or device is refused, not waited on or read for ever.
      readRegularFile(file, MAX_PROVENANCE_BYTES, 'record').toString('utf8'),
      file,
      trust ? (bundle, f) => checkBundleSignature(bundle, trust, { file: f }) : undefined,
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('BAD_ARGUMENT', describeError(error), { cause: error });
  }
}

function parityLines(parity: ParityReport, c: Colors): string[] {
  const lines: string[] = [];
  const reaching = parity.differences.filter((d) => d.correctedForRerun !== true).length;
  lines.push(
    `${c.bold('parity')}    ${
      parity.differences.length === 0
        ? c.green('the environment matches the record')
        : `${parity.differences.length} difference${parity.differences.length === 1 ? '' : 's'}${reaching < parity.differences.length ? ` (${parity.differences.length - reaching} corrected for the re-run)` : ''}`
    }`,
  );
  for (const d of parity.differences) {
    const values =
      d.recorded !== undefined || d.current !== undefined
        ? `: ${safe(d.recorded ?? 'unset')} → ${safe(d.current ?? 'unset')}`
        : '';
    const tag = d.correctedForRerun ? d.category.padEnd(11) : c.yellow(d.category.padEnd(11));
    lines.push(`  ${tag} ${safe(d.name)}${values}${d.detail ? `  (${safe(d.detail)})` : ''}`);
  }
  for (const n of parity.notes) lines.push(`  note        ${safe(n)}`);
  return lines;
}

/** A command as a person reads it: each argument escaped, and quoted when it has spaces or is empty. */
function commandText(command: readonly string[]): string {
  return command
    .map((arg) => (arg === '' || /[\s"'\\]/.test(arg) ? safe(JSON.stringify(arg)) : safe(arg)))
    .join(' ');
}

function recordTrust(record: LineageRecord): string {
  if (!record.signed) return 'unsigned';
  if (!record.signature) return 'signed, signature not checked';
  return record.signature.ok
    ? `signature verified: ${safe(record.signature.signer ?? 'ok')}`
    : 'signature NOT verified';
}

const VERDICT_TEXT = {
  identical: 'IDENTICAL: every output has the recorded digest',
  equivalent: 'EQUIVALENT: outputs differ, metrics are within tolerance',
  diverged: 'DIVERGED',
  failed: 'FAILED: the re-run did not complete',
} as const;

export function renderReproText(
  file: string,
  record: LineageRecord,
  cwd: string,
  parity: ParityReport,
  result: ReproResult | undefined,
  options: { readonly color: boolean; readonly parityShown: boolean; readonly settingsFrom?: string },
): string {
  const c: Colors = options.color ? pc : plain;
  const s = record.statement;
  const params = s.predicate.buildDefinition.externalParameters;
  const meta = s.predicate.runDetails.metadata;
  const signature = !record.signed
    ? 'unsigned'
    : !record.signature
      ? 'signed, signature not checked'
      : record.signature.ok
        ? `signature verified: ${safe(record.signature.signer ?? 'ok')}`
        : `signature NOT verified: ${safe(record.signature.reason ?? '')}`;
  const lines = [
    `${c.bold('record')}    ${safe(file)} (run ${safe(meta.invocationId.slice(0, 8))}, ${runStatus(s)}, ${safe(meta.startedOn)}; ${signature})`,
    `${c.bold('command')}   ${commandText(params.command)}`,
    `${c.bold('folder')}    ${safe(cwd)}${params.seed !== undefined ? `, seed ${safe(String(params.seed))}` : ''}`,
  ];
  if (options.settingsFrom) lines.push(`${c.bold('tolerance')} ${safe(options.settingsFrom)}`);
  if (options.parityShown)
    lines.push(
      `${c.bold('parity')}    ${parity.differences.length === 0 ? 'the environment matches the record' : `${parity.differences.length} difference${parity.differences.length === 1 ? '' : 's'} (listed above)`}`,
    );
  else lines.push(...parityLines(parity, c));
  if (!result) {
    lines.push(
      parity.matches
        ? c.green('PARITY: nothing that reaches the re-run differs (dry run: not re-run)')
        : c.red('DIFFERENCES: the re-run would not start from the recorded state (dry run: not re-run)'),
    );
    return `${lines.join('\n')}\n`;
  }
  if (result.outputs.length > 0) {
    lines.push(c.bold('outputs'));
    for (const o of result.outputs) {
      const tag = o.status === 'same' ? c.green(o.status.padEnd(8)) : c.red(o.status.padEnd(8));
      const digests =
        o.status === 'changed'
          ? `  sha256:${o.recorded?.slice(0, 12)}… → sha256:${o.current?.slice(0, 12)}…`
          : '';
      lines.push(`  ${tag} ${safe(o.name)}${o.role === 'metrics' ? ' (metrics file)' : ''}${digests}`);
    }
  }
  if (result.metrics.length > 0) {
    lines.push(c.bold('metrics'));
    for (const m of result.metrics) {
      const bad = m.status === 'outside' || m.status === 'missing';
      const tag = bad ? c.red(m.status.padEnd(8)) : m.status.padEnd(8);
      const values =
        m.recorded !== undefined && m.current !== undefined
          ? m.recorded === m.current
            ? ` ${m.current}`
            : ` ${m.recorded} → ${m.current} (difference ${m.difference}; tolerance absolute ${m.tolerance?.absolute ?? 0}, relative ${m.tolerance?.relative ?? 0})`
          : ` ${m.recorded ?? m.current ?? ''}`;
      lines.push(`  ${tag} ${safe(m.name)}${values}`);
    }
  }
  if (result.rerun && result.rerun.problems.length > 0)
    for (const p of result.rerun.problems) lines.push(`  ${c.yellow('re-run')}   ${safe(p)}`);
  if (result.workspace.mode === 'restored' && result.workspace.folder)
    lines.push(
      `${c.bold('workspace')} earlier outputs put back; the re-run's outputs are in ${safe(join(result.workspace.folder, 'outputs'))}`,
    );
  for (const p of result.workspace.problems) lines.push(`  ${c.red('workspace')} ${safe(p)}`);
  const ok = result.verdict === 'identical' || result.verdict === 'equivalent';
  const verdict = `${VERDICT_TEXT[result.verdict]}${result.verdict === 'diverged' || result.verdict === 'failed' ? `: ${result.reasons.map(safe).join('; ')}` : ''}`;
  lines.push(ok ? c.green(verdict) : c.red(verdict));
  return `${lines.join('\n')}\n`;
}

export async function runRepro(file: string, options: ReproCommandOptions, io: CliIo): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json')
    throw new UsageError('BAD_ARGUMENT', `--format must be text or json, got '${options.format}'`);
  if (options.seed !== undefined && !/^\S{1,256}$/.test(options.seed))
    throw new UsageError('BAD_ARGUMENT', `--seed must be one word, got '${options.seed}'`);
  if (options.python !== undefined && options.noPython)
    throw new UsageError('BAD_ARGUMENT', 'give --python or --no-python, not both');
  for (const name of options.env)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError('BAD_ARGUMENT', `--env takes a variable name, got '${name}'`);
  const workers = positiveIntegerOption(options.workers, '--workers');
  const absolute = tolerance(options.absoluteTolerance, '--abs-tol');
  const relative = tolerance(options.relativeTolerance, '--rel-tol');

  const record = readRecord(file, options);
  // A record that does not verify is not re-run: it would run a command nobody vouched for.
  if (hasTrust(options) && (!record.signed || !record.signature?.ok)) {
    io.stderr(
      `pedigree repro: ${file}: NOT verified: ${record.signed ? (record.signature?.reason ?? 'invalid signature') : 'the record is not signed (a Sigstore bundle from `pedigree run --key`)'}; not re-run\n`,
    );
    return 1;
  }
  const cwd =
    options.cwd !== undefined ? resolve(options.cwd) : resolveRunDirectory(record.statement, process.cwd());
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(
      'PATH_NOT_FOUND',
      `the run's folder ${cwd} does not exist here; give the project folder with --cwd`,
    );

  let settings: ReproSettings = {};
  let settingsFrom: string | undefined;
  if (!options.noConfig) {
    const found = await readConfig(options.config, cwd);
    if (found?.config.repro) {
      settings = found.config.repro;
      settingsFrom = `${found.file}${found.discovered ? ' (found in the run folder: pass --config to use your own, or --no-config)' : ''}`;
    }
  }
  if (absolute !== undefined || relative !== undefined) {
    settings = {
      ...settings,
      tolerance: {
        ...settings.tolerance,
        ...(absolute !== undefined ? { absolute } : {}),
        ...(relative !== undefined ? { relative } : {}),
      },
    };
    settingsFrom = `${settingsFrom ? `${settingsFrom}; ` : ''}default from --abs-tol/--rel-tol`;
  }

  const python = options.noPython ? (false as const) : options.python;
  const parityOptions = {
    cwd,
    ...(python !== undefined ? { python } : {}),
    applyEnv: options.env,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(workers !== undefined ? { workers } : {}),
    recordFile: file,
  };
  const parity = await checkParity(record.statement, parityOptions);
  const color = options.output === undefined && io.stdoutIsTTY && !io.noColor;
  const showEarly =
    !options.dryRun && !options.quiet && options.format === 'text' && options.output === undefined;
  if (showEarly) {
    const c: Colors = io.stderrIsTTY && !io.noColor ? pc : plain;
    io.stderr(`${parityLines(parity, c).join('\n')}\n`);
  }
  // What is about to run is always said first, whatever the report's format or destination: the command
  // comes from the record, and a record can come from someone else.
  if (!options.dryRun && !options.quiet)
    io.stderr(
      `pedigree repro: re-running ${commandText(record.statement.predicate.buildDefinition.externalParameters.command)} in ${safe(cwd)} (record ${recordTrust(record)})${options.overwrite ? ' (outputs overwritten)' : ' (existing outputs set aside and put back afterwards)'}\n`,
    );
  let result: ReproResult | undefined;
  if (!options.dryRun)
    result = await reproduceRun({
      ...parityOptions,
      statement: record.statement,
      settings,
      overwrite: options.overwrite,
      parity,
      stdio: options.silent ? 'ignore' : 'inherit',
      version: io.version,
    });

  let recordPath: string | undefined;
  if (result?.rerun && options.record !== undefined && options.record !== false) {
    const meta = result.rerun.statement.predicate.runDetails.metadata;
    recordPath =
      typeof options.record === 'string'
        ? options.record
        : join(cwd, defaultProvenancePath(meta.startedOn, meta.invocationId, false));
    try {
      mkdirSync(dirname(recordPath), { recursive: true });
      await writeFile(recordPath, `${JSON.stringify(result.rerun.statement, null, 2)}\n`);
    } catch (error) {
      throw new UsageError('PATH_UNREADABLE', `cannot write ${recordPath}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  const rendered =
    options.format === 'json'
      ? `${JSON.stringify(
          {
            schemaVersion: REPRO_JSON_SCHEMA_VERSION,
            tool: { name: 'pedigree', version: io.version },
            record: {
              file,
              invocationId: record.statement.predicate.runDetails.metadata.invocationId,
              signed: record.signed,
              ...(record.signature ? { signature: record.signature } : {}),
            },
            folder: cwd,
            settings,
            ...(settingsFrom ? { settingsFrom } : {}),
            parity,
            ...(result
              ? {
                  verdict: result.verdict,
                  reasons: result.reasons,
                  outputs: result.outputs,
                  metrics: result.metrics,
                  ...(result.rerun
                    ? {
                        rerun: {
                          invocationId: result.rerun.statement.predicate.runDetails.metadata.invocationId,
                          status: result.rerun.status,
                          exitCode: result.rerun.exitCode,
                          signal: result.rerun.signal,
                          problems: result.rerun.problems,
                          ...(recordPath ? { record: recordPath } : {}),
                        },
                      }
                    : {}),
                  workspace: result.workspace,
                }
              : { dryRun: true }),
          },
          null,
          2,
        )}\n`
      : renderReproText(file, record, cwd, parity, result, {
          color,
          parityShown: showEarly,
          ...(settingsFrom ? { settingsFrom } : {}),
        });
  await deliverReportAndVerdict(
    rendered,
    options,
    `pedigree repro: ${file}: ${result ? result.verdict.toUpperCase() : parity.matches ? 'parity' : 'DIFFERENCES'}`,
    io,
  );
  // Only without --quiet, when no verdict line was printed, so the order is as before.
  if (recordPath && !options.quiet)
    io.stderr(`pedigree repro: the re-run's provenance is in ${recordPath}\n`);
  if (!result) return parity.matches ? 0 : 1;
  return result.verdict === 'identical' || result.verdict === 'equivalent' ? 0 : 1;
}
