import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError } from '../core/errors.js';
import { signToBundle } from '../trust/bundle-write.js';
import { checkBundleSignature } from '../trust/check-signature.js';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE } from '../trust/oms/bundle.js';
import {
  type ArtifactNode,
  buildLineage,
  digestOfPath,
  findLineageFiles,
  type LineageRecord,
  lineageToDot,
  lineageToJson,
  lineageToMermaid,
  matchArtifacts,
  parseLineageRecord,
  type RunNode,
  readLineageSources,
  resolveLineageTarget,
  traceLineage,
} from './lineage.js';
import { type ProvenanceStatement, SLSA_PROVENANCE_V1, TRAINING_RUN_BUILD_TYPE } from './provenance.js';
import { createSnapshot, serializeSnapshot } from './snapshot.js';

const work = mkdtempSync(join(tmpdir(), 'pedigree-lineage-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const hex = (c: string) => c.repeat(64);

interface Artifact {
  readonly name: string;
  readonly sha: string;
  readonly folder?: boolean;
  /** Files inside a folder output (subjects), relative to it. */
  readonly files?: readonly { name: string; sha: string }[];
}

/** A training-run statement as `pedigree run` writes it, reduced to what lineage reads. */
function statement(o: {
  id: string;
  inputs?: readonly Artifact[];
  outputs?: readonly Artifact[];
  base?: readonly (Artifact | { uri: string; name: string })[];
  status?: 'succeeded' | 'failed';
  startedOn?: string;
  reproductionOf?: string;
  metrics?: Record<string, unknown>;
}): ProvenanceStatement {
  const descriptor = (a: Artifact, kind: string) => ({
    name: a.name,
    uri: `file:${a.name}`,
    digest: { sha256: a.sha },
    annotations: {
      kind,
      ...(a.folder ? { digestType: 'pedigree-dataset-snapshot/v1', files: a.files?.length ?? 1 } : {}),
      bytes: 10,
    },
  });
  const outputs = o.outputs ?? [];
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: outputs.flatMap((a) =>
      a.folder
        ? (a.files ?? []).map((f) => ({ name: `${a.name}/${f.name}`, digest: { sha256: f.sha } }))
        : [{ name: a.name, digest: { sha256: a.sha } }],
    ),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: TRAINING_RUN_BUILD_TYPE,
        externalParameters: {
          command: ['python3', 'train.py'],
          workingDirectory: '.',
          seed: 1,
          inputs: (o.inputs ?? []).map((a) => a.name),
          outputs: outputs.map((a) => a.name),
          environment: {},
        },
        ...(o.reproductionOf ? { internalParameters: { reproductionOf: o.reproductionOf } } : {}),
        resolvedDependencies: [
          {
            name: 'code',
            uri: 'git+file:/x@abc',
            digest: { gitCommit: 'a'.repeat(40) },
            annotations: { kind: 'code', dirty: false },
          },
          ...(o.inputs ?? []).map((a) => descriptor(a, 'dataset')),
          ...(o.base ?? []).map((b) =>
            'uri' in b
              ? { name: b.name, uri: b.uri, annotations: { kind: 'model' } }
              : descriptor(b, 'model'),
          ),
        ],
      },
      runDetails: {
        builder: { id: 'https://pedigree.dev/builders/pedigree-run' },
        metadata: {
          invocationId: o.id,
          startedOn: o.startedOn ?? '2026-01-01T00:00:00.000Z',
          finishedOn: o.startedOn ?? '2026-01-01T00:00:00.000Z',
        },
        byproducts: [
          {
            name: 'pedigree.run',
            annotations: { status: o.status ?? 'succeeded', exitCode: o.status === 'failed' ? 3 : 0 },
          },
          ...(o.metrics
            ? [{ name: 'pedigree.metrics', annotations: { kind: 'metrics', metrics: o.metrics } }]
            : []),
          ...(outputs.length > 0
            ? [
                {
                  name: 'pedigree.outputs',
                  annotations: { outputs: outputs.map((a) => descriptor(a, 'output')) },
                },
              ]
            : []),
        ],
      },
    },
  };
}

const rec = (
  s: ProvenanceStatement,
  file = `${s.predicate.runDetails.metadata.invocationId}.provenance.json`,
): LineageRecord => ({
  file,
  statement: s,
  signed: false,
});

