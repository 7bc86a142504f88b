import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { f32Tensors } from '../formats/safetensors/test-support.js';
import { type CollectOptions, collectInventory, MAX_ENTRIES, MAX_TEXT_FILE_BYTES } from './collect.js';
import { MAX_BOM_PROBLEMS, serializeCycloneDx } from './cyclonedx.js';
import type { Inventory } from './inventory.js';
import { serializeSpdx } from './spdx.js';
import { cycloneDxValidator, SHARED_CYCLONEDX_SCHEMAS } from './test-support.js';

/**
 * Hostile and malformed project trees thrown at `collectInventory` and both BOM writers. Every case checks
 * the same contract: no throw, the work is bounded (a file past a limit is not read whole), what could
 * not be read is a problem naming the file, and both BOMs are valid (CycloneDX against its schema, with
 * unique bom-refs; SPDX parseable JSON with unique element ids).
 *
 * Tests marked `it.skip` with a `// BUG:` comment expose a defect and are written as they should pass.
 */

const TOOL = { name: 'pedigree', version: '0.0.0-test' };
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-hostile-'));
  dirs.push(root);
  return root;
}

function write(root: string, path: string, content: string | Uint8Array): string {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

function project(files: Record<string, string | Uint8Array>): string {
  const root = tempDir();
  for (const [path, content] of Object.entries(files)) write(root, path, content);
  return root;
}

function rawSafetensors(headerJson: string, dataBytes: number, claimedLength?: bigint): Buffer {
  const json = Buffer.from(headerJson);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(claimedLength ?? BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
}

/** A GGUF v3 header: magic, version, tensor count and metadata count as given, then `tail`. */
function gguf(tensorCount: bigint, metadataCount: bigint, tail: Uint8Array = new Uint8Array()): Buffer {
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(3, 4);
  head.writeBigUInt64LE(tensorCount, 8);
  head.writeBigUInt64LE(metadataCount, 16);
  return Buffer.concat([head, tail, Buffer.alloc(64)]);
}

/** Protobuf varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 127) {
    out.push((v & 127) | 128);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
const pbVarint = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
const pbBytes = (field: number, bytes: readonly number[]) => [
  ...varint((field << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];
const utf8Bytes = (text: string) => [...Buffer.from(text)];

/** A minimal ONNX ModelProto with one initializer stored as external data at `location`. */
function onnxWithExternalData(location: string): Buffer {
  const entry = [...pbBytes(1, utf8Bytes('location')), ...pbBytes(2, utf8Bytes(location))];
  const tensor = [
    ...pbVarint(1, 4), // dims
    ...pbVarint(2, 1), // FLOAT
    ...pbBytes(8, utf8Bytes('w')),
    ...pbBytes(13, entry), // external_data
    ...pbVarint(14, 1), // data_location EXTERNAL
  ];
  const graph = [...pbBytes(5, tensor), ...pbBytes(2, utf8Bytes('g'))];
  return Buffer.from([...pbVarint(1, 8), ...pbBytes(7, graph)]);
}

const CONFIG = JSON.stringify({ architectures: ['BertModel'], model_type: 'bert' });
const WEIGHTS = f32Tensors({ w: [2, 2] });

async function collect(root: string, options: Partial<CollectOptions> = {}): Promise<Inventory> {
  return (await collectInventory(root, { tool: TOOL, hash: false, ...options })).inventory;
}

const schemaSource = existsSync(join(SHARED_CYCLONEDX_SCHEMAS, 'bom-1.6.schema.json')) ? 'shared' : 'library';

/** Every `bom-ref` in a CycloneDX BOM (components nested too, services, vulnerabilities). */
function bomRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) bomRefs(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'bom-ref' && typeof v === 'string') out.push(v);
      else bomRefs(v, out);
    }
  }
  return out;
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

interface Written {
  readonly cdx: Record<string, unknown>;
  readonly spdx: { '@graph': Record<string, unknown>[] };
}

