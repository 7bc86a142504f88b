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
