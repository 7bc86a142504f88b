import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGguf, gv } from '../formats/gguf/test-support.js';
import { buildModel as buildOnnx, externalTensor } from '../formats/onnx/test-support.js';
import { f32Tensors } from '../formats/safetensors/test-support.js';
import { collectInventory } from './collect.js';
import { buildCycloneDx } from './cyclonedx.js';
import { cycloneDxValidator, SHARED_CYCLONEDX_SCHEMAS } from './test-support.js';

/**
 * Real model repository layouts (transformers, PEFT, diffusers, sentence-transformers, GGUF, ONNX with
 * external data, a dataset repository), built in code: each test is a way the BOM once misdescribed one.
 */

const TOOL = { name: 'pedigree', version: '0.0.0-test' };
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-layouts-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

function gguf(license?: string): Uint8Array {
  return buildGguf({
    metadata: [
      ['general.architecture', gv.str('llama')],
      ...(license ? ([['general.license', gv.str(license)]] as const) : []),
    ],
    tensors: [
      { name: 'token_embd.weight', dims: [4, 8] },
      { name: 'output.weight', dims: [4, 8] },
    ],
  });
}

const PICKLE = Uint8Array.from([0x80, 0x02, 0x7d, 0x2e]);

function validCycloneDx(bom: Record<string, unknown>): void {
  // The official files when the workplace has them, else the library's copies of the same schema.
  const validate = cycloneDxValidator('1.6', existsSync(SHARED_CYCLONEDX_SCHEMAS) ? 'shared' : 'library');
  expect(validate(bom), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
}

describe('PEFT adapters', () => {
  it('takes the base model from adapter_config.json, also without a card, as ancestor and runtime dependency', async () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const root = project({
      'checkpoint-500/adapter_config.json': JSON.stringify({
        base_model_name_or_path: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
        peft_type: 'LORA',
        revision: sha,
        task_type: 'CAUSAL_LM',
      }),
      'checkpoint-500/adapter_model.safetensors': f32Tensors({ 'a.lora_A.weight': [2, 4] }),
      'checkpoint-500/optimizer.pt': PICKLE,
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    const base = 'hf-model:TinyLlama/TinyLlama-1.1B-Chat-v1.0';
    expect(inventory.models.find((m) => m.ref === 'model:checkpoint-500')?.derivedFrom).toEqual([base]);
    expect(inventory.models.find((m) => m.ref === base)).toMatchObject({
      external: true,
      version: sha,
      purl: `pkg:huggingface/TinyLlama/TinyLlama-1.1B-Chat-v1.0@${sha}`,
      sources: ['checkpoint-500/adapter_config.json (base_model_name_or_path)'],
    });
    const bom = buildCycloneDx(inventory, { version: '1.6' });
    validCycloneDx(bom);
    const adapter = (bom.components as Record<string, unknown>[]).find(
      (c) => c['bom-ref'] === 'model:checkpoint-500',
    );
    expect(adapter?.pedigree).toEqual({
      ancestors: [
        {
          type: 'machine-learning-model',
          name: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
          purl: `pkg:huggingface/TinyLlama/TinyLlama-1.1B-Chat-v1.0@${sha}`,
        },
      ],
    });
    // The adapter does not run without its base: the graph says so (the base was a loose component).
    const deps = bom.dependencies as { ref: string; dependsOn?: string[] }[];
    expect(deps.find((d) => d.ref === 'model:checkpoint-500')?.dependsOn).toEqual([base]);
  });

  it('lists the base model once when the card and adapter_config.json both name it', async () => {
    const root = project({
      'README.md': '---\nbase_model: TinyLlama/TinyLlama-1.1B-Chat-v1.0\nlibrary_name: peft\n---\n# lora\n',
      'adapter_config.json': JSON.stringify({
        base_model_name_or_path: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
      }),
      'adapter_model.safetensors': f32Tensors({ w: [2] }),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    const external = inventory.models.filter((m) => m.external);
    expect(external.map((m) => m.ref)).toEqual(['hf-model:TinyLlama/TinyLlama-1.1B-Chat-v1.0']);
    expect(external[0]?.sources).toEqual([
      'README.md (front matter base_model)',
      'adapter_config.json (base_model_name_or_path)',
    ]);
  });
});

describe('ONNX external data', () => {
  it('makes the external data file part of the model, hashed, with or without a config', async () => {
    const onnx = buildOnnx({ initializer: [externalTensor('model.onnx_data', { length: '16' })] });
    for (const withConfig of [true, false]) {
      const root = project({
        'onnx/model.onnx': onnx,
        'onnx/model.onnx_data': Buffer.alloc(16, 1),
        ...(withConfig ? { 'onnx/config.json': '{"model_type": "bert"}' } : {}),
      });
      const { inventory } = await collectInventory(root, { tool: TOOL });
      expect(inventory.models, String(withConfig)).toHaveLength(1);
      const model = inventory.models[0];
      expect(model?.weightFiles).toEqual(['file:onnx/model.onnx', 'file:onnx/model.onnx_data']);
      expect(model?.formats).toEqual(['onnx', 'onnx-external-data']);
      // Two weight files: the model no longer carries the graph's hash as if it were the whole model.
      expect(model?.hashes).toEqual([]);
      const data = inventory.files.find((f) => f.path === 'onnx/model.onnx_data');
      expect(data).toMatchObject({ role: 'weights', format: 'onnx-external-data' });
      expect(data?.hashes[0]?.algorithm).toBe('SHA-256');
    }
  });

  it('reports external data that is missing or leaves the folder', async () => {
    const root = project({
      'm/model.onnx': buildOnnx({
        initializer: [externalTensor('weights.bin'), { ...externalTensor('../../etc/passwd'), name: 'W2' }],
      }),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    const messages = inventory.problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toContain('m/model.onnx: names external data m/weights.bin, which is not in the folder');
    expect(messages.some((m) => m.includes('"../../etc/passwd"') && m.includes('not inventoried'))).toBe(
      true,
    );
  });
});

describe('parameter counts', () => {
  it('counts a network once when a folder holds several copies of it', async () => {
    const root = project({
      // GGUF quantisations of one model, with the card naming the base.
      'gguf/README.md':
        '---\nbase_model: meta-llama/Llama-3.1-8B\nbase_model_relation: quantized\n---\n# q\n',
      'gguf/model-Q4_K_M.gguf': gguf(),
      'gguf/model-Q8_0.gguf': gguf(),
      // A diffusers-style fp16 variant beside the full weights.
      'unet/config.json': '{"_class_name": "UNet2DConditionModel"}',
      'unet/diffusion_pytorch_model.safetensors': f32Tensors({ w: [4, 4] }),
      'unet/diffusion_pytorch_model.fp16.safetensors': f32Tensors({ w: [4, 4] }),
      // Shards hold different tensors and still add up.
      'sharded/config.json': '{"model_type": "llama"}',
      'sharded/model-00001-of-00002.safetensors': f32Tensors({ a: [2, 3] }),
      'sharded/model-00002-of-00002.safetensors': f32Tensors({ b: [4] }),
      // Two different networks under one card: one name, two shapes, no count.
      'mixed/README.md': '# mixed\n',
      'mixed/a.safetensors': f32Tensors({ w: [2] }),
      'mixed/b.safetensors': f32Tensors({ w: [3] }),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    const count = (ref: string) => inventory.models.find((m) => m.ref === ref)?.parameters.parameterCount;
    expect(count('model:gguf')).toBe('64');
    expect(count('model:unet')).toBe('16');
    expect(count('model:sharded')).toBe('10');
    expect(count('model:mixed')).toBeUndefined();
  });
});

describe('GGUF licences', () => {
  it("takes the licence the GGUF header states when the card states none, and the card's when it does", async () => {
    const root = project({
      'q/README.md': '---\nbase_model: openai/gpt-oss-120b\nbase_model_relation: quantized\n---\n## Quants\n',
      'q/m-Q4_K_M.gguf': gguf('apache-2.0'),
      'q/m-Q8_0.gguf': gguf('apache-2.0'),
      'c/README.md': '---\nlicense: mit\n---\n# c\n',
      'c/m.gguf': gguf('apache-2.0'),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models.find((m) => m.ref === 'model:q')?.licenses).toEqual([
      { expression: 'Apache-2.0', source: 'q/m-Q4_K_M.gguf (GGUF general.license)' },
    ]);
    expect(inventory.models.find((m) => m.ref === 'model:c')?.licenses).toMatchObject([
      { expression: 'MIT' },
    ]);
  });
});

describe('diffusers pipelines and model subfolders', () => {
  const pipeline = {
    'sd/README.md':
      '---\nlicense: creativeml-openrail-m\ntags:\n- text-to-image\n---\n# Stable Diffusion v1-5 Model Card\n\nA latent text-to-image diffusion model.\n',
    'sd/model_index.json': JSON.stringify({
      _class_name: 'StableDiffusionPipeline',
      unet: ['diffusers', 'UNet2DConditionModel'],
      vae: ['diffusers', 'AutoencoderKL'],
      text_encoder: ['transformers', 'CLIPTextModel'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      scheduler: ['diffusers', 'PNDMScheduler'],
    }),
    'sd/unet/config.json': '{"_class_name": "UNet2DConditionModel"}',
    'sd/unet/diffusion_pytorch_model.safetensors': f32Tensors({ 'conv_in.weight': [4, 4] }),
    'sd/vae/config.json': '{"_class_name": "AutoencoderKL"}',
    'sd/vae/diffusion_pytorch_model.safetensors': f32Tensors({ 'conv_in.weight': [2, 2] }),
    'sd/text_encoder/config.json': '{"model_type": "clip_text_model", "architectures": ["CLIPTextModel"]}',
    'sd/text_encoder/model.safetensors': f32Tensors({ emb: [8, 2] }),
    'sd/tokenizer/vocab.json': '{}',
    'sd/tokenizer/merges.txt': '#version: 0.2\n',
    'sd/scheduler/scheduler_config.json': '{"_class_name": "PNDMScheduler"}',
  };

  it('is one model with the card and licence at its root, not one unlicensed model per subfolder', async () => {
    const root = project(pipeline);
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:sd']);
    const model = inventory.models[0];
    expect(model).toMatchObject({
      name: 'Stable Diffusion v1-5',
      licenses: [{ name: 'creativeml-openrail-m' }],
      cardPath: 'sd/README.md',
      parameters: { architecture: 'StableDiffusionPipeline', parameterCount: '36' },
      weightFiles: [
        'file:sd/text_encoder/model.safetensors',
        'file:sd/unet/diffusion_pytorch_model.safetensors',
        'file:sd/vae/diffusion_pytorch_model.safetensors',
      ],
    });
    const contains = inventory.relationships.find((r) => r.from === 'model:sd' && r.kind === 'contains');
    expect(contains?.to).toEqual(
      [
        'file:sd/README.md',
        'file:sd/model_index.json',
        'file:sd/scheduler/scheduler_config.json',
        'file:sd/text_encoder/config.json',
        'file:sd/text_encoder/model.safetensors',
        'file:sd/tokenizer/merges.txt',
        'file:sd/tokenizer/vocab.json',
        'file:sd/unet/config.json',
        'file:sd/unet/diffusion_pytorch_model.safetensors',
        'file:sd/vae/config.json',
        'file:sd/vae/diffusion_pytorch_model.safetensors',
      ].sort(),
    );
    const bom = buildCycloneDx(inventory, { version: '1.6' });
    validCycloneDx(bom);
    // Nothing of the pipeline is left at the top level as a loose file.
    const top = (bom.components as Record<string, unknown>[]).map((c) => c['bom-ref']);
    expect(top).toEqual(['model:sd']);
  });

  it('keeps folders model_index.json does not name out of the pipeline, and does not sum a root checkpoint', async () => {
    const root = project({
      ...pipeline,
      'sd/v1-5-pruned-emaonly.safetensors': f32Tensors({ 'model.diffusion_model.w': [4, 4] }),
      'sd/checkpoints/lora.safetensors': f32Tensors({ w: [2] }),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:sd', 'model:sd/checkpoints/lora.safetensors']);
    const model = inventory.models[0];
    expect(model?.weightFiles).toContain('file:sd/v1-5-pruned-emaonly.safetensors');
    // The single-file checkpoint holds the same network as the components under other tensor names.
    expect(model?.parameters.parameterCount).toBeUndefined();
  });

  it('makes a sentence-transformers module folder without weights part of the model', async () => {
    const root = project({
      'st/README.md': '---\nlibrary_name: sentence-transformers\n---\n# st\n',
      'st/modules.json': JSON.stringify([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      ]),
      'st/config.json': '{"model_type": "bert", "architectures": ["BertModel"]}',
      'st/model.safetensors': f32Tensors({ w: [2] }),
      'st/1_Pooling/config.json': '{"pooling_mode_mean_tokens": true}',
      // A checkpoint folder with weights of its own stays a model of its own.
      'st/checkpoint-10/config.json': '{"model_type": "bert"}',
      'st/checkpoint-10/model.safetensors': f32Tensors({ w: [2] }),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.models.map((m) => m.ref)).toEqual(['model:st', 'model:st/checkpoint-10']);
    const contains = inventory.relationships.find((r) => r.from === 'model:st' && r.kind === 'contains');
    expect(contains?.to).toContain('file:st/1_Pooling/config.json');
    expect(contains?.to).not.toContain('file:st/checkpoint-10/config.json');
  });
});

describe('what the BOM could not say in full', () => {
  it('reports what a card-facts limit left out of the model card', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `  - org/set-${i}`).join('\n');
    const root = project({
      'm/README.md': `---\ndatasets:\n${names}\n---\n# m\n`,
      'm/model.safetensors': f32Tensors({ w: [2] }),
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.problems).toContainEqual({
      path: 'm/README.md',
      message: 'card only partly listed: trained on: more than 100 datasets',
    });
  });

  it("links a dataset repository's own dataset from the project", async () => {
    const root = project({
      'README.md':
        '---\nlicense: cc-by-4.0\ntask_categories:\n- question-answering\n---\n# squad\n\nQuestions.\n',
      'plain_text/train-00000-of-00001.parquet': 'PAR1\0\0PAR1',
    });
    const { inventory } = await collectInventory(root, { tool: TOOL });
    expect(inventory.datasets.map((d) => d.ref)).toEqual(['dataset:.']);
    const project_ = inventory.relationships.find((r) => r.from === inventory.project.ref);
    expect(project_?.to).toEqual(['dataset:.']);
    const bom = buildCycloneDx(inventory, { version: '1.6' });
    const deps = bom.dependencies as { ref: string; dependsOn?: string[] }[];
    expect(deps.find((d) => d.ref === inventory.project.ref)?.dependsOn).toEqual(['dataset:.']);
  });
});
