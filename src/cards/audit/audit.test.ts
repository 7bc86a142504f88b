import { describe, expect, it } from 'vitest';
import { compareFindings } from '../../core/finding.js';
import { readCard } from '../read.js';
import { auditCard, type CardAudit } from './audit.js';
import { buildAuditContext, DEFAULT_CARD_AUDIT_SETTINGS, DEFAULT_MIN_SCORE } from './context.js';
import { detectCardKind } from './kind.js';
import { COMPLETE_DATASET_CARD, COMPLETE_MODEL_CARD, only, WEAK_MODEL_CARD } from './test-support.js';
import type { CardAuditSettings } from './types.js';

function settings(over: Partial<CardAuditSettings> = {}): CardAuditSettings {
  return { ...DEFAULT_CARD_AUDIT_SETTINGS, ...over };
}

function kindOf(path: string, text: string) {
  return detectCardKind(path, readCard(path, text));
}

describe('detectCardKind', () => {
  it('by file name: dataset card and datasheet names are datasets, model card names models', () => {
    for (const name of [
      'DATASET_CARD.md',
      'dataset_card.md',
      'dataset-card.md',
      'datasetcard.md',
      'Datasheet.md',
    ])
      expect(kindOf(`data/${name}`, '# Anything\n'), name).toBe('dataset');
    for (const name of ['MODEL_CARD.md', 'model-card.md', 'modelcard.md'])
      expect(kindOf(name, '---\ntask_categories: [x]\n---\n## Dataset Structure\n'), name).toBe('model');
  });

  it('the file name wins over metadata and headings', () => {
    expect(
      kindOf('DATASET_CARD.md', '---\npipeline_tag: fill-mask\nbase_model: x\n---\n## Model Details\n'),
    ).toBe('dataset');
  });

  it('by metadata keys only one kind uses', () => {
    expect(kindOf('README.md', '---\ntask_categories:\n- text-classification\n---\n# X\n')).toBe('dataset');
    expect(kindOf('README.md', '---\nsize_categories: [1K<n<10K]\nsource_datasets: [original]\n---\n')).toBe(
      'dataset',
    );
    expect(kindOf('README.md', '---\npipeline_tag: fill-mask\n---\n# X\n')).toBe('model');
    // More dataset keys than model keys.
    expect(
      kindOf('README.md', '---\ntask_categories: [a]\ntask_ids: [b]\nlibrary_name: datasets\n---\n# X\n'),
    ).toBe('dataset');
  });

  it('by headings when the metadata does not tell', () => {
    expect(kindOf('README.md', '# Dataset Card for Reviews\n## Dataset Structure\n')).toBe('dataset');
    expect(kindOf('README.md', '---\nlicense: mit\n---\n## Data Fields\n## Data Splits\n')).toBe('dataset');
    expect(kindOf('README.md', '# Model Card for X\n## Model Details\n')).toBe('model');
    // One of each: a tie stays a model.
    expect(kindOf('README.md', '## Dataset Structure\n## Model Details\n')).toBe('model');
  });

  it('defaults to model', () => {
    expect(kindOf('README.md', '')).toBe('model');
    expect(kindOf('README.md', '# Something\nText.\n')).toBe('model');
  });

  it('auditCard uses the detected kind unless the settings force one', () => {
    expect(auditCard('README.md', COMPLETE_DATASET_CARD).kind).toBe('dataset');
    expect(auditCard('README.md', COMPLETE_MODEL_CARD).kind).toBe('model');
    const forced = auditCard('README.md', COMPLETE_DATASET_CARD, { settings: settings({ kind: 'model' }) });
    expect(forced.kind).toBe('model');
    expect(forced.context.kind).toBe('model');
  });
});

