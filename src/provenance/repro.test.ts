import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { IN_TOTO_STATEMENT_TYPE } from '../trust/oms/bundle.js';
import { buildLineage, matchArtifacts, parseLineageRecord, traceLineage } from './lineage.js';
import { type ProvenanceStatement, SLSA_PROVENANCE_V1, TRAINING_RUN_BUILD_TYPE } from './provenance.js';
import {
  checkParity,
  compareRuns,
  type ReproSettings,
  reproduceRun,
  resolveRunDirectory,
  toleranceFor,
  withinTolerance,
} from './repro.js';
import { recordRun } from './run.js';
import { createSnapshot, serializeSnapshot } from './snapshot.js';

const work = mkdtempSync(join(tmpdir(), 'pedigree-repro-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const hex = (c: string) => c.repeat(64);

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'pass']);
    return true;
  } catch {
    return false;
  }
})();

/** Variables the tests set for one case; put back after each. */
const TOUCHED = ['NOISE', 'FAIL_AFTER_TRAINING', 'OMP_NUM_THREADS'];
const saved = Object.fromEntries(TOUCHED.map((n) => [n, process.env[n]]));
afterEach(() => {
  for (const n of TOUCHED)
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
});

/** A statement reduced to what compareRuns reads. */
function outcome(o: {
  subjects?: Record<string, string>;
  metrics?: Record<string, number>;
  metricsDigest?: string;
  status?: 'succeeded' | 'failed';
  exitCode?: number;
}): ProvenanceStatement {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: Object.entries(o.subjects ?? {}).map(([name, sha256]) => ({ name, digest: { sha256 } })),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: TRAINING_RUN_BUILD_TYPE,
        externalParameters: {
          command: ['train'],
          workingDirectory: '.',
          inputs: [],
          outputs: ['model'],
          ...(o.metricsDigest ? { metricsFile: 'metrics.json' } : {}),
          environment: {},
        },
        resolvedDependencies: [],
      },
      runDetails: {
        builder: { id: 'x' },
        metadata: { invocationId: 'i', startedOn: 't', finishedOn: 't' },
        byproducts: [
          {
            name: 'pedigree.run',
            annotations: {
              status: o.status ?? 'succeeded',
              exitCode: o.exitCode ?? (o.status === 'failed' ? 1 : 0),
              ...(o.status === 'failed' ? { problems: ['the command exited with status 1'] } : {}),
            },
          },
          ...(o.metrics
            ? [
                {
                  name: 'pedigree.metrics',
                  ...(o.metricsDigest ? { digest: { sha256: o.metricsDigest } } : {}),
                  annotations: { kind: 'metrics', metrics: o.metrics },
                },
              ]
            : []),
        ],
      },
    },
  };
}

describe('tolerances', () => {
  const settings: ReproSettings = {
    tolerance: { absolute: 0.1 },
    metrics: { 'eval.acc': { absolute: 0.01 }, 'eval.*': { relative: 0.5 }, '*': { absolute: 1 } },
  };

  it('takes a metric\u2019s own entry, else the longest matching pattern, else the default', () => {
    expect(toleranceFor('eval.acc', settings)).toEqual({ absolute: 0.01 });
    expect(toleranceFor('eval.f1', settings)).toEqual({ relative: 0.5 });
    expect(toleranceFor('loss', settings)).toEqual({ absolute: 1 });
    expect(toleranceFor('loss', { tolerance: { absolute: 0.1 } })).toEqual({ absolute: 0.1 });
    expect(toleranceFor('loss')).toEqual({});
    // `.` and other regular expression characters are literal.
    expect(toleranceFor('evalXacc', { metrics: { 'eval.acc': { absolute: 9 } } })).toEqual({});
  });

  it('accepts |current − recorded| ≤ absolute + relative × |recorded| (numpy.isclose)', () => {
    expect(withinTolerance(1, 1, {})).toBe(true);
    expect(withinTolerance(1, 1.0000001, {})).toBe(false);
    expect(withinTolerance(1, 1.04, { absolute: 0.05 })).toBe(true);
    expect(withinTolerance(1, 1.06, { absolute: 0.05 })).toBe(false);
    expect(withinTolerance(100, 101, { relative: 0.01 })).toBe(true);
    expect(withinTolerance(100, 102, { relative: 0.01 })).toBe(false);
    expect(withinTolerance(-100, -101.5, { absolute: 0.5, relative: 0.01 })).toBe(true);
  });
});

