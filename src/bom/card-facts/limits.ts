/**
 * Limits of what is taken from one card into the inventory. A card is untrusted text from anyone who can
 * push a repository: each limit keeps one hostile card from making the BOM huge, and a summary of a card is
 * a summary (the card itself is linked from the BOM for the rest).
 */

/** Characters of one text (a description, a limitation, a use case): about a long paragraph. */
export const MAX_TEXT_CHARS = 1_500;
/** Texts kept per consideration (use cases, limitations...): a card with fifty "Limitations" sections is cut. */
export const MAX_TEXTS_PER_FIELD = 8;
/** Characters gathered into one text before it is cut: bounds memory for a section of megabytes. */
export const MAX_GATHERED_CHARS = 2 * MAX_TEXT_CHARS;
/** Performance metrics kept from `model-index` (MTEB cards carry thousands; a BOM is not a leaderboard). */
export const MAX_METRICS = 1_000;
/** Datasets kept per list (trained on, tested on, source datasets). */
export const MAX_DATASETS = 100;
/** Base models kept (`base_model` lists of merges run to a few dozen at most). */
export const MAX_BASE_MODELS = 20;
/** Links kept. */
export const MAX_LINKS = 50;
/** Tags and task categories kept. */
export const MAX_TAGS = 100;
/** Parties (authors, owners, custodians) kept. */
export const MAX_PARTIES = 20;
/** Characters of a name (model, dataset, party, tag): longer values are prose, not names. */
export const MAX_NAME_CHARS = 200;
/** Characters of a party's name; a longer value is a sentence about who made it, not a name. */
export const MAX_PARTY_CHARS = 100;
/** Letters a text must keep, once placeholders and template text are removed, to say anything. */
export const MIN_TEXT_LETTERS = 8;
/** Letters a description must have: a shorter first paragraph is a badge line or a date. */
export const MIN_DESCRIPTION_LETTERS = 20;