function folder(): string {
  const dir = join(work, `d${counter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const raw = { name: 'data', sha: hex('1'), folder: true };
const features = {
  name: 'features',
  sha: hex('2'),
  folder: true,
  files: [{ name: 'part-0.bin', sha: hex('3') }],
};
const model = { name: 'model', sha: hex('4'), folder: true, files: [{ name: 'weights.bin', sha: hex('5') }] };
const prep = statement({
  id: 'prep-0001',
  inputs: [raw],
  outputs: [features],
  startedOn: '2026-01-01T00:00:00.000Z',
});
// The training run calls the derived dataset by another path: it is matched by digest.
const train = statement({
  id: 'train-0002',
  inputs: [{ ...features, name: 'cache/feats' }],
  base: [{ name: 'acme/base', uri: 'pkg:huggingface/acme/base@0123abc' }],
  outputs: [model],
  startedOn: '2026-01-02T00:00:00.000Z',
  metrics: { loss: 0.5, note: 'not a number' },
});

describe('buildLineage', () => {
  it('chains a derived dataset by digest: raw data → prep → features → train → model', () => {
    const graph = buildLineage([rec(train), rec(prep)], []);
    const node = (id: string) => graph.nodes.find((n) => n.id === id);
    expect(node(`sha256:${raw.sha}`)).toMatchObject({ kind: 'dataset', derived: false, names: ['data'] });
    expect(node(`sha256:${features.sha}`)).toMatchObject({
      kind: 'dataset',
      derived: true,
      names: ['cache/feats', 'features'],
    });
    expect(node(`sha256:${model.sha}`)).toMatchObject({ kind: 'model', derived: true, form: 'folder' });
    expect(node('pkg:huggingface/acme/base@0123abc')).toMatchObject({ kind: 'model', form: 'reference' });
    expect((node('run:train-0002') as RunNode).metrics).toEqual({ loss: 0.5 });
    expect(graph.edges).toEqual([
      {
        from: 'pkg:huggingface/acme/base@0123abc',
        to: 'run:train-0002',
        relation: 'base-model',
        name: 'acme/base',
      },
      { from: 'run:prep-0001', to: `sha256:${features.sha}`, relation: 'output', name: 'features' },
      { from: 'run:train-0002', to: `sha256:${model.sha}`, relation: 'output', name: 'model' },
      { from: `sha256:${raw.sha}`, to: 'run:prep-0001', relation: 'input', name: 'data' },
      { from: `sha256:${features.sha}`, to: 'run:train-0002', relation: 'input', name: 'cache/feats' },
    ]);
    expect(graph.problems).toEqual([]);
  });

  it('answers what produced a model (upstream) and what used a dataset (downstream), by file digest too', () => {
    const graph = buildLineage([rec(prep), rec(train)], []);
    // The weights file's digest finds the model folder it is in.
    const matched = matchArtifacts(graph, { by: 'digest', sha256: hex('5') });
    expect(matched).toEqual([`sha256:${model.sha}`]);
    const up = traceLineage(graph, matched, 'upstream');
    expect(up.nodes.map((n) => n.id).sort()).toEqual(
      [
        'pkg:huggingface/acme/base@0123abc',
        'run:prep-0001',
        'run:train-0002',
        `sha256:${raw.sha}`,
        `sha256:${features.sha}`,
        `sha256:${model.sha}`,
      ].sort(),
    );
    const down = traceLineage(graph, matchArtifacts(graph, { by: 'digest', sha256: raw.sha }), 'downstream');
    expect(down.nodes.filter((n) => n.kind === 'run').map((n) => n.id)).toEqual([
      'run:prep-0001',
      'run:train-0002',
    ]);
    expect(down.nodes.some((n) => n.id === 'pkg:huggingface/acme/base@0123abc')).toBe(false);
    expect(matchArtifacts(graph, { by: 'name', name: 'cache/feats' })).toEqual([`sha256:${features.sha}`]);
    expect(matchArtifacts(graph, { by: 'digest', sha256: hex('9') })).toEqual([]);
  });

  it('knows the files of a snapshotted dataset, so a file digest finds the runs that used it', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/a.csv'), 'x\n1\n');
    const snapshot = await createSnapshot(join(dir, 'data'));
    const run = statement({
      id: 'run-0003',
      inputs: [{ name: 'data', sha: snapshot.digest.sha256, folder: true }],
      outputs: [{ name: 'model.bin', sha: hex('6') }],
    });
    const graph = buildLineage([rec(run)], [{ file: 'data.snapshot.json', snapshot }]);
    const file = await resolveLineageTarget(join(dir, 'data/a.csv'));
    expect(file).toMatchObject({ by: 'digest' });
    const used = matchArtifacts(graph, file);
    expect(used).toEqual([`sha256:${snapshot.digest.sha256}`]);
    expect(graph.nodes.find((n) => n.id === used[0])).toMatchObject({
      kind: 'dataset',
      snapshots: ['data.snapshot.json'],
      files: 1,
    });
    expect(traceLineage(graph, used, 'downstream').nodes.map((n) => n.id)).toContain(`sha256:${hex('6')}`);
    // A single-file output (no folder) is a model of its own.
    expect(graph.nodes.find((n) => n.id === `sha256:${hex('6')}`)).toMatchObject({
      kind: 'model',
      form: 'file',
    });
  });

  it('shows failed runs as failed, and a reproduction as an edge to the run it re-ran', () => {
    const failed = statement({ id: 'fail-0004', inputs: [raw], status: 'failed' });
    const again = statement({
      id: 'again-0005',
      inputs: [raw],
      outputs: [features],
      reproductionOf: 'prep-0001',
    });
    const graph = buildLineage([rec(prep), rec(failed), rec(again)], []);
    expect(graph.nodes.find((n) => n.id === 'run:fail-0004')).toMatchObject({
      status: 'failed',
      exitCode: 3,
    });
    expect(graph.edges).toContainEqual({
      from: 'run:again-0005',
      to: 'run:prep-0001',
      relation: 'reproduces',
    });
    expect(lineageToMermaid(graph)).toMatch(/run fail-000 FAILED.*\]:::failed/);
    expect(lineageToMermaid(graph)).toMatch(/-\.->\|reproduces\|/);
    expect(lineageToDot(graph)).toMatch(/label="run fail-000 FAILED[^"]*", tooltip/);
    expect(lineageToDot(graph)).toMatch(/color=red/);
    // A reproduction of a run that is not in the graph leaves no dangling edge.
    const alone = buildLineage([rec(again)], []);
    expect(alone.edges.some((e) => e.relation === 'reproduces')).toBe(false);
  });

  it('merges a run recorded twice into one node, and reports copies that disagree', () => {
    const graph = buildLineage([rec(prep, 'a.provenance.json'), rec(prep, 'b.provenance.sigstore.json')], []);
    expect((graph.nodes.find((n) => n.id === 'run:prep-0001') as RunNode).records.map((r) => r.file)).toEqual(
      ['a.provenance.json', 'b.provenance.sigstore.json'],
    );
    const other = statement({ id: 'prep-0001', inputs: [raw], outputs: [model] });
    const conflict = buildLineage([rec(prep, 'a.provenance.json'), rec(other, 'b.provenance.json')], []);
    expect(conflict.problems).toEqual([
      {
        file: 'b.provenance.json',
        message: expect.stringMatching(/also recorded in a\.provenance\.json with other content/),
      },
    ]);
  });

  it('reports a descriptor whose digest is not a SHA-256, naming the field, and keeps the rest', () => {
    const bad = statement({ id: 'bad-0006', inputs: [{ name: 'data', sha: 'xyz' }, raw], outputs: [model] });
    const graph = buildLineage([rec(bad)], []);
    expect(graph.problems).toEqual([
      {
        file: 'bad-0006.provenance.json',
        message:
          'statement.predicate.buildDefinition.resolvedDependencies[1].digest.sha256 "xyz" is not a SHA-256; left out',
      },
    ]);
    expect(graph.edges.filter((e) => e.relation === 'input')).toHaveLength(1);
  });

  it('is deterministic: records in any order give the same output', () => {
    const a = buildLineage([rec(prep), rec(train)], []);
    const b = buildLineage([rec(train), rec(prep)], []);
    expect(JSON.stringify(lineageToJson(a))).toBe(JSON.stringify(lineageToJson(b)));
    expect(lineageToMermaid(a)).toBe(lineageToMermaid(b));
    expect(lineageToDot(a)).toBe(lineageToDot(b));
  });
});

describe('diagrams', () => {
  it('escapes names so a record cannot inject Mermaid or DOT syntax', () => {
    const evil = statement({
      id: 'evil-0007',
      inputs: [{ name: 'd"]-->x[<img src=x onerror=alert(1)>\n`#', sha: hex('7'), folder: true }],
      outputs: [{ name: 'm\\"; a -> b; "', sha: hex('8') }],
    });
    const graph = buildLineage([rec(evil)], []);
    const mermaid = lineageToMermaid(graph);
    expect(mermaid).not.toMatch(/<img|"\]-->x|`/);
    expect(mermaid).toContain('#34;');
    for (const line of mermaid.trim().split('\n').slice(1))
      expect(line).toMatch(/^ {2}(n[0-9a-f]{16}[[( ]|classDef )/);
    const dot = lineageToDot(graph);
    expect(dot).toContain('m\\\\\\"; a -> b; \\"');
    // Every label stays one quoted string: no unescaped quote inside.
    for (const m of dot.matchAll(/label="((?:[^"\\]|\\.)*)"/g)) expect(m[1]).not.toMatch(/(^|[^\\])"/);
  });
});

