import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { analyseSource } from '../engine.js';
import { createImportPolicy } from '../pickle/policy.js';
import { DEFAULT_ANALYSERS } from './index.js';

async function scan(json: string, path = 'config.json') {
  return analyseSource(bufferSource(Buffer.from(json)), path, {
    analysers: DEFAULT_ANALYSERS,
    policy: createImportPolicy(),
  });
}

describe('Hugging Face configuration', () => {
  it('lists the modules auto_map makes trust_remote_code run, including other repositories', async () => {
    const r = await scan(
      JSON.stringify({
        architectures: ['MyModel'],
        auto_map: {
          AutoConfig: 'configuration_my.MyConfig',
          AutoModelForCausalLM: 'modeling_my.MyModel',
          AutoTokenizer: ['other/repo--tokenization_my.MyTokenizer', null],
        },
      }),
    );
    expect(r.format).toBe('json');
    const f = r.findings.find((x) => x.ruleId === 'HF-REMOTE-CODE');
    expect(f?.severity).toBe('high');
    expect(f?.message).toContain('configuration_my.py, modeling_my.py, other/repo: tokenization_my.py');
    expect(f?.message).toContain('fetched from other repositories (other/repo)');
  });

  it('reports custom pipeline implementations', async () => {
    const r = await scan(JSON.stringify({ custom_pipelines: { 'text-x': { impl: 'pipe.MyPipeline' } } }));
    expect(r.findings.map((f) => f.message).join()).toContain('pipe.py');
  });

  it('reports nothing for configurations transformers implements itself, or for other JSON', async () => {
    expect((await scan('{"model_type": "bert", "hidden_size": 768}')).findings).toEqual([]);
    expect((await scan('  {"auto_map": "not a map"}')).findings).toEqual([]);
    const broken = await scan('{"auto_map": ');
    expect(broken.findings).toEqual([]);
    expect(broken.format).toBe('unknown');
  });
});