/** Both BOMs of an inventory, checked: CycloneDX 1.6 schema-valid with unique bom-refs, SPDX parseable. */
function writeBoms(inventory: Inventory, { schema = true }: { schema?: boolean } = {}): Written {
  const cdxText = serializeCycloneDx(inventory, { version: '1.6' });
  const cdx = JSON.parse(cdxText) as Record<string, unknown>;
  // ajv checks the schema's `uniqueItems` by comparing every pair: for a BOM of 100,000 components that is
  // the test's own quadratic cost, not pedigree's, so huge inventories skip the schema (refs still checked).
  if (schema) {
    const validate = cycloneDxValidator('1.6', schemaSource);
    const valid = validate(cdx);
    expect(valid ? [] : validate.errors?.slice(0, 5)).toEqual([]);
  }
  expect(duplicates(bomRefs(cdx))).toEqual([]);
  if (inventory.problems.length > 0) {
    expect(cdx.compositions).toEqual([{ aggregate: 'incomplete', assemblies: [inventory.project.ref] }]);
    const props = ((cdx.metadata as { properties?: { name: string }[] }).properties ?? []).filter(
      (p) => p.name === 'pedigree:problem',
    );
    // The first MAX_BOM_PROBLEMS, then one saying how many more there were.
    const omitted = inventory.problems.length > MAX_BOM_PROBLEMS ? 1 : 0;
    expect(props.length).toBe(Math.min(inventory.problems.length, MAX_BOM_PROBLEMS) + omitted);
  }
  const spdx = JSON.parse(serializeSpdx(inventory)) as { '@graph': Record<string, unknown>[] };
  const ids = spdx['@graph'].map((n) => n.spdxId).filter((id): id is string => typeof id === 'string');
  expect(duplicates(ids)).toEqual([]);
  return { cdx, spdx };
}

function problemAt(inventory: Inventory, path: string, message?: RegExp): boolean {
  return inventory.problems.some(
    (p) => p.path === path && (message === undefined || message.test(p.message)),
  );
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

describe('collectInventory on hostile trees: config.json', () => {
  it('reports a config.json over the text limit without reading it (100 MB sparse file)', async () => {
    const root = project({ 'm/model.safetensors': WEIGHTS });
    const config = write(root, 'm/config.json', '{');
    // Sparse: 100 MB on paper, nothing on disk. Reading it whole would allocate 100 MB and fail to parse.
    truncateSync(config, 100 * 1024 * 1024);
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/config.json', new RegExp(`larger than ${MAX_TEXT_FILE_BYTES}`))).toBe(
      true,
    );
    expect(inventory.models).toHaveLength(1);
    writeBoms(inventory);
  });

  it('reports a binary config.json', async () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256));
    const root = project({ 'm/config.json': binary, 'm/model.safetensors': WEIGHTS });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/config.json', /JSON/)).toBe(true);
    writeBoms(inventory);
  });

  it('survives a config.json nested 1,000,000 deep', async () => {
    const depth = 1_000_000;
    const root = project({
      'm/config.json': `${'['.repeat(depth)}${']'.repeat(depth)}`,
      'm/deep-object/config.json': `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`,
      'm/model.safetensors': WEIGHTS,
      'm/deep-object/model.safetensors': WEIGHTS,
    });
    const inventory = await collect(root);
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:m', 'model:m/deep-object']);
    writeBoms(inventory);
  });

  it('reads a config.json with Python NaN values and keeps its facts', async () => {
    const root = project({
      'm/config.json': '{"model_type": "bert", "architectures": ["BertModel"], "layer_norm_eps": NaN}',
      'm/model.safetensors': WEIGHTS,
    });
    const inventory = await collect(root);
    expect(inventory.models[0]?.parameters.architectureFamily).toBe('bert');
    writeBoms(inventory);
  });

  it('reports a config.json that is a JSON array or a bare NaN', async () => {
    const root = project({
      'a/config.json': '[{"model_type": "bert"}]',
      'a/model.safetensors': WEIGHTS,
      'b/config.json': 'NaN',
      'b/model.safetensors': WEIGHTS,
    });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'a/config.json')).toBe(true);
    expect(problemAt(inventory, 'b/config.json')).toBe(true);
    writeBoms(inventory);
  });

  it('treats a directory named config.json as a directory', async () => {
    const root = project({ 'm/config.json/inner.txt': 'x', 'm/model.safetensors': WEIGHTS });
    const inventory = await collect(root);
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:m.safetensors'.replace('m.', 'm/model.')]);
    writeBoms(inventory);
  });
});

const FRONT = (yaml: string, body = '# Model\n\nSome words about the model.\n') =>
  `---\n${yaml}\n---\n${body}`;

