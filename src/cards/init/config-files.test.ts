import { describe, expect, it } from 'vitest';
import {
  isHubRepoId,
  parseAdapterConfig,
  parseGenerationConfig,
  parseModelConfig,
  parseShardIndex,
  parseTokenizerConfig,
} from './config-files.js';

describe('parseModelConfig', () => {
  it('reads architecture and sizes under the names different model families use', () => {
    expect(
      parseModelConfig(
        {
          architectures: ['GPT2LMHeadModel'],
          model_type: 'gpt2',
          n_layer: 12,
          n_embd: 768,
          n_head: 12,
          vocab_size: 50257,
          n_positions: 1024,
          torch_dtype: 'float32',
          transformers_version: '4.26.0',
          _name_or_path: 'gpt2',
        },
        'config.json',
      ),
    ).toEqual({
      file: 'config.json',
      architectures: ['GPT2LMHeadModel'],
      modelType: 'gpt2',
      layers: 12,
      hiddenSize: 768,
      attentionHeads: 12,
      keyValueHeads: undefined,
      intermediateSize: undefined,
      vocabSize: 50257,
      maxPositions: 1024,
      dtype: 'float32',
      transformersVersion: '4.26.0',
      nameOrPath: 'gpt2',
      quantization: undefined,
      autoMap: [],
    });
  });

  it('reads `dtype` (transformers 4.56+), quantisation and auto_map, and drops values of the wrong type', () => {
    const facts = parseModelConfig(
      {
        architectures: 'LlamaForCausalLM',
        dtype: 'bfloat16',
        num_hidden_layers: '32',
        hidden_size: -1,
        quantization_config: { quant_method: 'gptq', bits: 4 },
        auto_map: {
          AutoModelForCausalLM: 'modeling_x.XForCausalLM',
          AutoTokenizer: [null, 'tok.XTokenizerFast'],
          Bad: 3,
        },
      },
      'config.json',
    );
    expect(facts?.architectures).toEqual(['LlamaForCausalLM']);
    expect(facts?.dtype).toBe('bfloat16');
    expect(facts?.layers).toBeUndefined();
    expect(facts?.hiddenSize).toBeUndefined();
    expect(facts?.quantization).toBe('gptq');
    expect(facts?.autoMap).toEqual([
      ['AutoModelForCausalLM', 'modeling_x.XForCausalLM'],
      ['AutoTokenizer', 'tok.XTokenizerFast'],
    ]);
  });

  it('returns undefined for JSON that is not an object', () => {
    expect(parseModelConfig([1, 2], 'config.json')).toBeUndefined();
    expect(parseModelConfig('x', 'config.json')).toBeUndefined();
  });
});

describe('isHubRepoId', () => {
  it.each(['gpt2', 'meta-llama/Llama-2-7b-hf', 'org/model.v1', 'a_b/c-d'])('accepts %s', (id) => {
    expect(isHubRepoId(id)).toBe(true);
  });
  it.each([
    '/home/me/llama',
    './out',
    '../x',
    'C:\\models\\x',
    'a/b/c',
    'a--b/c',
    '-a/b',
    'a/b.',
    '',
    'has space/x',
  ])('refuses %s', (id) => {
    expect(isHubRepoId(id)).toBe(false);
  });
});

describe('parseAdapterConfig', () => {
  it('reads PEFT settings and says whether the base model is a Hub id', () => {
    expect(
      parseAdapterConfig(
        {
          peft_type: 'LORA',
          task_type: 'CAUSAL_LM',
          base_model_name_or_path: 'meta-llama/Llama-2-7b-hf',
          r: 16,
          lora_alpha: 32,
          lora_dropout: 0.05,
          target_modules: ['v_proj', 'q_proj', 'q_proj'],
        },
        'adapter_config.json',
      ),
    ).toEqual({
      file: 'adapter_config.json',
      peftType: 'LORA',
      taskType: 'CAUSAL_LM',
      baseModel: 'meta-llama/Llama-2-7b-hf',
      baseModelIsHubId: true,
      r: 16,
      loraAlpha: 32,
      loraDropout: 0.05,
      targetModules: ['q_proj', 'v_proj'],
    });
    expect(parseAdapterConfig({ base_model_name_or_path: '/data/llama' }, 'a.json')?.baseModelIsHubId).toBe(
      false,
    );
  });
});

describe('parseTokenizerConfig and parseGenerationConfig', () => {
  it("ignores transformers' no-limit model_max_length and finds chat templates in both shapes", () => {
    const t = parseTokenizerConfig(
      { tokenizer_class: 'LlamaTokenizer', model_max_length: 1e30, chat_template: '{{ x }}' },
      't.json',
    );
    expect(t).toEqual({
      file: 't.json',
      tokenizerClass: 'LlamaTokenizer',
      modelMaxLength: undefined,
      chatTemplateFiles: ['t.json'],
    });
    expect(
      parseTokenizerConfig({ chat_template: [{ name: 'default', template: 'x' }] }, 't.json')
        ?.chatTemplateFiles,
    ).toEqual(['t.json']);
    expect(parseTokenizerConfig({ chat_template: '  ', model_max_length: 2048 }, 't.json')).toMatchObject({
      chatTemplateFiles: [],
      modelMaxLength: 2048,
    });
  });

  it('keeps sampling defaults in a fixed order and only booleans and numbers', () => {
    expect(
      parseGenerationConfig(
        { top_p: 0.9, do_sample: true, temperature: 'hot', max_new_tokens: 256 },
        'g.json',
      )?.settings,
    ).toEqual([
      ['do_sample', true],
      ['top_p', 0.9],
      ['max_new_tokens', 256],
    ]);
  });
});

describe('parseShardIndex', () => {
  it('lists shards relative to the folder, the missing ones, and never a path out of it', () => {
    const present = new Set(['sub/model-00001-of-00002.safetensors']);
    expect(
      parseShardIndex(
        {
          metadata: { total_size: 13476839424 },
          weight_map: {
            a: 'model-00001-of-00002.safetensors',
            b: 'model-00002-of-00002.safetensors',
            c: 'model-00001-of-00002.safetensors',
            d: '../../etc/passwd',
            e: '/abs.safetensors',
          },
        },
        'sub/model.safetensors.index.json',
        (p) => present.has(p),
      ),
    ).toEqual({
      path: 'sub/model.safetensors.index.json',
      totalSize: 13476839424,
      shards: ['sub/model-00001-of-00002.safetensors', 'sub/model-00002-of-00002.safetensors'],
      missing: ['sub/model-00002-of-00002.safetensors'],
    });
    expect(parseShardIndex({ metadata: {} }, 'x.index.json', () => true)).toBeUndefined();
  });
});