describe('compareRuns', () => {
  const recorded = outcome({
    subjects: { 'model/w.bin': hex('a'), 'model/cfg.json': hex('b') },
    metrics: { loss: 0.5, 'time.seconds': 10 },
    metricsDigest: hex('c'),
  });

  it('is identical when every output and the metrics file have the recorded digests', () => {
    const result = compareRuns(recorded, recorded);
    expect(result.verdict).toBe('identical');
    expect(result.outputs.map((o) => o.status)).toEqual(['same', 'same', 'same']);
    expect(result.metrics.map((m) => m.status)).toEqual(['equal', 'equal']);
  });

  it('is equivalent when the same files differ but every metric is within tolerance', () => {
    const rerun = outcome({
      subjects: { 'model/w.bin': hex('d'), 'model/cfg.json': hex('b') },
      metrics: { loss: 0.5001, 'time.seconds': 14 },
      metricsDigest: hex('e'),
    });
    expect(compareRuns(recorded, rerun).verdict).toBe('diverged');
    const settings: ReproSettings = { tolerance: { absolute: 0.001 }, ignore: ['time.*'] };
    const result = compareRuns(recorded, rerun, settings);
    expect(result.verdict).toBe('equivalent');
    expect(result.outputs.find((o) => o.name === 'model/w.bin')).toMatchObject({
      status: 'changed',
      recorded: hex('a'),
      current: hex('d'),
    });
    expect(result.metrics).toEqual([
      {
        name: 'loss',
        status: 'within',
        recorded: 0.5,
        current: 0.5001,
        difference: expect.closeTo(0.0001, 10),
        tolerance: { absolute: 0.001 },
      },
      { name: 'time.seconds', status: 'ignored', recorded: 10, current: 14 },
    ]);
  });

  it('diverges on a metric outside tolerance, a missing metric, other files, or no metrics at all', () => {
    const outside = compareRuns(
      recorded,
      outcome({
        subjects: { 'model/w.bin': hex('d'), 'model/cfg.json': hex('b') },
        metrics: { loss: 0.9, 'time.seconds': 10 },
        metricsDigest: hex('e'),
      }),
      { tolerance: { absolute: 0.1 } },
    );
    expect(outside.verdict).toBe('diverged');
    expect(outside.reasons.join('\n')).toMatch(
      /metric loss: 0\.5 → 0\.9 .* outside the tolerance \(absolute 0\.1, relative 0\)/,
    );
    const missingMetric = compareRuns(
      recorded,
      outcome({
        subjects: { 'model/w.bin': hex('d'), 'model/cfg.json': hex('b') },
        metrics: { 'time.seconds': 10 },
        metricsDigest: hex('e'),
      }),
    );
    expect(missingMetric.reasons.join('\n')).toMatch(/metric loss was not produced again/);
    const otherFiles = compareRuns(
      recorded,
      outcome({
        subjects: { 'model/w.bin': hex('a'), 'model/extra': hex('f') },
        metrics: { loss: 0.5, 'time.seconds': 10 },
        metricsDigest: hex('c'),
      }),
    );
    expect(otherFiles.verdict).toBe('diverged');
    expect(otherFiles.reasons).toEqual([
      'output files not produced again: model/cfg.json',
      'output files not in the record: model/extra',
    ]);
    const noMetrics = compareRuns(
      outcome({ subjects: { m: hex('a') } }),
      outcome({ subjects: { m: hex('b') } }),
    );
    expect(noMetrics).toMatchObject({
      verdict: 'diverged',
      reasons: ['1 output differ: m', 'no recorded metrics to judge equivalence by'],
    });
  });

  it('fails when the recorded run succeeded and the re-run did not; diverges the other way round', () => {
    const failed = compareRuns(recorded, outcome({ status: 'failed' }));
    expect(failed.verdict).toBe('failed');
    expect(failed.reasons[0]).toMatch(/re-run failed: the command exited with status 1/);
    expect(compareRuns(outcome({ status: 'failed' }), outcome({})).verdict).toBe('diverged');
    expect(
      compareRuns(outcome({ status: 'failed', exitCode: 3 }), outcome({ status: 'failed', exitCode: 3 }))
        .verdict,
    ).toBe('identical');
    expect(
      compareRuns(outcome({ status: 'failed', exitCode: 3 }), outcome({ status: 'failed', exitCode: 4 }))
        .verdict,
    ).toBe('diverged');
  });
});