describe('buildAuditContext', () => {
  it('normalises line endings and the byte order mark, and finds metadata lines by key and pointer', () => {
    const text = '\uFEFF---\r\nlicense: mit\r\nmodel-index:\r\n- name: m\r\n  results: []\r\n---\r\n# M\r\n';
    const ctx = buildAuditContext(readCard('README.md', text), text, undefined);
    expect(ctx.text.startsWith('---\nlicense: mit\n')).toBe(true);
    expect(ctx.lines[1]).toBe('license: mit');
    expect(ctx.hasMetadata).toBe(true);
    expect(ctx.meta.license).toBe('mit');
    expect(ctx.lineOf('license')).toBe(2);
    expect(ctx.lineOf('/model-index/0/name')).toBe(4);
    // Not recorded: the nearest recorded ancestor.
    expect(ctx.lineOf('/model-index/0/results/7/metrics')).toBe(5);
    expect(ctx.lineOf('/license')).toBe(2);
    expect(ctx.lineOf('nope')).toBeUndefined();
  });

  it('without front matter: empty metadata and no lines', () => {
    const ctx = buildAuditContext(readCard('README.md', '# M\n'), '# M\n', undefined);
    expect(ctx).toMatchObject({ hasMetadata: false, meta: {} });
    expect(ctx.lineOf('license')).toBeUndefined();
  });

  it('front matter that does not parse: found, but no metadata', () => {
    const text = '---\nlicense: [mit\n---\n# M\n';
    const ctx = buildAuditContext(readCard('README.md', text), text, undefined);
    expect(ctx.doc.frontMatter).toBeDefined();
    expect(ctx).toMatchObject({ hasMetadata: false, meta: {} });
  });
});

describe('auditCard: CARD-SCORE-LOW', () => {
  it('below the default minimum: medium, at line 1, naming the missing items heaviest first', () => {
    const audit = auditCard('models/tiny/README.md', WEAK_MODEL_CARD);
    expect(audit.score.score).toBe(15);
    expect(audit.minScore).toBe(DEFAULT_MIN_SCORE);
    const [low, ...more] = only(audit.findings, 'CARD-SCORE-LOW');
    expect(more).toEqual([]);
    expect(low).toMatchObject({
      ruleId: 'CARD-SCORE-LOW',
      severity: 'medium',
      title: 'Card completeness score below the threshold',
      location: { path: 'models/tiny/README.md', line: 1 },
    });
    expect(low?.location.field).toBeUndefined();
    expect(low?.message).toBe(
      'Completeness 15/100 is below the minimum of 50 for model cards; missing: ' +
        'Quantitative analyses (results) (10), Intended use (9), Training data (9), ' +
        'Ethical considerations, bias and risks (8), Licence (5), Out-of-scope use (5), Evaluation data (5), ' +
        'Factors (4), Metrics (4), How to use (4), Developers (3), Model type / architecture (3), ' +
        'Training procedure (3), Environmental impact (3), Citation (3), Contact (3), Intended users (2), ' +
        'Recommendations (2)',
    );
    expect(low?.evidence).toContain('description 6/6, developers 0/3,');
    expect(low?.evidence).toContain('limitations 9/9,');
    expect(low?.evidence.split(', ')).toHaveLength(20);
    expect(low?.remediation).toBe(
      'Fill the sections the breakdown lists as missing, starting with the heaviest.',
    );
  });

  it('a score equal to the minimum passes; one point more fails', () => {
    const at = auditCard('README.md', WEAK_MODEL_CARD, {
      settings: settings({ minScore: { model: 15, dataset: 99 } }),
    });
    expect(only(at.findings, 'CARD-SCORE-LOW')).toEqual([]);
    expect(at.minScore).toBe(15);
    const above = auditCard('README.md', WEAK_MODEL_CARD, {
      settings: settings({ minScore: { model: 16, dataset: 0 } }),
    });
    expect(only(above.findings, 'CARD-SCORE-LOW')).toHaveLength(1);
  });

  it('uses the minimum of the card kind', () => {
    const s = settings({ minScore: { model: 0, dataset: 100 } });
    expect(only(auditCard('README.md', WEAK_MODEL_CARD, { settings: s }).findings, 'CARD-SCORE-LOW')).toEqual(
      [],
    );
    const dataset = auditCard('DATASET_CARD.md', WEAK_MODEL_CARD, { settings: s });
    expect(dataset.minScore).toBe(100);
    expect(only(dataset.findings, 'CARD-SCORE-LOW')[0]?.message).toMatch(
      /^Completeness 5\/100 is below the minimum of 100 for dataset cards; missing: Composition \(14\), /,
    );
  });

  it('a complete card gets none, and no section finding', () => {
    for (const text of [COMPLETE_MODEL_CARD, COMPLETE_DATASET_CARD]) {
      const audit = auditCard('README.md', text);
      expect(audit.score.score).toBe(100);
      expect(
        only(
          audit.findings,
          'CARD-SCORE-LOW',
          'CARD-LIMITATIONS-MISSING',
          'CARD-BIAS-MISSING',
          'CARD-ENVIRONMENTAL-MISSING',
          'CARD-CITATION-MISSING',
          'CARD-CONTACT-MISSING',
          'CARD-METADATA-',
          'CARD-PLACEHOLDER',
          'CARD-TEMPLATE-UNEDITED',
          'CARD-NOT-ANALYSED',
          'CARD-PIPELINE-TAG-INVALID',
          'CARD-LEGACY-KEY',
        ),
      ).toEqual([]);
    }
  });
});

