import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { extname, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.js';
import { compareStrings } from '../core/finding.js';
import { dependencyFileKind } from '../deps/file-kinds.js';
import { readDependencies } from '../deps/run.js';
import { IN_TOTO_STATEMENT_TYPE } from '../trust/oms/bundle.js';
import { type CodeState, readCodeState } from './code-state.js';
import { type RunEnvironment, readEnvironment } from './environment.js';
import {
  BUILDER_ID,
  type ProvenanceStatement,
  type ResourceDescriptor,
  type RunStatus,
  SLSA_PROVENANCE_V1,
  TRAINING_RUN_BUILD_TYPE,
} from './provenance.js';
import { readRegularFile } from './read-file.js';
import { createSnapshot } from './snapshot.js';

/**
 * `pedigree run`: runs a training command and records what it used and made as SLSA provenance (see
 * provenance.ts for the layout). Inputs are digested before the command starts and outputs after it ends;
 * a command that fails, is killed, cannot start, or does not produce a declared output is recorded as
 * failed, never as a clean run.
 */

/** Largest metrics file read. */
export const MAX_METRICS_BYTES = 4 * 1024 * 1024;
/** Most metric values recorded. */
export const MAX_METRICS = 10_000;
/** Deepest nesting of a metrics file followed. */
const MAX_METRICS_DEPTH = 16;

export interface RunOptions {
  /** The command and its arguments (run without a shell). */
  readonly command: readonly string[];
  /** Where it runs (default: the current directory). Paths below are relative to it. */
  readonly cwd?: string;
  readonly inputs?: readonly string[];
  /** Base models: local paths, or Hugging Face ids (`org/name`, `org/name@revision`) recorded by name. */
  readonly baseModels?: readonly string[];
  readonly outputs?: readonly string[];
  readonly metricsFile?: string;
  readonly seed?: string;
  /** Interpreter to record (default `python3` when present; `false` for none). */
  readonly python?: string | false;
  /** The interpreter was named by the user: one that cannot be asked stops the run before it starts. */
  readonly requirePython?: boolean;
  /** Lockfiles or manifests to record packages from (default: those at the top of the working directory). */
  readonly lockfiles?: readonly string[];
  /** More environment variable names to record (never credentials). */
  readonly recordEnv?: readonly string[];
  /** `inherit` (the user sees the command's output) or `ignore` (tests). */
  readonly stdio?: 'inherit' | 'ignore';
  readonly version?: string;
  readonly workers?: number;
  /** Called just before the command starts, and when it has ended (or could not start). */
  readonly onCommandStart?: () => void;
  readonly onCommandEnd?: () => void;
}

export interface RunRecord {
  readonly statement: ProvenanceStatement;
  readonly status: RunStatus;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Why the run is recorded as failed, or what could not be recorded. */
  readonly problems: readonly string[];
}

function posixRelative(cwd: string, path: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

/** Digests one input or output path: a file's SHA-256, a folder's dataset digest and its files. */
async function digestPath(
  cwd: string,
  given: string,
  kind: string,
  workers: number | undefined,
): Promise<{ descriptor: ResourceDescriptor; files: { name: string; sha256: string }[] }> {
  const absolute = resolve(cwd, given);
  const name = posixRelative(cwd, given);
  const info = statSync(absolute);
  const snapshot = await createSnapshot(absolute, workers !== undefined ? { workers } : {});
  if (info.isFile()) {
    const sha256 = snapshot.entries[0]?.sha256 as string;
    return {
      descriptor: {
        name,
        uri: `file:${name}`,
        digest: { sha256 },
        annotations: { kind, bytes: snapshot.bytes },
      },
      files: [{ name, sha256 }],
    };
  }
  return {
    descriptor: {
      name,
      uri: `file:${name}`,
      digest: { sha256: snapshot.digest.sha256 },
      annotations: {
        kind,
        digestType: 'pedigree-dataset-snapshot/v1',
        files: snapshot.files,
        bytes: snapshot.bytes,
      },
    },
    files: snapshot.entries.map((e) => ({
      name: name === '.' ? e.path : `${name}/${e.path}`,
      sha256: e.sha256,
    })),
  };
}

/** Hugging Face model ids given as base models: `org/name` or `org/name@revision`. */
const HUB_ID = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@([\w./-]+))?$/;

/**
 * The seed as recorded: a JSON number only when the number gives back exactly the text the command got
 * as PEDIGREE_SEED (`42`), else the text (`007`, `-0`, `99999999999999999999` would come back as 7, 0 and
 * 100000000000000000000, and `repro` would give the re-run another seed).
 */
export function recordedSeed(seed: string): number | string {
  const n = Number(seed);
  return /^-?\d+$/.test(seed) && Number.isSafeInteger(n) && String(n) === seed ? n : seed;
}

/** Numeric values of a metrics file (JSON or YAML), flattened to dotted keys. */
export function readMetrics(path: string): { metrics: Record<string, number>; problem?: string } {
  let text: string;
  try {
    // A metrics file the command wrote could be anything: a FIFO or device is refused, the size is bounded.
    text = readRegularFile(path, MAX_METRICS_BYTES, 'metrics file').toString('utf8');
  } catch (error) {
    return { metrics: {}, problem: (error as Error).message };
  }
  let data: unknown;
  try {
    data =
      extname(path).toLowerCase() === '.yaml' || extname(path).toLowerCase() === '.yml'
        ? parseYaml(text, { maxAliasCount: 100 })
        : JSON.parse(text);
  } catch (error) {
    return { metrics: {}, problem: `${path}: not JSON or YAML (${(error as Error).message})` };
  }
  // Keys come from the file: a null prototype keeps `__proto__` a metric like any other.
  const metrics: Record<string, number> = Object.create(null);
  let count = 0;
  let cut: string | undefined;
  const walk = (value: unknown, key: string, depth: number): void => {
    if (count >= MAX_METRICS) {
      cut ??= `${path}: more than ${MAX_METRICS} metrics; the rest are not recorded`;
      return;
    }
    if (depth > MAX_METRICS_DEPTH) {
      cut ??= `${path}: nested deeper than ${MAX_METRICS_DEPTH} levels; deeper values are not recorded`;
      return;
    }
    if (typeof value === 'number' && Number.isFinite(value)) {
      if (Object.hasOwn(metrics, key))
        cut ??= `${path}: the metric ${JSON.stringify(key.slice(0, 200))} appears twice (nested keys joined with dots); the last value is recorded`;
      else count++;
      metrics[key] = value;
    } else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, key === '' ? k : `${key}.${k}`, depth + 1);
  };
  walk(data, '', 0);
  return { metrics, ...(cut !== undefined ? { problem: cut } : {}) };
}

