import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { REPORT_SCHEMA_VERSION } from '../core/finding.js';
import * as audit from './audit/audit.js';
import { COMPLETE_DATASET_CARD, COMPLETE_MODEL_CARD, only, WEAK_MODEL_CARD } from './audit/test-support.js';
import type { CardRepo } from './audit/types.js';
import { auditCardPaths, type CardAuditRunOptions, isCardFileName, isLicenseFileName } from './run.js';

/** auditCard itself, recorded: which cards were audited with which repository facts. */
vi.mock('./audit/audit.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./audit/audit.js')>();
  return { ...original, auditCard: vi.fn(original.auditCard) };
});

/** Opening a card under a folder named `unreadable-card` fails as a permission error would (root reads anything). */
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: Parameters<typeof original.openSync>[0], ...rest: unknown[]) => {
    if (String(path).includes('/unreadable-card/'))
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES' });
    return (original.openSync as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof original.openSync;
  return { ...original, default: { ...original, openSync }, openSync };
});

const auditCardSpy = vi.mocked(audit.auditCard);

beforeEach(() => {
  auditCardSpy.mockClear();
});

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-cards-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const TOOL = { name: 'pedigree', version: '0.0.0-test' };

function run(paths: string[], options: Partial<CardAuditRunOptions> = {}) {
  return auditCardPaths(paths, { tool: TOOL, ...options });
}

/** The repository facts auditCard was given for the card at `path`. */
function repoOf(path: string): CardRepo | undefined {
  const call = auditCardSpy.mock.calls.find((c) => c[0] === path);
  if (!call) throw new Error(`${path} was not audited`);
  return call[2]?.repo;
}

const APACHE = 'Apache License\nVersion 2.0, January 2004\n';

describe('isCardFileName / isLicenseFileName', () => {
  it('card names, any case', () => {
    for (const name of [
      'README.md',
      'readme.md',
      'MODEL_CARD.md',
      'model-card.md',
      'DATASET_CARD.md',
      'datasheet.md',
    ])
      expect(isCardFileName(name), name).toBe(true);
    for (const name of ['README.txt', 'README', 'card.md', 'model_card.json'])
      expect(isCardFileName(name), name).toBe(false);
  });

  it('licence names, not code or configuration', () => {
    for (const name of [
      'LICENSE',
      'LICENCE.md',
      'COPYING',
      'NOTICE',
      'LICENSE_weights',
      'MODEL_LICENSE',
      'LICENSE-APACHE',
      'license.txt',
    ])
      expect(isLicenseFileName(name), name).toBe(true);
    for (const name of ['license.py', 'licenses.json', 'license.yaml', 'README.md', 'unlicensed.md'])
      expect(isLicenseFileName(name), name).toBe(false);
  });
});

describe('auditCardPaths: repository facts', () => {
  it('gathers the LICENSE files and config.json of the card folder, and its files', async () => {
    const root = folder({
      'README.md': COMPLETE_MODEL_CARD,
      LICENSE: APACHE,
      'LICENSE_weights.txt': 'Weights licence',
      'LICENSES/MIT.txt': 'MIT License',
      'config.json': JSON.stringify({ model_type: 'bert', architectures: ['BertForSequenceClassification'] }),
      'model.safetensors': 'x',
      'tokenizer/vocab.txt': 'a\nb\n',
      'setup.py': '',
    });
    const report = await run([root]);
    expect(report.cards.cards.map((c) => c.path)).toEqual(['README.md']);
    expect(repoOf('README.md')).toEqual({
      files: [
        'LICENSE',
        'LICENSES/MIT.txt',
        'LICENSE_weights.txt',
        'config.json',
        'model.safetensors',
        'setup.py',
        'tokenizer/vocab.txt',
      ],
      licenseFiles: [
        { path: 'LICENSE', text: APACHE, truncated: false },
        { path: 'LICENSE_weights.txt', text: 'Weights licence', truncated: false },
        { path: 'LICENSES/MIT.txt', text: 'MIT License', truncated: false },
      ],
      config: { model_type: 'bert', architectures: ['BertForSequenceClassification'] },
    });
  });

  it('per card: paths relative to the card folder, nothing from a sibling folder', async () => {
    const root = folder({
      'README.md': '---\nlicense: mit\n---\n# Project\n',
      'models/a/README.md': '---\nlicense: apache-2.0\n---\n# A\n',
      'models/a/LICENSE': APACHE,
      'models/a/config.json': '{"model_type": "gpt2"}',
      'models/b/MODEL_CARD.md': '# B\n',
      'models/b/weights/model.safetensors': 'x',
    });
    await run([root]);
    expect(repoOf('models/a/README.md')).toEqual({
      files: ['LICENSE', 'config.json'],
      licenseFiles: [{ path: 'LICENSE', text: APACHE, truncated: false }],
      config: { model_type: 'gpt2' },
    });
    expect(repoOf('models/b/MODEL_CARD.md')).toEqual({
      files: ['weights/model.safetensors'],
      licenseFiles: [],
    });
    // The root card sees the whole tree, but only its own folder's licence files.
    expect(repoOf('README.md')?.licenseFiles).toEqual([]);
    expect(repoOf('README.md')?.files).toHaveLength(5);
  });

  it('a config.json that is not a JSON object is left out', async () => {
    for (const config of ['{"model_type": ', '[1, 2]', 'null']) {
      auditCardSpy.mockClear();
      await run([folder({ 'README.md': '# M\n', 'config.json': config })]);
      expect(repoOf('README.md')?.config, config).toBeUndefined();
    }
  });

  it('a licence file over the read limit is marked truncated', async () => {
    const big = 'x'.repeat(256 * 1024 + 10);
    await run([folder({ 'README.md': '# M\n', LICENSE: big })]);
    const [file] = repoOf('README.md')?.licenseFiles ?? [];
    expect(file?.truncated).toBe(true);
    expect(file?.text).toHaveLength(256 * 1024);
  });
});

