import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../policy/config-schema.js';
import { buildLineage, matchArtifacts, traceLineage } from '../../provenance/lineage.js';
import type { ProvenanceStatement } from '../../provenance/provenance.js';
import { recordRun } from '../../provenance/run.js';
import { signToBundle } from '../../trust/bundle-write.js';
import { readPrivateKey } from '../../trust/keys.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../trust/oms/bundle.js';
import { runCli } from '../main.js';
import { memoryIo } from '../test-io.js';
import { MAX_TREE_DEPTH, renderQueryText } from './lineage.js';

const work = mkdtempSync(join(tmpdir(), 'pedigree-provenance-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.NOISE;
});
let counter = 0;

async function run(...argv: string[]) {
  const { io, out } = memoryIo();
  const code = await runCli(argv, io);
  return { code, ...out };
}

/** A deterministic Node training script: seeded weights from data/*.csv; NOISE makes the outputs vary. */
const TRAIN_MJS = `import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
const [data, out] = process.argv.slice(2);
let rows = 0, sum = 0;
for (const f of readdirSync(data).sort())
  for (const line of readFileSync(data + '/' + f, 'utf8').split('\\n').slice(1))
    if (line.trim()) { rows++; sum += line.split(',').map(Number).reduce((a, b) => a + b, 0); }
const noise = process.env.NOISE ? Math.random() * Number(process.env.NOISE) : 0;
const w = (sum * 31 + Number(process.env.PEDIGREE_SEED ?? 0)) % 1000;
mkdirSync(out, { recursive: true });
writeFileSync(out + '/weights.json', JSON.stringify({ w, nonce: noise ? Math.random() : 0 }) + '\\n');
writeFileSync('metrics.json', JSON.stringify({ loss: w / 1000 + noise, rows }) + '\\n');
`;

function project(): string {
  const dir = join(work, `p${counter++}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'train.mjs'), TRAIN_MJS);
  writeFileSync(join(dir, 'data/part-0.csv'), 'x,y\n1,3\n2,5\n');
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

/** A minimal run that reads content `input` and writes content `output` (for chains built in code). */
function chainStatement(n: number, input: string, output: string): ProvenanceStatement {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'out', digest: { sha256: output } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://pedigree.dev/buildtypes/training-run/v1',
        externalParameters: {
          command: ['x'],
          workingDirectory: '.',
          inputs: [],
          outputs: [],
          environment: {},
        },
        resolvedDependencies: [{ name: 'in', digest: { sha256: input }, annotations: { kind: 'file' } }],
      },
      runDetails: {
        builder: { id: 'b' },
        metadata: {
          invocationId: `run-${n}`,
          startedOn: '2026-01-01T00:00:00Z',
          finishedOn: '2026-01-01T00:00:00Z',
        },
        byproducts: [{ name: 'pedigree.run', annotations: { status: 'succeeded', exitCode: 0 } }],
      },
    },
  };
}

/** Records a run of the script in `dir` and writes the record where `pedigree run` would. */
async function record(dir: string, seed = '42'): Promise<{ file: string; statement: ProvenanceStatement }> {
  const r = await recordRun({
    command: [process.execPath, 'train.mjs', 'data', 'model'],
    cwd: dir,
    inputs: ['data'],
    outputs: ['model'],
    metricsFile: 'metrics.json',
    seed,
    python: false,
    stdio: 'ignore',
  });
  expect(r.status).toBe('succeeded');
  const id = r.statement.predicate.runDetails.metadata.invocationId;
  const file = join(dir, '.pedigree/runs', `${id}.provenance.json`);
  mkdirSync(join(dir, '.pedigree/runs'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(r.statement, null, 2)}\n`);
  return { file, statement: r.statement };
}

