/**
 * The model of a read card: what `readCard` returns. Everything is plain data with 1-based line numbers of
 * the original file, so rules can point a reviewer at the exact line.
 */

/** Stable identifiers of the problems the reader reports (a problem is data, not an exception: STYLE.md §8). */
export type CardProblemCode =
  | 'card-too-large'
  | 'binary-content'
  | 'byte-order-mark'
  | 'front-matter-unterminated'
  | 'front-matter-missing-opening'
  | 'front-matter-empty'
  | 'front-matter-too-large'
  | 'front-matter-too-deep'
  | 'front-matter-too-many-aliases'
  | 'front-matter-yaml-error'
  | 'front-matter-yaml-warning'
  | 'front-matter-not-mapping'
  | 'front-matter-duplicate-key'
  | 'unclosed-code-fence'
  | 'unclosed-html-comment'
  | 'too-many-sections'
  | 'too-many-placeholders'
  | 'too-many-problems';

export interface CardProblem {
  readonly code: CardProblemCode;
  /** 1-based line in the card file. */
  readonly line: number;
  readonly message: string;
}

/**
 * How the front matter block was delimited. `missing-opening`: a YAML block at the top ends with `---` but
 * has no opening `---`; the Hub does not read it as metadata (it renders it as text, usually as a setext
 * heading), so it is reported, and parsed here so the audit can still say what the author meant.
 */
export type FrontMatterDelimiting = 'standard' | 'missing-opening';

export interface FrontMatter {
  /** The parsed mapping, as PyYAML's `safe_load` would build it; undefined when the YAML is refused. */
  readonly data: Readonly<Record<string, unknown>> | undefined;
  /** Line of each top-level key (the last one when a key repeats, as PyYAML keeps the last value). */
  readonly keyLines: ReadonlyMap<string, number>;
  /** Line of every node below the top level, keyed by JSON Pointer (RFC 6901), e.g. `/model-index/0/name`. */
  readonly pathLines: ReadonlyMap<string, number>;
  /** The YAML text between the delimiters, line endings normalised to `\n`. */
  readonly raw: string;
  /** Line of the opening `---` (or of the first YAML line when the opening is missing). */
  readonly startLine: number;
  /** Line of the closing `---`. */
  readonly endLine: number;
  readonly delimiting: FrontMatterDelimiting;
  readonly problems: readonly CardProblem[];
}

export type HeadingStyle = 'atx' | 'setext' | 'html' | 'plain';

/** What a section's own text (not its subsections) holds. */
export type SectionState = 'empty' | 'placeholder' | 'content';

export interface CardSection {
  /** Position in `sections` (document order). */
  readonly index: number;
  /** 1 to 6; `plain` headings of prose-only cards are level 2. */
  readonly level: number;
  /** Heading text as written (markup kept, trimmed, bounded). */
  readonly title: string;
  /** Lower case, without markup, links, `[optional]` markers, numbering and punctuation: for matching. */
  readonly normalizedTitle: string;
  readonly style: HeadingStyle;
  /** First line of the heading (for setext, the first text line). */
  readonly headingLine: number;
  /** Lines of the section's own body, between its heading and the next heading (empty when end < start). */
  readonly bodyStartLine: number;
  readonly bodyEndLine: number;
  /** Last line of the section including its subsections (up to the next heading of the same or higher level). */
  readonly endLine: number;
  /** Index of the enclosing section, if any. */
  readonly parent: number | undefined;
  /** The body text (bounded by `maxSectionBodyChars`), line endings normalised. */
  readonly body: string;
  readonly bodyTruncated: boolean;
  readonly state: SectionState;
  /** The state of the body together with all subsections: `content` if any part has content. */
  readonly subtreeState: SectionState;
}

export type PlaceholderKind =
  /** `[More Information Needed]` and its variants. */
  | 'more-information-needed'
  /** `[optional]` markers left from the template (usually in headings and field labels). */
  | 'optional-marker'
  /** Unrendered template fields: `{{ model_id }}`, or `{lang_0}` in metadata. */
  | 'template-field'
  /** Guidance comments of the Hugging Face card templates left in place. */
  | 'template-comment'
  /** Visible template sentences that say nothing about this model or dataset. */
  | 'template-text'
  /** Text the transformers Trainer writes when it knows nothing: "on the None dataset", `Loss: nan`. */
  | 'trainer-boilerplate'
  /** Template hints left as comments in the YAML front matter (`# Example: fr`, `<!-- ... -->`). */
  | 'metadata-comment'
  /**
   * A to-do marker an author (or `pedigree card init`) left for what is not known yet: `TODO: ...`,
   * `[TODO]`, a bare `TODO` or `TBD`, and metadata values that are only such a marker.
   */
  | 'todo';

export interface CardPlaceholder {
  readonly kind: PlaceholderKind;
  readonly line: number;
  /** Index into `sections`; undefined for front matter and text before the first heading. */
  readonly section: number | undefined;
  readonly inFrontMatter: boolean;
  /** The matched text, truncated. */
  readonly text: string;
}

/** Generators whose fingerprints were found: tells a reviewer the card may be unedited. */
export type CardTemplate = 'hub-model-card-template' | 'hub-dataset-card-template' | 'trainer';

export interface CardDocument {
  readonly path: string;
  readonly frontMatter: FrontMatter | undefined;
  /** Text between the front matter and the first heading. */
  readonly preamble: { readonly startLine: number; readonly endLine: number; readonly state: SectionState };
  readonly sections: readonly CardSection[];
  readonly placeholders: readonly CardPlaceholder[];
  readonly templates: readonly CardTemplate[];
  /** Every problem found, front matter ones included, ordered by line. */
  readonly problems: readonly CardProblem[];
  /** Number of lines read (after any truncation at `maxCardChars`). */
  readonly lineCount: number;
}