/**
 * A deterministic "training" script in Node (no Python needed): least squares by SGD over a seeded
 * shuffle of data/*.csv; writes model/weights.json and metrics.json. NOISE adds randomness (for
 * equivalence), FAIL_AFTER_TRAINING makes it fail; OMP_NUM_THREADS is echoed into the metrics so a test
 * sees which value the command got.
 */
const TRAIN_MJS = `import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
const [data = 'data', out = 'model'] = process.argv.slice(2);
let state = (Number(process.env.PEDIGREE_SEED ?? '0') * 2654435761 + 1) >>> 0;
const rnd = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const rows = [];
for (const f of readdirSync(data).sort())
  for (const line of readFileSync(data + '/' + f, 'utf8').split('\\n').slice(1))
    if (line.trim()) rows.push(line.split(',').map(Number));
let a = rnd() * 2 - 1, b = rnd() * 2 - 1;
for (let e = 0; e < 20; e++) {
  for (let i = rows.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [rows[i], rows[j]] = [rows[j], rows[i]]; }
  for (const [x, y] of rows) { const err = a * x + b - y; a -= 0.01 * err * x; b -= 0.01 * err; }
}
const noise = process.env.NOISE ? Math.random() * Number(process.env.NOISE) : 0;
const mse = rows.reduce((s, [x, y]) => s + (a * x + b - y) ** 2, 0) / Math.max(rows.length, 1) + noise;
mkdirSync(out, { recursive: true });
writeFileSync(out + '/weights.json', JSON.stringify({ a: +a.toFixed(12), b: +b.toFixed(12), ...(noise ? { nonce: Math.random() } : {}) }) + '\\n');
writeFileSync('metrics.json', JSON.stringify({ mse: +mse.toFixed(12), rows: rows.length, threads: Number(process.env.OMP_NUM_THREADS ?? 0) }) + '\\n');
if (process.env.FAIL_AFTER_TRAINING) process.exit(3);
`;

const TRAIN_PY = join(import.meta.dirname, '../../test/fixtures/training/train.py');