/** Dependency files at the top of a folder (lockfiles and manifests pedigree reads). */
function topLevelDependencyFiles(cwd: string): string[] {
  try {
    return readdirSync(cwd)
      .filter(
        (name) =>
          dependencyFileKind(name) !== undefined && name !== 'package.json' && name !== 'package-lock.json',
      )
      .sort(compareStrings)
      .map((name) => resolve(cwd, name));
  } catch {
    return [];
  }
}

function packageDescriptors(cwd: string, files: readonly string[], problems: string[]): ResourceDescriptor[] {
  if (files.length === 0) return [];
  const read = readDependencies(files.map((f) => resolve(cwd, f)));
  for (const f of read.findings) problems.push(f.message);
  const out = new Map<string, ResourceDescriptor>();
  for (const file of read.read)
    for (const p of file.packages) {
      if (p.version === undefined || p.ecosystem === 'npm') continue;
      const uri = p.purl ?? `pkg:pypi/${p.normalizedName}@${p.version}`;
      if (!out.has(uri))
        out.set(uri, {
          name: p.normalizedName,
          uri,
          ...(p.hashes.some((h) => h.algorithm === 'sha256')
            ? { digest: { sha256: p.hashes.find((h) => h.algorithm === 'sha256')?.value as string } }
            : {}),
          annotations: { kind: 'package', source: file.path, version: p.version },
        });
    }
  return [...out.values()].sort((a, b) => compareStrings(a.uri ?? '', b.uri ?? ''));
}

function codeDescriptor(code: CodeState): ResourceDescriptor {
  const repo = code.remote ?? `file:${code.root}`;
  return {
    name: 'code',
    uri: code.commit ? `git+${repo}@${code.commit}` : `git+${repo}`,
    ...(code.commit ? { digest: { gitCommit: code.commit } } : {}),
    annotations: {
      kind: 'code',
      dirty: code.dirty,
      ...(code.branch ? { branch: code.branch } : {}),
      ...(code.diffSha256 ? { diffSha256: code.diffSha256 } : {}),
      ...(code.untrackedCount > 0
        ? {
            untrackedCount: code.untrackedCount,
            untrackedSha256: code.untrackedSha256,
            untracked: code.untracked,
          }
        : {}),
      ...(code.problems.length > 0 ? { problems: code.problems } : {}),
    },
  };
}

