import { compareStrings } from '../../core/finding.js';
import { isRecord } from '../../core/json.js';
import type {
  AdapterFacts,
  GenerationConfigFacts,
  ModelConfigFacts,
  ShardIndexFacts,
  TokenizerFacts,
} from './facts.js';
import { cleanString, field, finiteNumber, positiveInteger, stringField } from './json.js';

/**
 * Readers of the JSON files a Hugging Face model folder carries. Pure: each takes the parsed JSON
 * (`unknown`) and keeps only values of the expected type; anything else is left out, never guessed.
 */

/** Most architectures, auto_map entries or target modules kept from one file. */
const MAX_LIST = 64;

/** The first key of `keys` holding a positive integer (configs name the same size differently per model). */
function firstInteger(json: unknown, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = positiveInteger(field(json, key));
    if (value !== undefined) return value;
  }
  return undefined;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') {
    const one = cleanString(value);
    return one === undefined ? [] : [one];
  }
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value.slice(0, MAX_LIST)) {
    const s = cleanString(item);
    if (s !== undefined && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * A Hub repository id (`gpt2`, `meta-llama/Llama-2-7b-hf`): what `base_model:` and `datasets:` accept. Local
 * paths (`/home/x/llama`, `./out`, `C:\\models`) are not ids and must not be written there.
 * (huggingface_hub `validate_repo_id`: `[\w\-.]{1,96}`, at most one `/`, no `--` or `..`, no leading or
 * trailing `-`/`.`.)
 */
export function isHubRepoId(value: string): boolean {
  if (!/^(?:[\w.-]{1,96}\/)?[\w.-]{1,96}$/.test(value)) return false;
  if (value.includes('--') || value.includes('..')) return false;
  return value.split('/').every((part) => !/^[-.]|[-.]$/.test(part));
}

/** `config.json` written by transformers: architecture and sizes. */
export function parseModelConfig(json: unknown, file: string): ModelConfigFacts | undefined {
  if (!isRecord(json)) return undefined;
  const autoMap: [string, string][] = [];
  const map = field(json, 'auto_map');
  if (isRecord(map)) {
    for (const [key, value] of Object.entries(map).slice(0, MAX_LIST)) {
      // `"AutoTokenizer": ["tokenization_x.XTokenizer", null]`: the first non-null entry names the code.
      const target = Array.isArray(value) ? value.find((v) => typeof v === 'string') : value;
      const k = cleanString(key, 100);
      const t = cleanString(target);
      if (k !== undefined && t !== undefined) autoMap.push([k, t]);
    }
    autoMap.sort((a, b) => compareStrings(a[0], b[0]));
  }
  const quantization = field(json, 'quantization_config');
  const facts: ModelConfigFacts = {
    file,
    architectures: stringList(field(json, 'architectures')),
    modelType: stringField(json, 'model_type', 100),
    layers: firstInteger(json, ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers']),
    hiddenSize: firstInteger(json, ['hidden_size', 'n_embd', 'd_model', 'dim']),
    attentionHeads: firstInteger(json, ['num_attention_heads', 'n_head', 'num_heads', 'n_heads']),
    keyValueHeads: firstInteger(json, ['num_key_value_heads', 'n_kv_heads']),
    intermediateSize: firstInteger(json, ['intermediate_size', 'n_inner', 'ffn_dim', 'd_ff']),
    vocabSize: firstInteger(json, ['vocab_size']),
    maxPositions: firstInteger(json, ['max_position_embeddings', 'n_positions', 'max_seq_len']),
    dtype: stringField(json, 'torch_dtype', 40) ?? stringField(json, 'dtype', 40),
    transformersVersion: stringField(json, 'transformers_version', 40),
    nameOrPath: stringField(json, '_name_or_path'),
    quantization: stringField(quantization, 'quant_method', 60),
    autoMap,
  };
  return facts;
}

/** Whether parsed `config.json` says transformers wrote it. */
export function isTransformersConfig(json: unknown): boolean {
  return field(json, 'transformers_version') !== undefined || Array.isArray(field(json, 'architectures'));
}

/** Generation defaults worth telling a user (transformers `GenerationConfig`), in this order. */
const GENERATION_KEYS = [
  'do_sample',
  'temperature',
  'top_p',
  'top_k',
  'repetition_penalty',
  'max_new_tokens',
  'max_length',
] as const;

/** `generation_config.json`: the sampling defaults `generate()` starts from. */
export function parseGenerationConfig(json: unknown, file: string): GenerationConfigFacts | undefined {
  if (!isRecord(json)) return undefined;
  const settings: [string, string | number | boolean][] = [];
  for (const key of GENERATION_KEYS) {
    const value = field(json, key);
    if (typeof value === 'boolean' || finiteNumber(value) !== undefined)
      settings.push([key, value as boolean | number]);
  }
  return { file, settings };
}

/**
 * transformers writes `model_max_length = int(1e30)` (VERY_LARGE_INTEGER) when the tokenizer has no limit;
 * such a value says nothing about the model.
 */
const NO_MAX_LENGTH = 1e15;

/** `tokenizer_config.json`: tokenizer class, length limit, and whether it carries a chat template. */
export function parseTokenizerConfig(json: unknown, file: string): TokenizerFacts | undefined {
  if (!isRecord(json)) return undefined;
  const template = field(json, 'chat_template');
  // A string, or a list of named templates (`[{"name": "default", "template": "..."}]`).
  const hasTemplate =
    (typeof template === 'string' && template.trim() !== '') ||
    (Array.isArray(template) && template.some((t) => typeof field(t, 'template') === 'string'));
  const maxLength = positiveInteger(field(json, 'model_max_length'));
  return {
    file,
    tokenizerClass: stringField(json, 'tokenizer_class', 100),
    modelMaxLength: maxLength !== undefined && maxLength < NO_MAX_LENGTH ? maxLength : undefined,
    chatTemplateFiles: hasTemplate ? [file] : [],
  };
}

/** `adapter_config.json` written by PEFT. */
export function parseAdapterConfig(json: unknown, file: string): AdapterFacts | undefined {
  if (!isRecord(json)) return undefined;
  const base = stringField(json, 'base_model_name_or_path');
  const dropout = finiteNumber(field(json, 'lora_dropout'));
  const alpha = finiteNumber(field(json, 'lora_alpha'));
  return {
    file,
    peftType: stringField(json, 'peft_type', 60),
    taskType: stringField(json, 'task_type', 60),
    baseModel: base,
    baseModelIsHubId: base !== undefined && isHubRepoId(base),
    r: positiveInteger(field(json, 'r')),
    loraAlpha: alpha !== undefined && alpha > 0 ? alpha : undefined,
    loraDropout: dropout !== undefined && dropout >= 0 ? dropout : undefined,
    targetModules: stringList(field(json, 'target_modules')).sort(compareStrings),
  };
}

/**
 * A sharded checkpoint's index (`model.safetensors.index.json`, `pytorch_model.bin.index.json`, written by
 * transformers `save_pretrained` and huggingface_hub `save_torch_state_dict`): `metadata.total_size` and a
 * `weight_map` of tensor name to shard file. Shard names are relative to the index's folder.
 */
export function parseShardIndex(
  json: unknown,
  path: string,
  exists: (relativePath: string) => boolean,
  maxShards = 100_000,
): ShardIndexFacts | undefined {
  const map = field(json, 'weight_map');
  if (!isRecord(map)) return undefined;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const shards = new Set<string>();
  for (const value of Object.values(map)) {
    if (shards.size >= maxShards) break;
    const name = cleanString(value, 300);
    // A shard is a file name next to the index; anything that climbs out of the folder is not read.
    if (name === undefined || name.includes('..') || name.startsWith('/') || name.includes('\\')) continue;
    shards.add(dir + name);
  }
  const total = field(field(json, 'metadata'), 'total_size');
  const sorted = [...shards].sort(compareStrings);
  return {
    path,
    totalSize: positiveInteger(total),
    shards: sorted,
    missing: sorted.filter((s) => !exists(s)),
  };
}
