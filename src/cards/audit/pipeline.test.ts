import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuleDescriptor } from '../../core/rules.js';
import { auditCard } from './audit.js';
import { DEFAULT_CARD_AUDIT_SETTINGS } from './context.js';
import type { CardAuditContext, CardFindingDraft } from './types.js';

/**
 * The audit pipeline with the checks replaced: what auditCard does with drafts (superseding, severity,
 * disable, paths) whatever the rule modules raise.
 */
const state = vi.hoisted(() => ({
  drafts: [] as CardFindingDraft[],
  seen: [] as CardAuditContext[],
}));

vi.mock('../rules/index.js', () => ({
  CARD_CHECKS: [
    (ctx: CardAuditContext) => {
      state.seen.push(ctx);
      return state.drafts;
    },
  ],
  CARD_RULES: [],
}));

function rule(id: string, severity: RuleDescriptor['defaultSeverity'] = 'medium'): RuleDescriptor {
  return {
    id,
    title: `${id} title`,
    description: 'd',
    help: `${id} help`,
    defaultSeverity: severity,
    references: [],
    tags: [],
  };
}

const GENERAL_LIMITATIONS = rule('CARD-LIMITATIONS-MISSING');
const HIGH_RISK_LIMITATIONS = rule('CARD-HIGH-RISK-LIMITATIONS-MISSING', 'high');
const GENERAL_BIAS = rule('CARD-BIAS-MISSING', 'low');
const HIGH_RISK_BIAS = rule('CARD-HIGH-RISK-BIAS-MISSING', 'high');

function draft(r: RuleDescriptor, extra: Partial<CardFindingDraft> = {}): CardFindingDraft {
  return { rule: r, message: `${r.id} message`, evidence: `${r.id} evidence`, line: 2, ...extra };
}

/** A card scoring 100 would need content; a minimum of 0 keeps CARD-SCORE-LOW out of these tests. */
const NO_MINIMUM = { ...DEFAULT_CARD_AUDIT_SETTINGS, minScore: { model: 0, dataset: 0 } };

beforeEach(() => {
  state.drafts = [];
  state.seen = [];
});

