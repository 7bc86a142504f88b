import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../core/finding.js';
import { layoutFindings } from './layout.js';

const artifact = (path: string, format: string): Artifact => ({
  path,
  kind: 'model',
  format,
  size: 1,
  sha256: '',
});

describe('layout findings', () => {
  it('points pickle checkpoints at the safetensors weights in the same folder only', () => {
    const found = layoutFindings([
      artifact('m/model.safetensors', 'safetensors'),
      artifact('m/pytorch_model.bin', 'pytorch-zip'),
      artifact('m/tokenizer.json', 'json'),
      artifact('other/pytorch_model.bin', 'pytorch-zip'),
      artifact('m/sub/old.pt', 'pytorch-legacy'),
    ]);
    expect(found.map((f) => `${f.ruleId}:${f.severity} ${f.location.path}`)).toEqual([
      'HF-PICKLE-WEIGHTS:low m/pytorch_model.bin',
    ]);
    expect(found[0]?.message).toContain('m/model.safetensors');
  });
});