describe('readLineageSources', () => {
  function signedRecord(s: ProvenanceStatement) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const text = signToBundle(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(s)), {
      kind: 'key',
      privateKey,
    });
    return { text, publicKey };
  }

  it('walks into .pedigree/ but not node_modules or .git, and does not follow links', () => {
    const dir = folder();
    mkdirSync(join(dir, '.pedigree/runs'), { recursive: true });
    mkdirSync(join(dir, 'node_modules/x'), { recursive: true });
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, '.pedigree/runs/a.provenance.json'), JSON.stringify(prep));
    writeFileSync(join(dir, 'node_modules/x/b.provenance.json'), JSON.stringify(train));
    writeFileSync(join(dir, '.git/c.provenance.json'), JSON.stringify(train));
    const outside = folder();
    writeFileSync(join(outside, 'd.provenance.json'), JSON.stringify(train));
    symlinkSync(join(outside, 'd.provenance.json'), join(dir, 'd.provenance.json'));
    symlinkSync(outside, join(dir, 'linked'));
    const found = findLineageFiles(dir);
    expect(found.files.map((f) => f.display)).toEqual(['.pedigree/runs/a.provenance.json']);
  });

  it('reports each malformed file with its field and reads the rest', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'good.provenance.json'), JSON.stringify(prep));
    writeFileSync(join(dir, 'notjson.provenance.json'), '{');
    writeFileSync(
      join(dir, 'ci.provenance.json'),
      JSON.stringify({
        ...prep,
        predicate: {
          ...prep.predicate,
          buildDefinition: { ...prep.predicate.buildDefinition, buildType: 'https://example.com/ci' },
        },
      }),
    );
    writeFileSync(
      join(dir, 'nocommand.provenance.json'),
      JSON.stringify({
        ...prep,
        predicate: {
          ...prep.predicate,
          buildDefinition: {
            ...prep.predicate.buildDefinition,
            externalParameters: { ...prep.predicate.buildDefinition.externalParameters, command: [] },
          },
        },
      }),
    );
    writeFileSync(
      join(dir, 'bundle.provenance.sigstore.json'),
      JSON.stringify({ mediaType: 'x', dsseEnvelope: {} }),
    );
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/a'), 'a');
    const snapshot = await createSnapshot(join(dir, 'data'));
    writeFileSync(
      join(dir, 'edited.snapshot.json'),
      serializeSnapshot({ ...snapshot, digest: { sha256: hex('0') } }),
    );
    writeFileSync(join(dir, 'data.snapshot.json'), serializeSnapshot(snapshot));
    const sources = readLineageSources(dir);
    expect(sources.records.map((r) => r.file)).toEqual(['good.provenance.json']);
    expect(sources.snapshots.map((s) => s.file)).toEqual(['data.snapshot.json']);
    const problems = Object.fromEntries(sources.problems.map((p) => [p.file, p.message]));
    expect(problems['notjson.provenance.json']).toMatch(/^not JSON/);
    expect(problems['ci.provenance.json']).toMatch(
      /buildType "https:\/\/example.com\/ci" is not a pedigree training run/,
    );
    expect(problems['nocommand.provenance.json']).toMatch(
      /^statement\.predicate\.buildDefinition\.externalParameters\.command/,
    );
    expect(problems['bundle.provenance.sigstore.json']).toMatch(/bundle/);
    expect(problems['edited.snapshot.json']).toMatch(/snapshot\.digest\.sha256 is 0+ but the entries give/);
    expect(problems['edited.snapshot.json']).not.toContain(dir);
  });

  it('stops at its limits: files, bytes, depth and entries, saying so', () => {
    const dir = folder();
    for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, `${n}.provenance.json`), JSON.stringify(prep));
    expect(readLineageSources(dir, { limits: { maxFiles: 2 } }).problems).toEqual([
      { file: 'c.provenance.json', message: 'more than 2 records and snapshots; not read' },
    ]);
    const bytes = readLineageSources(dir, { limits: { maxBytes: JSON.stringify(prep).length * 2 } });
    expect(bytes.records).toHaveLength(2);
    expect(bytes.problems[0]?.message).toMatch(/bytes of records read/);
    mkdirSync(join(dir, 'x/y/z'), { recursive: true });
    writeFileSync(join(dir, 'x/y/z/deep.provenance.json'), JSON.stringify(train));
    expect(findLineageFiles(dir, { maxDepth: 1 }).problems).toEqual([
      { file: 'x/y', message: 'deeper than 1 levels; not read' },
    ]);
    expect(findLineageFiles(dir, { maxEntries: 2 }).problems[0]?.message).toMatch(/more than 2 entries/);
    expect(() => findLineageFiles(join(dir, 'missing'))).toThrow(/cannot read/);
  });

  it('reads signed records (a Sigstore bundle) and says whether their signature verifies', () => {
    const { text, publicKey } = signedRecord(prep);
    const unchecked = parseLineageRecord(text, 'r.provenance.sigstore.json');
    expect(unchecked).toMatchObject({ signed: true });
    expect(unchecked.signature).toBeUndefined();
    expect(unchecked.statement.predicate.runDetails.metadata.invocationId).toBe('prep-0001');
    const check = (key: typeof publicKey) => (b: Parameters<typeof checkBundleSignature>[0], f: string) =>
      checkBundleSignature(b, { kind: 'key', publicKey: key }, { file: f });
    expect(parseLineageRecord(text, 'r', check(publicKey)).signature).toMatchObject({ ok: true });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(parseLineageRecord(text, 'r', check(other)).signature).toMatchObject({ ok: false });
    expect(() => parseLineageRecord('[', 'r')).toThrow(ParseError);
  });
});

