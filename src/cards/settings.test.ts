import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { parseConfig } from '../policy/config-schema.js';
import { DEFAULT_CARD_AUDIT_SETTINGS } from './audit/context.js';
import { cardConfigFinding, resolveCardSettings } from './settings.js';

describe('resolveCardSettings', () => {
  it('without configuration: the defaults', () => {
    expect(resolveCardSettings({ found: false })).toEqual({
      settings: DEFAULT_CARD_AUDIT_SETTINGS,
      notes: [],
    });
    expect(DEFAULT_CARD_AUDIT_SETTINGS).toEqual({
      minScore: { model: 50, dataset: 50 },
      require: [],
      disable: [],
      severity: {},
    });
  });

  it('a given file applies as written, and a configured minimum makes CARD-SCORE-LOW high', () => {
    const { settings, notes } = resolveCardSettings({
      found: false,
      policy: {
        minScore: 30,
        require: ['limitations', 'limitations', 'motivation'],
        disable: ['CARD-CITATION-MISSING'],
        severity: { 'CARD-BIAS-MISSING': 'info', 'CARD-CONTACT-MISSING': 'medium' },
      },
    });
    expect(settings).toEqual({
      minScore: { model: 30, dataset: 30 },
      require: ['limitations', 'motivation'],
      disable: ['CARD-CITATION-MISSING'],
      severity: { 'CARD-BIAS-MISSING': 'info', 'CARD-CONTACT-MISSING': 'medium', 'CARD-SCORE-LOW': 'high' },
    });
    expect(notes).toEqual([]);
  });

  it('a minimum per kind', () => {
    const { settings } = resolveCardSettings({ found: false, policy: { minScore: { dataset: 70 } } });
    expect(settings.minScore).toEqual({ model: 50, dataset: 70 });
    expect(settings.severity).toEqual({ 'CARD-SCORE-LOW': 'high' });
  });

  it('an explicit CARD-SCORE-LOW severity is kept', () => {
    const { settings } = resolveCardSettings({
      found: false,
      policy: { minScore: 80, severity: { 'CARD-SCORE-LOW': 'low' } },
    });
    expect(settings.severity).toEqual({ 'CARD-SCORE-LOW': 'low' });
  });

  it('without a configured minimum CARD-SCORE-LOW keeps its default severity', () => {
    const { settings } = resolveCardSettings({ found: false, policy: { require: ['citation'] } });
    expect(settings.severity).toEqual({});
  });

  it('the command line minimum applies to both kinds, over the file, and is a gate too', () => {
    const { settings } = resolveCardSettings({
      found: true,
      policy: { minScore: { model: 80 } },
      commandLine: { minScore: 20, kind: 'dataset' },
    });
    expect(settings.minScore).toEqual({ model: 20, dataset: 20 });
    expect(settings.kind).toBe('dataset');
    expect(settings.severity['CARD-SCORE-LOW']).toBe('high');
    const alone = resolveCardSettings({ found: false, commandLine: { minScore: 0 } });
    expect(alone.settings.minScore).toEqual({ model: 0, dataset: 0 });
    expect(alone.settings.severity).toEqual({ 'CARD-SCORE-LOW': 'high' });
    expect(alone.settings.kind).toBeUndefined();
  });

  it('a found file only tightens: what it loosens is ignored and noted', () => {
    const { settings, notes } = resolveCardSettings({
      found: true,
      file: 'pedigree.yaml',
      policy: {
        minScore: { model: 20, dataset: 75 },
        require: ['limitations'],
        disable: ['CARD-LIMITATIONS-MISSING', 'CARD-SCORE-LOW'],
        severity: {
          'CARD-LIMITATIONS-MISSING': 'low',
          'CARD-CITATION-MISSING': 'high',
          'CARD-BIAS-MISSING': 'low',
        },
      },
    });
    expect(settings).toEqual({
      minScore: { model: 50, dataset: 75 },
      require: ['limitations'],
      disable: [],
      // Lowering CARD-BIAS-MISSING to its default, low, is not lowering it.
      severity: { 'CARD-CITATION-MISSING': 'high', 'CARD-BIAS-MISSING': 'low', 'CARD-SCORE-LOW': 'high' },
    });
    expect(notes).toEqual([
      'it asks for a model card minimum score of 20, below the default 50: ignored',
      'it sets the dataset card minimum score to 75',
      'it requires limitations',
      'it disables CARD-LIMITATIONS-MISSING, CARD-SCORE-LOW: ignored',
      'it lowers CARD-LIMITATIONS-MISSING to low: ignored',
      'it sets CARD-CITATION-MISSING to high',
      'it sets CARD-BIAS-MISSING to low',
    ]);
  });

  it('a found file asking only for a lower minimum changes nothing, CARD-SCORE-LOW severity included', () => {
    const { settings, notes } = resolveCardSettings({ found: true, policy: { minScore: 10 } });
    expect(settings).toEqual(DEFAULT_CARD_AUDIT_SETTINGS);
    expect(notes).toHaveLength(2);
  });

  it('unknown topics and rule ids are usage errors naming the file', () => {
    const bad =
      (policy: object, found = false) =>
      () =>
        resolveCardSettings({ found, file: 'conf/pedigree.yaml', policy });
    expect(bad({ require: ['limitation'] })).toThrow(UsageError);
    expect(bad({ require: ['limitation'] })).toThrow(
      /^conf\/pedigree\.yaml: invalid configuration: cards\.require: unknown topic 'limitation' \(known: annotations, bias-risks, /,
    );
    expect(bad({ disable: ['CARD-NOPE'] })).toThrow(
      "conf/pedigree.yaml: invalid configuration: cards: unknown rule 'CARD-NOPE'",
    );
    expect(bad({ severity: { 'CARD-NOPE': 'high' } })).toThrow("cards: unknown rule 'CARD-NOPE'");
    expect(bad({ disable: ['CARD-NOPE'] }, true)).toThrow(
      "cards: unknown rule 'CARD-NOPE' (found in the audited folder; pass --no-config to ignore it)",
    );
    try {
      bad({ disable: ['CARD-NOPE'] })();
    } catch (error) {
      expect((error as UsageError).code).toBe('BAD_CONFIG');
    }
  });

  it('knows the file rules and the rules of every check', () => {
    const { settings } = resolveCardSettings({
      found: false,
      policy: {
        disable: ['CARD-MISSING', 'CARD-READ-ERROR', 'CARD-CONFIG', 'CARD-PLACEHOLDER', 'CARD-SCORE-LOW'],
      },
    });
    expect(settings.disable).toHaveLength(5);
  });
});

describe('cardConfigFinding', () => {
  it('lists the notes and counts the ignored ones', () => {
    expect(
      cardConfigFinding('pedigree.yaml', ['it requires limitations', 'it disables CARD-X: ignored']),
    ).toEqual({
      ruleId: 'CARD-CONFIG',
      severity: 'medium',
      title: 'Card settings from a configuration file in the audited folder',
      message:
        'pedigree.yaml in the audited folder set the card audit: it requires limitations; it disables CARD-X: ignored',
      location: { path: 'pedigree.yaml', field: 'cards' },
      evidence: '2 setting(s), 1 ignored as looser than the defaults',
      remediation:
        'Review the file; pass it with --config once you trust it, or use --no-config to ignore it.',
      references: [],
    });
    expect(cardConfigFinding('p.yaml', []).message).toBe(
      'p.yaml in the audited folder set the card audit (no card settings)',
    );
  });
});

describe('pedigree.yaml `cards:` schema', () => {
  it('accepts the documented settings', () => {
    const config = parseConfig(
      [
        'cards:',
        '  minScore: { model: 60, dataset: 40 }',
        '  require: [limitations, evaluation-results]',
        '  disable: [CARD-CITATION-MISSING]',
        '  severity:',
        '    CARD-BIAS-MISSING: medium',
      ].join('\n'),
      'pedigree.yaml',
    );
    expect(config.cards).toEqual({
      minScore: { model: 60, dataset: 40 },
      require: ['limitations', 'evaluation-results'],
      disable: ['CARD-CITATION-MISSING'],
      severity: { 'CARD-BIAS-MISSING': 'medium' },
    });
    expect(parseConfig('cards:\n  minScore: 70\n', 'p.yaml').cards).toEqual({ minScore: 70 });
  });

  it.each([
    ['a score over 100', 'cards:\n  minScore: 101\n', 'cards.minScore'],
    ['a fractional score', 'cards:\n  minScore: 50.5\n', 'cards.minScore'],
    ['an unknown kind', 'cards:\n  minScore: { code: 50 }\n', 'cards.minScore'],
    ['a topic that is not one', 'cards:\n  require: [Limitations]\n', 'cards.require.0'],
    ['a rule id that is not one', 'cards:\n  disable: [citation]\n', 'cards.disable.0'],
    [
      'an unknown severity',
      'cards:\n  severity: { CARD-BIAS-MISSING: severe }\n',
      'cards.severity.CARD-BIAS-MISSING',
    ],
    ['an unknown key', 'cards:\n  minimum: 50\n', 'cards'],
  ])('refuses %s', (_name, text, where) => {
    expect(() => parseConfig(text, 'pedigree.yaml')).toThrow(UsageError);
    expect(() => parseConfig(text, 'pedigree.yaml')).toThrow(
      `pedigree.yaml: invalid configuration: ${where}`,
    );
  });
});