function project(script: 'node' | 'python' = 'node'): string {
  const dir = join(work, `p${counter++}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  if (script === 'node') writeFileSync(join(dir, 'train.mjs'), TRAIN_MJS);
  else copyFileSync(TRAIN_PY, join(dir, 'train.py'));
  writeFileSync(join(dir, 'data/part-0.csv'), 'x,y\n1,3\n2,5\n3,7\n');
  writeFileSync(join(dir, 'data/part-1.csv'), 'x,y\n4,9\n5,11\n');
  writeFileSync(join(dir, 'requirements.txt'), 'numpy==1.26.4\n');
  writeFileSync(join(dir, '.gitignore'), 'model/\nmetrics.json\n.pedigree/\n*.snapshot.json\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
      cwd: dir,
      stdio: 'ignore',
    });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  return dir;
}

const NODE_COMMAND = [process.execPath, 'train.mjs', 'data', 'model'];

async function recordNode(dir: string, seed = '42'): Promise<ProvenanceStatement> {
  const record = await recordRun({
    command: NODE_COMMAND,
    cwd: dir,
    inputs: ['data'],
    outputs: ['model'],
    metricsFile: 'metrics.json',
    seed,
    python: false,
    stdio: 'ignore',
  });
  expect(record.problems).toEqual([]);
  // Through JSON, as a record file is read.
  return parseLineageRecord(JSON.stringify(record.statement), 'record').statement;
}

const repro = (
  statement: ProvenanceStatement,
  cwd: string,
  more: Partial<Parameters<typeof reproduceRun>[0]> = {},
) => reproduceRun({ statement, cwd, stdio: 'ignore', ...more });

describe('reproduceRun with a Node training script', () => {
  it('reproduces identically, with the environment matching, and leaves the workspace as it was', async () => {
    const dir = project();
    // Records are not git-ignored here: the set-aside folder must still not make the code look dirty.
    writeFileSync(join(dir, '.gitignore'), 'model/\nmetrics.json\n');
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qam', 'x'], {
      cwd: dir,
    });
    const statement = await recordNode(dir);
    const weights = readFileSync(join(dir, 'model/weights.json'), 'utf8');
    writeFileSync(join(dir, 'model/notes.txt'), 'mine');
    const result = await repro(statement, dir);
    expect(result.parity).toEqual({ matches: true, differences: [], notes: [] });
    expect(result.verdict).toBe('identical');
    expect(result.outputs).toEqual([
      {
        name: 'model/weights.json',
        role: 'output',
        status: 'same',
        recorded: expect.any(String),
        current: expect.any(String),
      },
      {
        name: 'metrics.json',
        role: 'metrics',
        status: 'same',
        recorded: expect.any(String),
        current: expect.any(String),
      },
    ]);
    expect(result.rerun?.statement.predicate.buildDefinition.internalParameters).toEqual({
      reproductionOf: statement.predicate.runDetails.metadata.invocationId,
    });
    // The user's folder is back as it was; the re-run's outputs are kept aside.
    expect(readFileSync(join(dir, 'model/notes.txt'), 'utf8')).toBe('mine');
    expect(result.workspace).toMatchObject({ mode: 'restored', problems: [] });
    const folder = result.workspace.folder as string;
    expect(readFileSync(join(folder, 'outputs/model/weights.json'), 'utf8')).toBe(weights);
    expect(existsSync(join(folder, 'outputs/model/notes.txt'))).toBe(false);
    expect(readFileSync(join(dir, '.pedigree/repro/.gitignore'), 'utf8')).toBe('*\n');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe('');
    expect(resolveRunDirectory(statement, join(dir, 'data'))).toBe(dir);
  });

  it('catches a changed input: parity names it before the run, and the re-run diverges', async () => {
    const dir = project();
    const statement = await recordNode(dir);
    appendFileSync(join(dir, 'data/part-1.csv'), '6,13\n');
    const parity = await checkParity(statement, { cwd: dir });
    expect(parity.matches).toBe(false);
    expect(parity.differences).toContainEqual({
      category: 'input',
      name: 'data',
      recorded: expect.stringMatching(/^sha256:[0-9a-f]{12}… \(2 files\)$/),
      current: expect.stringMatching(/^sha256:[0-9a-f]{12}… \(2 files\)$/),
      detail: 'the input changed: the re-run will likely diverge',
    });
    // The data is tracked in git, so the code's uncommitted changes differ too.
    expect(parity.differences.map((d) => `${d.category}:${d.name}`)).toContain('code:uncommitted changes');
    const result = await repro(statement, dir, { parity, settings: { tolerance: { relative: 0.1 } } });
    expect(result.verdict).toBe('diverged');
    expect(result.metrics.find((m) => m.name === 'rows')).toMatchObject({
      status: 'outside',
      recorded: 5,
      current: 6,
    });
  });

  it('catches a changed seed: another seed gives another model, and a re-run with it diverges', async () => {
    const dir = project();
    const seed42 = await recordNode(dir, '42');
    const seed7 = await recordNode(dir, '7');
    expect(seed7.subject[0]?.digest.sha256).not.toBe(seed42.subject[0]?.digest.sha256);
    // Both runs read the same dataset (one node) and made different models.
    const graph = buildLineage(
      [
        { file: 'a.provenance.json', statement: seed42, signed: false },
        { file: 'b.provenance.json', statement: seed7, signed: false },
      ],
      [],
    );
    const data = matchArtifacts(graph, { by: 'name', name: 'data' });
    expect(data).toHaveLength(1);
    const down = traceLineage(graph, data, 'downstream');
    expect(down.nodes.filter((n) => n.kind === 'model')).toHaveLength(2);
    const result = await repro(seed42, dir, { seed: '7' });
    expect(result.parity.differences).toContainEqual({
      category: 'parameter',
      name: 'seed',
      recorded: '42',
      current: '7',
      detail: 'the re-run uses the seed given',
    });
    expect(result.verdict).toBe('diverged');
    expect(result.rerun?.statement.predicate.buildDefinition.externalParameters.seed).toBe(7);
  });

  it('catches a changed dependency in the lockfile (and still reproduces when the script does not use it)', async () => {
    const dir = project();
    const statement = await recordNode(dir);
    writeFileSync(join(dir, 'requirements.txt'), 'numpy==2.0.0\nrequests==2.32.3\n');
    const result = await repro(statement, dir);
    expect(result.parity.differences).toContainEqual({
      category: 'package',
      name: 'numpy',
      recorded: '1.26.4',
      current: '2.0.0',
      detail: 'locked in requirements.txt',
    });
    expect(result.parity.differences).toContainEqual({
      category: 'package',
      name: 'requests',
      current: '2.32.3',
      detail: 'locked in requirements.txt',
    });
    expect(result.verdict).toBe('identical');
    rmSync(join(dir, 'requirements.txt'));
    expect((await checkParity(statement, { cwd: dir })).differences).toContainEqual({
      category: 'package',
      name: 'requirements.txt',
      recorded: 'lockfile',
      detail: 'the lockfile is not there now',
    });
  });

  it('gives the re-run the recorded variables, not the shell\u2019s, and says so', async () => {
    const dir = project();
    process.env.OMP_NUM_THREADS = '2';
    const statement = await recordNode(dir);
    process.env.OMP_NUM_THREADS = '8';
    const result = await repro(statement, dir);
    expect(result.parity.differences).toEqual([
      {
        category: 'variable',
        name: 'OMP_NUM_THREADS',
        recorded: '2',
        current: '8',
        correctedForRerun: true,
        detail: 'the re-run gets the recorded state',
      },
    ]);
    expect(result.parity.matches).toBe(true);
    // The script echoes the value it got into its metrics: the recorded one.
    expect(result.metrics.find((m) => m.name === 'threads')).toMatchObject({ status: 'equal', current: 2 });
    expect(result.verdict).toBe('identical');
    expect(process.env.OMP_NUM_THREADS).toBe('8');
  });

  it('is equivalent when outputs differ but metrics stay within tolerance, diverged without one', async () => {
    const dir = project();
    const statement = await recordNode(dir);
    process.env.NOISE = '1e-9';
    const loose = await repro(statement, dir, { settings: { tolerance: { absolute: 1e-6 } } });
    expect(loose.verdict).toBe('equivalent');
    expect(loose.outputs.find((o) => o.name === 'model/weights.json')?.status).toBe('changed');
    const strict = await repro(statement, dir);
    expect(strict.verdict).toBe('diverged');
    expect(strict.reasons.join('\n')).toMatch(/metric mse: .* outside the tolerance/);
  });

  it('reports a failing re-run as failed and still puts the outputs back', async () => {
    const dir = project();
    const statement = await recordNode(dir);
    const before = readFileSync(join(dir, 'model/weights.json'), 'utf8');
    process.env.FAIL_AFTER_TRAINING = '1';
    const result = await repro(statement, dir);
    expect(result.verdict).toBe('failed');
    expect(result.reasons[0]).toMatch(/the command exited with status 3/);
    expect(readFileSync(join(dir, 'model/weights.json'), 'utf8')).toBe(before);
    rmSync(join(dir, 'data'), { recursive: true });
    delete process.env.FAIL_AFTER_TRAINING;
    const missing = await repro(statement, dir);
    expect(missing.verdict).toBe('failed');
    expect(missing.reasons[0]).toMatch(/could not start: --input data/);
    expect(missing.parity.differences).toContainEqual(
      expect.objectContaining({
        category: 'input',
        name: 'data',
        detail: expect.stringMatching(/cannot be read now/),
      }),
    );
  });

  it('refuses outputs outside the folder or overlapping an input, unless told to overwrite', async () => {
    const dir = project();
    const statement = await recordNode(dir);
    const params = statement.predicate.buildDefinition.externalParameters;
    const withOutputs = (outputs: string[]): ProvenanceStatement => ({
      ...statement,
      predicate: {
        ...statement.predicate,
        buildDefinition: {
          ...statement.predicate.buildDefinition,
          externalParameters: { ...params, outputs },
        },
      },
    });
    await expect(repro(withOutputs(['../elsewhere']), dir)).rejects.toThrow(/not inside the run folder/);
    await expect(repro(withOutputs(['/etc']), dir)).rejects.toThrow(UsageError);
    await expect(repro(withOutputs(['data/part-0.csv']), dir)).rejects.toThrow(/overlaps input "data"/);
    await expect(repro(withOutputs(['.pedigree/x']), dir)).rejects.toThrow(/inside \.pedigree/);
    writeFileSync(join(dir, 'model/notes.txt'), 'mine');
    // In place, the file left in the output folder becomes part of the re-run's output.
    const overwritten = await repro(statement, dir, { overwrite: true });
    expect(overwritten.verdict).toBe('diverged');
    expect(overwritten.reasons).toEqual(['output files not in the record: model/notes.txt']);
    expect(overwritten.workspace).toEqual({ mode: 'overwritten', problems: [] });
    expect(existsSync(join(dir, 'model/notes.txt'))).toBe(true);
    const wd = {
      ...statement,
      predicate: {
        ...statement.predicate,
        buildDefinition: {
          ...statement.predicate.buildDefinition,
          externalParameters: { ...params, workingDirectory: '../x' },
        },
      },
    };
    expect(() => resolveRunDirectory(wd, dir)).toThrow(/leaves the repository/);
  });

  it('compares the interpreter and its installed packages', async () => {
    const dir = project();
    // Stand-in interpreters: they answer pedigree's probe with a fixed environment.
    const fake = (name: string, version: string, packages: [string, string][]) => {
      const path = join(work, `${name}-${counter++}`);
      writeFileSync(
        path,
        `#!${process.execPath}\nconsole.log(JSON.stringify(${JSON.stringify({ executable: `/opt/${name}/bin/python`, version, implementation: 'CPython', packages })}))\n`,
      );
      chmodSync(path, 0o755);
      return path;
    };
    const before = fake('py311', '3.11.9', [
      ['numpy', '1.26.4'],
      ['torch', '2.3.0'],
    ]);
    const after = fake('py312', '3.12.4', [
      ['NumPy', '2.0.0'],
      ['safetensors', '0.4.3'],
    ]);
    const record = await recordRun({
      command: NODE_COMMAND,
      cwd: dir,
      outputs: ['model'],
      python: before,
      stdio: 'ignore',
    });
    const parity = await checkParity(record.statement, { cwd: dir, python: after });
    const by = (category: string) => parity.differences.filter((d) => d.category === category);
    expect(by('interpreter')).toEqual([
      { category: 'interpreter', name: 'python', recorded: '3.11.9', current: '3.12.4' },
      {
        category: 'interpreter',
        name: 'executable',
        recorded: '/opt/py311/bin/python',
        current: '/opt/py312/bin/python',
      },
    ]);
    expect(by('package').map((d) => [d.name, d.recorded, d.current])).toEqual([
      ['numpy', '1.26.4', '2.0.0'],
      ['safetensors', undefined, '0.4.3'],
      ['torch', '2.3.0', undefined],
    ]);
    const none = await checkParity(record.statement, { cwd: dir, python: false });
    expect(none.notes).toContain('the interpreter was not compared (--no-python)');
    const broken = await checkParity(record.statement, { cwd: dir, python: join(work, 'no-such-python') });
    expect(broken.differences).toContainEqual(
      expect.objectContaining({ category: 'interpreter', name: 'python', recorded: '3.11.9' }),
    );
  });
});

