/**
 * Limits of the card reader. Cards are untrusted text from anyone who can push a repository; each limit
 * keeps one hostile card from exhausting time or memory, and every one can be overridden per call.
 * Real cards are kilobytes: the largest Hub dataset cards (big `dataset_info` blocks) are a few hundred KB.
 */
export interface CardReadLimits {
  /** Characters of a card read; the rest is ignored and reported. Stops multi-gigabyte "cards". */
  readonly maxCardChars: number;
  /** Characters of YAML front matter parsed. Bounds the YAML parser's time and memory. */
  readonly maxFrontMatterChars: number;
  /**
   * Nesting of YAML collections (estimated before parsing). The `yaml` parser recurses per level: a few
   * thousand `- ` on one line exhausted the stack, 20,000 aborted Node in V8's RegExp compiler (not catchable).
   * Hub metadata nests at most about 6 deep (`model-index[].results[].metrics[]`).
   */
  readonly maxYamlDepth: number;
  /** Alias dereferences allowed while building the data: stops "billion laughs" expansion (YAML 1.2 §3.2.2.2). */
  readonly maxYamlAliases: number;
  /** Nested nodes whose lines are recorded in `pathLines`. Bounds memory for huge metadata. */
  readonly maxPathLines: number;
  /** Sections recorded; a megabyte of `#` lines would otherwise make hundreds of thousands. */
  readonly maxSections: number;
  /** Characters kept of each section body. */
  readonly maxSectionBodyChars: number;
  /** Placeholders recorded. */
  readonly maxPlaceholders: number;
  /** Problems recorded (one more says the rest were dropped). */
  readonly maxProblems: number;
  /** Lines a setext heading's text may span (CommonMark allows a whole paragraph; real ones are one line). */
  readonly maxSetextLines: number;
}

export const MAX_CARD_CHARS = 8 * 1024 * 1024;
export const MAX_FRONT_MATTER_CHARS = 1024 * 1024;
export const MAX_YAML_DEPTH = 64;
export const MAX_YAML_ALIASES = 100;
export const MAX_PATH_LINES = 20_000;
export const MAX_SECTIONS = 5_000;
export const MAX_SECTION_BODY_CHARS = 16 * 1024;
export const MAX_PLACEHOLDERS = 2_000;
export const MAX_PROBLEMS = 500;
export const MAX_SETEXT_LINES = 10;

export const DEFAULT_CARD_READ_LIMITS: CardReadLimits = {
  maxCardChars: MAX_CARD_CHARS,
  maxFrontMatterChars: MAX_FRONT_MATTER_CHARS,
  maxYamlDepth: MAX_YAML_DEPTH,
  maxYamlAliases: MAX_YAML_ALIASES,
  maxPathLines: MAX_PATH_LINES,
  maxSections: MAX_SECTIONS,
  maxSectionBodyChars: MAX_SECTION_BODY_CHARS,
  maxPlaceholders: MAX_PLACEHOLDERS,
  maxProblems: MAX_PROBLEMS,
  maxSetextLines: MAX_SETEXT_LINES,
};
