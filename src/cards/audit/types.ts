import type { Severity } from '../../core/finding.js';
import type { RuleDescriptor } from '../../core/rules.js';
import type { CardDocument } from '../card-document.js';
import type { TopicIndex } from '../topics.js';

/** What a card describes. Decided from the file name, the metadata and the headings (see `detectCardKind`). */
export type CardKind = 'model' | 'dataset';

/** A text file next to the card, read with a size bound. */
export interface RepoTextFile {
  /** POSIX path relative to the card's folder, e.g. `LICENSE`, `weights/LICENSE_weights`. */
  readonly path: string;
  readonly text: string;
  /** The file was larger than what was read. */
  readonly truncated: boolean;
}

/**
 * What the card's repository holds, gathered by the caller (the audit itself does no I/O): the files in the
 * card's folder, its licence files, and `config.json` when present. Absent for a card audited alone.
 */
export interface CardRepo {
  /** POSIX paths relative to the card's folder, sorted, bounded (`MAX_REPO_FILES`). */
  readonly files: readonly string[];
  /** LICENSE, LICENSE.md, LICENSE_weights, COPYING, NOTICE... (see `isLicenseFileName`). */
  readonly licenseFiles: readonly RepoTextFile[];
  /** `config.json` parsed (a JSON object), when present and valid. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** Settings of one audit, from pedigree.yaml's `cards:` section and the command line. */
export interface CardAuditSettings {
  /** Force the kind instead of detecting it. */
  readonly kind?: CardKind;
  /** Score below which CARD-SCORE-LOW is raised, per kind (0-100). */
  readonly minScore: Readonly<Record<CardKind, number>>;
  /** Topics that must be covered with content; each missing one is CARD-REQUIRED-SECTION. */
  readonly require: readonly string[];
  /** Rule ids not reported. */
  readonly disable: readonly string[];
  /** Severity overrides per rule id. */
  readonly severity: Readonly<Record<string, Severity>>;
}

/** One problem a check found, before it becomes a report finding. */
export interface CardFindingDraft {
  readonly rule: RuleDescriptor;
  /** Defaults to the rule's `defaultSeverity`. */
  readonly severity?: Severity;
  /** What was found, specific to this card: names the field or section and the value. */
  readonly message: string;
  /** 1-based line in the card file (or in `location.path` when set). */
  readonly line?: number;
  /**
   * The metadata field or section the finding is about: `license`, `model-index[0].results[1].metrics`
   * (front matter), or `§ Limitations` (a section, by its topic or heading).
   */
  readonly field?: string;
  readonly evidence: string;
  /** What to change; defaults to the rule's `help`. */
  readonly remediation?: string;
  /** Another file the finding is about (a LICENSE file), relative to the card's folder. */
  readonly otherFile?: string;
}

/** Everything a check may look at. Pure data: checks do no I/O. */
export interface CardAuditContext {
  readonly doc: CardDocument;
  readonly kind: CardKind;
  /** The card's full text, line endings normalised to `\n` (bounded by the reader's `maxCardChars`). */
  readonly text: string;
  /** `text` split into lines: `lines[n - 1]` is line n. */
  readonly lines: readonly string[];
  /** The front matter mapping, `{}` when there is none or it could not be parsed. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** The front matter was found and parsed (a card without metadata gets one finding, not one per key). */
  readonly hasMetadata: boolean;
  readonly topics: TopicIndex;
  readonly repo: CardRepo | undefined;
  readonly settings: CardAuditSettings;
  /**
   * Line of a metadata node: a top-level key (`license`) or a JSON Pointer (`/model-index/0/results`);
   * undefined when unknown.
   */
  lineOf(pointer: string): number | undefined;
}

/** A check: one area of the audit (licence, provenance, evaluation...). */
export type CardCheck = (ctx: CardAuditContext) => readonly CardFindingDraft[];