describe.skipIf(!hasPython)('end to end with a Python training script (train.py)', () => {
  it('snapshots, records, shows lineage, reproduces, and catches a changed input, seed and dependency', async () => {
    const dir = project('python');
    const snapshot = await createSnapshot(join(dir, 'data'), { outputPath: join(dir, 'data.snapshot.json') });
    writeFileSync(join(dir, 'data.snapshot.json'), serializeSnapshot(snapshot));
    const run = async (seed: string) => {
      const record = await recordRun({
        command: ['python3', 'train.py', 'data', 'model'],
        cwd: dir,
        inputs: ['data'],
        outputs: ['model'],
        metricsFile: 'metrics.json',
        seed,
        stdio: 'ignore',
      });
      expect(record.status).toBe('succeeded');
      const id = record.statement.predicate.runDetails.metadata.invocationId;
      mkdirSync(join(dir, '.pedigree/runs'), { recursive: true });
      writeFileSync(join(dir, `.pedigree/runs/${id}.provenance.json`), JSON.stringify(record.statement));
      return record.statement;
    };
    const first = await run('42');
    const { readLineageSources } = await import('./lineage.js');
    const sources = readLineageSources(dir);
    expect(sources.problems).toEqual([]);
    const graph = buildLineage(sources.records, sources.snapshots);
    // dataset (the snapshot's digest is the input's) → run → model
    expect(graph.nodes.find((n) => n.kind === 'dataset')).toMatchObject({
      digest: { sha256: snapshot.digest.sha256 },
      snapshots: ['data.snapshot.json'],
    });
    const produced = traceLineage(graph, matchArtifacts(graph, { by: 'name', name: 'model' }), 'upstream');
    expect(produced.nodes.map((n) => n.kind).sort()).toEqual(['dataset', 'model', 'run']);

    expect((await repro(first, dir)).verdict).toBe('identical');

    // Another seed: another model, and re-running the first record with it diverges.
    const second = await run('7');
    expect(second.subject[0]?.digest.sha256).not.toBe(first.subject[0]?.digest.sha256);
    expect((await repro(first, dir, { seed: '7' })).verdict).toBe('diverged');

    // A changed dependency is listed before the run.
    writeFileSync(join(dir, 'requirements.txt'), 'numpy==2.0.0\n');
    expect((await checkParity(first, { cwd: dir })).differences).toContainEqual(
      expect.objectContaining({ category: 'package', name: 'numpy', recorded: '1.26.4', current: '2.0.0' }),
    );

    // A changed input: named by parity, and the re-run diverges.
    writeFileSync(join(dir, 'data/part-0.csv'), 'x,y\n1,3\n2,5\n3,8\n');
    const changed = await repro(first, dir);
    expect(changed.parity.differences).toContainEqual(
      expect.objectContaining({ category: 'input', name: 'data' }),
    );
    expect(changed.verdict).toBe('diverged');
  });
});