describe('auditCard: settings', () => {
  it('disabled rules are not reported', () => {
    const base = auditCard('README.md', WEAK_MODEL_CARD);
    expect(only(base.findings, 'CARD-SCORE-LOW', 'CARD-CITATION-MISSING')).toHaveLength(2);
    const audit = auditCard('README.md', WEAK_MODEL_CARD, {
      settings: settings({ disable: ['CARD-SCORE-LOW', 'CARD-CITATION-MISSING'] }),
    });
    expect(only(audit.findings, 'CARD-SCORE-LOW', 'CARD-CITATION-MISSING')).toEqual([]);
    // The others stay, and the score is still computed.
    expect(only(audit.findings, 'CARD-CONTACT-MISSING')).toHaveLength(1);
    expect(audit.score.score).toBe(15);
    expect(audit.findings).toHaveLength(base.findings.length - 2);
  });

  it('severity overrides apply to the rule, raised or lowered', () => {
    const audit = auditCard('README.md', WEAK_MODEL_CARD, {
      settings: settings({ severity: { 'CARD-CITATION-MISSING': 'high', 'CARD-SCORE-LOW': 'info' } }),
    });
    expect(only(audit.findings, 'CARD-CITATION-MISSING').map((f) => f.severity)).toEqual(['high']);
    expect(only(audit.findings, 'CARD-SCORE-LOW').map((f) => f.severity)).toEqual(['info']);
    expect(only(audit.findings, 'CARD-CONTACT-MISSING').map((f) => f.severity)).toEqual(['info']);
    expect(only(audit.findings, 'CARD-ENVIRONMENTAL-MISSING').map((f) => f.severity)).toEqual(['info']);
  });

  it('required topics are checked', () => {
    const audit = auditCard('README.md', WEAK_MODEL_CARD, {
      settings: settings({ require: ['limitations', 'evaluation-results'] }),
    });
    expect(only(audit.findings, 'CARD-REQUIRED-SECTION').map((f) => f.location.field)).toEqual([
      '§ Evaluation results',
    ]);
  });
});

describe('auditCard: findings', () => {
  it('carry the field and line of what they are about', () => {
    const text = [
      '---',
      'license: mit',
      'pipeline_tag: text-classifcation',
      'languages:',
      '- en',
      '---',
      '# M',
      '',
      '## Limitations',
      '',
      '[More Information Needed]',
      '',
    ].join('\n');
    const audit = auditCard('README.md', text);
    expect(only(audit.findings, 'CARD-PIPELINE-TAG-INVALID')[0]?.location).toEqual({
      path: 'README.md',
      line: 3,
      field: 'pipeline_tag',
    });
    expect(only(audit.findings, 'CARD-LEGACY-KEY')[0]?.location).toEqual({
      path: 'README.md',
      line: 4,
      field: 'languages',
    });
    expect(only(audit.findings, 'CARD-LIMITATIONS-MISSING')[0]?.location).toEqual({
      path: 'README.md',
      line: 9,
      field: '§ Limitations',
    });
    expect(only(audit.findings, 'CARD-PLACEHOLDER')[0]?.location).toEqual({ path: 'README.md', line: 11 });
  });

  it('name the report path when given, and are sorted in report order', () => {
    const audit = auditCard('/tmp/x/README.md', WEAK_MODEL_CARD, { reportPath: 'x/README.md' });
    expect(audit.path).toBe('x/README.md');
    expect(new Set(audit.findings.map((f) => f.location.path))).toEqual(new Set(['x/README.md']));
    expect([...audit.findings].sort(compareFindings)).toEqual(audit.findings);
  });

  it('every finding has a rule title, remediation and a known severity', () => {
    for (const text of [WEAK_MODEL_CARD, '', '---\nlicenses: x\n---\n[More Information Needed]\n']) {
      for (const f of auditCard('README.md', text).findings) {
        expect(f.ruleId).toMatch(/^CARD-[A-Z0-9-]+$/);
        expect(f.title.length, f.ruleId).toBeGreaterThan(0);
        expect(f.remediation.length, f.ruleId).toBeGreaterThan(0);
        expect(['critical', 'high', 'medium', 'low', 'info']).toContain(f.severity);
      }
    }
  });

  it('are deterministic: the same input gives identical findings and score', () => {
    for (const text of [COMPLETE_MODEL_CARD, COMPLETE_DATASET_CARD, WEAK_MODEL_CARD]) {
      const a = auditCard('README.md', text);
      const b = auditCard('README.md', text);
      expect(JSON.stringify(b.findings)).toBe(JSON.stringify(a.findings));
      expect(b.score).toEqual(a.score);
    }
  });
});

