import { describe, expect, it } from 'vitest';
import type { Finding, ScanReport } from '../core/finding.js';
import { mergeCardReport } from './merge.js';
import type { CardsReport } from './run.js';

function finding(ruleId: string, path: string, severity: Finding['severity'] = 'low'): Finding {
  return {
    ruleId,
    severity,
    title: ruleId,
    message: ruleId,
    location: { path },
    evidence: '',
    remediation: '',
    references: [],
  };
}

describe('mergeCardReport', () => {
  it('joins findings in report order, turns the scanned card into a card artifact and carries the cards section', () => {
    const scan: ScanReport = {
      schemaVersion: '1.2.0',
      tool: { name: 'pedigree', version: 't' },
      root: 'repo',
      summary: { files: 2, findings: { critical: 1, high: 0, medium: 0, low: 0, info: 0 }, notAnalysed: 1 },
      artifacts: [
        { path: 'README.md', kind: 'other', format: 'unknown', size: 10, sha256: 'a' },
        { path: 'model.pkl', kind: 'model', format: 'pickle', size: 5, sha256: 'b' },
      ],
      findings: [finding('PICKLE-X', 'model.pkl', 'critical')],
    };
    const cards: CardsReport = {
      schemaVersion: '1.2.0',
      tool: { name: 'pedigree', version: 't' },
      root: 'repo',
      summary: { files: 2, findings: { critical: 0, high: 0, medium: 1, low: 1, info: 0 }, notAnalysed: 1 },
      artifacts: [
        { path: 'README.md', kind: 'card', format: 'model-card', size: 10, sha256: 'a' },
        { path: 'docs/MODEL_CARD.md', kind: 'card', format: 'model-card', size: 3, sha256: 'c' },
      ],
      findings: [
        finding('CARD-SCORE-LOW', 'README.md', 'medium'),
        finding('CARD-NOT-ANALYSED', 'docs/MODEL_CARD.md'),
      ],
      cards: { cards: [], summary: { cards: 2, models: 2, datasets: 0, belowMinimum: 1, averageScore: 40 } },
    };
    const merged = mergeCardReport(scan, cards);
    expect(merged.root).toBe('repo');
    expect(merged.artifacts.map((a) => [a.path, a.kind, a.format])).toEqual([
      ['README.md', 'card', 'model-card'],
      ['docs/MODEL_CARD.md', 'card', 'model-card'],
      ['model.pkl', 'model', 'pickle'],
    ]);
    expect(merged.findings.map((f) => f.ruleId)).toEqual(['CARD-SCORE-LOW', 'CARD-NOT-ANALYSED', 'PICKLE-X']);
    expect(merged.summary).toEqual({
      files: 3,
      findings: { critical: 1, high: 0, medium: 1, low: 1, info: 0 },
      notAnalysed: 2,
    });
    expect(merged.cards).toBe(cards.cards);
  });
});
