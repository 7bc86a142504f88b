import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { byproduct, parseProvenance, runStatus } from './provenance.js';
import { readMetrics, recordRun } from './run.js';

const TRAIN = join(import.meta.dirname, '../../test/fixtures/training/train.py');
const work = mkdtempSync(join(tmpdir(), 'pedigree-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'pass']);
    return true;
  } catch {
    return false;
  }
})();

function project(): string {
  const dir = join(work, `p${counter++}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  copyFileSync(TRAIN, join(dir, 'train.py'));
  writeFileSync(join(dir, 'data/part-0.csv'), 'x,y\n1,3\n2,5\n3,7\n');
  writeFileSync(join(dir, 'data/part-1.csv'), 'x,y\n4,9\n5,11\n');
  writeFileSync(join(dir, 'requirements.txt'), 'numpy==1.26.4\n');
  writeFileSync(join(dir, '.gitignore'), 'model/\nmetrics.json\n.pedigree/\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'init');
  return dir;
}

describe.skipIf(!hasPython)('pedigree run', () => {
  it('records code, inputs, environment, seed, outputs and metrics of a real training run', async () => {
    const dir = project();
    const record = await recordRun({
      command: ['python3', 'train.py', 'data', 'model'],
      cwd: dir,
      inputs: ['data'],
      baseModels: ['acme/base-model@0123abc'],
      outputs: ['model'],
      metricsFile: 'metrics.json',
      seed: '42',
      stdio: 'ignore',
      version: '0.0.0-test',
    });
    expect(record.problems).toEqual([]);
    expect(record.status).toBe('succeeded');
    const s = parseProvenance(JSON.parse(JSON.stringify(record.statement)), 'record');
    expect(runStatus(s)).toBe('succeeded');
    expect(s.subject.map((x) => x.name)).toEqual(['model/weights.json']);
    const p = s.predicate.buildDefinition;
    expect(p.externalParameters).toMatchObject({
      command: ['python3', 'train.py', 'data', 'model'],
      workingDirectory: '.',
      seed: 42,
      inputs: ['data'],
      outputs: ['model'],
      metricsFile: 'metrics.json',
    });
    expect(p.externalParameters.environment.PEDIGREE_SEED).toBe('42');
    const kinds = p.resolvedDependencies.map((d) => d.annotations?.kind);
    expect(kinds).toContain('code');
    const code = p.resolvedDependencies.find((d) => d.name === 'code');
    expect(code?.digest?.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(code?.annotations?.dirty).toBe(false);
    const data = p.resolvedDependencies.find((d) => d.name === 'data');
    expect(data).toMatchObject({ uri: 'file:data', annotations: { kind: 'dataset', files: 2 } });
    expect(p.resolvedDependencies.find((d) => d.annotations?.kind === 'model')).toMatchObject({
      uri: 'pkg:huggingface/acme/base-model@0123abc',
    });
    expect(p.resolvedDependencies.find((d) => d.uri === 'pkg:pypi/numpy@1.26.4')).toMatchObject({
      annotations: { kind: 'package', source: 'requirements.txt' },
    });
    expect(p.resolvedDependencies.find((d) => d.annotations?.kind === 'interpreter')).toBeDefined();
    const metrics = byproduct(s, 'pedigree.metrics');
    expect(metrics?.annotations?.metrics).toMatchObject({ rows: 5 });
    expect(byproduct(s, 'pedigree.environment')?.annotations).toMatchObject({
      cpu: { count: expect.any(Number) },
    });
  });

  it('records a failing command as failed, and a missing output as a failure', async () => {
    const dir = project();
    const failing = await recordRun({
      command: ['python3', 'train.py', 'data', 'model'],
      cwd: dir,
      outputs: ['model'],
      stdio: 'ignore',
      python: false,
      recordEnv: ['FAIL_AFTER_TRAINING'],
    });
    expect(failing.status).toBe('succeeded');
    process.env.FAIL_AFTER_TRAINING = '1';
    try {
      const failed = await recordRun({
        command: ['python3', 'train.py'],
        cwd: dir,
        stdio: 'ignore',
        python: false,
      });
      expect(failed.status).toBe('failed');
      expect(failed.exitCode).toBe(3);
      expect(byproduct(failed.statement, 'pedigree.run')?.annotations).toMatchObject({
        status: 'failed',
        exitCode: 3,
        problems: ['the command exited with status 3'],
      });
    } finally {
      delete process.env.FAIL_AFTER_TRAINING;
    }
    const missing = await recordRun({
      command: ['true'],
      cwd: dir,
      outputs: ['nothing-here'],
      stdio: 'ignore',
      python: false,
    });
    expect(missing.status).toBe('failed');
    expect(missing.problems.join('\n')).toMatch(/output nothing-here was not produced/);
    const noStart = await recordRun({
      command: ['no-such-command-xyz'],
      cwd: dir,
      stdio: 'ignore',
      python: false,
    });
    expect(noStart.status).toBe('failed');
    expect(noStart.problems.join('\n')).toMatch(/could not start/);
  });

  it('marks uncommitted code as dirty with a diff digest, and never records credentials', async () => {
    const dir = project();
    writeFileSync(join(dir, 'train.py'), `${'# changed\n'}${readFileSync(TRAIN, 'utf8')}`);
    process.env.MY_API_TOKEN = 'secret-value';
    process.env.OMP_NUM_THREADS = '4';
    try {
      const record = await recordRun({
        command: ['python3', 'train.py'],
        cwd: dir,
        stdio: 'ignore',
        python: false,
        recordEnv: ['MY_API_TOKEN'],
      });
      const code = record.statement.predicate.buildDefinition.resolvedDependencies.find(
        (d) => d.name === 'code',
      );
      expect(code?.annotations).toMatchObject({
        dirty: true,
        diffSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(JSON.stringify(record.statement)).not.toContain('secret-value');
      expect(record.statement.predicate.buildDefinition.externalParameters.environment).toEqual({
        OMP_NUM_THREADS: '4',
      });
      expect(byproduct(record.statement, 'pedigree.environment')?.annotations?.redactedVariables).toEqual([
        'MY_API_TOKEN',
      ]);
    } finally {
      delete process.env.MY_API_TOKEN;
      delete process.env.OMP_NUM_THREADS;
    }
  });

  it('reads numeric metrics from JSON and YAML, flattened', () => {
    const json = join(work, 'm.json');
    writeFileSync(json, '{"eval": {"acc": 0.9, "f1": [0.1, 0.2]}, "name": "x"}');
    expect(readMetrics(json).metrics).toEqual({ 'eval.acc': 0.9, 'eval.f1.0': 0.1, 'eval.f1.1': 0.2 });
    const yaml = join(work, 'm.yaml');
    writeFileSync(yaml, 'loss: 0.5\n');
    expect(readMetrics(yaml).metrics).toEqual({ loss: 0.5 });
    writeFileSync(json, '{');
    expect(readMetrics(json).problem).toMatch(/not JSON/);
  });
});
