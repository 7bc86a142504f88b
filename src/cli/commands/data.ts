import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import pc from 'picocolors';
import { describeError, UsageError } from '../../core/errors.js';
import type { DvcVerifyReport } from '../../provenance/dvc/index.js';
import {
  createSnapshot,
  datasetPathOf,
  readSnapshot,
  type SnapshotDrift,
  serializeSnapshot,
  verifySnapshot,
} from '../../provenance/snapshot.js';
import { safe } from '../../report/text.js';
import { DEFAULT_IGNORED } from '../../trust/oms/enumerate.js';
import type { CliIo } from '../io.js';
import { positiveIntegerOption } from '../options.js';
import { deliverReportAndVerdict } from '../output.js';

/** `pedigree data snapshot` and `pedigree data verify`: content-addressed dataset snapshots. */

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
  const workers = positiveIntegerOption(options.workers, '--workers');
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
  /** DVC: check the cache's objects instead of the workspace. */
  readonly fromCache?: boolean;
  readonly cacheDir?: string;
  /** DVC: leave out stage dependencies. */
  readonly noDeps?: boolean;
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
  // Names come from the snapshot (someone else's file) and from the disk: escaped, never printed raw.
  const lines = [
    `${c.bold('snapshot')}  ${safe(snapshotFile)} (${safe(drift.name)}, sha256:${drift.digest})`,
    `${c.bold('dataset')}   ${safe(path)}: ${drift.files} files, ${drift.bytes} bytes, now sha256:${drift.currentDigest}`,
  ];
  // Paths the snapshot leaves out are not checked: a snapshot that ignores the data vouches for nothing.
  const extra = drift.ignored.filter((p) => !(DEFAULT_IGNORED as readonly string[]).includes(p));
  if (extra.length > 0)
    lines.push(
      `${c.bold('ignored')}   ${extra
        .slice(0, 20)
        .map((p) => JSON.stringify(p).slice(1, -1))
        .join(
          ', ',
        )}${extra.length > 20 ? ` and ${extra.length - 20} more` : ''} (as the snapshot says; not checked)`,
    );
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

/**
 * What `data verify` was given: a pedigree snapshot, or DVC's records (a `.dvc` file, `dvc.lock`,
 * `dvc.yaml`, or a folder of a DVC project).
 */
export function dvcTarget(path: string): { root: string; targets?: string[] } | undefined {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(path);
  } catch {
    return undefined;
  }
  const name = basename(path);
  if (info.isDirectory()) return { root: path };
  if (!(name.endsWith('.dvc') || name === 'dvc.lock' || name === 'dvc.yaml')) return undefined;
  // The project root is the nearest folder up with a `.dvc` folder (DVC's own rule), else the file's folder.
  let dir = resolve(dirname(path));
  for (;;) {
    if (existsSync(join(dir, '.dvc'))) break;
    const up = dirname(dir);
    if (up === dir) {
      dir = resolve(dirname(path));
      break;
    }
    dir = up;
  }
  return { root: dir, targets: [relative(dir, resolve(path)).split(sep).join('/')] };
}

