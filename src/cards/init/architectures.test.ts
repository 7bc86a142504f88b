import { PIPELINE_DATA } from '@huggingface/tasks';
import { describe, expect, it } from 'vitest';
import { deriveLibraryName, derivePipelineTag, deriveTags, taskOfArchitecture } from './architectures.js';
import type { FolderFacts } from './facts.js';

function facts(extra: Partial<FolderFacts> = {}): FolderFacts {
  return {
    fileCount: 0,
    libraries: {},
    serialised: [],
    shardIndexes: [],
    dependencies: [],
    metrics: [],
    runStats: [],
    nonFinite: [],
    lmEval: [],
    datasetMentions: [],
    datasetCards: [],
    dataFiles: [],
    otherFiles: [],
    licenseFiles: [],
    unhashed: 0,
    hashingDisabled: false,
    notes: [],
    ...extra,
  };
}

const config = (architectures: string[], more: Record<string, unknown> = {}) =>
  ({ file: 'config.json', architectures, autoMap: [], ...more }) as FolderFacts['config'];

describe('taskOfArchitecture', () => {
  it.each([
    ['LlamaForCausalLM', 'text-generation'],
    ['BertForSequenceClassification', 'text-classification'],
    ['RobertaForTokenClassification', 'token-classification'],
    ['DistilBertForQuestionAnswering', 'question-answering'],
    ['BertForMaskedLM', 'fill-mask'],
    ['ViTForImageClassification', 'image-classification'],
    ['DetrForObjectDetection', 'object-detection'],
    ['Wav2Vec2ForCTC', 'automatic-speech-recognition'],
  ])('maps %s to %s', (architecture, task) => {
    expect(taskOfArchitecture(architecture)).toBe(task);
    expect(Object.keys(PIPELINE_DATA)).toContain(task);
  });

  it.each([
    'Wav2Vec2ForSequenceClassification',
    'HubertForSequenceClassification',
    'LayoutLMv3ForQuestionAnswering',
    'MusicgenForCausalLM',
    'T5ForConditionalGeneration',
    'WhisperForConditionalGeneration',
    'LlamaModel',
    'ForCausalLM',
  ])('leaves %s unmapped (ambiguous or no task head)', (architecture) => {
    expect(taskOfArchitecture(architecture)).toBeUndefined();
  });
});

describe('derivePipelineTag', () => {
  it('needs every architecture and the adapter task type to agree', () => {
    expect(derivePipelineTag(facts({ config: config(['LlamaForCausalLM']) }))?.value).toBe('text-generation');
    expect(derivePipelineTag(facts({ config: config(['LlamaForCausalLM', 'LlamaModel']) }))).toBeUndefined();
    expect(
      derivePipelineTag(facts({ config: config(['BertForMaskedLM', 'BertForSequenceClassification']) })),
    ).toBeUndefined();
    const adapter = {
      file: 'adapter_config.json',
      taskType: 'CAUSAL_LM',
      baseModelIsHubId: false,
      targetModules: [],
    };
    expect(derivePipelineTag(facts({ adapter }))?.value).toBe('text-generation');
    expect(derivePipelineTag(facts({ adapter: { ...adapter, taskType: 'SEQ_2_SEQ_LM' } }))).toBeUndefined();
    expect(
      derivePipelineTag(
        facts({ adapter: { ...adapter, taskType: 'SEQ_CLS' }, config: config(['LlamaForCausalLM']) }),
      ),
    ).toBeUndefined();
    expect(derivePipelineTag(facts())).toBeUndefined();
  });
});

describe('deriveLibraryName and deriveTags', () => {
  it('prefers the library whose own files are there', () => {
    const transformers = config(['BertModel'], { transformersVersion: '4.41.0', modelType: 'bert' });
    expect(deriveLibraryName(facts({ config: transformers }))?.value).toBe('transformers');
    expect(
      deriveLibraryName(facts({ config: transformers, libraries: { sentenceTransformers: 'modules.json' } }))
        ?.value,
    ).toBe('sentence-transformers');
    expect(
      deriveLibraryName(
        facts({ adapter: { file: 'a.json', peftType: 'LORA', baseModelIsHubId: false, targetModules: [] } }),
      )?.value,
    ).toBe('peft');
    expect(deriveLibraryName(facts())).toBeUndefined();
    expect(deriveLibraryName(facts({ config: config(['X']) }))).toBeUndefined();
  });

  it('tags formats, model_type and PEFT type, sorted, Hub-safe only', () => {
    expect(
      deriveTags(
        facts({
          config: config([], { modelType: 'Llama' }),
          adapter: { file: 'a.json', peftType: 'LORA', baseModelIsHubId: false, targetModules: [] },
          serialised: [
            { path: 'a.safetensors', size: 1, format: 'safetensors' },
            { path: 'b.gguf', size: 1, format: 'gguf', gguf: { architecture: 'llama', chatTemplate: false } },
            { path: 'c.bin', size: 1, format: 'pickle' },
          ],
        }),
      ),
    ).toEqual(['gguf', 'llama', 'lora', 'safetensors']);
    expect(deriveTags(facts({ config: config([], { modelType: 'has space <b>' }) }))).toEqual([]);
  });
});