function environmentByproduct(env: RunEnvironment): ResourceDescriptor {
  return {
    name: 'pedigree.environment',
    annotations: {
      os: env.os,
      cpu: env.cpu,
      memoryBytes: env.memoryBytes,
      gpus: env.gpus,
      node: env.node,
      ...(env.python
        ? {
            python: {
              executable: env.python.executable,
              version: env.python.version,
              implementation: env.python.implementation,
            },
          }
        : {}),
      ...(env.redacted.length > 0 ? { redactedVariables: env.redacted } : {}),
      ...(env.problems.length > 0 ? { problems: env.problems } : {}),
    },
  };
}

/** Runs the command; resolves with its exit code or signal, or the reason it could not start. */
function execute(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  stdio: 'inherit' | 'ignore',
): Promise<{ exitCode: number | null; signal: string | null; error?: string }> {
  return new Promise((resolvePromise) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command[0] as string, command.slice(1), { cwd, env, stdio, shell: false });
    } catch (error) {
      // Node refuses some arguments before starting anything (a NUL byte in an argument or variable).
      resolvePromise({ exitCode: null, signal: null, error: (error as Error).message });
      return;
    }
    // Ctrl-C reaches the command (same process group); pedigree stays to record how it ended. SIGTERM and
    // SIGHUP sent to pedigree alone (`kill`, a closed terminal) are passed on, so the run ends and is
    // recorded as killed instead of going on unseen.
    const ignore = () => {};
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    const done = (result: { exitCode: number | null; signal: string | null; error?: string }) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
      resolvePromise(result);
    };
    child.once('error', (error) => done({ exitCode: null, signal: null, error: error.message }));
    child.once('close', (code, signal) => done({ exitCode: code, signal }));
  });
}

