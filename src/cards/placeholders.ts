import type { PlaceholderKind, SectionState } from './card-document.js';

/**
 * Placeholders and boilerplate of the card generators in use on the Hugging Face Hub:
 * - huggingface_hub's `templates/modelcard_template.md` and `datasetcard_template.md` (the "base template":
 *   `[More Information Needed]` defaults, `[optional]` heading markers, `<!-- Provide ... -->` guidance);
 * - the `datasets` library's legacy card template (`[More Information Needed](...CONTRIBUTING.md#...)`);
 * - transformers' `modelcard.py` (Trainer): "on the None dataset", "More information needed", metrics of `nan`.
 * All patterns are linear (no nested quantifiers) so a hostile line cannot make them backtrack.
 */

export interface PlaceholderMatch {
  readonly kind: PlaceholderKind;
  readonly text: string;
}

/** `[More Information Needed]`, `[More Information needed]`, `More information needed`, with the legacy link. */
const MORE_INFORMATION = /\[?[ \t]*more[ \t]+info(?:rmation)?[ \t]+needed[ \t]*\]?(?:\([^()\s]{0,500}\))?/gi;
const OPTIONAL_MARKER = /\[optional\]/gi;
/** Jinja fields of the Hub templates left unrendered: `{{ model_id | default("Model ID", true) }}`. */
const TEMPLATE_FIELD = /\{\{[^{}\n]{0,300}\}\}/g;
/** transformers' Trainer card when it was given no dataset name or the metric came out `nan`. */
const TRAINER_NONE_DATASET =
  /\bon the None dataset\b|\bon an unknown dataset\b|\btrained from scratch on an unknown dataset\b/gi;
const TRAINER_NAN_METRIC = /^[ \t]*[-*][ \t]+[A-Za-z][\w ]{0,60}:[ \t]*nan[ \t]*$/i;
/** `[TODO]`, `[TODO: describe the data]`, `[tbd]`: a bracketed to-do, whatever it says inside. */
const TODO_BRACKET = /\[[ \t]*(?:TODO|TBD)(?![\p{L}\p{N}_])[^[\]\n]{0,300}\]/giu;
/** `TODO: say who made it`, `TBD (legal): ...`: the marker and everything after it on the line is the to-do. */
const TODO_LINE = /(?<![\p{L}\p{N}_-])(?:TODO|TBD)(?:[ \t]*\([^()\n]{0,100}\))?[ \t]*:.*$/gu;
/**
 * A bare `TODO` or `TBD` marker: upper case only, so prose such as "a todo list" is not taken for one, and
 * not part of a hyphenated name (`TBD-Net`).
 */
