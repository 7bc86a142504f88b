import { describe, expect, it } from 'vitest';
import { dependencyFileKind } from './file-kinds.js';

describe('dependency file names', () => {
  it('recognises the tools’ names and the common project variants', () => {
    const cases: Record<string, string | undefined> = {
      'requirements.txt': 'requirements',
      'requirements-dev.txt': 'requirements',
      'dev-requirements.txt': 'requirements',
      'tgi-requirements_cuda.txt': 'requirements',
      'constraints.txt': 'requirements',
      'requirements.in': 'requirements',
      'pyproject.toml': 'pyproject.toml',
      'poetry.lock': 'poetry.lock',
      'server-uv.lock': 'uv.lock',
      'Pipfile.lock': 'Pipfile.lock',
      'pdm.lock': 'pdm.lock',
      'pylock.toml': 'pylock.toml',
      'pylock.dev.toml': 'pylock.toml',
      'environment.yml': 'conda',
      'environment-gpu.yaml': 'conda',
      'sd-environment.yaml': 'conda',
      'conda.yaml': 'conda',
      'package-lock.json': 'package-lock.json',
      'npm-shrinkwrap.json': 'package-lock.json',
      'README.md': undefined,
      'model.safetensors': undefined,
      'config.yaml': undefined,
      'requirements.py': undefined,
    };
    for (const [name, kind] of Object.entries(cases)) expect(dependencyFileKind(name), name).toBe(kind);
  });
});