describe('auditCardPaths: which files are cards', () => {
  const tree = {
    'README.md': '# Project\n\nCode and a model.\n',
    'src/README.md': '# Helpers\n\nUtility code.\n',
    'docs/README.md': '---\nlicense: mit\n---\n# A card in docs\n',
    'checkpoint/README.md': '# Checkpoint\n',
    'checkpoint/pytorch_model.bin': 'x',
    'checkpoint/config.json': '{}',
    'data/DATASET_CARD.md': COMPLETE_DATASET_CARD,
    'notes/model_card.md': '# Notes\n',
  };

  it('`all` audits every card-named file', async () => {
    const report = await run([folder(tree)], { selection: 'all' });
    expect(report.cards.cards.map((c) => c.path)).toEqual([
      'README.md',
      'checkpoint/README.md',
      'data/DATASET_CARD.md',
      'docs/README.md',
      'notes/model_card.md',
      'src/README.md',
    ]);
  });

  it('`scan` skips a code-folder README without front matter, keeps the top one, one with front matter or beside weights', async () => {
    const report = await run([folder(tree)], { selection: 'scan' });
    expect(report.cards.cards.map((c) => c.path)).toEqual([
      'README.md',
      'checkpoint/README.md',
      'data/DATASET_CARD.md',
      'docs/README.md',
      'notes/model_card.md',
    ]);
    expect(report.artifacts.map((a) => a.path)).not.toContain('src/README.md');
  });

  it('`scan` keeps a README beside a config.json alone, or beside a pickle', async () => {
    const report = await run(
      [folder({ 'a/README.md': '# A\n', 'a/config.json': '{}', 'b/README.md': '# B\n', 'b/model.pkl': 'x' })],
      { selection: 'scan' },
    );
    expect(report.cards.cards.map((c) => c.path)).toEqual(['a/README.md', 'b/README.md']);
  });

  it('`scan` of several folders keeps the top README of each', async () => {
    const a = folder({ 'README.md': '# Project A\n', 'src/README.md': '# Code\n' });
    const b = folder({ 'README.md': '# Project B\n' });
    const report = await run([a, `${b}/`], { selection: 'scan' });
    expect(report.cards.cards.map((c) => c.path).sort()).toEqual([`${a}/README.md`, `${b}/README.md`].sort());
  });

  it('a file given by name is audited whatever it is called', async () => {
    const root = folder({ 'notes.md': COMPLETE_MODEL_CARD });
    const report = await run([join(root, 'notes.md')], { selection: 'scan' });
    expect(report.cards.cards.map((c) => [c.path, c.score])).toEqual([[join(root, 'notes.md'), 100]]);
    expect(report.root).toBe(join(root, 'notes.md'));
  });

  it('excluded paths are not audited', async () => {
    const report = await run([folder(tree)], { exclude: ['notes/**', 'src'] });
    expect(report.cards.cards.map((c) => c.path)).not.toContain('notes/model_card.md');
    expect(report.cards.cards.map((c) => c.path)).not.toContain('src/README.md');
    expect(report.cards.cards).toHaveLength(4);
  });

  it('a symlinked card outside the audited folder is not followed', async () => {
    const outside = folder({ 'README.md': COMPLETE_MODEL_CARD });
    const root = folder({ 'model/config.json': '{}' });
    symlinkSync(join(outside, 'README.md'), join(root, 'model', 'README.md'));
    symlinkSync(join(outside, 'README.md'), join(root, 'MODEL_CARD.md'));
    const report = await run([root]);
    expect(report.cards.cards).toEqual([]);
    expect(auditCardSpy).not.toHaveBeenCalled();
  });

  it('a symlinked card inside the audited folder is audited once', async () => {
    const root = folder({ 'real/README.md': WEAK_MODEL_CARD });
    mkdirSync(join(root, 'alias'));
    symlinkSync(join(root, 'real', 'README.md'), join(root, 'alias', 'README.md'));
    const report = await run([root]);
    expect(report.cards.cards).toHaveLength(1);
  });
});