describe('collectInventory on hostile trees: cards', () => {
  it('reports a 20 MB card without reading it', async () => {
    const root = project({ 'm/model.safetensors': WEIGHTS });
    const card = write(root, 'm/README.md', '---\n');
    truncateSync(card, 20 * 1024 * 1024);
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/README.md', /larger than/)).toBe(true);
    writeBoms(inventory);
  });

  it('reports a binary card', async () => {
    const binary = Buffer.alloc(10_000, 0);
    const root = project({ 'm/README.md': binary, 'm/model.safetensors': WEIGHTS });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/README.md')).toBe(true);
    writeBoms(inventory);
  });

  it('reports a card whose YAML front matter is over 1 MB', async () => {
    const yaml = `license: mit\nx: "${'a'.repeat(1_100_000)}"`;
    const root = project({ 'm/README.md': FRONT(yaml), 'm/model.safetensors': WEIGHTS });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/README.md')).toBe(true);
    writeBoms(inventory);
  });

  it('survives a card whose YAML front matter is just under 1 MB', async () => {
    const tags = Array.from({ length: 60_000 }, (_, i) => `  - t${i}`).join('\n');
    const root = project({
      'm/README.md': FRONT(`license: mit\ntags:\n${tags}`),
      'm/model.safetensors': WEIGHTS,
    });
    const inventory = await collect(root);
    expect(inventory.models[0]?.licenses.map((l) => l.expression)).toEqual(['MIT']);
    writeBoms(inventory);
  }, 30_000);

  it('reports a card whose front matter is a YAML alias bomb', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const root = project({
      'm/README.md': FRONT(`license: mit\n${levels.join('\n')}`),
      'm/model.safetensors': WEIGHTS,
    });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/README.md')).toBe(true);
    writeBoms(inventory);
  });

  it('does not expand a YAML alias bomb in a card (bounded)', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const root = project({
      'm/README.md': FRONT(`license: mit\n${levels.join('\n')}`),
      'm/model.safetensors': WEIGHTS,
    });
    // 9^10 strings if expanded; the generous timeout is only a backstop against a hang.
    const inventory = await collect(root);
    expect(inventory.models).toHaveLength(1);
    writeBoms(inventory);
  }, 30_000);

  it('survives a card whose front matter is 100,000 levels deep', async () => {
    const root = project({
      'm/README.md': FRONT(`license: mit\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      'm/model.safetensors': WEIGHTS,
    });
    const inventory = await collect(root);
    expect(inventory.models).toHaveLength(1);
    writeBoms(inventory);
  });

  // Was a bug (collect ignored `facts.truncated`); fixed in src/bom/collect.ts card loop during this review.
  it('reports datasets a card names beyond the kept limit', async () => {
    const datasets = Array.from({ length: 200 }, (_, i) => `  - org/ds-${i}`).join('\n');
    const root = project({
      'm/README.md': FRONT(`license: mit\ndatasets:\n${datasets}`),
      'm/model.safetensors': WEIGHTS,
    });
    const inventory = await collect(root);
    expect(inventory.models[0]?.trainedOn.length).toBeLessThan(200);
    expect(problemAt(inventory, 'm/README.md', /trained on/)).toBe(true);
    writeBoms(inventory);
  });

  it('keeps two models whose cards give the same name apart', async () => {
    const card = FRONT(
      'license: mit\nmodel-index:\n  - name: same-name\n    results: []',
      '# same-name\n\nA model.\n',
    );
    const root = project({
      'a/README.md': card,
      'a/model.safetensors': WEIGHTS,
      'a/config.json': CONFIG,
      'b/README.md': card,
      'b/model.safetensors': WEIGHTS,
      'b/config.json': CONFIG,
    });
    const inventory = await collect(root);
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:a', 'model:b']);
    writeBoms(inventory);
  });
});

describe('collectInventory on hostile trees: weight headers', () => {
  it('lists a .safetensors whose header length is 2^63 and says it is not safetensors', async () => {
    const root = project({
      'm/config.json': CONFIG,
      'm/model.safetensors': rawSafetensors('{}', 16, 1n << 63n),
    });
    const inventory = await collect(root);
    expect(inventory.models).toHaveLength(1);
    expect(inventory.models[0]?.parameters.parameterCount).toBeUndefined();
    writeBoms(inventory);
  });

  it('does not sum the parameters of 10^9 tensors (header claims more than the file holds)', async () => {
    // One tensor whose shape claims 10^9 x 10^9 elements in a file of a few bytes.
    const header = JSON.stringify({ w: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4e18] } });
    const root = project({ 'm/config.json': CONFIG, 'm/model.safetensors': rawSafetensors(header, 8) });
    const inventory = await collect(root);
    expect(inventory.models).toHaveLength(1);
    writeBoms(inventory);
  });

  // BUG: src/bom/collect.ts readHeaders (line 874): `readSafetensorsHeader(source).problems` is ignored, so a safetensors
  // header with a tensor the reader drops (bad dtype) still gives a "complete" parameter count that
  // understates the model, and no problem. Fix: when the header has problems, push a problem on the file
  // ("weight header has N problems; parameter count not given") and set `complete = false`.
  it.skip('gives no parameter count when a header tensor could not be read', async () => {
    const header = JSON.stringify({
      good: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      bad: { dtype: 'NOPE', shape: [1000000], data_offsets: [8, 16] },
    });
    const root = project({ 'm/config.json': CONFIG, 'm/model.safetensors': rawSafetensors(header, 16) });
    const inventory = await collect(root);
    expect(inventory.models[0]?.parameters.parameterCount).toBeUndefined();
    expect(problemAt(inventory, 'm/model.safetensors')).toBe(true);
    writeBoms(inventory);
  });

  it('reports a GGUF claiming 2^63 tensors and 2^63 metadata entries', async () => {
    const root = project({ 'm.gguf': gguf(1n << 63n, 1n << 63n), 'n.gguf': gguf(1n << 40n, 0n) });
    const inventory = await collect(root);
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:m.gguf', 'model:n.gguf']);
    expect(problemAt(inventory, 'm.gguf', /header/)).toBe(true);
    expect(problemAt(inventory, 'n.gguf', /header/)).toBe(true);
    expect(inventory.models.every((m) => m.parameters.parameterCount === undefined)).toBe(true);
    writeBoms(inventory);
  });
});

describe('collectInventory on hostile trees: shard indexes', () => {
  const index = (weightMap: Record<string, string>) =>
    JSON.stringify({ metadata: {}, weight_map: weightMap });

  // BUG: src/cards/init/config-files.ts parseShardIndex (line 180) skips shard names that climb out of the
  // folder (`../../etc/passwd`, `/etc/passwd`, `a\\b`) and src/bom/collect.ts buildModel says nothing: an
  // index pointing outside the model is a red flag that vanishes. Fix: return the refused names from
  // parseShardIndex (e.g. `outside: string[]`) and report each in buildModel.
  it.skip('reports shard names that leave the folder', async () => {
    const root = project({
      'm/config.json': CONFIG,
      'm/model-00001-of-00002.safetensors': WEIGHTS,
      'm/model.safetensors.index.json': index({
        a: 'model-00001-of-00002.safetensors',
        b: '../../etc/passwd',
        c: '/etc/shadow',
      }),
    });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/model.safetensors.index.json', /etc\/passwd/)).toBe(true);
    expect(problemAt(inventory, 'm/model.safetensors.index.json', /etc\/shadow/)).toBe(true);
    writeBoms(inventory);
  });

  it('never reads a shard outside the folder (nothing from /etc/passwd appears)', async () => {
    const root = project({
      'm/config.json': CONFIG,
      'm/model-00001-of-00002.safetensors': WEIGHTS,
      'm/model.safetensors.index.json': index({ b: '../../../../../../etc/passwd', c: '/etc/passwd' }),
    });
    const inventory = await collect(root);
    const { cdx } = writeBoms(inventory);
    expect(JSON.stringify(cdx)).not.toContain('root:x:0:0');
    expect(inventory.files.every((f) => !f.path.includes('..') && !f.path.startsWith('/'))).toBe(true);
  });

  it('reports 100,000 missing shards without quadratic work', async () => {
    const weightMap: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) weightMap[`t${i}`] = `shard-${i}.safetensors`;
    const files: Record<string, string | Uint8Array> = {
      'm/config.json': CONFIG,
      'm/model.safetensors.index.json': index(weightMap),
      'm/shard-0.safetensors': WEIGHTS,
    };
    // Siblings make `siblings.some(...)` per shard cost O(shards x siblings).
    for (let i = 0; i < 2_000; i++) files[`m/tok${i}.txt`] = 'x';
    const root = project(files);
    // Generous timeout: only a backstop against a quadratic blow-up (2e8 comparisons).
    const inventory = await collect(root);
    expect(inventory.problems.some((p) => /names shard/.test(p.message))).toBe(true);
    writeBoms(inventory);
  }, 60_000);

  it('bounds the problems of indexes naming 100,000 missing shards each', async () => {
    const weightMap: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) weightMap[`t${i}`] = `${'s'.repeat(40)}-${i}.safetensors`;
    const files: Record<string, string | Uint8Array> = {};
    for (let d = 0; d < 7; d++) {
      files[`m${d}/config.json`] = CONFIG;
      files[`m${d}/model-1.safetensors`] = WEIGHTS;
      files[`m${d}/model.safetensors.index.json`] = index(weightMap);
    }
    const inventory = await collect(project(files));
    expect(inventory.problems.length).toBeLessThan(10_000);
    const spdx = JSON.parse(serializeSpdx(inventory)) as { '@graph': { type?: string }[] };
    expect(spdx['@graph'].filter((n) => n.type === 'Annotation').length).toBeLessThanOrEqual(
      MAX_BOM_PROBLEMS + 1,
    );
  }, 180_000);

  // BUG: src/cards/init/config-files.ts parseShardIndex (line 177) stops at `maxShards` (100,000) with a
  // silent `break`; collect reports only the missing ones it saw. Fix: return `truncated: true` and let
  // buildModel report "names more than 100000 shards; the rest were not checked".
  it.skip('reports an index naming more shards than are checked', async () => {
    const weightMap: Record<string, string> = {};
    for (let i = 0; i < 100_010; i++) weightMap[`t${i}`] = `s${i}`;
    const root = project({
      'm/config.json': CONFIG,
      'm/model.safetensors': WEIGHTS,
      'm/model.safetensors.index.json': index(weightMap),
    });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/model.safetensors.index.json', /more than/)).toBe(true);
    writeBoms(inventory);
  }, 60_000);

  it('does not follow a shard index that is a symlink out of the folder', async () => {
    const outside = project({ 'model.safetensors.index.json': index({ a: 'secret-shard.bin' }) });
    const root = project({ 'm/config.json': CONFIG, 'm/model.safetensors': WEIGHTS });
    symlinkSync(join(outside, 'model.safetensors.index.json'), join(root, 'm/model.safetensors.index.json'));
    const inventory = await collect(root);
    expect(problemAt(inventory, 'm/model.safetensors.index.json')).toBe(true);
    expect(inventory.files.map((f) => f.path)).not.toContain('m/model.safetensors.index.json');
    expect(JSON.stringify(inventory)).not.toContain('secret-shard');
    writeBoms(inventory);
  });
});

describe('collectInventory on hostile trees: the walk', () => {
  it('reports a symlink loop and a link to its own folder', async () => {
    const root = project({ 'm/model.safetensors': WEIGHTS, 'm/config.json': CONFIG });
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    symlinkSync('..', join(root, 'm/up'));
    symlinkSync('.', join(root, 'm/self'));
    const inventory = await collect(root);
    expect(problemAt(inventory, 'loop-a')).toBe(true);
    expect(problemAt(inventory, 'loop-b')).toBe(true);
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:m']);
    writeBoms(inventory);
  });

  it('does not follow symlinks out of the folder (file, directory, .git/config)', async () => {
    const outside = project({
      'secret/model.safetensors': WEIGHTS,
      'requirements.txt': 'evil-package==6.6.6\n',
    });
    const root = project({ 'm/model.safetensors': WEIGHTS, 'm/config.json': CONFIG });
    symlinkSync(join(outside, 'secret'), join(root, 'linked-dir'));
    symlinkSync(join(outside, 'requirements.txt'), join(root, 'requirements.txt'));
    mkdirSync(join(root, 'm/.git'));
    symlinkSync('/etc/passwd', join(root, 'm/.git/config'));
    writeFileSync(join(root, 'm/.git/HEAD'), `${'a'.repeat(40)}\n`);
    const inventory = await collect(root);
    expect(problemAt(inventory, 'linked-dir')).toBe(true);
    expect(problemAt(inventory, 'requirements.txt')).toBe(true);
    expect(inventory.libraries).toEqual([]);
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:m']);
    expect(inventory.models[0]?.hubId).toBeUndefined();
    writeBoms(inventory);
  });

  it('does not read a .git that is a symlink out of the folder', async () => {
    const outside = project({
      config: '[remote "origin"]\n\turl = https://huggingface.co/evil/injected\n',
      HEAD: `${'b'.repeat(40)}\n`,
    });
    const root = project({ 'm/model.safetensors': WEIGHTS, 'm/config.json': CONFIG });
    symlinkSync(outside, join(root, 'm/.git'));
    const inventory = await collect(root);
    expect(inventory.models[0]?.hubId).toBeUndefined();
    expect(JSON.stringify(inventory)).not.toContain('evil/injected');
    writeBoms(inventory);
  });

  it('does not block on FIFOs named like cards, configs, lockfiles and weights', async () => {
    const root = project({ 'm/model.safetensors': WEIGHTS });
    for (const name of ['README.md', 'requirements.txt', 'm/config.json', 'm/README.md', 'x.safetensors'])
      mkfifo(join(root, name));
    symlinkSync('README.md', join(root, 'Dockerfile'));
    // A blocked open() of a FIFO never returns: the timeout would fail this test rather than hang forever.
    const inventory = await collect(root);
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:m/model.safetensors']);
    writeBoms(inventory);
  }, 20_000);

  // BUG: src/discover/walk.ts (line 162, the `else if (targetInfo.isFile())` branch): an entry that is
  // neither a directory nor a regular file (FIFO, socket, device, or a symlink to one) is dropped without
  // a problem, so `README.md` or `requirements.txt` being a FIFO leaves no trace in the BOM. Fix: add an
  // `else` pushing `{ kind: 'unreadable', displayPath, detail: 'not a regular file (FIFO, socket or device)' }`.
  it.skip('reports FIFOs it did not read', async () => {
    const root = project({ 'm/model.safetensors': WEIGHTS });
    mkfifo(join(root, 'README.md'));
    mkfifo(join(root, 'requirements.txt'));
    const inventory = await collect(root);
    expect(problemAt(inventory, 'README.md')).toBe(true);
    expect(problemAt(inventory, 'requirements.txt')).toBe(true);
    writeBoms(inventory);
  });

  it('handles 10,000 empty files', async () => {
    const root = tempDir();
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(root, `d${d}`));
      for (let f = 0; f < 1_000; f++) writeFileSync(join(root, `d${d}`, `f${f}.bin`), '');
    }
    write(root, 'zz/model.safetensors', WEIGHTS);
    // Generous timeout: this only stops a runaway (the bench measures 10,000-file projects).
    const { inventory, timings } = await collectInventory(root, { tool: TOOL, hash: false });
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:zz/model.safetensors']);
    expect(timings.walkMs).toBeGreaterThan(0);
    writeBoms(inventory);
  }, 120_000);

  it('does not silently drop a model past the sniff budget', async () => {
    // The budget is lowered for the test (the default, 100,000, would need 100,000 files on disk).
    const root = tempDir();
    for (let f = 0; f < 60; f++) write(root, `d/f${String(f).padStart(3, '0')}.bin`, 'x');
    write(root, 'zz/model.safetensors', WEIGHTS);
    const { inventory } = await collectInventory(root, { tool: TOOL, hash: false, maxSniffedFiles: 50 });
    const listed = inventory.models.some((m) => m.ref === 'model:zz/model.safetensors');
    expect(listed).toBe(false);
    expect(
      inventory.problems.filter((p) => /more than 50 possible model files/.test(p.message)),
    ).toHaveLength(1);
  });

  it('reports folders nested past the depth limit', async () => {
    const root = tempDir();
    const deep = join(root, ...Array.from({ length: 200 }, () => 'd'));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'model.safetensors'), WEIGHTS);
    const inventory = await collect(root);
    expect(inventory.problems.some((p) => /deeper than/.test(p.message))).toBe(true);
    writeBoms(inventory);
  });

  it('writes valid BOMs for file names with newlines, #, %, controls, unicode and bom-ref look-alikes', async () => {
    const names = [
      'line\nbreak',
      'hash#frag',
      'per%20cent',
      'bell\u0007tab\t',
      'ünï-çødé-模型-🤗',
      'file:a',
      'model:x',
      'dataset:hf',
      ' spaced ',
      'quote"back\\slash',
      'e\u0301', // NFD
      '\u00e9', // NFC
    ];
    const root = tempDir();
    for (const n of names) {
      write(root, `${n}/model.safetensors`, WEIGHTS);
      write(root, `${n}/config.json`, CONFIG);
      write(root, `${n}/README.md`, FRONT(`license: mit`, `# ${n.replace(/\n/g, ' ')}\n\nA model.\n`));
      write(root, `${n}/${n}.safetensors`, WEIGHTS);
    }
    write(root, 'file:b', WEIGHTS);
    const inventory = await collect(root, { hash: true });
    expect(inventory.models.filter((m) => !m.external)).toHaveLength(names.length + 1);
    writeBoms(inventory);
  });

  it('reports a file name that is not valid UTF-8', async () => {
    const root = project({ 'm/model.safetensors': WEIGHTS });
    writeFileSync(
      Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]),
      WEIGHTS,
    );
    const inventory = await collect(root);
    expect(inventory.problems.some((p) => p.path.startsWith('bad-'))).toBe(true);
    writeBoms(inventory);
  });

  it('refuses a bad root path with a UsageError', async () => {
    const root = tempDir();
    await expect(collect(join(root, 'missing'))).rejects.toBeInstanceOf(UsageError);
    mkfifo(join(root, 'fifo'));
    await expect(collect(join(root, 'fifo'))).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses a root that is a symlink loop or under a file with a UsageError', async () => {
    const root = tempDir();
    symlinkSync('b', join(root, 'a'));
    symlinkSync('a', join(root, 'b'));
    await expect(collect(join(root, 'a'))).rejects.toBeInstanceOf(UsageError);
    writeFileSync(join(root, 'file'), 'x');
    await expect(collect(join(root, 'file', 'below'))).rejects.toBeInstanceOf(UsageError);
  });
});

