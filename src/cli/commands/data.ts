import { writeFile } from 'node:fs/promises';
import pc from 'picocolors';
import { describeError, UsageError } from '../../core/errors.js';
import {
  createSnapshot,
  datasetPathOf,
  readSnapshot,
  type SnapshotDrift,
  serializeSnapshot,
  verifySnapshot,
} from '../../provenance/snapshot.js';
import type { CliIo } from '../io.js';
import { deliverReport } from '../output.js';

/** `pedigree data snapshot` and `pedigree data verify`: content-addressed dataset snapshots. */

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UsageError('BAD_ARGUMENT', `${name} must be a positive integer, got '${value}'`);
  return Number(value);
}

/** `--timestamp [TIME]`: now, SOURCE_DATE_EPOCH when set, or the ISO 8601 time given. */
function creationTime(value: string | boolean | undefined): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) {
    const epoch = process.env.SOURCE_DATE_EPOCH;
    if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();
    return new Date().toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError('BAD_ARGUMENT', `--timestamp: not an ISO 8601 time: '${value}'`);
  return new Date(time).toISOString();
}

export interface SnapshotCommandOptions {
  readonly name?: string;
  readonly output?: string;
  readonly ignore: readonly string[];
  readonly followSymlinks: boolean;
  readonly timestamp?: string | boolean;
  readonly workers?: string;
  readonly quiet: boolean;
}

export async function runDataSnapshot(
  path: string,
  options: SnapshotCommandOptions,
  io: CliIo,
): Promise<number> {
  const workers = positiveInteger(options.workers, '--workers');
  const createdAt = creationTime(options.timestamp);
  const started = performance.now();
  const snapshot = await createSnapshot(path, {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.output !== undefined ? { outputPath: options.output } : {}),
    ignore: options.ignore.map((p) => p.replace(/^\.\/+/, '').replace(/\/+$/, '')),
    followSymlinks: options.followSymlinks,
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(workers !== undefined ? { workers } : {}),
  });
  const text = serializeSnapshot(snapshot);
  if (options.output !== undefined) {
    try {
      await writeFile(options.output, text);
    } catch (error) {
      throw new UsageError('PATH_UNREADABLE', `cannot write ${options.output}: ${describeError(error)}`, {
        cause: error,
      });
    }
  } else io.stdout(text);
  if (!options.quiet)
    io.stderr(
      `pedigree data snapshot: ${snapshot.name}: ${snapshot.files} files, ${snapshot.bytes} bytes in ${((performance.now() - started) / 1000).toFixed(2)} s; dataset digest sha256:${snapshot.digest.sha256}${options.output !== undefined ? `; written to ${options.output}` : ''}\n`,
    );
  return 0;
}

export interface DataVerifyCommandOptions {
  readonly followSymlinks: boolean;
  readonly format: string;
  readonly output?: string;
  readonly workers?: string;
  readonly quiet: boolean;
}

export function renderDriftText(
  drift: SnapshotDrift,
  snapshotFile: string,
  path: string,
  color: boolean,
): string {
  const c = color ? pc : { green: (s: string) => s, red: (s: string) => s, bold: (s: string) => s };
  const lines = [
    `${c.bold('snapshot')}  ${snapshotFile} (${drift.name}, sha256:${drift.digest})`,
    `${c.bold('dataset')}   ${path}: ${drift.files} files, ${drift.bytes} bytes, now sha256:${drift.currentDigest}`,
  ];
  for (const ch of drift.changed)
    lines.push(
      `  ${c.red('changed')}  ${JSON.stringify(ch.path).slice(1, -1)} (${ch.before.size} → ${ch.after.size} bytes, sha256 ${ch.before.sha256.slice(0, 12)}… → ${ch.after.sha256.slice(0, 12)}…)`,
    );
  for (const e of drift.added)
    lines.push(`  ${c.red('added')}    ${JSON.stringify(e.path).slice(1, -1)} (${e.size} bytes)`);
  for (const e of drift.removed)
    lines.push(`  ${c.red('removed')}  ${JSON.stringify(e.path).slice(1, -1)} (${e.size} bytes)`);
  const counts = [
    drift.changed.length > 0 ? `${drift.changed.length} changed` : '',
    drift.added.length > 0 ? `${drift.added.length} added` : '',
    drift.removed.length > 0 ? `${drift.removed.length} removed` : '',
  ].filter(Boolean);
  lines.push(
    drift.verified
      ? c.green('UNCHANGED: the dataset matches the snapshot')
      : c.red(`CHANGED: ${counts.join(', ')}`),
  );
  return `${lines.join('\n')}\n`;
}

export async function runDataVerify(
  snapshotFile: string,
  path: string | undefined,
  options: DataVerifyCommandOptions,
  io: CliIo,
): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json')
    throw new UsageError('BAD_ARGUMENT', `--format must be text or json, got '${options.format}'`);
  const workers = positiveInteger(options.workers, '--workers');
  let snapshot: ReturnType<typeof readSnapshot>;
  try {
    snapshot = readSnapshot(snapshotFile);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('BAD_ARGUMENT', describeError(error), { cause: error });
  }
  const datasetPath = datasetPathOf(snapshotFile, snapshot, path);
  const drift = await verifySnapshot(snapshot, datasetPath, {
    snapshotFile,
    followSymlinks: options.followSymlinks,
    ...(workers !== undefined ? { workers } : {}),
  });
  const rendered =
    options.format === 'json'
      ? `${JSON.stringify({ schemaVersion: '1.0.0', tool: { name: 'pedigree', version: io.version }, snapshot: snapshotFile, dataset: datasetPath, ...drift }, null, 2)}\n`
      : renderDriftText(
          drift,
          snapshotFile,
          datasetPath,
          options.output === undefined && io.stdoutIsTTY && !io.noColor,
        );
  await deliverReport(
    rendered,
    {
      format: options.format,
      quiet: options.quiet,
      ...(options.output !== undefined ? { output: options.output } : {}),
    },
    io,
  );
  if (options.quiet && options.format === 'text')
    io.stderr(`pedigree data verify: ${datasetPath}: ${drift.verified ? 'unchanged' : 'CHANGED'}\n`);
  return drift.verified ? 0 : 1;
}
