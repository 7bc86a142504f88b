import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { f32Tensors } from '../formats/safetensors/test-support.js';
import { collectInventory, huggingFacePurl } from './collect.js';

const TOOL = { name: 'pedigree', version: '0.0.0-test' };
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-bom-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

/** A pickle (protocol 2) of an empty dict: PROTO 2, EMPTY_DICT, STOP. */
const PICKLE = Uint8Array.from([0x80, 0x02, 0x7d, 0x2e]);
/** A NumPy .npy v1.0 file of one float. */
function npy(): Uint8Array {
  const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
  const padded = header.padEnd(118, ' ') + '\n';
  return Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from('NUMPY'),
    Buffer.from([1, 0, 118, 0]),
    Buffer.from(padded),
    Buffer.alloc(8),
  ]);
}

const CARD = `---
license: apache-2.0
pipeline_tag: text-classification
base_model: distilbert/distilbert-base-uncased
datasets:
  - stanfordnlp/imdb
---

# tiny-sentiment

A tiny sentiment classifier.

## Uses

Labelling English movie reviews in tests.
`;

describe('collectInventory', () => {
  it('groups a Hugging Face style folder into one model with its card, config and weights', async () => {
    const root = project({
      'model/config.json': JSON.stringify({
        architectures: ['DistilBertForSequenceClassification'],
        model_type: 'distilbert',
      }),
      'model/model.safetensors': f32Tensors({ w: [4, 3], b: [4] }),
      'model/README.md': CARD,
      'model/tokenizer.json': '{}',
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    const local = inventory.models.filter((m) => !m.external);
    expect(local).toHaveLength(1);
    const model = local[0];
    expect(model).toMatchObject({
      ref: 'model:model',
      name: 'tiny-sentiment',
      path: 'model',
      formats: ['safetensors'],
      weightFiles: ['file:model/model.safetensors'],
      cardPath: 'model/README.md',
      licenses: [{ expression: 'Apache-2.0' }],
      parameters: {
        task: 'text-classification',
        architectureFamily: 'distilbert',
        architecture: 'DistilBertForSequenceClassification',
        parameterCount: '16',
      },
      trainedOn: ['hf-dataset:stanfordnlp/imdb'],
      derivedFrom: ['hf-model:distilbert/distilbert-base-uncased'],
    });
    expect(model?.hashes[0]?.algorithm).toBe('SHA-256');
    // The base model and the dataset the card names are listed as referenced, not present.
    const base = inventory.models.find((m) => m.external);
    expect(base).toMatchObject({
      purl: 'pkg:huggingface/distilbert/distilbert-base-uncased',
      external: true,
    });
    expect(inventory.datasets).toMatchObject([{ ref: 'hf-dataset:stanfordnlp/imdb', external: true }]);
    const contains = inventory.relationships.find((r) => r.from === 'model:model' && r.kind === 'contains');
    expect(contains?.to).toEqual([
      'file:model/README.md',
      'file:model/config.json',
      'file:model/model.safetensors',
      'file:model/tokenizer.json',
    ]);
  });

  it('lists lone checkpoints as separate models and lone arrays as data', async () => {
    const root = project({
      'ckpt/a.pkl': PICKLE,
      'ckpt/b.pkl': PICKLE,
      'data/emb.npy': npy(),
      'notes.txt': 'x',
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:ckpt/a.pkl', 'model:ckpt/b.pkl']);
    expect(inventory.models[0]).toMatchObject({ name: 'a.pkl', formats: ['pickle'] });
    expect(inventory.files.map((f) => `${f.path}:${f.role}`)).toEqual([
      'ckpt/a.pkl:weights',
      'ckpt/b.pkl:weights',
      'data/emb.npy:data',
    ]);
  });

  it('keeps a SavedModel and its variables together', async () => {
    const root = project({
      'sm/saved_model.pb': Uint8Array.from([0x08, 0x01]),
      'sm/variables/variables.index': 'x',
      'sm/variables/variables.data-00000-of-00001': 'y',
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models).toHaveLength(1);
    expect(inventory.models[0]).toMatchObject({
      ref: 'model:sm',
      formats: ['tf-savedmodel', 'tf-variables'],
      weightFiles: [
        'file:sm/saved_model.pb',
        'file:sm/variables/variables.data-00000-of-00001',
        'file:sm/variables/variables.index',
      ],
    });
  });

  it('reports a shard the index names but the folder lacks, and an unreadable header', async () => {
    const root = project({
      'm/config.json': '{"model_type": "llama"}',
      'm/model.safetensors.index.json': JSON.stringify({
        weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
      }),
      'm/model-00001-of-00002.safetensors': Buffer.concat([
        Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0]),
        Buffer.from('{"'),
      ]),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    const messages = inventory.problems.map((p) => `${p.path}: ${p.message}`);
    expect(
      messages.some((m) =>
        /names shard m\/model-00002-of-00002\.safetensors, which is not in the folder/.test(m),
      ),
    ).toBe(true);
    // Not a complete parameter count when a header could not be read.
    expect(inventory.models[0]?.parameters.parameterCount).toBeUndefined();
  });

  it('keeps going past a broken config.json and says so', async () => {
    const root = project({ 'm/config.json': '{not json', 'm/model.safetensors': f32Tensors({ w: [2] }) });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models).toHaveLength(1);
    expect(inventory.problems.some((p) => p.path === 'm/config.json')).toBe(true);
  });

  it('names the Hub repository and revision of a hub cache snapshot', async () => {
    const rev = '0123456789abcdef0123456789abcdef01234567';
    const root = project({
      [`models--acme--tiny-bert/snapshots/${rev}/config.json`]: '{"model_type": "bert"}',
      [`models--acme--tiny-bert/snapshots/${rev}/model.safetensors`]: f32Tensors({ w: [2] }),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models[0]).toMatchObject({
      hubId: 'acme/tiny-bert',
      version: rev,
      purl: `pkg:huggingface/acme/tiny-bert@${rev}`,
    });
    expect(huggingFacePurl('a/b/c')).toBeUndefined();
  });

  it('names the Hub repository and commit of a model folder cloned with git', async () => {
    const sha = '89abcdef0123456789abcdef0123456789abcdef';
    const root = project({
      'clone/config.json': '{"model_type": "bert"}',
      'clone/model.safetensors': f32Tensors({ w: [2] }),
      'clone/.git/config': '[remote "origin"]\n\turl = https://huggingface.co/acme/cloned\n',
      'clone/.git/HEAD': 'ref: refs/heads/main\n',
      'clone/.git/refs/heads/main': `${sha}\n`,
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models[0]).toMatchObject({
      hubId: 'acme/cloned',
      version: sha,
      purl: `pkg:huggingface/acme/cloned@${sha}`,
    });
  });

  it('lists a hub cache folder by its snapshot paths, not its blobs', async () => {
    const rev = 'fedcba9876543210fedcba9876543210fedcba98';
    const root = project({
      'models--acme--linked/blobs/1111': '{"model_type": "bert"}',
      'models--acme--linked/blobs/2222': f32Tensors({ w: [2] }),
      'models--acme--linked/refs/main': rev,
    });
    const repo = join(root, 'models--acme--linked');
    mkdirSync(join(repo, 'snapshots', rev), { recursive: true });
    symlinkSync('../../blobs/1111', join(repo, 'snapshots', rev, 'config.json'));
    symlinkSync('../../blobs/2222', join(repo, 'snapshots', rev, 'model.safetensors'));
    for (const given of [root, repo]) {
      const { inventory } = await collectInventory(given, { tool: TOOL });
      const model = inventory.models[0];
      expect(inventory.models, given).toHaveLength(1);
      expect(model?.purl, given).toBe(`pkg:huggingface/acme/linked@${rev}`);
      expect(
        inventory.files.map((f) => f.path).some((p) => p.includes('blobs')),
        given,
      ).toBe(false);
    }
    // Given the snapshot folder alone, its links lead out of it: not followed, and said so.
    const { inventory } = await collectInventory(join(repo, 'snapshots', rev), { tool: TOOL });
    expect(inventory.models).toEqual([]);
    expect(inventory.problems.map((p) => p.path).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  it('reads libraries, containers, DVC-tracked data and dataset folders', async () => {
    const root = project({
      'requirements.txt': 'torch==2.3.1 --hash=sha256:' + 'a'.repeat(64) + '\nrequests>=2\n',
      Dockerfile:
        'ARG PY=3.11\nFROM python:${PY}-slim AS base\nFROM base\nFROM ghcr.io/acme/tool@sha256:' +
        'b'.repeat(64) +
        '\n',
      'data/raw.dvc': 'outs:\n- md5: ' + 'c'.repeat(32) + '.dir\n  size: 10\n  nfiles: 2\n  path: raw\n',
      'data/reviews/README.md':
        '---\nlicense: cc-by-4.0\ntask_categories:\n- text-classification\n---\n# reviews\n\nSome reviews.\n',
      'data/reviews/train.csv': 'text,label\na,1\n',
      'scratch.csv': 'x\n1\n',
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.libraries.map((l) => l.ref)).toEqual(['lib:PyPI/requests', 'pkg:pypi/torch@2.3.1']);
    expect(inventory.containers.map((c) => `${c.name} ${c.tag ?? ''} ${c.digest ?? ''}`)).toEqual(
      [`ghcr.io/acme/tool  sha256:${'b'.repeat(64)}`, 'docker.io/library/python 3.11-slim '].sort(),
    );
    const dvc = inventory.datasets.find((d) => d.ref === 'dataset:data/raw');
    expect(dvc).toMatchObject({
      hashes: [{ algorithm: 'MD5', value: 'c'.repeat(32) }],
      sources: ['data/raw.dvc'],
    });
    const reviews = inventory.datasets.find((d) => d.path === 'data/reviews');
    expect(reviews).toMatchObject({
      files: ['file:data/reviews/train.csv'],
      licenses: [{ expression: 'CC-BY-4.0' }],
    });
    // Scratch data outside a dataset is not inventory.
    expect(inventory.files.map((f) => f.path)).not.toContain('scratch.csv');
    const project_ = inventory.relationships.find((r) => r.from === inventory.project.ref);
    expect(project_?.to).toContain('pkg:pypi/torch@2.3.1');
  });

  it('is deterministic, honours --no-hash and --exclude', async () => {
    const root = project({ 'a/model.safetensors': f32Tensors({ w: [2] }), 'b/x.pkl': PICKLE });
    const one = await collectInventory(root, { tool: TOOL });
    const two = await collectInventory(root, { tool: TOOL });
    expect(JSON.stringify(two.inventory)).toBe(JSON.stringify(one.inventory));
    const noHash = await collectInventory(root, { tool: TOOL, hash: false });
    expect(noHash.inventory.files.every((f) => f.hashes.length === 0)).toBe(true);
    const excluded = await collectInventory(root, { tool: TOOL, exclude: ['b/**'] });
    expect(excluded.inventory.models.map((m) => m.ref)).toEqual(['model:a/model.safetensors']);
  });

  it('refuses a path that does not exist', async () => {
    await expect(collectInventory('/nonexistent/pedigree', { tool: TOOL })).rejects.toThrow(/no such file/);
  });

  it('inventories a single model file', async () => {
    const root = project({ 'm.safetensors': f32Tensors({ w: [3] }) });
    const { inventory } = await collectInventory(join(root, 'm.safetensors'), { tool: TOOL });
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:m.safetensors']);
  });
});