describe('collectInventory on hostile trees: bom-ref collisions', () => {
  it('keeps a local model folder named hf/<org>/<name> apart from the base model org/name', async () => {
    const root = project({
      'hf/org/name/model.safetensors': WEIGHTS,
      'hf/org/name/config.json': CONFIG,
      'name/base/model.safetensors': WEIGHTS,
      'name/base/config.json': CONFIG,
      'ft/model.safetensors': WEIGHTS,
      'ft/config.json': CONFIG,
      'ft/README.md': FRONT('license: mit\nbase_model:\n  - org/name\n  - base'),
    });
    const inventory = await collect(root);
    expect(duplicates(inventory.models.map((m) => m.ref))).toEqual([]);
    expect(inventory.models.filter((m) => !m.external)).toHaveLength(3);
    writeBoms(inventory);
  });

  it('keeps a DVC out at hf/<org>/<ds> apart from the Hub dataset org/ds', async () => {
    const root = project({
      'data.dvc': `outs:\n  - path: hf/org/ds\n    md5: ${'a'.repeat(32)}.dir\n`,
      'm/model.safetensors': WEIGHTS,
      'm/config.json': CONFIG,
      'm/README.md': FRONT('license: mit\ndatasets:\n  - org/ds'),
    });
    const inventory = await collect(root);
    expect(inventory.datasets).toHaveLength(2);
    writeBoms(inventory);
  });

  it('keeps the data files of two local datasets with the same Hub id', async () => {
    const card = FRONT(
      'license: cc-by-4.0\npretty_name: Same\ntask_categories:\n  - text-classification',
      '# Dataset Card for org/same\n\nRepository: https://huggingface.co/datasets/org/same\n',
    );
    const root = project({
      'one/README.md': card,
      'one/train.csv': 'a,b\n1,2\n',
      'two/README.md': card,
      'two/test.csv': 'a,b\n3,4\n',
    });
    const inventory = await collect(root);
    const paths = inventory.files.map((f) => f.path);
    expect(paths).toContain('one/train.csv');
    expect(paths).toContain('two/test.csv');
    writeBoms(inventory);
  });

  it('writes valid BOMs for two local datasets with the same Hub id', async () => {
    const card = FRONT(
      'license: cc-by-4.0\npretty_name: Same',
      '# Dataset Card for org/same\n\nRepository: https://huggingface.co/datasets/org/same\n',
    );
    const root = project({
      'one/README.md': card,
      'one/train.csv': 'a,b\n1,2\n',
      'two/README.md': card,
      'two/test.csv': 'a,b\n3,4\n',
    });
    writeBoms(await collect(root));
  });
});