describe('auditCardPaths: CARD-MISSING', () => {
  it('a folder of safetensors without a card', async () => {
    const report = await run([
      folder({ 'src/app.py': '', 'models/m/model.safetensors': 'x', 'models/m/tokenizer.json': '{}' }),
    ]);
    expect(only(report.findings, 'CARD-MISSING')).toEqual([
      {
        ruleId: 'CARD-MISSING',
        severity: 'low',
        title: 'Model or dataset without a card',
        message: 'Folder models/m holds 1 weight file(s) (model.safetensors) and no model card',
        location: { path: 'models/m/model.safetensors' },
        evidence: 'no README.md, MODEL_CARD.md or model_card.md in models/m or above it',
        remediation:
          'Write a card (`pedigree card init` writes a skeleton filled with what the files say), or point to it.',
        references: ['https://huggingface.co/docs/hub/model-cards'],
      },
    ]);
    expect(report.cards.cards).toEqual([]);
  });

  it('names at most three weight files, in the audited folder itself', async () => {
    const report = await run([
      folder({ 'a.safetensors': 'x', 'b.safetensors': 'x', 'c.safetensors': 'x', 'd.safetensors': 'x' }),
    ]);
    expect(only(report.findings, 'CARD-MISSING').map((f) => [f.message, f.evidence])).toEqual([
      [
        'The folder holds 4 weight file(s) (a.safetensors, b.safetensors, c.safetensors, ...) and no model card',
        'no README.md, MODEL_CARD.md or model_card.md in the folder or above it',
      ],
    ]);
  });

  it('a PyTorch .bin beside config.json is a release too', async () => {
    const report = await run([folder({ 'ckpt/pytorch_model.bin': 'x', 'ckpt/config.json': '{}' })]);
    expect(only(report.findings, 'CARD-MISSING').map((f) => f.location.path)).toEqual([
      'ckpt/pytorch_model.bin',
    ]);
  });

  it('not when a card is in the folder or above it', async () => {
    const report = await run([
      folder({
        'README.md': WEAK_MODEL_CARD,
        'models/m/model.safetensors': 'x',
        'models/n/x/model.onnx': 'x',
      }),
    ]);
    expect(only(report.findings, 'CARD-MISSING')).toEqual([]);
    const beside = await run([folder({ 'm/MODEL_CARD.md': WEAK_MODEL_CARD, 'm/model.gguf': 'x' })]);
    expect(only(beside.findings, 'CARD-MISSING')).toEqual([]);
  });

  it('a card in a sibling folder does not cover', async () => {
    const report = await run([
      folder({ 'a/README.md': '---\nlicense: mit\n---\n# A\n', 'b/model.safetensors': 'x' }),
    ]);
    expect(only(report.findings, 'CARD-MISSING').map((f) => f.location.path)).toEqual([
      'b/model.safetensors',
    ]);
  });

  it('a code README that is not a card does not cover a weight folder (scan selection)', async () => {
    const report = await run([folder({ 'pkg/README.md': '# Package\n', 'pkg/sub/model.safetensors': 'x' })], {
      selection: 'scan',
    });
    expect(report.cards.cards).toEqual([]);
    expect(only(report.findings, 'CARD-MISSING').map((f) => f.location.path)).toEqual([
      'pkg/sub/model.safetensors',
    ]);
  });

  it('not for a lone pickle or checkpoint in a project', async () => {
    const report = await run([folder({ 'src/model.pkl': 'x', 'runs/last.ckpt': 'x', 'runs/best.pt': 'x' })]);
    expect(only(report.findings, 'CARD-MISSING')).toEqual([]);
  });

  it('not when reportMissing is false', async () => {
    const report = await run([folder({ 'model.safetensors': 'x' })], { reportMissing: false });
    expect(report.findings).toEqual([]);
  });
});

