import { UsageError } from '../core/errors.js';
import { type Finding, type Severity, severityRank } from '../core/finding.js';
import type { CardsPolicy } from '../policy/config-schema.js';
import { DEFAULT_CARD_AUDIT_SETTINGS, DEFAULT_MIN_SCORE } from './audit/context.js';
import type { CardAuditSettings, CardKind } from './audit/types.js';
import { CARD_FILE_RULES } from './rules/files.js';
import { CARD_RULES } from './rules/index.js';
import { DATASET_TOPICS, MODEL_TOPICS } from './topics.js';

/** What became of a found configuration's `cards:` settings, one sentence each. */
export interface CardSettingsResolution {
  readonly settings: CardAuditSettings;
  readonly notes: readonly string[];
}

const KNOWN_TOPICS: ReadonlySet<string> = new Set([...MODEL_TOPICS, ...DATASET_TOPICS]);
const KNOWN_RULES: ReadonlyMap<string, Severity> = new Map(CARD_RULES.map((r) => [r.id, r.defaultSeverity]));

/**
 * The card audit settings from pedigree.yaml's `cards:` and the command line. Unknown topics and rule ids are
 * usage errors (a typo would otherwise silently require or disable nothing). A file found in the audited
 * folder may only make the audit stricter; what it asked for and did not get is in `notes`.
 */
export function resolveCardSettings(input: {
  readonly policy?: CardsPolicy;
  readonly file?: string;
  readonly found: boolean;
  readonly commandLine?: { readonly minScore?: number; readonly kind?: CardKind };
}): CardSettingsResolution {
  const { policy, found } = input;
  const file = input.file ?? 'pedigree.yaml';
  const notes: string[] = [];
  const bad = (what: string) =>
    new UsageError(
      'BAD_CONFIG',
      `${file}: invalid configuration: ${what}${found ? ' (found in the audited folder; pass --no-config to ignore it)' : ''}`,
    );
  for (const topic of policy?.require ?? [])
    if (!KNOWN_TOPICS.has(topic))
      throw bad(`cards.require: unknown topic '${topic}' (known: ${[...KNOWN_TOPICS].sort().join(', ')})`);
  for (const id of [...(policy?.disable ?? []), ...Object.keys(policy?.severity ?? {})])
    if (!KNOWN_RULES.has(id)) throw bad(`cards: unknown rule '${id}'`);

  const minScore: Record<CardKind, number> = { ...DEFAULT_CARD_AUDIT_SETTINGS.minScore };
  const wanted = policy?.minScore;
  let configured = false;
  for (const kind of ['model', 'dataset'] as const) {
    const value = typeof wanted === 'number' ? wanted : wanted?.[kind];
    if (value === undefined) continue;
    if (found && value < DEFAULT_MIN_SCORE) {
      notes.push(
        `it asks for a ${kind} card minimum score of ${value}, below the default ${DEFAULT_MIN_SCORE}: ignored`,
      );
      continue;
    }
    minScore[kind] = value;
    configured = true;
    if (found) notes.push(`it sets the ${kind} card minimum score to ${value}`);
  }
  if (input.commandLine?.minScore !== undefined) {
    minScore.model = input.commandLine.minScore;
    minScore.dataset = input.commandLine.minScore;
  }
  // A minimum the user set is a gate: falling below it fails the default threshold (high). The default
  // minimum only informs (medium), so an unconfigured audit does not fail a build on completeness alone.
  const gate = configured || input.commandLine?.minScore !== undefined;
  const require = [...new Set(policy?.require ?? [])];
  if (found && require.length > 0) notes.push(`it requires ${require.join(', ')}`);
  let disable = [...new Set(policy?.disable ?? [])];
  if (found && disable.length > 0) {
    notes.push(`it disables ${disable.join(', ')}: ignored`);
    disable = [];
  }
  const severity: Record<string, Severity> = {};
  for (const [id, level] of Object.entries(policy?.severity ?? {})) {
    const base = KNOWN_RULES.get(id) as Severity;
    if (found && severityRank(level) < severityRank(base)) {
      notes.push(`it lowers ${id} to ${level}: ignored`);
      continue;
    }
    severity[id] = level;
    if (found) notes.push(`it sets ${id} to ${level}`);
  }
  if (gate && severity['CARD-SCORE-LOW'] === undefined) severity['CARD-SCORE-LOW'] = 'high';
  return {
    settings: {
      ...(input.commandLine?.kind !== undefined ? { kind: input.commandLine.kind } : {}),
      minScore,
      require,
      disable,
      severity,
    },
    notes,
  };
}

/** CARD-CONFIG: a configuration found in the audited folder set the card audit. */
export function cardConfigFinding(path: string, notes: readonly string[]): Finding {
  const rule = CARD_FILE_RULES.foundConfig;
  const ignored = notes.filter((n) => n.endsWith(': ignored'));
  return {
    ruleId: rule.id,
    severity: rule.defaultSeverity,
    title: rule.title,
    message: `${path} in the audited folder set the card audit${notes.length > 0 ? `: ${notes.join('; ')}` : ' (no card settings)'}`,
    location: { path, field: 'cards' },
    evidence: `${notes.length} setting(s), ${ignored.length} ignored as looser than the defaults`,
    remediation: rule.help,
    references: [],
  };
}
