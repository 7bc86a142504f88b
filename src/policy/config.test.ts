import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { readConfig } from './config.js';
import { parseConfig } from './config-schema.js';

describe('parseConfig', () => {
  it('accepts a full configuration', () => {
    const config = parseConfig(
      'failOn: medium\nexclude: ["data/**"]\npickle:\n  allow: [my.models.Net, my.layers.*]\n',
      'p.yaml',
    );
    expect(config).toEqual({
      failOn: 'medium',
      exclude: ['data/**'],
      pickle: { allow: ['my.models.Net', 'my.layers.*'] },
    });
  });

  it('accepts an empty file', () => {
    expect(parseConfig('', 'p.yaml')).toEqual({});
  });

  it('rejects unknown keys, at any level, naming them', () => {
    expect(() => parseConfig('failon: high\n', 'p.yaml')).toThrow(/failon/);
    expect(() => parseConfig('pickle:\n  alow: [a.b]\n', 'p.yaml')).toThrow(/alow/);
  });

  it('rejects bad values with the field and the file', () => {
    expect(() => parseConfig('failOn: severe\n', 'p.yaml')).toThrow(/p\.yaml: invalid configuration: failOn/);
    expect(() => parseConfig('pickle:\n  allow: ["no dots"]\n', 'p.yaml')).toThrow(/pickle\.allow\.0/);
  });

  it('rejects YAML that is not a mapping or not YAML', () => {
    expect(() => parseConfig('- a\n- b\n', 'p.yaml')).toThrow(UsageError);
    expect(() => parseConfig('a: [\n', 'p.yaml')).toThrow(/not valid YAML/);
  });
});

describe('readConfig', () => {
  it('finds pedigree.yaml in the root and reports none when absent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-config-'));
    expect(await readConfig(undefined, dir)).toBeUndefined();
    writeFileSync(join(dir, 'pedigree.yaml'), 'failOn: low\n');
    expect(await readConfig(undefined, dir)).toMatchObject({ config: { failOn: 'low' }, discovered: true });
    expect(await readConfig(join(dir, 'pedigree.yaml'), dir)).toMatchObject({ discovered: false });
  });

  it('names --no-config when a file found in the root is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-config-'));
    writeFileSync(join(dir, 'pedigree.yaml'), 'bogus: 1\n');
    await expect(readConfig(undefined, dir)).rejects.toThrow(/bogus.*--no-config/);
    await expect(readConfig(join(dir, 'pedigree.yaml'), undefined)).rejects.toThrow(/bogus(?!.*--no-config)/);
  });

  it('fails with BAD_CONFIG when an explicit file is missing', async () => {
    await expect(readConfig('/nonexistent/pedigree.yaml', undefined)).rejects.toMatchObject({
      code: 'BAD_CONFIG',
    });
  });
});

describe('deps policy section', () => {
  it('accepts ignores with expiry, deadlines, licence rules and the baseline', () => {
    const config = parseConfig(
      [
        'deps:',
        '  unknownSeverity: high',
        '  ignore:',
        '    - { id: CVE-2024-1, package: torch, reason: not reachable, owner: sec@example.com, expires: 2026-12-31 }',
        '  deadlines: { critical: 7, high: 30 }',
        '  licenses: { deny: [AGPL-3.0-only] }',
        '  baseline: { critical: [torch, transformers] }',
      ].join('\n'),
      'pedigree.yaml',
    );
    expect(config.deps?.ignore?.[0]?.expires).toBe('2026-12-31');
    expect(config.deps?.deadlines).toEqual({ critical: 7, high: 30 });
    expect(config.deps?.baseline?.critical).toEqual(['torch', 'transformers']);
  });

  it('refuses an ignore without reason, owner or expiry', () => {
    expect(() => parseConfig('deps:\n  ignore:\n    - { id: CVE-2024-1 }\n', 'p.yaml')).toThrow(
      /deps\.ignore\.0\.reason.*deps\.ignore\.0\.owner.*deps\.ignore\.0\.expires/,
    );
    expect(() =>
      parseConfig('deps:\n  ignore:\n    - { id: X, reason: r, owner: o, expires: next week }\n', 'p.yaml'),
    ).toThrow(/YYYY-MM-DD/);
  });
});