describe('auditCardPaths: unreadable cards', () => {
  const root = process.getuid?.() === 0;

  it('a card that fails to open is CARD-READ-ERROR, not audited, and counted as not analysed', async () => {
    const dir = folder({
      'unreadable-card/README.md': COMPLETE_MODEL_CARD,
      'unreadable-card/model.safetensors': 'x',
      'ok/MODEL_CARD.md': WEAK_MODEL_CARD,
    });
    const report = await run([dir]);
    expect(only(report.findings, 'CARD-READ-ERROR')).toEqual([
      {
        ruleId: 'CARD-READ-ERROR',
        severity: 'medium',
        title: 'Card could not be read',
        message: `unreadable-card/README.md could not be read: EACCES: permission denied, open '${join(dir, 'unreadable-card', 'README.md')}'`,
        location: { path: 'unreadable-card/README.md' },
        evidence: `EACCES: permission denied, open '${join(dir, 'unreadable-card', 'README.md')}'`,
        remediation: 'Check permissions and that the file still exists, then audit again.',
        references: [],
      },
    ]);
    expect(report.summary.notAnalysed).toBe(1);
    expect(report.cards.cards.map((c) => c.path)).toEqual(['ok/MODEL_CARD.md']);
    expect(report.artifacts.map((a) => a.path)).toEqual(['ok/MODEL_CARD.md']);
  });

  it.skipIf(root)('a card that cannot be opened is CARD-READ-ERROR and counted as not analysed', async () => {
    const dir = folder({ 'README.md': COMPLETE_MODEL_CARD, 'other/MODEL_CARD.md': WEAK_MODEL_CARD });
    chmodSync(join(dir, 'README.md'), 0o000);
    try {
      const report = await run([dir]);
      const [error, ...more] = only(report.findings, 'CARD-READ-ERROR');
      expect(more).toEqual([]);
      expect(error).toMatchObject({
        ruleId: 'CARD-READ-ERROR',
        severity: 'medium',
        location: { path: 'README.md' },
        remediation: 'Check permissions and that the file still exists, then audit again.',
      });
      expect(error?.message).toMatch(/^README\.md could not be read: .*EACCES/);
      expect(report.summary.notAnalysed).toBe(1);
      expect(report.cards.cards.map((c) => c.path)).toEqual(['other/MODEL_CARD.md']);
    } finally {
      chmodSync(join(dir, 'README.md'), 0o644);
    }
  });
});