describe('collectInventory on hostile trees: Dockerfiles, DVC, lockfiles', () => {
  it('reads a 4 MB Dockerfile, and reports a 5 MB one, a 9 MB one and a 200 KB line', async () => {
    const line = `RUN echo ${'x'.repeat(1000)}\n`;
    const root = project({
      'big/Dockerfile': `FROM python:3.12@sha256:${'a'.repeat(64)}\n${line.repeat(4 * 1024)}`,
      'over/Dockerfile': `FROM python:3.11\n${line.repeat(5 * 1024)}`,
      'huge/Dockerfile': `FROM python:3.10\n${line.repeat(9 * 1024)}`,
      'long-line/Dockerfile': `FROM ${'a'.repeat(200_000)}\n`,
    });
    const inventory = await collect(root);
    expect(inventory.containers.map((c) => c.name)).toEqual(['docker.io/library/python']);
    expect(problemAt(inventory, 'huge/Dockerfile', /larger than/)).toBe(true);
    expect(inventory.problems.some((p) => p.path.startsWith('over/Dockerfile'))).toBe(true);
    expect(inventory.problems.some((p) => p.path.startsWith('long-line/Dockerfile'))).toBe(true);
    expect(inventory.problems.some((p) => p.path.startsWith('big/Dockerfile'))).toBe(false);
    writeBoms(inventory);
  }, 30_000);

  it('bounds a .dvc file with 10^5 outs', async () => {
    const outs = Array.from({ length: 100_000 }, (_, i) => `- {path: d${i}}`).join('\n');
    const root = project({ 'data.dvc': `outs:\n${outs}\n` });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'data.dvc')).toBe(true);
    expect(inventory.datasets.length).toBeLessThanOrEqual(10_000);
    writeBoms(inventory);
  }, 60_000);

  it('reports a .dvc out whose path is only slashes', async () => {
    const root = project({
      'data.dvc': 'outs:\n  - path: "///"\n    md5: 0123456789abcdef0123456789abcdef\n',
    });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'data.dvc', /leaves/)).toBe(true);
    expect(inventory.datasets.every((d) => d.name !== '' && d.ref !== 'dataset:')).toBe(true);
    writeBoms(inventory);
  });

  it('bounds the number of datasets at MAX_ENTRIES', async () => {
    const outs = Array.from({ length: 10_000 }, (_, i) => `- {path: d${i}}`).join('\n');
    const files: Record<string, string> = {};
    for (let f = 0; f < Math.ceil(MAX_ENTRIES / 10_000) + 1; f++)
      files[`p${f}/data.dvc`] = `outs:\n${outs}\n`;
    const root = project(files);
    const inventory = await collect(root);
    expect(inventory.datasets.length).toBeLessThanOrEqual(MAX_ENTRIES);
    expect(inventory.problems.some((p) => /more than/.test(p.message))).toBe(true);
  }, 120_000);

  it('reads a lockfile of 100,000 packages in bounded time', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `package-${i}==1.0.${i}`).join('\n');
    const root = project({ 'requirements.txt': `${lines}\n` });
    // Generous timeout: a backstop against quadratic work in the reader, libraries or writers.
    const inventory = await collect(root);
    expect(inventory.libraries).toHaveLength(100_000);
    writeBoms(inventory, { schema: false });
  }, 120_000);

  it('merges the same package from two lockfiles with conflicting licences into one valid component', async () => {
    const lock = (license: string) =>
      JSON.stringify({
        name: 'app',
        lockfileVersion: 3,
        packages: {
          '': { name: 'app', dependencies: { leftpad: '1.0.0' } },
          'node_modules/leftpad': { version: '1.0.0', license },
        },
      });
    const root = project({
      'a/package-lock.json': lock('MIT'),
      'b/package-lock.json': lock('GPL-3.0-only'),
      'c/package-lock.json': lock('MIT OR Apache-2.0'),
      'd/package-lock.json': lock('LicenseRef-Custom'),
      'e/package-lock.json': lock('not a licence (see LICENSE)'),
    });
    const inventory = await collect(root);
    const leftpad = inventory.libraries.filter((l) => l.name === 'leftpad');
    expect(leftpad).toHaveLength(1);
    expect(leftpad[0]?.licenses.length).toBe(5);
    writeBoms(inventory);
  });

  it('does not read a requirements include out of the folder or from a FIFO', async () => {
    const outside = project({ 'secret.txt': 'evil-package==6.6.6\n' });
    const root = project({
      'requirements.txt': `-r ${join(outside, 'secret.txt')}\n-r ../../../../../../etc/passwd\n-r fifo.txt\n-r link.txt\n-r /dev/zero\nok==1.0\n`,
    });
    mkfifo(join(root, 'fifo.txt'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'));
    const inventory = await collect(root);
    expect(inventory.libraries.map((l) => l.name)).toEqual(['ok']);
    expect(inventory.problems.filter((p) => p.path.startsWith('requirements.txt')).length).toBeGreaterThan(0);
    writeBoms(inventory);
  }, 20_000);
});