describe('auditCard pipeline', () => {
  it('turns a draft into a finding with the rule title, help and references', () => {
    state.drafts = [draft(rule('CARD-X', 'low'), { field: 'license' })];
    const audit = auditCard('m/README.md', '# M\n', { settings: NO_MINIMUM });
    expect(audit.findings).toEqual([
      {
        ruleId: 'CARD-X',
        severity: 'low',
        title: 'CARD-X title',
        message: 'CARD-X message',
        location: { path: 'm/README.md', line: 2, field: 'license' },
        evidence: 'CARD-X evidence',
        remediation: 'CARD-X help',
        references: [],
      },
    ]);
    expect(state.seen).toHaveLength(1);
  });

  it('a draft without a line has no line; its own remediation and severity win over the rule', () => {
    state.drafts = [
      { rule: rule('CARD-X', 'low'), message: 'm', evidence: 'e', severity: 'high', remediation: 'do it' },
    ];
    const [f] = auditCard('README.md', '# M\n', { settings: NO_MINIMUM }).findings;
    expect(f?.location).toEqual({ path: 'README.md' });
    expect(f).toMatchObject({ severity: 'high', remediation: 'do it' });
  });

  it('a configured severity wins over the draft and the rule', () => {
    state.drafts = [draft(rule('CARD-X', 'low'), { severity: 'high' })];
    const audit = auditCard('README.md', '# M\n', {
      settings: { ...NO_MINIMUM, severity: { 'CARD-X': 'info' } },
    });
    expect(audit.findings.map((f) => f.severity)).toEqual(['info']);
  });

  it('a finding about another file names it relative to the audit root', () => {
    state.drafts = [draft(rule('CARD-X'), { otherFile: 'LICENSE', line: 3 })];
    expect(
      auditCard('/abs/m/README.md', '# M\n', { reportPath: 'm/README.md', settings: NO_MINIMUM }).findings[0]
        ?.location,
    ).toEqual({
      path: 'm/LICENSE',
      line: 3,
    });
    expect(auditCard('README.md', '# M\n', { settings: NO_MINIMUM }).findings[0]?.location.path).toBe(
      'LICENSE',
    );
    expect(
      auditCard('x.md', '# M\n', { reportPath: 'a/b/README.md', reportDir: 'a', settings: NO_MINIMUM })
        .findings[0]?.location.path,
    ).toBe('a/LICENSE');
  });

  it('a high-risk finding supersedes the general one about the same gap', () => {
    state.drafts = [draft(GENERAL_LIMITATIONS), draft(HIGH_RISK_LIMITATIONS), draft(GENERAL_BIAS)];
    expect(auditCard('README.md', '# M\n', { settings: NO_MINIMUM }).findings.map((f) => f.ruleId)).toEqual([
      'CARD-HIGH-RISK-LIMITATIONS-MISSING',
      'CARD-BIAS-MISSING',
    ]);
    state.drafts = [draft(GENERAL_BIAS), draft(HIGH_RISK_BIAS), draft(GENERAL_LIMITATIONS)];
    expect(auditCard('README.md', '# M\n', { settings: NO_MINIMUM }).findings.map((f) => f.ruleId)).toEqual([
      'CARD-HIGH-RISK-BIAS-MISSING',
      'CARD-LIMITATIONS-MISSING',
    ]);
  });

  it('the general finding stays when only the other high-risk rule was raised', () => {
    state.drafts = [draft(GENERAL_LIMITATIONS), draft(HIGH_RISK_BIAS)];
    expect(auditCard('README.md', '# M\n', { settings: NO_MINIMUM }).findings.map((f) => f.ruleId)).toEqual([
      'CARD-HIGH-RISK-BIAS-MISSING',
      'CARD-LIMITATIONS-MISSING',
    ]);
  });

  it('disabling the high-risk rule brings the general one back: the gap is still reported', () => {
    state.drafts = [draft(GENERAL_LIMITATIONS), draft(HIGH_RISK_LIMITATIONS)];
    const settings = { ...NO_MINIMUM, disable: ['CARD-HIGH-RISK-LIMITATIONS-MISSING'] };
    expect(auditCard('README.md', '# M\n', { settings }).findings.map((f) => f.ruleId)).toEqual([
      'CARD-LIMITATIONS-MISSING',
    ]);
  });

  it('disabled rules are dropped; findings are sorted by line, then severity, then rule', () => {
    state.drafts = [
      draft(rule('CARD-B', 'low'), { line: 5 }),
      draft(rule('CARD-A', 'low'), { line: 5 }),
      draft(rule('CARD-C', 'high'), { line: 5 }),
      draft(rule('CARD-D'), { line: 1 }),
      draft(rule('CARD-OFF'), { line: 1 }),
    ];
    const audit = auditCard('README.md', '# M\n', { settings: { ...NO_MINIMUM, disable: ['CARD-OFF'] } });
    expect(audit.findings.map((f) => f.ruleId)).toEqual(['CARD-D', 'CARD-C', 'CARD-A', 'CARD-B']);
  });

  it('CARD-SCORE-LOW is added by the pipeline itself, and can be disabled', () => {
    const audit = auditCard('README.md', '# M\n');
    expect(audit.findings.map((f) => f.ruleId)).toEqual(['CARD-SCORE-LOW']);
    expect(audit.findings[0]?.message).toMatch(
      /^Completeness 0\/100 is below the minimum of 50 for model cards; missing: Quantitative analyses \(results\) \(10\), /,
    );
    expect(
      auditCard('README.md', '# M\n', {
        settings: { ...DEFAULT_CARD_AUDIT_SETTINGS, disable: ['CARD-SCORE-LOW'] },
      }).findings,
    ).toEqual([]);
  });
});