describe('auditCardPaths: the report', () => {
  it('follows the report contract, with a cards section', async () => {
    const root = folder({
      'model/README.md': COMPLETE_MODEL_CARD,
      'weak/README.md': WEAK_MODEL_CARD,
      'data/README.md': COMPLETE_DATASET_CARD,
    });
    const report = await run([root], { root: 'shown-root' });
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.schemaVersion).toBe('1.2.0');
    expect(report.tool).toEqual(TOOL);
    expect(report.root).toBe('shown-root');
    expect(report.summary.files).toBe(3);
    expect(report.summary.notAnalysed).toBe(0);
    expect(report.artifacts).toEqual([
      {
        path: 'data/README.md',
        kind: 'card',
        format: 'dataset-card',
        size: Buffer.byteLength(COMPLETE_DATASET_CARD),
        sha256: createHash('sha256').update(COMPLETE_DATASET_CARD).digest('hex'),
      },
      {
        path: 'model/README.md',
        kind: 'card',
        format: 'model-card',
        size: Buffer.byteLength(COMPLETE_MODEL_CARD),
        sha256: createHash('sha256').update(COMPLETE_MODEL_CARD).digest('hex'),
      },
      {
        path: 'weak/README.md',
        kind: 'card',
        format: 'model-card',
        size: Buffer.byteLength(WEAK_MODEL_CARD),
        sha256: createHash('sha256').update(WEAK_MODEL_CARD).digest('hex'),
      },
    ]);
    expect(report.cards.summary).toEqual({
      cards: 3,
      models: 2,
      datasets: 1,
      belowMinimum: 1,
      averageScore: 72,
    });
    const weak = report.cards.cards[2];
    expect(weak).toMatchObject({
      path: 'weak/README.md',
      kind: 'model',
      score: 15,
      minScore: 50,
      belowMinimum: true,
      hasMetadata: false,
      templates: [],
    });
    expect(weak?.findings).toBe(report.findings.filter((f) => f.location.path === 'weak/README.md').length);
    expect(weak?.breakdown.find((i) => i.id === 'limitations')).toEqual({
      id: 'limitations',
      title: 'Limitations (caveats)',
      weight: 9,
      earned: 9,
      state: 'content',
      source: 'line 7',
    });
    expect(report.cards.cards[0]).toMatchObject({
      path: 'data/README.md',
      kind: 'dataset',
      score: 100,
      belowMinimum: false,
    });
    // Findings name the card relative to the audited folder, in report order.
    expect(only(report.findings, 'CARD-SCORE-LOW').map((f) => f.location.path)).toEqual(['weak/README.md']);
  });

  it('settings reach every card; extra findings are added', async () => {
    const root = folder({ 'README.md': COMPLETE_MODEL_CARD });
    const extra = {
      ruleId: 'CARD-CONFIG',
      severity: 'medium' as const,
      title: 't',
      message: 'm',
      location: { path: 'pedigree.yaml' },
      evidence: 'e',
      remediation: 'r',
      references: [],
    };
    const report = await run([root], {
      settings: {
        minScore: { model: 100, dataset: 100 },
        require: ['motivation'],
        disable: [],
        severity: {},
        kind: 'dataset',
      },
      extraFindings: [extra],
    });
    expect(report.cards.cards[0]).toMatchObject({ kind: 'dataset', minScore: 100, belowMinimum: true });
    expect(only(report.findings, 'CARD-CONFIG')).toEqual([extra]);
    expect(only(report.findings, 'CARD-REQUIRED-SECTION').map((f) => f.location.field)).toEqual([
      '§ Motivation',
    ]);
  });

  it('a card not fully read counts as not analysed', async () => {
    const report = await run([folder({ 'README.md': `# M\n\u0000\u0000\n` })]);
    expect(report.summary.notAnalysed).toBe(1);
    expect(only(report.findings, 'CARD-NOT-ANALYSED')).toHaveLength(1);
  });

  it('no card: an empty cards section without an average', async () => {
    const report = await run([folder({ 'app.py': 'print(1)\n' })]);
    expect(report.cards).toEqual({
      cards: [],
      summary: { cards: 0, models: 0, datasets: 0, belowMinimum: 0 },
    });
    expect(report.findings).toEqual([]);
  });

  it('several paths: each shown under its own name', async () => {
    const a = folder({ 'README.md': WEAK_MODEL_CARD });
    const b = folder({ 'MODEL_CARD.md': WEAK_MODEL_CARD, 'm.safetensors': 'x' });
    const report = await run([a, b]);
    expect(report.root).toBe('.');
    expect(report.cards.cards.map((c) => c.path).sort()).toEqual(
      [`${a}/README.md`, `${b}/MODEL_CARD.md`].sort(),
    );
    expect(only(report.findings, 'CARD-MISSING')).toEqual([]);
  });

  it('is deterministic', async () => {
    const root = folder({
      'a/README.md': WEAK_MODEL_CARD,
      'b/README.md': COMPLETE_MODEL_CARD,
      'c/model.safetensors': 'x',
    });
    const first = await run([root]);
    const second = await run([root]);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});

describe('prefixed card names', () => {
  it('MUSICGEN_MODEL_CARD.md and llama2-model-card.md are cards; notes.md is not', () => {
    expect(isCardFileName('MUSICGEN_MODEL_CARD.md')).toBe(true);
    expect(isCardFileName('llama2-model-card.md')).toBe(true);
    expect(isCardFileName('AUDIOGEN_DATASET_CARD.md')).toBe(true);
    expect(isCardFileName('notes.md')).toBe(false);
    expect(isCardFileName('card.md')).toBe(false);
  });
});
