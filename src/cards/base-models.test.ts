import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowsCommercialUse,
  BASE_MODELS,
  licenseTermsOf,
  lookupBaseModel,
  normalizeModelId,
  otherLicenseName,
} from './base-models.js';
import { HUB_LICENSES } from './vocabulary.js';

describe('lookupBaseModel', () => {
  it.each([
    ['meta-llama/Llama-2-7b-hf', 'llama2'],
    ['meta-llama/Llama-2-70b-chat-hf', 'llama2'],
    ['meta-llama/CodeLlama-7b-hf', 'llama2'],
    ['codellama/CodeLlama-13b-Instruct-hf', 'llama2'],
    ['meta-llama/Meta-Llama-3-8B', 'llama3'],
    ['meta-llama/Meta-Llama-3-70B-Instruct', 'llama3'],
    ['meta-llama/Meta-Llama-3.1-8B-Instruct', 'llama3.1'],
    ['meta-llama/Llama-3.1-405B', 'llama3.1'],
    ['meta-llama/Llama-3.2-1B', 'llama3.2'],
    ['meta-llama/Llama-3.3-70B-Instruct', 'llama3.3'],
    ['meta-llama/Llama-4-Scout-17B-16E-Instruct', 'llama4'],
    ['google/gemma-7b', 'gemma'],
    ['google/gemma-2-9b-it', 'gemma'],
    ['google/gemma-3-27b-it', 'gemma'],
    ['google/gemma-1.1-2b-it', 'gemma'],
    ['google/paligemma-3b-pt-224', 'gemma'],
    ['mistralai/Mistral-7B-v0.1', 'apache-2.0'],
    ['mistralai/Mixtral-8x7B-Instruct-v0.1', 'apache-2.0'],
    ['mistralai/Ministral-8B-Instruct-2410', 'other'],
    ['mistralai/Codestral-22B-v0.1', 'other'],
    ['tiiuae/falcon-7b', 'apache-2.0'],
    ['tiiuae/falcon-180B', 'other'],
    ['bigscience/bloom', 'bigscience-bloom-rail-1.0'],
    ['bigscience/bloomz-560m', 'bigscience-bloom-rail-1.0'],
    ['CompVis/stable-diffusion-v1-4', 'creativeml-openrail-m'],
    ['runwayml/stable-diffusion-v1-5', 'creativeml-openrail-m'],
    ['stabilityai/stable-diffusion-2-1', 'openrail++'],
    ['stabilityai/stable-diffusion-xl-base-1.0', 'openrail++'],
    ['Qwen/Qwen3-8B', 'apache-2.0'],
    ['Qwen/Qwen2.5-7B-Instruct', 'apache-2.0'],
    ['Qwen/Qwen2.5-3B-Instruct', 'other'],
    ['Qwen/Qwen2.5-72B-Instruct', 'other'],
    ['microsoft/phi-2', 'mit'],
    ['microsoft/Phi-3-mini-4k-instruct', 'mit'],
    ['bert-base-uncased', 'apache-2.0'],
    ['google-bert/bert-large-cased', 'apache-2.0'],
    ['distilbert/distilbert-base-uncased', 'apache-2.0'],
    ['FacebookAI/roberta-base', 'mit'],
    ['gpt2', 'mit'],
    ['openai-community/gpt2-xl', 'mit'],
    ['openai/whisper-large-v3', 'apache-2.0'],
    ['google/flan-t5-base', 'apache-2.0'],
    ['t5-small', 'apache-2.0'],
    ['EleutherAI/pythia-1b', 'apache-2.0'],
    ['EleutherAI/gpt-neo-1.3B', 'mit'],
    ['deepseek-ai/DeepSeek-R1', 'mit'],
    ['huggyllama/llama-7b', 'other'],
  ])('knows %s is under %s', (id, license) => {
    expect(lookupBaseModel(id)?.license).toBe(license);
  });

  it.each([
    'google/gemma-scope-2b-pt-res',
    'stabilityai/stable-diffusion-xl-base-0.9',
    'stabilityai/stable-diffusion-3-medium',
    'facebook/opt-125m',
    'openai/clip-vit-base-patch32',
    'Qwen/Qwen1.5-7B',
    'deepseek-ai/deepseek-coder-6.7b-base',
    'mistralai/Mistral-Large-Instruct-2411',
    'someone/my-llama-3-finetune',
    'meta-llama',
  ])('does not claim to know %s', (id) => {
    expect(lookupBaseModel(id)).toBeUndefined();
  });

  it('accepts Hub URLs and ignores case', () => {
    expect(lookupBaseModel('https://huggingface.co/meta-llama/Meta-Llama-3-8B')?.license).toBe('llama3');
    expect(lookupBaseModel('hf.co/META-LLAMA/meta-llama-3-8b/tree/main')?.license).toBe('llama3');
  });

  it('never throws on values of any shape', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(() => lookupBaseModel(value)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('BASE_MODELS', () => {
  const hubIds = new Set(HUB_LICENSES.map(([id]) => id));

  it('uses Hub licence ids (or `other` with a name) and cites a source for every entry', () => {
    for (const entry of BASE_MODELS) {
      expect(hubIds.has(entry.license), entry.family).toBe(true);
      if (entry.license === 'other') expect(entry.licenseName, entry.family).toBeTruthy();
      expect(entry.source.length, entry.family).toBeGreaterThan(10);
      expect(entry.pattern.source.startsWith('^'), entry.family).toBe(true);
    }
  });
});

describe('normalizeModelId', () => {
  it.each([
    ['meta-llama/Meta-Llama-3-8B', 'meta-llama/Meta-Llama-3-8B'],
    ['  gpt2  ', 'gpt2'],
    ['https://huggingface.co/google/gemma-7b/', 'google/gemma-7b'],
    ['https://huggingface.co/google/gemma-7b/blob/main/config.json', 'google/gemma-7b'],
  ])('reads %j as %j', (value, id) => {
    expect(normalizeModelId(value)).toBe(id);
  });

  it.each([
    [42],
    [null],
    [['gpt2']],
    [{ id: 'gpt2' }],
    ['a/b/c/d'],
    ['has space/x'],
    ['x'.repeat(500)],
    [''],
  ])('refuses %j', (value) => {
    expect(normalizeModelId(value)).toBeUndefined();
  });
});

describe('licenseTermsOf', () => {
  it('asks Llama derivatives to keep the licence, and from Llama 3 on to keep the name', () => {
    expect(licenseTermsOf('llama2')).toMatchObject({ obligations: ['keep-license'] });
    expect(licenseTermsOf('llama2')?.namePrefix).toBeUndefined();
    expect(licenseTermsOf('llama3')).toMatchObject({ namePrefix: 'Llama 3' });
    for (const id of ['llama3.1', 'llama3.2', 'llama3.3', 'llama4']) {
      expect(licenseTermsOf(id)).toMatchObject({ obligations: ['keep-license'], namePrefix: 'Llama' });
    }
  });

  it('knows non-commercial, share-alike, no-derivatives and use-restriction licences', () => {
    expect(licenseTermsOf('cc-by-nc-4.0')?.obligations).toEqual(['non-commercial']);
    expect(licenseTermsOf('cc-by-nc-sa-4.0')?.obligations).toEqual(['non-commercial', 'share-alike']);
    expect(licenseTermsOf('cc-by-nc-nd-4.0')?.obligations).toEqual(['non-commercial', 'no-derivatives']);
    expect(licenseTermsOf('cc-by-sa-4.0')?.obligations).toEqual(['share-alike']);
    expect(licenseTermsOf('gpl-3.0')?.obligations).toEqual(['share-alike']);
    expect(licenseTermsOf('creativeml-openrail-m')?.obligations).toEqual(['use-restrictions']);
    expect(licenseTermsOf('gemma')?.obligations).toEqual(['use-restrictions']);
  });

  it('adds nothing for permissive licences, and knows `other` licences by `license_name`', () => {
    for (const id of ['mit', 'apache-2.0', 'bsd-3-clause', 'cc-by-4.0', 'other', 'unknown']) {
      expect(licenseTermsOf(id)).toBeUndefined();
    }
    expect(licenseTermsOf('other', 'mrl')?.obligations).toEqual(['non-commercial']);
    expect(licenseTermsOf('other', ' MNPL ')?.obligations).toEqual(['non-commercial']);
    expect(licenseTermsOf('other', 'qwen-research')?.obligations).toEqual(['non-commercial']);
    expect(licenseTermsOf('other', 'qwen')).toBeUndefined();
    expect(licenseTermsOf('other', 42)).toBeUndefined();
    expect(otherLicenseName('mrl')).toBe('Mistral AI Research License');
  });
});

describe('allowsCommercialUse', () => {
  it('says yes for permissive, copyleft and the commercial model licences', () => {
    for (const id of [
      'mit',
      'apache-2.0',
      'cc-by-4.0',
      'cc-by-sa-4.0',
      'gpl-3.0',
      'llama3',
      'gemma',
      'openrail++',
    ]) {
      expect(allowsCommercialUse(id), id).toBe(true);
    }
  });

  it('says no for non-commercial licences and unknown otherwise', () => {
    for (const id of [
      'cc-by-nc-4.0',
      'cc-by-nc-sa-4.0',
      'fair-noncommercial-research-license',
      'deepfloyd-if-license',
    ]) {
      expect(allowsCommercialUse(id), id).toBe(false);
    }
    expect(allowsCommercialUse('other', 'mrl')).toBe(false);
    expect(allowsCommercialUse('other')).toBeUndefined();
    expect(allowsCommercialUse('unknown')).toBeUndefined();
  });
});