export async function recordRun(options: RunOptions): Promise<RunRecord> {
  if (options.command.length === 0)
    throw new UsageError('BAD_ARGUMENT', 'no command to run: give it after --');
  const cwd = resolve(options.cwd ?? process.cwd());
  const problems: string[] = [];
  const workers = options.workers;
  // Everything the command reads is digested before it starts.
  const resolved: ResourceDescriptor[] = [];
  const code = readCodeState(cwd);
  if (code) resolved.push(codeDescriptor(code));
  else
    problems.push(`${cwd} is not in a git work tree (or git cannot be run here): the code is not recorded`);
  for (const input of options.inputs ?? []) {
    try {
      resolved.push((await digestPath(cwd, input, 'dataset', workers)).descriptor);
    } catch (error) {
      throw new UsageError('PATH_NOT_FOUND', `--input ${input}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  for (const model of options.baseModels ?? []) {
    let exists = true;
    try {
      statSync(resolve(cwd, model));
    } catch {
      exists = false;
    }
    const hub = HUB_ID.exec(model);
    if (!exists && hub) {
      resolved.push({
        name: `${hub[1]}/${hub[2]}`,
        uri: `pkg:huggingface/${hub[1]}/${hub[2]}${hub[3] ? `@${hub[3]}` : ''}`,
        annotations: {
          kind: 'model',
          ...(hub[3] ? { revision: hub[3] } : { note: 'no revision given: not pinned' }),
        },
      });
      continue;
    }
    try {
      resolved.push((await digestPath(cwd, model, 'model', workers)).descriptor);
    } catch (error) {
      throw new UsageError('PATH_NOT_FOUND', `--base-model ${model}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const environment = readEnvironment({
    ...(options.python !== undefined ? { python: options.python } : {}),
    extraVariables: options.recordEnv ?? [],
    env: { ...process.env, ...(options.seed !== undefined ? { PEDIGREE_SEED: options.seed } : {}) },
  });
  // An interpreter the user named that cannot be asked is a mistake to fix before hours of training, not a
  // line in the record nobody reads.
  if (options.requirePython === true && typeof options.python === 'string' && !environment.python)
    throw new UsageError(
      'BAD_ARGUMENT',
      `--python ${options.python}: cannot be asked for its version and packages (${environment.problems.join('; ') || 'no answer'}); nothing was run`,
    );
  if (environment.python)
    resolved.push({
      name: 'python',
      uri: `file:${environment.python.executable}`,
      annotations: { kind: 'interpreter', version: environment.python.version },
    });
  resolved.push(
    ...packageDescriptors(cwd, options.lockfiles ?? topLevelDependencyFiles(cwd), problems),
    ...(environment.python?.packages ?? []).map((p) => ({
      name: p.name,
      uri: `pkg:pypi/${p.name.toLowerCase().replace(/[-_.]+/g, '-')}@${p.version}`,
      annotations: { kind: 'package', source: 'interpreter', version: p.version },
    })),
  );

  const startedOn = new Date();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...(options.seed !== undefined ? { PEDIGREE_SEED: options.seed } : {}),
  };
  options.onCommandStart?.();
  let outcome: Awaited<ReturnType<typeof execute>>;
  try {
    outcome = await execute(options.command, cwd, childEnv, options.stdio ?? 'inherit');
  } finally {
    options.onCommandEnd?.();
  }
  const finishedOn = new Date();
  let status: RunStatus = outcome.exitCode === 0 && outcome.error === undefined ? 'succeeded' : 'failed';
  if (outcome.error) problems.push(`the command could not start: ${outcome.error}`);
  else if (outcome.signal) problems.push(`the command was killed by ${outcome.signal}`);
  else if (outcome.exitCode !== 0) problems.push(`the command exited with status ${outcome.exitCode}`);

  // What it made is digested after it ends: a declared output that is missing fails the run.
  const subjects: { name: string; digest: { sha256: string } }[] = [];
  const outputs: ResourceDescriptor[] = [];
  for (const output of options.outputs ?? []) {
    try {
      const digested = await digestPath(cwd, output, 'output', workers);
      outputs.push(digested.descriptor);
      for (const f of digested.files) subjects.push({ name: f.name, digest: { sha256: f.sha256 } });
    } catch (error) {
      status = 'failed';
      problems.push(`output ${output} was not produced or cannot be read: ${(error as Error).message}`);
    }
  }
  let metricsByproduct: ResourceDescriptor | undefined;
  if (options.metricsFile !== undefined) {
    const path = resolve(cwd, options.metricsFile);
    try {
      const digested = await digestPath(cwd, options.metricsFile, 'metrics', workers);
      const { metrics, problem } = readMetrics(path);
      if (problem) problems.push(problem);
      metricsByproduct = {
        ...digested.descriptor,
        name: 'pedigree.metrics',
        annotations: { kind: 'metrics', metrics },
      };
    } catch (error) {
      problems.push(`metrics file ${options.metricsFile} cannot be read: ${(error as Error).message}`);
    }
  }
  const byproducts: ResourceDescriptor[] = [
    {
      name: 'pedigree.run',
      annotations: {
        status,
        exitCode: outcome.exitCode,
        signal: outcome.signal,
        durationSeconds: (finishedOn.getTime() - startedOn.getTime()) / 1000,
        ...(problems.length > 0 ? { problems: [...problems] } : {}),
      },
    },
    environmentByproduct(environment),
    ...(metricsByproduct ? [metricsByproduct] : []),
  ];
  if (outputs.length > 0) byproducts.push({ name: 'pedigree.outputs', annotations: { outputs } });
  const statement: ProvenanceStatement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: subjects.sort((a, b) => compareStrings(a.name, b.name)),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: TRAINING_RUN_BUILD_TYPE,
        externalParameters: {
          command: [...options.command],
          workingDirectory: code?.workingDirectory ?? '.',
          ...(options.seed !== undefined ? { seed: recordedSeed(options.seed) } : {}),
          inputs: (options.inputs ?? []).map((p) => posixRelative(cwd, p)),
          outputs: (options.outputs ?? []).map((p) => posixRelative(cwd, p)),
          ...(options.metricsFile !== undefined
            ? { metricsFile: posixRelative(cwd, options.metricsFile) }
            : {}),
          environment: environment.variables,
        },
        resolvedDependencies: resolved,
      },
      runDetails: {
        builder: { id: BUILDER_ID, ...(options.version ? { version: { pedigree: options.version } } : {}) },
        metadata: {
          invocationId: randomUUID(),
          startedOn: startedOn.toISOString(),
          finishedOn: finishedOn.toISOString(),
        },
        byproducts,
      },
    },
  };
  return { statement, status, exitCode: outcome.exitCode, signal: outcome.signal, problems };
}
