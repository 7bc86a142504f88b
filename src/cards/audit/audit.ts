import { compareFindings, type Finding } from '../../core/finding.js';
import { type CardReadLimits, MAX_CARD_CHARS } from '../limits.js';
import { readCard } from '../read.js';
import { CARD_CHECKS } from '../rules/index.js';
import { CARD_SECTION_RULES } from '../rules/sections.js';
import { type CardScore, scoreCard } from '../score.js';
import { buildAuditContext, DEFAULT_CARD_AUDIT_SETTINGS } from './context.js';
import type { CardAuditContext, CardAuditSettings, CardFindingDraft, CardKind, CardRepo } from './types.js';

export interface CardAuditOptions {
  /** The card's repository (licence files, config.json, file list); none for a card audited alone. */
  readonly repo?: CardRepo;
  readonly settings?: CardAuditSettings;
  /** Path findings name (relative to the audit root); defaults to the path the card was read as. */
  readonly reportPath?: string;
  /** Folder of the card relative to the audit root, to name `otherFile` (a LICENSE) in findings; `''` for the root. */
  readonly reportDir?: string;
  readonly limits?: Partial<CardReadLimits>;
}

export interface CardAudit {
  readonly path: string;
  readonly kind: CardKind;
  readonly findings: readonly Finding[];
  readonly score: CardScore;
  /** The threshold applied (`cards.minScore` for this kind). */
  readonly minScore: number;
  /** The context the checks saw (for the score and for callers that render more). */
  readonly context: CardAuditContext;
}

/**
 * General rules and the stricter rules that, when raised on the same card, say the same thing more precisely:
 * a high-risk card without limitations gets the high-risk finding, not also the general one.
 */
const SUPERSEDED_BY: Readonly<Record<string, readonly string[]>> = {
  'CARD-LIMITATIONS-MISSING': ['CARD-HIGH-RISK-LIMITATIONS-MISSING'],
  'CARD-BIAS-MISSING': ['CARD-HIGH-RISK-BIAS-MISSING'],
};

/** Turns a check's draft into a report finding, applying the severity overrides of the settings. */
function toFinding(draft: CardFindingDraft, path: string, dir: string, settings: CardAuditSettings): Finding {
  const severity = settings.severity[draft.rule.id] ?? draft.severity ?? draft.rule.defaultSeverity;
  const other =
    draft.otherFile !== undefined ? (dir === '' ? draft.otherFile : `${dir}/${draft.otherFile}`) : undefined;
  return {
    ruleId: draft.rule.id,
    severity,
    title: draft.rule.title,
    message: draft.message,
    location: {
      path: other ?? path,
      ...(draft.line !== undefined ? { line: draft.line } : {}),
      ...(draft.field !== undefined ? { field: draft.field } : {}),
    },
    evidence: draft.evidence,
    remediation: draft.remediation ?? draft.rule.help,
    references: draft.rule.references,
  };
}

/**
 * Audits one card: reads it, runs every check, and returns the findings in report order. Pure and
 * synchronous: the caller reads the card and its repository. Never throws on content.
 */
export function auditCard(path: string, text: string, options: CardAuditOptions = {}): CardAudit {
  const settings = options.settings ?? DEFAULT_CARD_AUDIT_SETTINGS;
  const doc = readCard(path, text, options.limits);
  // The checks see what the reader read: a card over `maxCardChars` is truncated for them too.
  const maxChars = options.limits?.maxCardChars ?? MAX_CARD_CHARS;
  const context = buildAuditContext(
    doc,
    text.length > maxChars ? text.slice(0, maxChars) : text,
    options.repo,
    settings,
  );
  const reportPath = options.reportPath ?? path;
  const dir = options.reportDir ?? reportPath.split('/').slice(0, -1).join('/');
  const disabled = new Set(settings.disable);
  const drafts: CardFindingDraft[] = CARD_CHECKS.flatMap((check) => check(context));
  const score = scoreCard(context);
  const minScore = settings.minScore[context.kind];
  if (score.score < minScore) {
    const missing = score.items
      .filter((i) => i.earned === 0)
      .sort((a, b) => b.weight - a.weight)
      .map((i) => `${i.title} (${i.weight})`);
    drafts.push({
      rule: CARD_SECTION_RULES.scoreLow,
      message: `Completeness ${score.score}/100 is below the minimum of ${minScore} for ${context.kind} cards; missing: ${missing.join(', ')}`,
      line: 1,
      evidence: score.items.map((i) => `${i.id} ${i.earned}/${i.weight}`).join(', '),
    });
  }
  const kept = drafts.filter((d) => !disabled.has(d.rule.id));
  // Built after disabling: a disabled stricter rule must not also hide the general one.
  const raised = new Set(kept.map((d) => d.rule.id));
  const findings: Finding[] = kept
    // A stricter rule about the same gap replaces the general one (one finding per problem).
    .filter((d) => !(SUPERSEDED_BY[d.rule.id] ?? []).some((id) => raised.has(id)))
    .map((d) => toFinding(d, reportPath, dir, settings));
  findings.sort(compareFindings);
  return { path: reportPath, kind: context.kind, findings, score, minScore, context };
}
