import type { RuleDescriptor } from '../../core/rules.js';
import type { CardAuditContext, CardCheck, CardFindingDraft } from '../audit/types.js';
import type { CardPlaceholder, CardProblem, CardProblemCode, PlaceholderKind } from '../card-document.js';
import { checkPipelineTag, legacyKeyInfo } from '../vocabulary.js';

const HUB_MODEL_CARDS = 'https://huggingface.co/docs/hub/model-cards';
const HUB_DATASET_CARDS = 'https://huggingface.co/docs/hub/datasets-cards';
const HUB_METADATA_SPEC = 'https://github.com/huggingface/hub-docs/blob/main/modelcard.md';

/** Rules about the card as a document: its metadata block, its vocabulary and what was left unfilled. */
export const CARD_METADATA_RULES = {
  notAnalysed: {
    id: 'CARD-NOT-ANALYSED',
    title: 'Card could not be fully read',
    description:
      'The card is too large, binary, or has more headings or placeholders than the reader keeps, so part of it was not audited. It is not reported as complete.',
    help: 'Check the file is the card you meant and is plain UTF-8 markdown; split or shorten it if it is really that large.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['card', 'not-analysed'],
  },
  metadataMissing: {
    id: 'CARD-METADATA-MISSING',
    title: 'Card has no YAML metadata',
    description:
      'The card has no YAML front matter, so the Hub and tools reading it (huggingface_hub, the BOM) find no licence, tags, datasets, base model or evaluation results: the card is prose only.',
    help: 'Add a `---` delimited YAML block at the top with at least `license`, and `datasets`, `base_model`, `pipeline_tag` and `model-index` where they apply.',
    defaultSeverity: 'low',
    references: [HUB_MODEL_CARDS, HUB_DATASET_CARDS],
    tags: ['card', 'metadata'],
  },
  frontMatterInvalid: {
    id: 'CARD-METADATA-INVALID',
    title: 'Card metadata block is malformed',
    description:
      'The YAML front matter cannot be read as the Hub reads it (PyYAML `safe_load`, must be a mapping): an unterminated or unopened block, a YAML error, a non-mapping, or limits exceeded. The Hub then shows no metadata, or shows the YAML as text.',
    help: 'Fix the YAML block: it must start with `---` on the first line, end with `---`, and hold a mapping of keys.',
    defaultSeverity: 'medium',
    references: [HUB_METADATA_SPEC, 'https://pyyaml.org/wiki/PyYAMLDocumentation'],
    tags: ['card', 'metadata'],
  },
  metadataWarning: {
    id: 'CARD-METADATA-WARNING',
    title: 'Card metadata is ambiguous',
    description:
      'The metadata parses, but not unambiguously: a key given twice (PyYAML keeps the last value, other readers the first or refuse), a byte order mark that hides the metadata from huggingface_hub, or a YAML construct readers disagree on.',
    help: 'Remove the duplicate key or the byte order mark so every reader sees the same metadata.',
    defaultSeverity: 'low',
    references: [HUB_METADATA_SPEC],
    tags: ['card', 'metadata'],
  },
  pipelineTagInvalid: {
    id: 'CARD-PIPELINE-TAG-INVALID',
    title: 'pipeline_tag is not a Hub task',
    description:
      '`pipeline_tag` is not one of the Hub tasks (the list in @huggingface/tasks), so the Hub cannot file the model under a task and inference widgets and filters miss it.',
    help: 'Use the task id shown in the message (see https://huggingface.co/tasks).',
    defaultSeverity: 'low',
    references: [
      'https://huggingface.co/docs/hub/models-widgets#enabling-a-widget',
      'https://huggingface.co/tasks',
    ],
    tags: ['card', 'metadata'],
  },
  legacyKey: {
    id: 'CARD-LEGACY-KEY',
    title: 'Renamed metadata key',
    description:
      'The card uses a metadata key that was renamed (`languages` → `language`, `licenses` → `license`, `license_details` → `license_name`, 2022); current tools ignore the old key, so the value is lost.',
    help: 'Rename the key as shown.',
    defaultSeverity: 'low',
    references: ['https://github.com/huggingface/datasets/pull/4607', HUB_DATASET_CARDS],
    tags: ['card', 'metadata'],
  },
  placeholders: {
    id: 'CARD-PLACEHOLDER',
    title: 'Unfilled template text in the card',
    description:
      'The card still holds template placeholders: `[More Information Needed]`, `{{ field }}`, `[optional]` markers, TODOs, template guidance or Trainer boilerplate ("on the None dataset", `Loss: nan`). Each is a question the authors left unanswered.',
    help: 'Replace each placeholder with the information, or delete the section and say why it does not apply.',
    defaultSeverity: 'low',
    references: [HUB_MODEL_CARDS],
    tags: ['card', 'completeness'],
  },
  unedited: {
    id: 'CARD-TEMPLATE-UNEDITED',
    title: 'Card is an unedited generated template',
    description:
      'The card is what a generator wrote (the Hub card template or the transformers Trainer) with nothing added: it documents no intended use, limitations or data. Studies of Hub cards find one in six is Trainer boilerplate.',
    help: 'Write the card: at least what the model is for, what it was trained on, how it was evaluated and its limitations.',
    defaultSeverity: 'medium',
    references: [HUB_MODEL_CARDS, 'https://arxiv.org/abs/2402.05160'],
    tags: ['card', 'completeness'],
  },
} as const satisfies Record<string, RuleDescriptor>;