describe('digestOfPath and resolveLineageTarget', () => {
  it('digests as pedigree run does, and takes sha256:<hex>, bare hex, or a recorded name', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/a'), 'a');
    const snapshot = await createSnapshot(join(dir, 'data'));
    expect(await digestOfPath(join(dir, 'data'))).toMatchObject({
      sha256: snapshot.digest.sha256,
      form: 'folder',
      files: 1,
    });
    expect(await digestOfPath(join(dir, 'data/a'))).toMatchObject({
      sha256: snapshot.entries[0]?.sha256,
      form: 'file',
    });
    expect(await resolveLineageTarget(`sha256:${hex('A')}`, { cwd: dir })).toEqual({
      by: 'digest',
      sha256: hex('a'),
    });
    expect(await resolveLineageTarget(hex('b'), { cwd: dir })).toEqual({ by: 'digest', sha256: hex('b') });
    expect(await resolveLineageTarget('./gone/model/', { cwd: dir })).toEqual({
      by: 'name',
      name: 'gone/model',
    });
    expect(await resolveLineageTarget('data', { cwd: dir })).toEqual({
      by: 'digest',
      sha256: snapshot.digest.sha256,
      path: 'data',
    });
  });

  it('labels artifacts by kind: a derived dataset says so', () => {
    const graph = buildLineage([rec(prep), rec(train)], []);
    const feats = graph.nodes.find((n) => n.id === `sha256:${features.sha}`) as ArtifactNode;
    expect(lineageToMermaid(graph)).toContain('dataset (derived): cache/feats, features');
    expect(feats.snapshots).toEqual([]);
  });
});
