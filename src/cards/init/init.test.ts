import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGguf, gv } from '../../formats/gguf/test-support.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import { safetensors } from '../../formats/safetensors/test-support.js';
import type { CardDocument } from '../card-document.js';
import { readCard } from '../read.js';
import { DATASET_TOPICS, MODEL_TOPICS, type Topic, topicsOfTitle } from '../topics.js';
import { initCard } from './index.js';

const folders: string[] = [];

function folder(files: Record<string, string | Uint8Array> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-card-init-'));
  folders.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

afterEach(() => {
  for (const root of folders.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A tiny safetensors file: `tensors` of F32 with the given shapes, laid out back to back. */
function tensorsFile(shapes: Record<string, number[]>): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const bytes = shape.reduce((a, d) => a * d, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  return safetensors(header, new Uint8Array(offset));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Card reader checks every generated card must pass. */
function checkCard(text: string, kind: 'model' | 'dataset'): CardDocument {
  const doc = readCard('README.md', text);
  expect(doc.problems).toEqual([]);
  // Every TODO the generator wrote is an unanswered placeholder to the audit.
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.includes('TODO')) return;
    const kinds = doc.placeholders.filter((p) => p.line === i + 1).map((p) => p.kind);
    const expected =
      doc.frontMatter !== undefined && i + 1 <= doc.frontMatter.endLine ? 'metadata-comment' : 'todo';
    expect(kinds, `line ${i + 1}: ${line}`).toContain(expected);
  });
  // Every heading but the title names a topic the audit looks for.
  const topics = new Set<Topic>();
  for (const section of doc.sections) {
    if (section.level === 1) continue;
    const found = topicsOfTitle(section.normalizedTitle);
    expect(found, section.title).not.toEqual([]);
    for (const t of found) topics.add(t);
  }
  const wanted: readonly Topic[] =
    kind === 'model'
      ? MODEL_TOPICS.filter(
          (t) => !['developers', 'model-type', 'users', 'license', 'ethical-considerations'].includes(t),
        )
      : DATASET_TOPICS.filter(
          (t) => !['dataset-summary', 'annotations', 'social-impact', 'languages', 'license'].includes(t),
        );
  for (const t of wanted) expect(topics.has(t) || t === 'dataset-summary', t).toBe(true);
  return doc;
}

function fromLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('From `'));
}