describe('auditCard: hostile input never throws and is never reported clean', () => {
  const analysed = (audit: CardAudit) =>
    only(audit.findings, 'CARD-NOT-ANALYSED', 'CARD-METADATA-INVALID').map(
      (f) => `${f.ruleId} ${f.evidence}`,
    );

  it('binary content', () => {
    const bytes = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    const audit = auditCard('README.md', bytes);
    expect(analysed(audit)).toEqual(['CARD-NOT-ANALYSED binary-content']);
    expect(audit.score.score).toBe(0);
    expect(only(audit.findings, 'CARD-SCORE-LOW')).toHaveLength(1);
  });

  it('NUL bytes in an otherwise complete card', () => {
    const audit = auditCard(
      'README.md',
      COMPLETE_MODEL_CARD.replace('A BERT model', 'A BERT\u0000\u0000 model'),
    );
    expect(analysed(audit)).toEqual(['CARD-NOT-ANALYSED binary-content']);
    expect(audit.score.score).toBe(0);
  });

  it('10 MB of `#`', () => {
    const audit = auditCard('README.md', '#'.repeat(10 * 1024 * 1024));
    expect(analysed(audit)).toEqual(['CARD-NOT-ANALYSED card-too-large']);
    expect(only(audit.findings, 'CARD-NOT-ANALYSED')[0]?.location.line).toBe(1);
  });

  it('a card over the size limit is truncated for the checks too', () => {
    // The e-mail address past the limit is not read: the contact gap is still reported.
    const text = `# M\n\n${'word '.repeat(40)}\n\nWrite to team@example.org\n`;
    const audit = auditCard('README.md', text, { limits: { maxCardChars: 100 } });
    expect(audit.context.text.length).toBe(100);
    expect(analysed(audit)).toEqual(['CARD-NOT-ANALYSED card-too-large']);
    expect(only(audit.findings, 'CARD-CONTACT-MISSING')).toHaveLength(1);
    expect(only(auditCard('README.md', text).findings, 'CARD-CONTACT-MISSING')).toEqual([]);
  });

  it('one hundred thousand empty headings', () => {
    const audit = auditCard('README.md', '#\n'.repeat(100_000));
    expect(analysed(audit)).toEqual(['CARD-NOT-ANALYSED too-many-sections']);
  });

  it('deeply nested YAML, flow and block', () => {
    const flow = auditCard('README.md', `---\na: ${'['.repeat(5000)}${']'.repeat(5000)}\n---\n# T\n`);
    expect(analysed(flow)).toEqual(['CARD-METADATA-INVALID front-matter-too-deep']);
    const block = auditCard(
      'README.md',
      `---\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i * 2)}k:`).join('\n')} v\n---\n# T\n`,
    );
    expect(analysed(block)).toEqual(['CARD-METADATA-INVALID front-matter-too-deep']);
    expect(only(block.findings, 'CARD-METADATA-INVALID')[0]?.location.field).toBe('front matter');
  });

  it('a YAML alias bomb', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, name] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ])
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const audit = auditCard('README.md', `---\n${levels.join('\n')}\n---\n# T\n`);
    expect(analysed(audit)).toEqual(['CARD-METADATA-INVALID front-matter-too-many-aliases']);
    expect(audit.context.hasMetadata).toBe(false);
  });

  it('YAML that is not a mapping, or not YAML', () => {
    expect(analysed(auditCard('README.md', '---\n- a\n- b\n---\n# M\n'))).toEqual([
      'CARD-METADATA-INVALID front-matter-not-mapping',
    ]);
    expect(analysed(auditCard('README.md', '---\nlicense: [mit\n---\n# M\n'))).toEqual([
      'CARD-METADATA-INVALID front-matter-yaml-error',
    ]);
  });
});