/** Reader problems that mean part of the card was not read: fail closed. */
const NOT_ANALYSED: ReadonlySet<CardProblemCode> = new Set<CardProblemCode>([
  'card-too-large',
  'binary-content',
  'too-many-sections',
  'too-many-placeholders',
  'too-many-problems',
  'front-matter-too-large',
]);
/** Reader problems that make the metadata unreadable or wrong. */
const INVALID: ReadonlySet<CardProblemCode> = new Set<CardProblemCode>([
  'front-matter-unterminated',
  'front-matter-missing-opening',
  'front-matter-empty',
  'front-matter-too-deep',
  'front-matter-too-many-aliases',
  'front-matter-yaml-error',
  'front-matter-not-mapping',
]);
const WARNING: ReadonlySet<CardProblemCode> = new Set<CardProblemCode>([
  'front-matter-duplicate-key',
  'front-matter-yaml-warning',
  'byte-order-mark',
]);
/** Placeholder examples quoted per finding. */
const MAX_PLACEHOLDER_EXAMPLES = 5;

function problemDraft(ctx: CardAuditContext, problem: CardProblem): CardFindingDraft | undefined {
  const rule = NOT_ANALYSED.has(problem.code)
    ? CARD_METADATA_RULES.notAnalysed
    : INVALID.has(problem.code)
      ? CARD_METADATA_RULES.frontMatterInvalid
      : WARNING.has(problem.code)
        ? CARD_METADATA_RULES.metadataWarning
        : undefined;
  // Unclosed fences and comments change what is read as a heading; they are reflected in the sections.
  if (rule === undefined) return undefined;
  return {
    rule,
    message: `${ctx.doc.path}: ${problem.message}`,
    line: problem.line,
    ...(rule !== CARD_METADATA_RULES.notAnalysed ? { field: 'front matter' } : {}),
    evidence: problem.code,
  };
}

const PLACEHOLDER_LABEL: Readonly<Record<PlaceholderKind, string>> = {
  'more-information-needed': '[More Information Needed]',
  'optional-marker': '[optional] marker',
  'template-field': 'unrendered template field',
  'template-comment': 'template guidance comment',
  'template-text': 'template sentence',
  'trainer-boilerplate': 'Trainer boilerplate',
  'metadata-comment': 'template hint in metadata',
  todo: 'TODO',
} as Readonly<Record<PlaceholderKind, string>>;