export function renderDvcText(report: DvcVerifyReport, root: string, color: boolean): string {
  const c = color
    ? pc
    : { green: (s: string) => s, red: (s: string) => s, bold: (s: string) => s, dim: (s: string) => s };
  // Every path, stage name and message can come from the project's files: escaped, never printed raw.
  const lines = [
    `${c.bold('DVC project')}  ${safe(root)} (${report.from === 'cache' ? `cache ${safe(report.cacheDir)}` : 'workspace'})`,
  ];
  for (const f of report.files)
    if (f.error) lines.push(`  ${c.red('unreadable')}  ${safe(f.path)}: ${safe(f.error)}`);
  for (const out of report.outs) {
    const where = safe(
      `${out.source.file}${out.source.stage ? ` stage ${out.source.stage}` : ''}${out.source.role === 'dep' ? ' (dependency)' : ''}`,
    );
    const tag =
      out.status === 'ok'
        ? c.green('ok')
        : out.status === 'not-checked'
          ? c.dim('not checked')
          : c.red(out.status);
    lines.push(
      `  ${tag.padEnd(color ? 0 : 11)} ${safe(out.path)}${out.isDir ? '/' : ''}  [${where}, ${safe(out.hashName)}]${out.reason ? `: ${safe(out.reason)}` : ''}`,
    );
    const d = out.directory;
    if (d && out.status !== 'ok') {
      const list = (label: string, l: { count: number; paths: readonly string[] }) => {
        for (const p of l.paths) lines.push(`      ${label} ${safe(p)}`);
        if (l.count > l.paths.length)
          lines.push(`      ... ${l.count - l.paths.length} more ${label.trim()}`);
      };
      list('changed ', d.changed);
      list('added   ', d.added);
      list('removed ', d.removed);
      list('unreadable', d.unreadable);
      if (d.manifest === 'none' && d.manifestProblem)
        lines.push(`      (files not named: ${safe(d.manifestProblem)})`);
    }
  }
  for (const p of report.problems.slice(0, 50))
    lines.push(
      `  ${c.dim('problem')}  ${safe(p.file)}${p.field ? ` ${safe(p.field)}` : ''}: ${safe(p.message)}`,
    );
  if (report.problems.length > 50)
    lines.push(`  ${c.dim('problem')}  ... and ${report.problems.length - 50} more (-f json lists them all)`);
  const s = report.summary;
  lines.push(
    report.verdict === 'ok'
      ? c.green(`UNCHANGED: ${s.ok} DVC-tracked entries match their recorded MD5s`)
      : c.red(
          `${report.verdict === 'drift' ? 'CHANGED' : 'INCOMPLETE'}: ${s.changed} changed, ${s.missing} missing, ${s.notChecked} not checked, ${s.ok} ok`,
        ),
  );
  return `${lines.join('\n')}\n`;
}

async function runDvcVerify(
  target: { root: string; targets?: string[] },
  options: DataVerifyCommandOptions,
  io: CliIo,
): Promise<number> {
  const { verifyDvcProject } = await import('../../provenance/dvc/index.js');
  const report = await verifyDvcProject(target.root, {
    from: options.fromCache ? 'cache' : 'workspace',
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.noDeps ? { includeDeps: false } : {}),
    ...(target.targets ? { targets: target.targets } : {}),
  });
  if (report.files.length === 0)
    throw new UsageError(
      'BAD_ARGUMENT',
      `${target.root}: no .dvc file, dvc.lock or dvc.yaml found (not a DVC project, and not a snapshot file)`,
    );
  const rendered =
    options.format === 'json'
      ? `${JSON.stringify({ schemaVersion: '1.0.0', tool: { name: 'pedigree', version: io.version }, project: target.root, ...report }, null, 2)}\n`
      : renderDvcText(report, target.root, options.output === undefined && io.stdoutIsTTY && !io.noColor);
  await deliverReportAndVerdict(
    rendered,
    options,
    `pedigree data verify: ${target.root}: ${report.verdict}`,
    io,
  );
  // Fail closed: only a complete, matching check exits 0.
  return report.verdict === 'ok' ? 0 : 1;
}

export async function runDataVerify(
  snapshotFile: string,
  path: string | undefined,
  options: DataVerifyCommandOptions,
  io: CliIo,
): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json')
    throw new UsageError('BAD_ARGUMENT', `--format must be text or json, got '${options.format}'`);
  const workers = positiveIntegerOption(options.workers, '--workers');
  const dvc = dvcTarget(snapshotFile);
  if (dvc !== undefined) {
    if (path !== undefined)
      throw new UsageError(
        'BAD_ARGUMENT',
        `${snapshotFile} is DVC's record; its data is found from it, give no second path`,
      );
    return runDvcVerify(dvc, options, io);
  }
  if (options.fromCache || options.cacheDir !== undefined || options.noDeps)
    throw new UsageError('BAD_ARGUMENT', '--from-cache, --cache-dir and --no-deps are for DVC projects');
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
  await deliverReportAndVerdict(
    rendered,
    options,
    `pedigree data verify: ${datasetPath}: ${drift.verified ? 'unchanged' : 'CHANGED'}`,
    io,
  );
  return drift.verified ? 0 : 1;
}