describe('collectInventory on hostile trees: ONNX external data', () => {
  it('does not lose two ONNX models that name each other as external data', async () => {
    const root = project({
      'a.onnx': onnxWithExternalData('b.onnx'),
      'b.onnx': onnxWithExternalData('a.onnx'),
    });
    const inventory = await collect(root);
    const listed = inventory.models.map((m) => m.ref);
    expect(listed.length > 0 || inventory.problems.length > 0).toBe(true);
    expect(listed).toContain('model:a.onnx');
    writeBoms(inventory);
  });

  it('does not turn a card into weights because an ONNX model names it as external data', async () => {
    const root = project({
      'c.onnx': onnxWithExternalData('README.md'),
      'README.md': FRONT('license: mit', '# project\n\nA project with a model.\n'),
    });
    const inventory = await collect(root);
    expect(inventory.files.find((f) => f.path === 'README.md')?.role).toBe('card');
    // The folder holds a model and its card: the card is that model's (its licence is the model's).
    expect(inventory.models.find((m) => m.ref === 'model:.')?.licenses.map((l) => l.expression)).toEqual([
      'MIT',
    ]);
    expect(
      inventory.problems.some((p) => p.path === 'c.onnx' && /README\.md \(a card file\)/.test(p.message)),
    ).toBe(true);
    writeBoms(inventory);
  });

  it('reports external data that leaves the folder', async () => {
    const root = project({
      'a.onnx': onnxWithExternalData('../../etc/passwd'),
      'b.onnx': onnxWithExternalData('/etc/shadow'),
      'c.onnx': onnxWithExternalData('missing.bin'),
    });
    const inventory = await collect(root);
    expect(problemAt(inventory, 'a.onnx')).toBe(true);
    expect(problemAt(inventory, 'b.onnx')).toBe(true);
    expect(problemAt(inventory, 'c.onnx')).toBe(true);
    writeBoms(inventory);
  });
});

describe('BOM writers on many problems', () => {
  it('says how many problems there were when it lists only some', async () => {
    const weightMap: Record<string, string> = {};
    for (let i = 0; i < 1_500; i++) weightMap[`t${i}`] = `s${i}.safetensors`;
    const root = project({
      'm/config.json': CONFIG,
      'm/model.safetensors': WEIGHTS,
      'm/model.safetensors.index.json': JSON.stringify({ weight_map: weightMap }),
    });
    const inventory = await collect(root);
    const { cdx } = writeBoms(inventory);
    const props = (cdx.metadata as { properties: { name: string; value: string }[] }).properties;
    // Missing shards are listed up to a limit per index, and the rest counted.
    expect(
      props.some((p) => p.value.includes('1480 more shards that are not in the folder (1500 in all)')),
    ).toBe(true);
  });
});