describe('pedigree lineage', () => {
  it('shows dataset → run → model from a snapshot and a record, as text, JSON, Mermaid and DOT', async () => {
    const dir = project();
    expect(
      (await run('data', 'snapshot', join(dir, 'data'), '-o', join(dir, 'data.snapshot.json'), '-q')).code,
    ).toBe(0);
    const { statement } = await record(dir);
    const id = statement.predicate.runDetails.metadata.invocationId.slice(0, 8);
    const text = await run('lineage', dir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^lineage {2}.*: 1 run, 1 dataset, 0 files, 1 model; 1 record \(0 signed\), 1 snapshot$/m,
    );
    expect(text.stdout).toContain(`run ${id} succeeded`);
    expect(text.stdout).toMatch(/record {3}\.pedigree\/runs\/.*\.provenance\.json \(unsigned\)/);
    expect(text.stdout).toMatch(
      /input {4}dataset data {2}sha256:[0-9a-f]{16}… \(1 file, \d+ bytes\) \[snapshot data\.snapshot\.json\]/,
    );
    expect(text.stdout).toMatch(/output {3}model model {2}sha256:/);
    expect(text.stdout).toMatch(/metrics {2}loss=[\d.]+, rows=2/);

    const json = await run('lineage', dir, '-f', 'json');
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ schemaVersion: '1.0.0', tool: { name: 'pedigree' }, problems: [] });
    expect(report.nodes.map((n: { kind: string }) => n.kind).sort()).toEqual(['dataset', 'model', 'run']);
    expect(report.edges.map((e: { relation: string }) => e.relation).sort()).toEqual(['input', 'output']);
    expect((await run('lineage', dir, '-f', 'json')).stdout).toBe(json.stdout);

    const mermaid = await run('lineage', dir, '-f', 'mermaid');
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    expect(mermaid.stdout).toMatch(/-->\|input\|/);
    const dot = await run('lineage', dir, '-f', 'dot', '-o', join(dir, 'lineage.dot'));
    expect(dot.stdout).toBe('');
    expect(existsSync(join(dir, 'lineage.dot'))).toBe(true);
  });

  it('answers what produced a model and what used a file, with exit 1 when no run did', async () => {
    const dir = project();
    const first = await record(dir, '1');
    // A second run trains on the first run's model folder (a derived input, matched by digest).
    const chained = await recordRun({
      command: [
        process.execPath,
        '-e',
        "require('fs').mkdirSync('final',{recursive:true});require('fs').writeFileSync('final/m','x')",
      ],
      cwd: dir,
      inputs: ['model'],
      outputs: ['final'],
      python: false,
      stdio: 'ignore',
    });
    writeFileSync(join(dir, '.pedigree/runs/chained.provenance.json'), JSON.stringify(chained.statement));
    const produced = await run('lineage', dir, '--produced-by', join(dir, 'final/m'));
    expect(produced.code, produced.stdout).toBe(0);
    expect(produced.stdout).toMatch(/^what produced .*final\/m sha256:/);
    expect(produced.stdout).toMatch(/└─ produced by run .* succeeded/);
    expect(produced.stdout).toMatch(/input dataset \(derived\) model/);
    expect(produced.stdout).toContain(
      `produced by run ${first.statement.predicate.runDetails.metadata.invocationId.slice(0, 8)}`,
    );
    const used = await run('lineage', dir, '--used', join(dir, 'data'), '-f', 'json');
    expect(used.code).toBe(0);
    const answer = JSON.parse(used.stdout);
    // The run that read the data directly, and downstream of it the run that read its model.
    expect(answer.query.runs).toEqual([`run:${first.statement.predicate.runDetails.metadata.invocationId}`]);
    expect(answer.nodes.filter((n: { kind: string }) => n.kind === 'run')).toHaveLength(2);
    expect(answer.nodes.filter((n: { kind: string }) => n.kind === 'model')).toHaveLength(1);

    const raw = await run('lineage', dir, '--produced-by', join(dir, 'data'));
    expect(raw.code).toBe(1);
    expect(raw.stdout).toMatch(/no recorded run produced it/);
    const unknown = await run('lineage', dir, '--used', `sha256:${'0'.repeat(64)}`);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/nothing recorded has sha256:0{64}/);
    // A changed file has another digest: the answer says it looked at the content as it is now.
    appendFileSync(join(dir, 'data/part-0.csv'), '3,7\n');
    expect((await run('lineage', dir, '--used', join(dir, 'data'))).stdout).toMatch(/as it is now/);
    expect((await run('lineage', dir, '--used', 'x', '--produced-by', 'y')).code).toBe(2);
    expect((await run('lineage', join(dir, 'missing'))).code).toBe(2);
  });

  it('reports malformed records as problems and goes on', async () => {
    const dir = project();
    await record(dir);
    writeFileSync(
      join(dir, '.pedigree/runs/broken.provenance.json'),
      '{"_type": "https://in-toto.io/Statement/v1"}',
    );
    const text = await run('lineage', dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/1 run/);
    expect(text.stdout).toMatch(
      /problems \(1\)\n {2}\.pedigree\/runs\/broken\.provenance\.json: statement\.subject: /,
    );
    const json = await run('lineage', dir, '-f', 'json');
    expect(JSON.parse(json.stdout).problems).toEqual([
      {
        file: '.pedigree/runs/broken.provenance.json',
        message: expect.stringMatching(/^statement\.subject/),
      },
    ]);
    expect(json.stderr).toMatch(
      /pedigree lineage: \.pedigree\/runs\/broken\.provenance\.json: statement\.subject/,
    );
  });

  it('says which records are signed, checks them with --key, and leaves out those that do not verify', async () => {
    const dir = project();
    const { statement } = await record(dir);
    rmSync(join(dir, '.pedigree/runs'), { recursive: true });
    const key = join(work, `k${counter++}.pem`);
    expect((await run('keygen', '-o', key)).code).toBe(0);
    const other = join(work, `k${counter++}.pem`);
    expect((await run('keygen', '-o', other)).code).toBe(0);
    mkdirSync(join(dir, '.pedigree/runs'), { recursive: true });
    const bundle = signToBundle(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), {
      kind: 'key',
      privateKey: readPrivateKey(key),
    });
    writeFileSync(join(dir, '.pedigree/runs/r.provenance.sigstore.json'), bundle);
    expect((await run('lineage', dir)).stdout).toMatch(
      /r\.provenance\.sigstore\.json \(signed, signature not checked\)/,
    );
    const verified = await run('lineage', dir, '--key', key.replace(/\.pem$/, '.pub.pem'));
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/\(signed, verified: key [0-9a-f]+\)/);
    const wrong = await run('lineage', dir, '--key', other.replace(/\.pem$/, '.pub.pem'));
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/0 runs/);
    expect(wrong.stdout).toMatch(/r\.provenance\.sigstore\.json: the signature does not verify .*left out/);

    // repro refuses what does not verify, and an unsigned record when a key is given.
    const refused = await run(
      'repro',
      join(dir, '.pedigree/runs/r.provenance.sigstore.json'),
      '--cwd',
      dir,
      '--key',
      other.replace(/\.pem$/, '.pub.pem'),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/NOT verified: .*; not re-run/);
    writeFileSync(join(work, 'plain.provenance.json'), JSON.stringify(statement));
    const unsigned = await run(
      'repro',
      join(work, 'plain.provenance.json'),
      '--cwd',
      dir,
      '--key',
      key.replace(/\.pem$/, '.pub.pem'),
    );
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toMatch(/the record is not signed/);
    expect(existsSync(join(dir, '.pedigree/repro'))).toBe(false);
    const ok = await run(
      'repro',
      join(dir, '.pedigree/runs/r.provenance.sigstore.json'),
      '--cwd',
      dir,
      '--key',
      key.replace(/\.pem$/, '.pub.pem'),
    );
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/signature verified: key/);
  });
});