const TODO_WORD = /(?<![\p{L}\p{N}_-])(?:TODO|TBD)(?![\p{L}\p{N}_-])/gu;
/** A metadata value that is only a to-do marker: `TODO`, `tbd`, `[TODO]`, `TODO: pick one`. */
const TODO_VALUE = /^\[?[ \t]*(?:TODO|TBD)[ \t]*(?:$|[:(\]])/i;
/** An HTML comment whose text starts with a to-do marker: `<!-- TODO -->`, `<!-- TODO: cite the paper -->`. */
const TODO_COMMENT = /^(?:todo|tbd)(?![\p{L}\p{N}_])/iu;

/**
 * Visible sentences of the Hub templates that describe the template, not the model (lower case; matched
 * as substrings of a whitespace-collapsed line).
 */
const TEMPLATE_SENTENCES: readonly string[] = [
  'this modelcard aims to be a base template for new models',
  'this model card aims to be a base template for new models',
  'this dataset card aims to be a base template for new datasets',
  'this is the model card of a 🤗 transformers model that has been pushed on the hub. this model card has been automatically generated.',
  'use the code below to get started with the model.',
  'users (both direct and downstream) should be made aware of the risks, biases and limitations of the model. more information needed for further recommendations.',
  'users should be made aware of the risks, biases and limitations of the dataset. more information needed for further recommendations.',
  'carbon emissions can be estimated using the [machine learning impact calculator](https://mlco2.github.io/impact#compute) presented in [lacoste et al. (2019)](https://arxiv.org/abs/1910.09700).',
];

/**
 * Openings of the guidance comments in huggingface_hub's model and dataset card templates
 * (e.g. `<!-- Provide a quick summary of what the model is/does. -->`), lower case.
 */
const TEMPLATE_COMMENT_OPENINGS: readonly string[] = [
  'provide a quick summary of',
  'provide a longer summary of',
  'provide the basic links for',
  'address questions around how the',
  'this section is for the model use',
  'this section addresses misuse',
  'this section is meant to convey',
  'this section describes',
  'this section provides information about',
  'this should link to a dataset card',
  'this should link to a data card',
  'this relates heavily to the technical specifications',
  'these are the things the evaluation is disaggregating by',
  'these are the evaluation metrics being used',
  'relevant interpretability work for the model',
  'total emissions (in grams of co2eq)',
  'if there is a paper or blog post introducing the',
  'if relevant, include terms and calculations',
  'fp32, fp16 mixed precision',
  'motivation for the creation of this dataset',
];
const TRAINER_COMMENT =
  'this model card has been generated automatically according to the information the trainer had access to';

/** Section titles (normalised) the Trainer writes with "More information needed" under them. */
const TRAINER_SECTION_TITLES: ReadonlySet<string> = new Set([
  'model description',
  'intended uses and limitations',
  'training and evaluation data',
]);

/** Nothing but white space and markdown punctuation (list markers, rules, table pipes, emphasis). */
const MARKUP_ONLY = /^[\s\-*+>#|:.,;_=~`()[\]]*$/;

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Whether an HTML comment is a to-do marker (`<!-- TODO: add the paper -->`). Kept apart from
 * `classifyComment`, whose kinds also name the generator that wrote the comment.
 */
export function isTodoComment(text: string): boolean {
  return TODO_COMMENT.test(collapse(text.replace(/^<!--/, '').replace(/-->$/, '')));
}

/** Classifies an HTML comment's text: template guidance, the Trainer's notice, or neither. */
export function classifyComment(text: string): PlaceholderKind | undefined {
  const body = collapse(text.replace(/^<!--/, '').replace(/-->$/, ''));
  if (body.startsWith(TRAINER_COMMENT)) return 'trainer-boilerplate';
  if (TEMPLATE_COMMENT_OPENINGS.some((opening) => body.startsWith(opening))) return 'template-comment';
  return undefined;
}

/** What is known about the card when a line is judged. */
export interface PlaceholderContext {
  /** Normalised title of the section the line is in. */
  readonly sectionTitle: string | undefined;
  /** The card carries a Trainer fingerprint (see `hasTrainerFingerprint`). */
  readonly trainerCard: boolean;
}

/**
 * Whether a card was written by transformers' Trainer: its HTML notice, its "None dataset" sentence, or the
 * `generated_from_trainer` tag it adds to the metadata.
 */
export function hasTrainerFingerprint(text: string, tags: unknown): boolean {
  if (Array.isArray(tags) && tags.includes('generated_from_trainer')) return true;
  TRAINER_NONE_DATASET.lastIndex = 0;
  return collapse(text.slice(0, 64 * 1024)).includes(TRAINER_COMMENT) || TRAINER_NONE_DATASET.test(text);
}

/**
 * Finds the placeholders on one line of visible markdown (HTML comments already removed) and returns the
 * line with them blanked out. Under the Trainer's own section titles, in a Trainer card, "More information
 * needed" is Trainer boilerplate.
 */
export function stripPlaceholders(
  line: string,
  context: PlaceholderContext,
): { readonly rest: string; readonly found: readonly PlaceholderMatch[] } {
  const found: PlaceholderMatch[] = [];
  let rest = line;
  const lower = collapse(line);
  for (const sentence of TEMPLATE_SENTENCES) {
    if (lower.includes(sentence)) {
      found.push({ kind: 'template-text', text: line.trim() });
      return { rest: '', found };
    }
  }
  if (TRAINER_NAN_METRIC.test(line)) {
    found.push({ kind: 'trainer-boilerplate', text: line.trim() });
    return { rest: '', found };
  }
  const trainerSection =
    context.trainerCard &&
    context.sectionTitle !== undefined &&
    TRAINER_SECTION_TITLES.has(context.sectionTitle);
  rest = rest.replace(MORE_INFORMATION, (m) => {
    found.push({ kind: trainerSection ? 'trainer-boilerplate' : 'more-information-needed', text: m });
    return ' ';
  });
  rest = rest.replace(TRAINER_NONE_DATASET, (m) => {
    found.push({ kind: 'trainer-boilerplate', text: m });
    // The rest of the sentence (the base model) is real information; only the dataset claim is empty.
    return ' ';
  });
  rest = rest.replace(OPTIONAL_MARKER, (m) => {
    found.push({ kind: 'optional-marker', text: m });
    return ' ';
  });
  rest = rest.replace(TEMPLATE_FIELD, (m) => {
    found.push({ kind: 'template-field', text: m });
    return ' ';
  });
  // To-do markers last, so every kind above is found as it was before they were recognised.
  for (const pattern of [TODO_BRACKET, TODO_LINE, TODO_WORD]) {
    rest = rest.replace(pattern, (m) => {
      found.push({ kind: 'todo', text: m });
      return ' ';
    });
  }
  return { rest, found };
}

/** A line that is only a field label (`- **Developed by:**`, `**BibTeX:**`, `Hardware Type:`) or markup. */
function isLabelOrMarkup(rest: string): boolean {
  const withoutLabels = rest.replace(/\*\*([^*\n]{1,200})\*\*(:?)/g, (m, inner: string, colon: string) =>
    inner.trim().endsWith(':') || colon === ':' ? ' ' : m,
  );
  return MARKUP_ONLY.test(withoutLabels) || /^[\s\-*+>]*[^:\n]{1,80}:[\s*_]*$/.test(withoutLabels);
}

/**
 * Decides whether a body holds content, only placeholders and empty labels, or nothing. Lines inside
 * fenced code count as content (a usage snippet is information); fence markers alone do not.
 */
export function classifyBody(
  lines: readonly { readonly visible: string; readonly code: boolean; readonly fence: boolean }[],
  context: PlaceholderContext,
): SectionState {
  let sawPlaceholder = false;
  let sawLabel = false;
  for (const line of lines) {
    if (line.fence) continue;
    if (line.visible.trim() === '') continue;
    if (line.code) return 'content';
    const { rest, found } = stripPlaceholders(line.visible, context);
    if (found.length > 0) sawPlaceholder = true;
    // The Trainer's "fine-tuned version of X on the None dataset" still names X: content.
    if (found.some((f) => f.kind === 'trainer-boilerplate') && /fine-tuned version of/i.test(line.visible))
      return 'content';
    if (MARKUP_ONLY.test(rest)) continue;
    if (isLabelOrMarkup(rest)) {
      sawLabel = true;
      continue;
    }
    return 'content';
  }
  if (sawPlaceholder || sawLabel) return 'placeholder';
  return 'empty';
}

/** YAML comment hints of the old Hub metadata template: `license: {license}  # Example: apache-2.0`. */
const METADATA_HINT =
  /^#[ \t]*(?:e\.g\.|eg\b|example|optional|todo|fixme|fill|add |replace|provide|choose|see https?:|use (?:dataset|metric|model) id|details on|any license)/i;

/**
 * Finds template leftovers in one raw front matter line: HTML comments, `{{ }}` fields and YAML comments
 * that are template hints. Quotes are tracked so `#` inside a quoted value is not taken for a comment.
 */
export function findMetadataLinePlaceholders(line: string): readonly PlaceholderMatch[] {
  const found: PlaceholderMatch[] = [];
  const comment = line.indexOf('<!--');
  if (comment >= 0) found.push({ kind: 'metadata-comment', text: line.slice(comment).trim() });
  for (const m of line.matchAll(TEMPLATE_FIELD)) found.push({ kind: 'template-field', text: m[0] });
  for (const m of line.matchAll(MORE_INFORMATION))
    found.push({ kind: 'more-information-needed', text: m[0] });
  const hash = yamlCommentStart(line);
  if (hash >= 0) {
    const text = line.slice(hash).trim();
    if (METADATA_HINT.test(text)) found.push({ kind: 'metadata-comment', text });
  }
  const value = metadataValue(hash >= 0 ? line.slice(0, hash) : line);
  if (TODO_VALUE.test(value)) found.push({ kind: 'todo', text: value });
  return found;
}

/** The scalar written on a front matter line (`key: value`, `- value`), quotes removed; `''` when none. */
function metadataValue(line: string): string {
  let s = line.trim();
  while (s.startsWith('- ')) s = s.slice(2).trimStart();
  if (s === '-') return '';
  // A key: quoted, or plain up to the first `: ` (YAML 1.2 §7.3.3: a plain scalar cannot contain `: `).
  const key = /^(?:"[^"]*"|'[^']*'|[^\s"'][^:]*?)[ \t]*:(?:[ \t]+|$)/.exec(s);
  if (key) s = s.slice(key[0].length);
  return s.replace(/^(["'])(.*)\1$/, '$2').trim();
}

/** Index of a YAML comment's `#` (YAML 1.2 §6.6: `#` at line start or after white space, outside quotes). */
export function yamlCommentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return i;
    if ((c === '"' || c === "'") && (i === 0 || /[\s:[{,-]/.test(line[i - 1] ?? ''))) quote = c;
  }
  return -1;
}