describe('initCard', () => {
  it('writes only TODOs for an empty folder: no claim, no metadata key, no section with content', async () => {
    const card = await initCard(folder(), { name: 'empty-model' });
    expect(card.kind).toBe('model');
    const doc = checkCard(card.text, 'model');
    expect(doc.frontMatter?.data).toEqual({});
    expect(doc.sections.filter((s) => s.state === 'content').map((s) => s.title)).toEqual([]);
    expect(doc.preamble.state).toBe('empty');
    expect(fromLines(card.text)).toEqual([]);
    expect(card.text).not.toMatch(/^\|/m);
    expect(card.text).not.toMatch(/^license:/m);
    expect(card.statedFacts).toBe(0);
    expect(card.notes).toEqual([]);
    expect(card.todos).toBe(doc.placeholders.length);
  });

  it('derives a transformers model card from its files, each fact naming its file', async () => {
    const shard1 = tensorsFile({ 'model.embed.weight': [10, 4], 'model.layers.0.w': [4, 4] });
    const shard2 = tensorsFile({ 'lm_head.weight': [10, 4] });
    const legacy = pickle().proto(2).raw([0x4e, 0x2e]).build();
    const root = folder({
      'config.json': JSON.stringify({
        architectures: ['LlamaForCausalLM'],
        model_type: 'llama',
        hidden_size: 4,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        num_key_value_heads: 1,
        vocab_size: 10,
        torch_dtype: 'float32',
        transformers_version: '4.41.2',
        _name_or_path: 'meta-llama/Llama-2-7b-hf',
      }),
      'generation_config.json': '{"do_sample": true, "temperature": 0.6, "top_p": 0.9}',
      'tokenizer_config.json': '{"tokenizer_class": "LlamaTokenizer", "chat_template": "{{ messages }}"}',
      'model-00001-of-00002.safetensors': shard1,
      'model-00002-of-00002.safetensors': shard2,
      'model.safetensors.index.json': JSON.stringify({
        metadata: { total_size: 384 },
        weight_map: {
          'model.embed.weight': 'model-00001-of-00002.safetensors',
          'model.layers.0.w': 'model-00001-of-00002.safetensors',
          'lm_head.weight': 'model-00002-of-00002.safetensors',
        },
      }),
      'pytorch_model.bin': legacy,
      'requirements.txt': 'torch==2.3.1\ntransformers==4.41.2\nrequests==2.31.0\n',
      'eval_results.json': '{"epoch": 3.0, "eval_accuracy": 0.8125, "eval_loss": NaN, "eval_runtime": 1.5}',
      'trainer_state.json': JSON.stringify({
        best_metric: 0.8125,
        best_model_checkpoint: '/tmp/run/checkpoint-20',
        global_step: 60,
        num_train_epochs: 3,
        train_batch_size: 8,
        log_history: [{ step: 20, eval_accuracy: 0.8125 }],
      }),
      'eval/results_2024-01-01T00-00-00.json': JSON.stringify({
        results: { arc_easy: { alias: 'arc_easy', 'acc,none': 0.25, 'acc_stderr,none': 0.01 } },
        configs: {
          arc_easy: { dataset_path: 'allenai/ai2_arc', dataset_name: 'ARC-Easy', test_split: 'test' },
        },
        versions: { arc_easy: 1 },
        'n-shot': { arc_easy: 0 },
      }),
      'README.md': '---\ndatasets:\n- imdb\n- /local/path\n---\n# old card\n',
      LICENSE: 'Apache License 2.0\n',
    });
    const card = await initCard(root, { name: 'tiny-llama' });
    expect(card.kind).toBe('model');
    expect(card.notes).toEqual([]);
    const doc = checkCard(card.text, 'model');
    expect(doc.frontMatter?.data).toEqual({
      library_name: 'transformers',
      pipeline_tag: 'text-generation',
      datasets: ['imdb'],
      tags: ['llama', 'safetensors'],
      'model-index': [
        {
          name: 'tiny-llama',
          results: [
            {
              task: { type: 'text-generation' },
              dataset: {
                type: 'allenai/ai2_arc',
                name: 'arc_easy',
                config: 'ARC-Easy',
                split: 'test',
                args: { num_few_shot: 0 },
              },
              metrics: [{ type: 'acc', value: 0.25, name: 'acc,none' }],
            },
          ],
        },
      ],
    });
    expect(card.text).toContain(
      'value: 0.25  # eval/results_2024-01-01T00-00-00.json: results.arc_easy["acc,none"]',
    );
    // `_name_or_path` is reported as what the config names, never as the base model.
    expect(doc.frontMatter?.data).not.toHaveProperty('base_model');
    expect(card.text).toContain('the config names `meta-llama/Llama-2-7b-hf` (`_name_or_path`');
    const facts = fromLines(card.text);
    expect(facts).toContain(
      'From `config.json`: `LlamaForCausalLM`, model_type `llama`, 1 layers, hidden size 4, 2 attention heads, 1 key-value heads, vocabulary of 10 tokens, dtype `float32`.',
    );
    expect(facts).toContain(
      'From `generation_config.json`: generation defaults do_sample true, temperature 0.6, top_p 0.9.',
    );
    expect(facts).toContain(
      'From `requirements.txt`: `torch 2.3.1` and `transformers 4.41.2`; 1 other package (read as requirements).',
    );
    expect(facts).toContain(
      'From `trainer_state.json`: num_train_epochs 3, global_step 60, train_batch_size 8, best_metric 0.8125 (equal to `eval_accuracy` logged at that step) at `checkpoint-20`.',
    );
    expect(facts).toContain(
      'From `eval_results.json`: `eval_loss` is NaN (not a number; left out of the table and the metadata).',
    );
    expect(facts).toContain(
      "From `model.safetensors.index.json`: 2 shards (`model-00001-of-00002.safetensors` and `model-00002-of-00002.safetensors`), total_size 384 bytes, 96 parameters in the shards' headers.",
    );
    expect(card.text).toContain('| `eval_accuracy` | 0.8125 | `eval_results.json` |');
    expect(card.text).toContain(
      '| `arc_easy` | `acc,none` | 0.25 | 0.01 | 0 | `eval/results_2024-01-01T00-00-00.json` |',
    );
    expect(card.text).toContain(
      `| \`model-00001-of-00002.safetensors\` | safetensors | ${shard1.length} bytes | 56 | F32 ×2 | \`${sha256(shard1)}\` |`,
    );
    expect(card.text).toContain(
      `| \`pytorch_model.bin\` | pickle (not loaded) | ${legacy.length} bytes | — | — | \`${sha256(legacy)}\` |`,
    );
    expect(card.text).toContain('`pytorch_model.bin` is pickle-based');
    expect(card.text).toContain(
      '**License:** TODO: choose a licence and set `license:` in the metadata (the folder has `LICENSE`)',
    );
    expect(card.text).toContain('A chat template is included (`tokenizer_config.json`)');
    // Trainer metrics name no dataset: they stay out of model-index, and the card says so.
    expect(card.text).toContain('TODO: the other results are not in the `model-index` metadata');
    // Same folder, same card.
    expect((await initCard(root, { name: 'tiny-llama' })).text).toBe(card.text);
  });

  it('takes base_model only from a PEFT adapter config, and only when it is a Hub id', async () => {
    const adapter = {
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 8,
      lora_alpha: 16,
      target_modules: ['v_proj', 'q_proj'],
    };
    const hub = await initCard(
      folder({
        'adapter_config.json': JSON.stringify({
          ...adapter,
          base_model_name_or_path: 'mistralai/Mistral-7B-v0.1',
        }),
        'adapter_model.safetensors': tensorsFile({ a: [2, 2] }),
      }),
    );
    const doc = checkCard(hub.text, 'model');
    expect(doc.frontMatter?.data).toMatchObject({
      library_name: 'peft',
      pipeline_tag: 'text-generation',
      base_model: 'mistralai/Mistral-7B-v0.1',
      tags: ['lora', 'safetensors'],
    });
    expect(fromLines(hub.text)).toContain(
      'From `adapter_config.json`: PEFT type `LORA`, task type `CAUSAL_LM`, r 8, lora_alpha 16, target modules `q_proj` and `v_proj`.',
    );
    const local = await initCard(
      folder({
        'adapter_config.json': JSON.stringify({ ...adapter, base_model_name_or_path: '/home/me/mistral' }),
      }),
    );
    const localDoc = checkCard(local.text, 'model');
    expect(localDoc.frontMatter?.data).not.toHaveProperty('base_model');
    expect(local.text).toContain('names the base model by the local path `/home/me/mistral`');
  });

  it('describes a GGUF-only folder from the GGUF metadata', async () => {
    const card = await initCard(
      folder({
        'tiny.Q4_0.gguf': buildGguf({
          metadata: [
            ['general.architecture', gv.str('llama')],
            ['general.name', gv.str('Tiny')],
            ['general.license', gv.str('mit')],
            ['llama.context_length', gv.u32(2048)],
          ],
          tensors: [{ name: 't', dims: [32, 4] }],
        }),
      }),
    );
    const doc = checkCard(card.text, 'model');
    expect(doc.frontMatter?.data).toEqual({ tags: ['gguf', 'llama'] });
    expect(card.text).toContain('**Model type:** `llama` (`general.architecture` in `tiny.Q4_0.gguf`)');
    expect(card.text).toContain('the GGUF metadata of `tiny.Q4_0.gguf` says `mit`');
    expect(fromLines(card.text)).toContain(
      'From `tiny.Q4_0.gguf`: GGUF metadata: architecture `llama`, context length 2,048, no chat template.',
    );
  });

  it('skips malformed inputs with a TODO note instead of failing', async () => {
    const lying = tensorsFile({ a: [2] });
    new DataView(lying.buffer).setBigUint64(0, 10_000_000n, true);
    const root = folder({
      'config.json': '{"architectures": ["LlamaForCausalLM"],',
      'model.safetensors': lying,
      'tokenizer_config.json': `{"pad": "${'x'.repeat(200)}"}`,
      'eval_results.json': '[1, 2]',
      'results.json': '{"results": {"t": {"acc": "high"}}, "versions": {}}',
    });
    const outside = folder({ 'secret.safetensors': tensorsFile({ s: [1] }) });
    symlinkSync(join(outside, 'secret.safetensors'), join(root, 'linked.safetensors'));
    const card = await initCard(root, { limits: { maxJsonBytes: 100 } });
    checkCard(card.text, 'model');
    expect(card.notes.map((n) => [n.file, n.message.replace(/:.*/, '')])).toEqual([
      ['linked.safetensors', 'symbolic link out of the folder; not followed'],
      ['config.json', 'could not be read'],
      ['tokenizer_config.json', 'larger than 100 bytes; not read'],
      ['model.safetensors', 'safetensors header could not be read'],
      ['eval_results.json', 'is not a JSON object of metrics; not read'],
      ['results.json', 'is an lm-evaluation-harness results file without a numeric metric; not read'],
    ]);
    expect(card.notes.find((n) => n.file === 'model.safetensors')?.message).toBe(
      `safetensors header could not be read: header length 10000000 runs past the end of the ${lying.length}-byte file (at offset 0)`,
    );
    for (const note of card.notes) expect(card.text).toContain(`TODO: \`${note.file}\`: ${note.message}`);
    expect(card.text).not.toContain('secret');
    // A file named .safetensors whose content is not safetensors earns no format tag.
    expect(readCard('README.md', card.text).frontMatter?.data).toEqual({});
  });

  it('writes a datasheet for a folder of data files, with columns, rows and splits the files show', async () => {
    const root = folder({
      'data/train.csv': 'text,label\n"hello, world",1\n"two\nlines",0\n',
      'data/test.jsonl': '{"text": "a", "label": 1}\n{"text": "b", "label": null}\n',
      'validation.parquet': 'PAR1....PAR1',
      'images/a.jpg': 'x',
      'dataset_info.json': JSON.stringify({
        features: { text: { dtype: 'string', _type: 'Value' } },
        splits: { train: { num_examples: 2 } },
      }),
    });
    const card = await initCard(root, { name: 'tiny-data' });
    expect(card.kind).toBe('dataset');
    const doc = checkCard(card.text, 'dataset');
    // The Parquet file's rows are not counted, so no size category is claimed.
    expect(doc.frontMatter?.data).toEqual({});
    expect(card.text).toContain('# Dataset Card for tiny-data');
    expect(card.text).toContain('`data/train.csv` (first row, read as the header): `text`, `label`.');
    expect(card.text).toContain(
      '`data/test.jsonl` (keys of the first 2 records): `text` (string), `label` (null or number).',
    );
    expect(card.text).toMatch(/\| `data\/train\.csv` \| CSV \| 42 bytes \| 2 \| train \| `[0-9a-f]{64}` \|/);
    expect(card.text).toContain('| `validation.parquet` | Parquet | 12 bytes | not counted | validation |');
    expect(card.text).toContain('Other files by extension: `.jpg` 1.');
    expect(fromLines(card.text)).toEqual([
      'From `dataset_info.json`: features `text` (string).',
      'From `dataset_info.json`: splits `train` (2 examples).',
    ]);

    const counted = await initCard(folder({ 'train.jsonl': '{"a": 1}\n'.repeat(1500) }));
    expect(readCard('README.md', counted.text).frontMatter?.data).toEqual({ size_categories: ['1K<n<10K'] });
  });

  it('follows --kind over the files, and leaves hashes out when asked', async () => {
    const root = folder({ 'train.csv': 'a\n1\n' });
    const card = await initCard(root, { kind: 'model', hash: false });
    expect(card.kind).toBe('model');
    checkCard(card.text, 'model');
    expect(card.text).toContain('The folder holds data files: `train.csv`.');
    const data = await initCard(root, { hash: false });
    expect(data.kind).toBe('dataset');
    expect(data.text).toContain('| `train.csv` | CSV | 4 bytes | 1 | train | not computed |');
  });

  it('reads only the first data files past the sampling limit, and then claims no size category', async () => {
    const root = folder({ 'a/train.csv': 'x\n1\n', 'b/train.csv': 'x\n1\n2\n' });
    const card = await initCard(root, { limits: { maxSampledDataFiles: 1 } });
    checkCard(card.text, 'dataset');
    expect(card.text).toContain(
      'Columns and rows were read from the first 1 data file; the other 1 were only listed.',
    );
    expect(card.text).toContain('| `b/train.csv` | CSV | 6 bytes | not counted | train |');
    expect(readCard('README.md', card.text).frontMatter?.data).toEqual({});
  });

  it('says when a weights file is only a Git LFS pointer, and does not walk installed packages', async () => {
    const card = await initCard(
      folder({
        'model.safetensors': 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 5\n',
        'node_modules/x/model.onnx': 'x',
        '.venv/lib/requirements.txt': 'torch==1\n',
      }),
    );
    checkCard(card.text, 'model');
    expect(card.notes).toEqual([
      {
        file: 'model.safetensors',
        topic: 'files',
        message: 'is a Git LFS pointer, not the file itself (run `git lfs pull`)',
      },
    ]);
    expect(card.text).not.toContain('node_modules');
    expect(card.text).not.toContain('torch');
  });

  it('stops walking at the file limit and says so', async () => {
    const root = folder({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    const card = await initCard(root, { limits: { maxFiles: 2 } });
    expect(card.notes.map((n) => n.message)).toEqual([
      'not walked: more than 2 files; the rest were not scanned',
    ]);
    checkCard(card.text, 'model');
  });
});
