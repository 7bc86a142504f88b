import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enumerateModel, hashModel, type ModelFile } from './enumerate.js';
import { modelNameOf, omsStatementJson, singleFileResourceNames } from './sign.js';

/**
 * model_signing's own golden vectors (test/fixtures/oms/SOURCES.txt): its test models, rebuilt here as its
 * tests/conftest.py builds them, must hash to its serializer goldens (`name:digest` lines, in its order)
 * and make the in-toto statement its TestPayload goldens hold (subject, root digest, resources).
 */

const GOLDENS = join(import.meta.dirname, '../../../test/fixtures/oms/model_signing-goldens');
const SERIALIZER = join(GOLDENS, '_serialization/testdata');
const PAYLOAD = join(GOLDENS, '_signing/testdata/signing/TestPayload');
/** test_support.KNOWN_MODEL_TEXT */
const KNOWN_MODEL_TEXT = 'This is a simple model';

const work = mkdtempSync(join(tmpdir(), 'pedigree-oms-goldens-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The fixtures of model_signing's tests/conftest.py; each returns the model path. */
const FIXTURES: Record<string, (root: string) => string> = {
  sample_model_file: (root) => {
    writeFileSync(join(root, 'file_model'), KNOWN_MODEL_TEXT);
    return join(root, 'file_model');
  },
  empty_model_file: (root) => {
    writeFileSync(join(root, 'empty_file_model'), '');
    return join(root, 'empty_file_model');
  },
  sample_model_folder: (root) => {
    const model = join(root, 'sample_model');
    for (let i = 0; i < 2; i++) {
      mkdirSync(join(model, `d${i}`), { recursive: true });
      for (let j = 0; j < 3; j++)
        writeFileSync(join(model, `d${i}/f${i}${j}`), `This is file f${i}${j} in d${i}.`);
    }
    for (let i = 0; i < 4; i++) writeFileSync(join(model, `f${i}`), `This is file f${i} in root.`);
    return model;
  },
  empty_model_folder: (root) => {
    mkdirSync(join(root, 'empty_folder_model'));
    return join(root, 'empty_folder_model');
  },
  model_folder_with_empty_file: (root) => {
    const model = join(root, 'empty_file_inside_model');
    mkdirSync(model);
    writeFileSync(join(model, 'empty_file'), '');
    return model;
  },
  deep_model_folder: (root) => {
    const model = join(root, 'deep_model');
    const deepest = join(model, 'd0/d1/d2/d3/d4');
    mkdirSync(deepest, { recursive: true });
    for (let i = 0; i < 4; i++) writeFileSync(join(deepest, `f${i}`), `This is file f${i}.`);
    return model;
  },
  symlink_model_folder: (root) => {
    mkdirSync(join(root, 'external'));
    writeFileSync(join(root, 'external/file'), KNOWN_MODEL_TEXT);
    const model = join(root, 'symlink_model');
    mkdirSync(model);
    symlinkSync(join(root, 'external/file'), join(model, 'symlink_file'));
    return model;
  },
};

/** The three serializations model_signing's goldens cover, by the suffix of their file names. */
const MODES = [
  { suffix: '', serializer: 'file', method: 'files', shardSize: undefined },
  { suffix: '_shard', serializer: 'file_shard', method: 'shards', shardSize: 1_000_000_000 },
  { suffix: '_small_shards', serializer: 'file_shard', method: 'shards', shardSize: 8 },
] as const;

/** The model's files as pedigree enumerates them; the symbolic link out of the folder as model_signing follows it. */
function filesOf(name: string, modelPath: string): ModelFile[] {
  const enumerated = enumerateModel(modelPath, { allowSymlinks: true });
  if (name !== 'symlink_model_folder') {
    expect(enumerated.problems).toEqual([]);
    return singleFileResourceNames(modelPath, enumerated.files);
  }
  // pedigree never follows a link out of the model folder (model_signing does): a deliberate difference,
  // checked here; the hashing of the file it names is still compared with the goldens.
  expect(enumerated.problems.map((p) => p.path)).toEqual(['symlink_file']);
  expect(enumerated.problems[0]?.message).toMatch(/outside the model folder; not followed/);
  const target = join(modelPath, '../external/file');
  return [{ name: 'symlink_file', absolutePath: target, size: KNOWN_MODEL_TEXT.length }];
}

describe("model_signing's golden manifests and payloads", () => {
  for (const [name, build] of Object.entries(FIXTURES))
    for (const mode of MODES) {
      const label = `${name}${mode.suffix}`;
      it(`${label}: the same resources, order, root digest and statement`, async () => {
        const root = join(work, label);
        mkdirSync(root);
        const modelPath = build(root);
        const resources = await hashModel(
          filesOf(name, modelPath),
          {
            method: mode.method,
            hashType: 'sha256',
            ...(mode.shardSize !== undefined ? { shardSize: mode.shardSize } : {}),
          },
          { workers: 1 },
        );
        // The serializer goldens: `name:digest` lines in model_signing's order (the default shard size's
        // golden carries the bare fixture name).
        const serializerGolden = join(
          SERIALIZER,
          mode.serializer,
          'TestSerializer',
          mode.suffix === '_shard' ? name : label,
        );
        expect(resources.map((r) => `${r.name}:${r.digest}`).join('\n')).toBe(
          readFileSync(serializerGolden, 'utf8').trim(),
        );
        // The payload goldens: the statement model_signing's Payload builds for that manifest.
        const golden = JSON.parse(readFileSync(join(PAYLOAD, label), 'utf8')) as {
          subject: unknown;
          predicate: { serialization: Record<string, unknown>; resources: Record<string, string>[] };
        };
        const serialization = {
          method: mode.method,
          hash_type: 'sha256',
          ...(mode.shardSize !== undefined ? { shard_size: mode.shardSize } : {}),
          allow_symlinks: true,
        };
        const ours = JSON.parse(omsStatementJson(modelNameOf(modelPath), resources, serialization));
        expect(ours.subject).toEqual(golden.subject);
        expect(ours.predicate.resources).toEqual(
          golden.predicate.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
        );
        expect(ours.predicate.serialization).toEqual(golden.predicate.serialization);
      });
    }
});
