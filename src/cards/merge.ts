import { compareFindings, compareStrings, countBySeverity, type ScanReport } from '../core/finding.js';
import type { CardsReport } from './run.js';

/**
 * `pedigree scan` of a folder also audits the cards in it, so one report says whether the model is safe to
 * load and whether it is documented: card findings join the scan's, each card's artifact becomes kind
 * `card` (the scan listed it as a plain file), and the `cards` section is carried over.
 */
export function mergeCardReport<T extends ScanReport>(
  scan: T,
  cards: CardsReport,
): T & Pick<CardsReport, 'cards'> {
  const cardArtifacts = new Map(cards.artifacts.map((a) => [a.path, a]));
  const known = new Set(scan.artifacts.map((a) => a.path));
  const artifacts = [
    ...scan.artifacts.map((a) => cardArtifacts.get(a.path) ?? a),
    ...cards.artifacts.filter((a) => !known.has(a.path)),
  ].sort((a, b) => compareStrings(a.path, b.path));
  const findings = [...scan.findings, ...cards.findings].sort(compareFindings);
  return {
    ...scan,
    summary: {
      files: artifacts.length,
      findings: countBySeverity(findings),
      notAnalysed: scan.summary.notAnalysed + cards.summary.notAnalysed,
    },
    artifacts,
    findings,
    cards: cards.cards,
  };
}