describe('renderQueryText', () => {
  it('stops a very deep chain at MAX_TREE_DEPTH levels instead of printing ever-longer lines', () => {
    const hex = (n: number) => n.toString(16).padStart(64, '0');
    const records = Array.from({ length: 100 }, (_, i) => ({
      file: `${i}.provenance.json`,
      statement: chainStatement(i, hex(i), hex(i + 1)),
      signed: false,
    }));
    const graph = buildLineage(records, []);
    const matched = matchArtifacts(graph, { by: 'digest', sha256: hex(100) });
    const text = renderQueryText(
      traceLineage(graph, matched, 'upstream'),
      matched,
      'upstream',
      'what produced',
      false,
    );
    expect(text).toContain(`deeper than ${MAX_TREE_DEPTH} levels: see -f json`);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThan(400);
  });
});

describe('pedigree repro', () => {
  it('re-runs a record: identical (exit 0), records the re-run, and lineage shows the reproduction', async () => {
    const dir = project();
    const { file, statement } = await record(dir);
    const result = await run('repro', file, '--cwd', dir, '--record');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^parity {4}the environment matches the record$/m);
    expect(result.stderr).toMatch(
      /re-running .*train\.mjs data model in .* \(existing outputs set aside and put back afterwards\)/,
    );
    expect(result.stdout).toMatch(
      /^outputs\n {2}same {5}model\/weights\.json\n {2}same {5}metrics\.json \(metrics file\)$/m,
    );
    expect(result.stdout).toMatch(/IDENTICAL: every output has the recorded digest\n$/);
    expect(result.stderr).toMatch(/the re-run's provenance is in .*\.pedigree\/runs\/.*\.provenance\.json/);
    expect(readdirSync(join(dir, '.pedigree/runs'))).toHaveLength(2);
    const lineage = await run('lineage', dir);
    expect(lineage.stdout).toContain(
      `re-runs  run ${statement.predicate.runDetails.metadata.invocationId.slice(0, 8)}`,
    );
    expect((await run('lineage', dir, '-f', 'mermaid')).stdout).toMatch(/-\.->\|reproduces\|/);

    const json = await run('repro', file, '--cwd', dir, '-f', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      schemaVersion: '1.0.0',
      record: { signed: false },
      parity: { matches: true, differences: [] },
      verdict: 'identical',
      workspace: { mode: 'restored' },
    });
    const quiet = await run('repro', file, '--cwd', dir, '-q');
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toMatch(/IDENTICAL\n$/);
  });

  it('lists a changed input with --dry-run (exit 1, nothing run), and a full re-run diverges', async () => {
    const dir = project();
    const { file } = await record(dir);
    appendFileSync(join(dir, 'data/part-0.csv'), '3,7\n');
    const dry = await run('repro', file, '--cwd', dir, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(
      /^ {2}input {7}data: sha256:[0-9a-f]{12}… \(1 file\) → sha256:[0-9a-f]{12}… \(1 file\) {2}\(the input changed: the re-run will likely diverge\)$/m,
    );
    expect(dry.stdout).toMatch(/DIFFERENCES: .*dry run: not re-run/);
    expect(existsSync(join(dir, '.pedigree/repro'))).toBe(false);
    const full = await run('repro', file, '--cwd', dir, '-o', join(dir, 'report.txt'));
    expect(full.code).toBe(1);
    expect(full.stdout).toBe('');
    const report = (await import('node:fs')).readFileSync(join(dir, 'report.txt'), 'utf8');
    expect(report).toMatch(/input {7}data/);
    expect(report).toMatch(/DIVERGED: .*output.* differ: model\/weights\.json.*metric loss/);
  });

  it('applies the repro: tolerances of pedigree.yaml (said where from), or --abs-tol', async () => {
    const dir = project();
    const { file } = await record(dir);
    writeFileSync(
      join(dir, 'pedigree.yaml'),
      'repro:\n  tolerance: { absolute: 0.000001 }\n  ignore: ["time.*"]\n',
    );
    process.env.NOISE = '1e-9';
    const equivalent = await run('repro', file, '--cwd', dir);
    expect(equivalent.code, equivalent.stdout).toBe(0);
    expect(equivalent.stdout).toMatch(
      /tolerance .*pedigree\.yaml \(found in the run folder: pass --config to use your own, or --no-config\)/,
    );
    expect(equivalent.stdout).toMatch(/ {2}within {3}loss /);
    expect(equivalent.stdout).toMatch(/EQUIVALENT: outputs differ, metrics are within tolerance/);
    const strict = await run('repro', file, '--cwd', dir, '--no-config');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/DIVERGED/);
    expect((await run('repro', file, '--cwd', dir, '--no-config', '--abs-tol', '1e-6')).code).toBe(0);
    writeFileSync(join(dir, 'pedigree.yaml'), 'repro:\n  tolerance: { absolute: -1 }\n');
    const bad = await run('repro', file, '--cwd', dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/repro\.tolerance\.absolute/);
  });

  it('exits 2 on bad input', async () => {
    const dir = project();
    const { file } = await record(dir);
    expect((await run('repro', join(dir, 'missing.json'))).code).toBe(2);
    writeFileSync(join(dir, 'bad.provenance.json'), '{');
    const bad = await run('repro', join(dir, 'bad.provenance.json'), '--cwd', dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.provenance\.json: not JSON/);
    expect((await run('repro', file, '--cwd', dir, '--seed', 'two words')).code).toBe(2);
    expect((await run('repro', file, '--cwd', dir, '--abs-tol', 'x')).code).toBe(2);
    expect((await run('repro', file, '--cwd', dir, '--env', 'A=B')).code).toBe(2);
    expect((await run('repro', file, '--cwd', join(dir, 'nowhere'))).code).toBe(2);
    expect((await run('repro', file, '-f', 'sarif')).code).toBe(2);
  });
});

describe('pedigree.yaml repro:', () => {
  it('accepts tolerances per metric and patterns, and rejects unknown keys and negative values', () => {
    expect(
      parseConfig(
        'repro:\n  tolerance: { absolute: 1e-6, relative: 0.01 }\n  metrics:\n    eval.accuracy: { absolute: 0.005 }\n    "*.loss": { relative: 0.02 }\n  ignore: [time.seconds]\n',
        'p.yaml',
      ).repro,
    ).toEqual({
      tolerance: { absolute: 1e-6, relative: 0.01 },
      metrics: { 'eval.accuracy': { absolute: 0.005 }, '*.loss': { relative: 0.02 } },
      ignore: ['time.seconds'],
    });
    expect(() => parseConfig('repro:\n  tolerances: {}\n', 'p.yaml')).toThrow(/tolerances/);
    expect(() => parseConfig('repro:\n  metrics:\n    a: { abs: 1 }\n', 'p.yaml')).toThrow(/abs/);
    expect(() => parseConfig('repro:\n  tolerance: { relative: -0.1 }\n', 'p.yaml')).toThrow(
      /repro\.tolerance\.relative/,
    );
  });
});