function placeholderDraft(ctx: CardAuditContext): CardFindingDraft | undefined {
  // `[optional]` heading markers and guidance comments are invisible on the Hub: they are not unanswered
  // questions, so they do not count here (the unedited-template rule uses them).
  const visible = ctx.doc.placeholders.filter(
    (p) => p.kind !== 'optional-marker' && p.kind !== 'template-comment',
  );
  if (visible.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const p of visible) {
    const label = PLACEHOLDER_LABEL[p.kind] ?? p.kind;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const summary = [...counts].map(([label, n]) => `${n} × ${label}`).join(', ');
  const where = (p: CardPlaceholder) => {
    const section = p.section !== undefined ? ctx.doc.sections[p.section] : undefined;
    return `line ${p.line}${p.inFrontMatter ? ' (metadata)' : section ? ` (§ ${section.title})` : ''}`;
  };
  const first = visible[0] as CardPlaceholder;
  return {
    rule: CARD_METADATA_RULES.placeholders,
    message: `${visible.length} placeholder(s) left in the card: ${summary}; first at ${where(first)}`,
    line: first.line,
    evidence: visible
      .slice(0, MAX_PLACEHOLDER_EXAMPLES)
      .map((p) => `${where(p)}: ${p.text}`)
      .join('; '),
  };
}

/**
 * Sections transformers' Trainer fills by itself (modelcard.py): hyperparameters, results tables, framework
 * versions (the one-line description "This model is a fine-tuned version of X on the Y dataset" under the
 * title is handled apart). It writes "Model description", "Intended uses & limitations" and "Training and
 * evaluation data" too, but only with "More information needed": content there is the authors'.
 */
const TRAINER_WRITTEN = /^(?:training (?:procedure|hyperparameters|results)|framework versions)$/;

/** A generated card with nothing added: generator fingerprints and no section with content beyond them. */
function uneditedDraft(ctx: CardAuditContext): CardFindingDraft | undefined {
  if (ctx.doc.templates.length === 0) return undefined;
  const content = ctx.doc.sections.filter((s) => s.state === 'content');
  const placeholderSections = ctx.doc.sections.filter((s) => s.state === 'placeholder');
  const trainer = ctx.doc.templates.includes('trainer');
  // The Trainer fills hyperparameters, results tables and framework versions itself: those are generated
  // content, not authored. What it never writes is intended use, limitations or a real data description.
  const authored = trainer
    ? // The Trainer's first heading is the model name over its generated one-line description.
      content.filter((s) => !TRAINER_WRITTEN.test(s.normalizedTitle) && !(s.index === 0 && s.level === 1))
    : content;
  const unedited = trainer ? authored.length === 0 : content.length <= 1 && placeholderSections.length >= 3;
  if (!unedited) return undefined;
  const which = trainer ? 'the transformers Trainer' : 'the Hugging Face card template';
  return {
    rule: CARD_METADATA_RULES.unedited,
    message: `The card is what ${which} generated: ${placeholderSections.length} section(s) hold only placeholders and no section was written by the authors`,
    line: 1,
    evidence: `generator: ${ctx.doc.templates.join(', ')}; sections with authored content: ${authored.length}`,
  };
}

/**
 * Metadata: reader problems (fail closed), a missing or malformed YAML block, `pipeline_tag` and legacy keys;
 * placeholders and unedited templates.
 */
export const checkMetadata: CardCheck = (ctx) => {
  const drafts: CardFindingDraft[] = [];
  // One YAML mistake often makes the parser report dozens of errors: one finding for the block, naming the
  // first error and counting the rest.
  let invalid: CardFindingDraft | undefined;
  let moreInvalid = 0;
  for (const problem of ctx.doc.problems) {
    const draft = problemDraft(ctx, problem);
    if (!draft) continue;
    if (draft.rule === CARD_METADATA_RULES.frontMatterInvalid) {
      if (invalid === undefined) invalid = draft;
      else moreInvalid++;
      continue;
    }
    drafts.push(draft);
  }
  if (invalid !== undefined)
    drafts.push(
      moreInvalid > 0
        ? { ...invalid, message: `${invalid.message} (and ${moreInvalid} more error(s) in the block)` }
        : invalid,
    );
  // A block that exists but cannot be read is CARD-METADATA-INVALID; an unread card CARD-NOT-ANALYSED.
  const unread = ctx.doc.problems.some((p) => p.code === 'binary-content');
  if (ctx.doc.frontMatter === undefined && invalid === undefined && !unread) {
    drafts.push({
      rule: CARD_METADATA_RULES.metadataMissing,
      message: `The ${ctx.kind} card has no YAML metadata block, so no licence, tags or ${ctx.kind === 'model' ? 'datasets, base model or results' : 'task categories or languages'} are machine-readable`,
      line: 1,
      field: 'front matter',
      evidence: 'no `---` block at the top of the card',
    });
  }
  if (ctx.hasMetadata) {
    if ('pipeline_tag' in ctx.meta) {
      const check = checkPipelineTag(ctx.meta.pipeline_tag);
      if (!check.valid) {
        drafts.push({
          rule: CARD_METADATA_RULES.pipelineTagInvalid,
          message: `pipeline_tag ${check.input} is not a Hub task${check.issue ? `: ${check.issue.message}` : ''}${check.suggestion !== undefined ? `; use '${check.suggestion}'` : ''}`,
          ...lineOf(ctx, 'pipeline_tag'),
          field: 'pipeline_tag',
          evidence: check.input,
          ...(check.suggestion !== undefined
            ? { remediation: `Set \`pipeline_tag: ${check.suggestion}\`.` }
            : {}),
        });
      }
    }
    for (const key of Object.keys(ctx.meta)) {
      const legacy = legacyKeyInfo(key);
      if (!legacy) continue;
      const both = legacy.current in ctx.meta;
      drafts.push({
        rule: CARD_METADATA_RULES.legacyKey,
        message: `'${key}' was renamed '${legacy.current}'${both ? ` (the card has both; tools read only '${legacy.current}')` : '; tools reading current metadata ignore it'}`,
        ...lineOf(ctx, key),
        field: key,
        evidence: `${key} → ${legacy.current} (${legacy.source})`,
        remediation: both
          ? `Merge '${key}' into '${legacy.current}' and delete '${key}'.`
          : `Rename '${key}' to '${legacy.current}'.`,
      });
    }
  }
  const placeholder = placeholderDraft(ctx);
  if (placeholder) drafts.push(placeholder);
  const unedited = uneditedDraft(ctx);
  if (unedited) drafts.push(unedited);
  return drafts;
};

function lineOf(ctx: CardAuditContext, key: string): { line?: number } {
  const line = ctx.lineOf(key);
  return line !== undefined ? { line } : {};
}
