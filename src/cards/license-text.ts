/**
 * Which licence a LICENSE, COPYING or LICENSE_weights file holds, decided offline from its text.
 *
 * The approach is GitHub's licensee (github/licensee, `lib/licensee/matchers/dice.rb` and
 * `content_helper.rb`): normalise the text (case, white space, punctuation, copyright lines, the "How to
 * apply" appendix, British spelling), turn it into a set of words, and compare that set with the word set
 * of each reference text by the Sørensen–Dice coefficient, 2·|A∩B| / (|A|+|B|). A reference scoring at
 * least `EXACT_MATCH_SIMILARITY` (licensee's default confidence, 98%) is the file's licence.
 *
 * Reference texts are the SPDX License List's, as packaged by `spdx-license-list` (read lazily, only for
 * the licences the Hub has an id for: hub-docs `repositories-licenses.md`). The licences that matter most
 * for models (Llama, Gemma, the RAIL family, DeepFloyd IF...) have no SPDX text, so they are recognised by
 * their titles instead (`FINGERPRINTS`), and a short file that only names a licence ("The weights are
 * released under CC-BY-NC-4.0") by the names it mentions (`findLicenseMentions`).
 *
 * Pure: text in, data out; never throws on content.
 */
import { createRequire } from 'node:module';
import { HUB_LICENSES } from './vocabulary.js';

/**
 * Characters of a licence file read. The longest licence texts in use are about 35 KB (GPL-3.0, AGPL-3.0);
 * a file several times that is not one licence, and reading it all would only slow a hostile repository's
 * audit down.
 */
export const MAX_LICENSE_TEXT_CHARS = 256 * 1024;
/** Characters at the top of a file searched for a title (licence titles are on the first lines). */
export const MAX_LICENSE_HEAD_CHARS = 2_000;
/**
 * A file at most this long that matches no reference text may be a statement naming a licence ("Licensed
 * under Apache 2.0, see ...") rather than the licence itself; longer files are texts, and a name they
 * mention may be any licence they cite.
 */
export const MAX_LICENSE_STATEMENT_CHARS = 1_500;
/** Characters scanned by `findLicenseMentions`: callers pass sentences and sections, never whole files. */
export const MAX_MENTION_SCAN_CHARS = 64 * 1024;

/** A file of at most this many words that names a licence is taken as naming its own ("Apache 2.0"). */
const MAX_STATEMENT_WORDS = 12;
/** Words that introduce the licence a statement applies to itself. */
const STATEMENT_LEAD =
  /\b(?:under|licen[cs]ed|licen[cs]e[ \t]*:|released|distributed|subject to)\W+(?:\w+\W+){0,4}$/i;

/** licensee's default: a 98% word-set overlap is the same licence (github/licensee `Licensee.confidence_threshold`). */
export const EXACT_MATCH_SIMILARITY = 0.98;
/** Below the exact threshold, a match this close counts when the file's own title names the same licence. */
export const TITLED_MATCH_SIMILARITY = 0.9;
/** Fewest distinct words a file needs to be compared as a licence text (the shortest, WTFPL, has about 40). */
const MIN_TEXT_WORDS = 25;
/**
 * Word counts (with repeats) of file and reference must be within this ratio: a file that repeats a short
 * licence's words, or a long file that happens to contain them all, is not that licence.
 */
const MIN_LENGTH_RATIO = 0.6;

/** How a licence was recognised. */
export type LicenseTextMethod =
  /** Word-set similarity with an SPDX reference text. */
  | 'text'
  /** The title of a licence without SPDX text (Llama, Gemma, RAIL...). */
  | 'fingerprint'
  /** A short file that names one licence. */
  | 'statement';

export interface LicenseTextIdentified {
  readonly status: 'identified';
  /**
   * The Hub's licence id when it has one (`apache-2.0`, `llama3`), else `other` for a named licence the Hub
   * has no id for (then `name` says which).
   */
  readonly id: string;
  /** The SPDX id of the reference text, when the match was by text. */
  readonly spdx?: string;
  readonly name: string;
  /** 0 to 1: the Dice similarity for `text`, a fixed value for the other methods. */
  readonly confidence: number;
  readonly method: LicenseTextMethod;
  /** What decided it, for a finding's evidence. */
  readonly evidence: string;
}

export interface LicenseTextUnknown {
  readonly status: 'unknown';
  readonly evidence: string;
  /** The most similar reference, when it shares at least half its words with the file. */
  readonly closest?: { readonly id: string; readonly name: string; readonly similarity: number };
}

export type LicenseTextResult = LicenseTextIdentified | LicenseTextUnknown;

// ---------------------------------------------------------------------------------------------------------
// Reference texts
// ---------------------------------------------------------------------------------------------------------

/**
 * SPDX ids whose texts are compared, with the Hub id each stands for: every licence of the Hub's list that
 * the SPDX list has a text for, plus their close relatives without a Hub id (MIT-0, BSD-4-Clause, older
 * and other Creative Commons versions...). The relatives are there so that a file holding one of them is
 * matched to it, not taken for the Hub licence it resembles: CC BY-ND 3.0 shares 98.8% of its words with
 * CC BY-NC-ND 3.0. One text per licence: SPDX's `-only` and `-or-later` variants share their text (they
 * differ in the notice, not the licence), so the `-only` text stands for both.
 */
const REFERENCES: readonly (readonly [spdx: string, hub: string | undefined])[] = [
  ['Apache-2.0', 'apache-2.0'],
  ['Apache-1.1', undefined],
  ['MIT', 'mit'],
  ['MIT-0', undefined],
  ['0BSD', undefined],
  ['BSD-2-Clause', 'bsd-2-clause'],
  ['BSD-2-Clause-Patent', undefined],
  ['BSD-3-Clause', 'bsd-3-clause'],
  ['BSD-3-Clause-Clear', 'bsd-3-clause-clear'],
  ['BSD-4-Clause', undefined],
  ['ISC', 'isc'],
  ['Zlib', 'zlib'],
  ['BSL-1.0', 'bsl-1.0'],
  ['Unlicense', 'unlicense'],
  ['WTFPL', 'wtfpl'],
  ['NCSA', 'ncsa'],
  ['PostgreSQL', 'postgresql'],
  ['MS-PL', 'ms-pl'],
  ['AFL-3.0', 'afl-3.0'],
  ['OSL-3.0', 'osl-3.0'],
  ['Artistic-2.0', 'artistic-2.0'],
  ['ECL-2.0', 'ecl-2.0'],
  ['EPL-1.0', 'epl-1.0'],
  ['EPL-2.0', 'epl-2.0'],
  ['EUPL-1.0', undefined],
  ['EUPL-1.1', 'eupl-1.1'],
  ['EUPL-1.2', 'eupl-1.2'],
  ['MPL-1.1', undefined],
  ['MPL-2.0', 'mpl-2.0'],
  ['GPL-2.0-only', 'gpl-2.0'],
  ['GPL-3.0-only', 'gpl-3.0'],
  ['LGPL-2.0-only', undefined],
  ['LGPL-2.1-only', 'lgpl-2.1'],
  ['LGPL-3.0-only', 'lgpl-3.0'],
  ['AGPL-3.0-only', 'agpl-3.0'],
  ['LGPLLR', 'lgpl-lr'],
  ['LPPL-1.3c', 'lppl-1.3c'],
  ['OFL-1.1', 'ofl-1.1'],
  ['CC0-1.0', 'cc0-1.0'],
  ['CC-BY-2.0', 'cc-by-2.0'],
  ['CC-BY-2.5', 'cc-by-2.5'],
  ['CC-BY-3.0', 'cc-by-3.0'],
  ['CC-BY-4.0', 'cc-by-4.0'],
  ['CC-BY-SA-2.0', undefined],
  ['CC-BY-SA-2.5', undefined],
  ['CC-BY-SA-3.0', 'cc-by-sa-3.0'],
  ['CC-BY-SA-4.0', 'cc-by-sa-4.0'],
  ['CC-BY-ND-2.0', undefined],
  ['CC-BY-ND-2.5', undefined],
  ['CC-BY-ND-3.0', undefined],
  ['CC-BY-ND-4.0', 'cc-by-nd-4.0'],
  ['CC-BY-NC-2.0', 'cc-by-nc-2.0'],
  ['CC-BY-NC-2.5', undefined],
  ['CC-BY-NC-3.0', 'cc-by-nc-3.0'],
  ['CC-BY-NC-4.0', 'cc-by-nc-4.0'],
  ['CC-BY-NC-ND-2.0', undefined],
  ['CC-BY-NC-ND-2.5', undefined],
  ['CC-BY-NC-ND-3.0', 'cc-by-nc-nd-3.0'],
  ['CC-BY-NC-ND-4.0', 'cc-by-nc-nd-4.0'],
  ['CC-BY-NC-SA-2.0', 'cc-by-nc-sa-2.0'],
  ['CC-BY-NC-SA-2.5', undefined],
  ['CC-BY-NC-SA-3.0', 'cc-by-nc-sa-3.0'],
  ['CC-BY-NC-SA-4.0', 'cc-by-nc-sa-4.0'],
  ['ODC-By-1.0', 'odc-by'],
  ['ODbL-1.0', 'odbl'],
  ['PDDL-1.0', 'pddl'],
  ['CDLA-Permissive-1.0', 'cdla-permissive-1.0'],
  ['CDLA-Permissive-2.0', 'cdla-permissive-2.0'],
  ['CDLA-Sharing-1.0', 'cdla-sharing-1.0'],
  ['C-UDA-1.0', 'c-uda'],
  ['etalab-2.0', 'etalab-2.0'],
];

/** The id a reference is reported as: the Hub's when it has one, else the SPDX id in lower case. */
const referenceId = (spdx: string, hub: string | undefined): string => hub ?? spdx.toLowerCase();

interface Reference {
  readonly spdx: string;
  /** Hub id, or the SPDX id in lower case when the Hub has none. */
  readonly id: string;
  readonly name: string;
  readonly words: ReadonlySet<string>;
  readonly count: number;
}

let references: readonly Reference[] | undefined;

/** Reads the reference texts once, on first use (about 600 KB of JSON that most audits never need). */
function loadReferences(): readonly Reference[] {
  if (references !== undefined) return references;
  const require = createRequire(import.meta.url);
  const loaded: Reference[] = [];
  for (const [spdx, hub] of REFERENCES) {
    let entry: unknown;
    try {
      entry = require(`spdx-license-list/licenses/${spdx}.json`);
    } catch {
      // A package without one of the files (a later version dropping an id) loses that reference only.
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, licenseText } = entry as { name?: unknown; licenseText?: unknown };
    if (typeof licenseText !== 'string' || typeof name !== 'string') continue;
    const words = wordsOf(licenseText);
    loaded.push({ spdx, id: referenceId(spdx, hub), name, words: new Set(words), count: words.length });
  }
  references = loaded;
  return loaded;
}

// ---------------------------------------------------------------------------------------------------------
// Normalisation (licensee's ContentHelper, in spirit)
// ---------------------------------------------------------------------------------------------------------

/** GPL/Apache "END OF TERMS AND CONDITIONS": what follows is the "How to apply" appendix, kept by some files only. */
const END_OF_TERMS = /\bend of (?:the )?terms and conditions\b/i;
/** Copyright and "all rights reserved" lines: the holder's name and years are not part of the licence. */
const COPYRIGHT_LINE = /^[ \t#*_>-]*(?:copyright\b|\(c\)|©)[^\n]{0,200}$/gim;
const ALL_RIGHTS_RESERVED = /\ball rights reserved\b/gi;

/** The normalised words of a licence text, in order (repeats kept, for the length check). */
function wordsOf(text: string): string[] {
  let body = text.normalize('NFKC').replace(/\r\n?/g, '\n');
  const end = END_OF_TERMS.exec(body);
  if (end !== null) body = body.slice(0, end.index);
  body = body
    .replace(COPYRIGHT_LINE, ' ')
    .replace(ALL_RIGHTS_RESERVED, ' ')
    .toLowerCase()
    // British and American spellings of the same licence (licensee's `VARIETAL_WORDS` does the same).
    .replace(/licenc/g, 'licens')
    .replace(/https?:\/\//g, ' ');
  return body.match(/[a-z0-9]+/g) ?? [];
}

/** Sørensen–Dice coefficient of two word sets. */
function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const word of small) if (large.has(word)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** The first non-empty lines, lower case with collapsed white space and plain quotes, for title matching. */
function headOf(text: string): string {
  return text
    .slice(0, MAX_LICENSE_HEAD_CHARS)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[#*_=>`|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------------------
// Fingerprints of licences without SPDX text
// ---------------------------------------------------------------------------------------------------------

interface Fingerprint {
  readonly id: string;
  readonly name: string;
  /** Tested against the start of `headOf(text)`, within `at` characters of the top. */
  readonly pattern: RegExp;
  readonly at: number;
}

/** Titles are on the first line or two; 300 characters leave room for a preamble line or a date. */
const TITLE_WINDOW = 300;

/**
 * Titles of model licences that have no SPDX text. Each is the licence's own first line, as published;
 * matching only near the top keeps a licence that merely cites another (a derivative's LICENSE naming the
 * Llama 2 licence it must comply with) from being taken for it. Hub ids where the Hub has one (hub-docs
 * `repositories-licenses.md`); `other` with the licence's name otherwise.
 */
const FINGERPRINTS: readonly Fingerprint[] = [
  // meta-llama/llama LICENSE (2023-07-18): "LLAMA 2 COMMUNITY LICENSE AGREEMENT".
  {
    id: 'llama2',
    name: 'Llama 2 Community License Agreement',
    pattern: /\bllama 2 community license agreement\b/,
    at: TITLE_WINDOW,
  },
  // meta-llama/llama3 LICENSE: "META LLAMA 3 COMMUNITY LICENSE AGREEMENT" (2024-04-18).
  {
    id: 'llama3',
    name: 'Llama 3 Community License Agreement',
    pattern: /\b(?:meta )?llama 3 community license agreement\b/,
    at: TITLE_WINDOW,
  },
  // meta-llama/llama-models models/llama3_1, llama3_2, llama3_3 and llama4 LICENSE: "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT" etc.
  {
    id: 'llama3.1',
    name: 'Llama 3.1 Community License Agreement',
    pattern: /\b(?:meta )?llama 3\.1 community license agreement\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'llama3.2',
    name: 'Llama 3.2 Community License Agreement',
    pattern: /\b(?:meta )?llama 3\.2 community license agreement\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'llama3.3',
    name: 'Llama 3.3 Community License Agreement',
    pattern: /\b(?:meta )?llama 3\.3 community license agreement\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'llama4',
    name: 'Llama 4 Community License Agreement',
    pattern: /\b(?:meta )?llama 4 community license agreement\b/,
    at: TITLE_WINDOW,
  },
  // ai.google.dev/gemma/terms: "Gemma Terms of Use", the LICENSE of google/gemma-* repositories.
  { id: 'gemma', name: 'Gemma Terms of Use', pattern: /\bgemma terms of use\b/, at: TITLE_WINDOW },
  // huggingface.co/spaces/bigscience/license: "BigScience RAIL License v1.0", BLOOM's licence.
  {
    id: 'bigscience-bloom-rail-1.0',
    name: 'BigScience BLOOM RAIL 1.0',
    pattern: /\bbigscience (?:bloom )?rail license v?1\.0\b/,
    at: TITLE_WINDOW,
  },
  // bigscience-openrail-m: "BigScience Open RAIL-M License" (2022-08-18).
  {
    id: 'bigscience-openrail-m',
    name: 'BigScience OpenRAIL-M',
    pattern: /\bbigscience open ?rail-m license\b/,
    at: TITLE_WINDOW,
  },
  // Stable Diffusion 2 and SDXL: "CreativeML Open RAIL++-M License" (2022-11-24); before the -M test below.
  {
    id: 'openrail++',
    name: 'Open Rail++-M License',
    pattern: /\bopen ?rail\+\+-m license\b/,
    at: TITLE_WINDOW,
  },
  // Stable Diffusion 1.x: "CreativeML Open RAIL-M" (2022-08-22).
  {
    id: 'creativeml-openrail-m',
    name: 'CreativeML OpenRAIL-M',
    pattern: /\bcreativeml open ?rail-m\b/,
    at: TITLE_WINDOW,
  },
  // bigcode/starcoder: "BigCode Open RAIL-M v1 License Agreement".
  {
    id: 'bigcode-openrail-m',
    name: 'BigCode Open RAIL-M v1',
    pattern: /\bbigcode open ?rail-m\b/,
    at: TITLE_WINDOW,
  },
  // DeepFloyd/IF-I-XL-v1.0 LICENSE: "DEEPFLOYD IF LICENSE AGREEMENT".
  {
    id: 'deepfloyd-if-license',
    name: 'DeepFloyd IF Research License Agreement',
    pattern: /\bdeepfloyd if (?:research )?license agreement\b/,
    at: TITLE_WINDOW,
  },
  // Meta's FAIR research releases: "FAIR Noncommercial Research License".
  {
    id: 'fair-noncommercial-research-license',
    name: 'FAIR Noncommercial Research License',
    pattern: /\bfair noncommercial research license\b/,
    at: TITLE_WINDOW,
  },
  // xai-org/grok-2: "Grok 2 Community License Agreement".
  {
    id: 'grok2-community',
    name: 'Grok 2 Community License Agreement',
    pattern: /\bgrok 2 community license agreement\b/,
    at: TITLE_WINDOW,
  },
  // The Hub's own names for these (hub-docs table): specific enough to stand for the licence.
  {
    id: 'apple-amlr',
    name: 'Apple Model License for Research',
    pattern: /\bapple model license for research\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'intel-research',
    name: 'Intel Research Use License Agreement',
    pattern: /\bintel research use license agreement\b/,
    at: TITLE_WINDOW,
  },
  // Apple's sample code licence has no title; every copy opens with this sentence.
  {
    id: 'apple-ascl',
    name: 'Apple Sample Code license',
    pattern: /\bthis apple software is supplied to you by apple inc\b/,
    at: TITLE_WINDOW,
  },
  // Licences the Hub has no id for (cards declare them `other`). Titles as the licences print them.
  {
    id: 'other',
    name: 'Mistral AI Research License',
    pattern: /\bmistral ai research license\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'other',
    name: 'Mistral AI Non-Production License',
    pattern: /\bmistral ai non-production license\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'other',
    name: 'Tongyi Qianwen License Agreement',
    pattern: /\btongyi qianwen (?:research )?license agreement\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'other',
    name: 'Qwen License Agreement',
    pattern: /\bqwen (?:research )?license agreement\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'other',
    name: 'DeepSeek License Agreement',
    pattern: /\bdeepseek license agreement\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'other',
    name: 'Stability AI Community License Agreement',
    pattern: /\bstability ai (?:non-commercial research )?community license agreement\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'other',
    name: 'Falcon TII License',
    pattern: /\b(?:falcon[- ]180b tii license|tii falcon license)\b/,
    at: TITLE_WINDOW,
  },
  {
    id: 'other',
    name: 'OPT-175B License Agreement',
    pattern: /\bopt-175b license agreement\b/,
    at: TITLE_WINDOW,
  },
];

function fingerprintOf(head: string): Fingerprint | undefined {
  for (const fp of FINGERPRINTS) {
    const m = fp.pattern.exec(head.slice(0, fp.at + 100));
    if (m !== null && m.index <= fp.at) return fp;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Licence names in running text
// ---------------------------------------------------------------------------------------------------------

/** A licence named in text. */
export interface LicenseMention {
  /**
   * The Hub id (`cc-by-nc-4.0`), an SPDX id in lower case when the Hub has none, `other` for a named licence
   * without either (see `name`), or, when `exact` is false, a family or an id without its version
   * (`cc`, `cc-by-nc`, `gpl`, `bsd`, `llama`, `openrail`, `apache`).
   */
  readonly id: string;
  /** False when the text names a family or leaves the version out. */
  readonly exact: boolean;
  /** The licence's name: the Hub's name for a Hub id, otherwise the text as written. */
  readonly name: string;
  /** Offsets in the scanned text. */
  readonly start: number;
  readonly end: number;
}

const HUB_NAMES: ReadonlyMap<string, string> = new Map(HUB_LICENSES);
const SPDX_TO_HUB: ReadonlyMap<string, string> = new Map(
  REFERENCES.flatMap(([spdx, hub]) => (hub === undefined ? [] : [[spdx.toLowerCase(), hub] as const])),
);

/** The Hub id for an id written in any case (`CC-BY-4.0`, `Apache-2.0`, `GPL-3.0-only`), else undefined. */
function hubIdOf(value: string): string | undefined {
  const lower = value.toLowerCase();
  if (HUB_NAMES.has(lower) && lower !== 'other' && lower !== 'unknown') return lower;
  const bySpdx = SPDX_TO_HUB.get(lower) ?? SPDX_TO_HUB.get(lower.replace(/-or-later$|\+$/, '-only'));
  return bySpdx;
}

interface MentionRule {
  readonly pattern: RegExp;
  /** The mention for a match, or undefined to ignore it. */
  readonly toMention: (m: RegExpExecArray) => { id: string; exact: boolean; name?: string } | undefined;
}

const exactId = (id: string) => ({ id, exact: true });

/** `cc-by-nc-sa` and a version, checked against the Hub's list (SPDX-only CC ids keep their SPDX spelling). */
function ccId(elements: string, version: string | undefined): { id: string; exact: boolean } {
  const base = `cc-${elements}`;
  if (version === undefined) return { id: base, exact: false };
  const id = `${base}-${version}`;
  return HUB_NAMES.has(id) ? exactId(id) : { id, exact: true };
}

/** Creative Commons licence elements after "CC" or "Creative Commons": "BY-NC-SA 4.0", "Attribution-NonCommercial 4.0". */
function parseCreativeCommons(tail: string): { id: string; exact: boolean; length: number } | undefined {
  const token =
    /^[\s\-_(]{0,3}(?:(attribution|by)|(non-?commercial|nc)|(share-?alike|sa)|(no-?deriv(?:ative)?s?|nd)|(zero|0)|(international|public|licen[cs]e|generic|unported|universal|version|v)|(\d\.\d))(?![a-z])/i;
  let by = false;
  let nc = false;
  let sa = false;
  let nd = false;
  let zero = false;
  let version: string | undefined;
  let consumed = 0;
  let rest = tail.slice(0, 120);
  for (let i = 0; i < 12; i++) {
    const m = token.exec(rest);
    if (m === null) break;
    if (m[1] !== undefined) by = true;
    else if (m[2] !== undefined) nc = true;
    else if (m[3] !== undefined) sa = true;
    else if (m[4] !== undefined) nd = true;
    else if (m[5] !== undefined) zero = true;
    else if (m[7] !== undefined) {
      if (version !== undefined) break;
      version = m[7];
    }
    consumed += m[0].length;
    rest = rest.slice(m[0].length);
  }
  if (zero) return { ...exactId('cc0-1.0'), length: consumed };
  if (!by && !nc && !sa && !nd) {
    // "Creative Commons 4.0 License": the family and a version, but not which licence.
    return consumed > 0 || version !== undefined ? { id: 'cc', exact: false, length: consumed } : undefined;
  }
  const elements = `by${nc ? '-nc' : ''}${nd ? '-nd' : sa ? '-sa' : ''}`;
  return { ...ccId(elements, version), length: consumed };
}

/** GNU licences: kind (`a`, `l` or none) and major version. */
function gnuId(kind: string | undefined, major: string | undefined): { id: string; exact: boolean } {
  const k = (kind ?? '').toLowerCase();
  const prefix = k.startsWith('a') ? 'agpl' : k.startsWith('l') ? 'lgpl' : 'gpl';
  if (major === undefined) return prefix === 'agpl' ? exactId('agpl-3.0') : { id: prefix, exact: false };
  if (prefix === 'agpl') return major === '3' ? exactId('agpl-3.0') : { id: 'agpl', exact: false };
  if (prefix === 'lgpl') {
    if (major === '2') return exactId('lgpl-2.1');
    if (major === '3') return exactId('lgpl-3.0');
    return { id: 'lgpl', exact: false };
  }
  if (major === '2') return exactId('gpl-2.0');
  if (major === '3') return exactId('gpl-3.0');
  return { id: 'gpl', exact: false };
}

/**
 * Patterns of licence names, links and ids in prose. All are linear (alternations of literals and bounded
 * classes, no nested quantifiers), so hostile text cannot make them backtrack. Links come first: a link to
 * a licence's page is the most precise statement a card makes.
 */
const MENTION_RULES: readonly MentionRule[] = [
  // Links.
  {
    pattern: /creativecommons\.org\/licenses\/(by(?:-nc)?(?:-sa|-nd)?)\/(\d\.\d)/gi,
    toMention: (m) => ccId((m[1] as string).toLowerCase(), m[2]),
  },
  { pattern: /creativecommons\.org\/publicdomain\/zero\/1\.0/gi, toMention: () => exactId('cc0-1.0') },
  { pattern: /apache\.org\/licenses\/LICENSE-2\.0/gi, toMention: () => exactId('apache-2.0') },
  {
    pattern: /gnu\.org\/licenses\/(?:old-licenses\/)?(a|l)?gpl-(\d)\.\d/gi,
    toMention: (m) => gnuId(m[1], m[2]),
  },
  {
    pattern:
      /(?:opensource\.org|choosealicense\.com|spdx\.org)\/licenses?\/([A-Za-z0-9][A-Za-z0-9.+-]{0,40})/gi,
    toMention: (m) => {
      const id = hubIdOf((m[1] as string).replace(/\.(?:html?|php)$|\.$/i, ''));
      return id === undefined ? undefined : exactId(id);
    },
  },
  // Meta's licence pages: llama.meta.com/llama3/license, www.llama.com/llama3_1/license, and Llama 2's.
  {
    pattern: /\bllama\.(?:meta\.)?com\/llama(\d)(?:_(\d))?\/license/gi,
    toMention: (m) => llamaId(m[1] as string, m[2]),
  },
  { pattern: /\bai\.meta\.com\/llama\/license/gi, toMention: () => exactId('llama2') },
  {
    pattern: /\bmeta-llama\/llama-models\/blob\/[\w.-]{1,40}\/models\/llama(\d)(?:_(\d))?\/LICENSE/gi,
    toMention: (m) => llamaId(m[1] as string, m[2]),
  },
  { pattern: /\bai\.google\.dev\/gemma\/terms/gi, toMention: () => exactId('gemma') },
  // The BLOOM licence's page, and Stable Diffusion 1's.
  {
    pattern: /huggingface\.co\/spaces\/bigscience\/license/gi,
    toMention: () => exactId('bigscience-bloom-rail-1.0'),
  },
  {
    pattern: /huggingface\.co\/spaces\/CompVis\/stable-diffusion-license/gi,
    toMention: () => exactId('creativeml-openrail-m'),
  },
  {
    pattern: /opendatacommons\.org\/licenses\/(by|odbl|pddl)\b/gi,
    toMention: (m) => {
      const kind = (m[1] as string).toLowerCase();
      return exactId(kind === 'by' ? 'odc-by' : kind);
    },
  },
  {
    pattern: /\bcdla\.(?:dev|io)\/(permissive|sharing)-(\d)-(\d)/gi,
    toMention: (m) => cdlaId(m[1] as string, `${m[2]}.${m[3]}`),
  },
  // Names. Creative Commons is parsed by `parseCreativeCommons` (see `findLicenseMentions`).
  { pattern: /\bcc0\b/gi, toMention: () => exactId('cc0-1.0') },
  // "MIT" in capitals only: in lower case it is a word in other languages and in identifiers.
  {
    pattern: /\bMIT(?!-\d|\w|[ -](?:IBM|CSAIL|Press|Media Lab|Technology))(?:[ -][Ll]icen[cs]e)?/g,
    toMention: () => exactId('mit'),
  },
  { pattern: /\bmit licen[cs]e\b/gi, toMention: () => exactId('mit') },
  {
    // "Apache License 2.0", "Apache 2.0", "apache-2.0", "Apache License, Version 2.0", "Apache Software License".
    pattern:
      /\bapache(?:[ -]software)?(?:[ -]licen[cs]e)?,?[ -]?(?:version[ -]?|ver\.?[ -]?|v\.?[ -]?)?(\d)(?:\.\d)?\b|\bapache(?:[ -]software)?[ -]licen[cs]e\b/gi,
    toMention: (m) =>
      m[1] === undefined ? { id: 'apache', exact: false } : m[1] === '2' ? exactId('apache-2.0') : undefined,
  },
  { pattern: /\bASL[ -]?v?2(?:\.0)?\b/g, toMention: () => exactId('apache-2.0') },
  {
    pattern:
      /\b(?:gnu[ -])?(?:(affero|lesser|library)[ -])?general[ -]public[ -]licen[cs]e(?:,?[ -](?:version[ -]|v)?(\d)(?:\.\d)?)?/gi,
    toMention: (m) => gnuId(m[1], m[2]),
  },
  {
    pattern: /\b(a|l)?gpl(?:[ -]?v?(\d)(?:\.\d)?(?:\+|[ -]or[ -]later|-only)?)?\b/gi,
    toMention: (m) => gnuId(m[1], m[2]),
  },
  {
    pattern: /\bbsd[ -]?([234])[ -]?clause(?:[ -](clear))?\b|\b([23])[ -]clause[ -]bsd\b|\bbsd[ -]([23])\b/gi,
    toMention: (m) => {
      const n = m[1] ?? m[3] ?? m[4];
      if (n === '4') return { id: 'bsd', exact: false };
      return exactId(m[2] !== undefined ? 'bsd-3-clause-clear' : `bsd-${n}-clause`);
    },
  },
  {
    pattern: /\b(?:new|revised|modified)[ -]bsd\b|\bbsd[ -]new\b/gi,
    toMention: () => exactId('bsd-3-clause'),
  },
  { pattern: /\bsimplified[ -]bsd\b/gi, toMention: () => exactId('bsd-2-clause') },
  { pattern: /\bbsd(?:[ -]licen[cs]e)?\b/gi, toMention: () => ({ id: 'bsd', exact: false }) },
  {
    pattern:
      /\bmozilla[ -]public[ -]licen[cs]e(?:,?[ -](?:version[ -]|v)?(\d)\.\d)?|\bmpl[ -]?v?2(?:\.0)?\b/gi,
    toMention: (m) => (m[1] === undefined || m[1] === '2' ? exactId('mpl-2.0') : undefined),
  },
  { pattern: /\bunlicense\b/gi, toMention: () => exactId('unlicense') },
  { pattern: /\bISC(?:[ -][Ll]icen[cs]e)?\b/g, toMention: () => exactId('isc') },
  { pattern: /\bwtfpl\b/gi, toMention: () => exactId('wtfpl') },
  { pattern: /\bboost[ -]software[ -]licen[cs]e\b/gi, toMention: () => exactId('bsl-1.0') },
  {
    pattern: /\bodc[ -]by\b|\bopen[ -]data[ -]commons[ -]attribution[ -]licen[cs]e\b/gi,
    toMention: () => exactId('odc-by'),
  },
  { pattern: /\bodbl\b|\bopen[ -]database[ -]licen[cs]e\b/gi, toMention: () => exactId('odbl') },
  {
    pattern: /\bpddl\b|\bopen[ -]data[ -]commons[ -]public[ -]domain[ -]dedication\b/gi,
    toMention: () => exactId('pddl'),
  },
  {
    pattern:
      /\bcdla[ -](permissive|sharing)(?:[ -]v?(\d\.\d))?|\bcommunity[ -]data[ -]licen[cs]e[ -]agreement[ ,\-–]{1,5}(permissive|sharing)(?:,?[ -]?(?:version[ -])?(\d\.\d))?/gi,
    toMention: (m) => cdlaId((m[1] ?? m[3]) as string, m[2] ?? m[4]),
  },
  // The RAIL family (licenses.ai); the most specific names first, the family last.
  {
    pattern: /\b(?:creativeml[ -])?open[ -]?rail\+\+(?:[ -]?m)?(?![\w+])/gi,
    toMention: () => exactId('openrail++'),
  },
  { pattern: /\bcreativeml[ -]open[ -]?rail[ -]?m\b/gi, toMention: () => exactId('creativeml-openrail-m') },
  { pattern: /\bbigscience[ -]open[ -]?rail[ -]?m\b/gi, toMention: () => exactId('bigscience-openrail-m') },
  { pattern: /\bbigcode[ -]open[ -]?rail[ -]?m\b/gi, toMention: () => exactId('bigcode-openrail-m') },
  {
    // BLOOM's licence calls itself "BigScience RAIL License v1.0"; cards write "RAIL License v1.0", "BLOOM RAIL".
    pattern: /\b(?:bigscience[ -])?(?:bloom[ -])?rail[ -]licen[cs]e[ -]v?1\.0\b|\bbloom[ -]rail\b/gi,
    toMention: () => exactId('bigscience-bloom-rail-1.0'),
  },
  { pattern: /\bopen[ -]?rail(?:[ -]?[msad])?\b/gi, toMention: () => ({ id: 'openrail', exact: false }) },
  {
    pattern: /\b(?:meta[ -])?llama[ -]?(\d)(?:\.(\d))?[ -](?:community[ -])?licen[cs]e\b/gi,
    toMention: (m) => llamaId(m[1] as string, m[2]),
  },
  {
    pattern: /\bllama[ -](?:community[ -])?licen[cs]e\b/gi,
    toMention: () => ({ id: 'llama', exact: false }),
  },
  { pattern: /\bgemma[ -](?:terms(?:[ -]of[ -]use)?|licen[cs]e)\b/gi, toMention: () => exactId('gemma') },
  {
    pattern: /\bdeepfloyd[ -]if[ -](?:research[ -])?licen[cs]e\b/gi,
    toMention: () => exactId('deepfloyd-if-license'),
  },
  {
    pattern: /\bfair[ -]non-?commercial[ -]research[ -]licen[cs]e\b/gi,
    toMention: () => exactId('fair-noncommercial-research-license'),
  },
  { pattern: /\bapple[ -]sample[ -]code[ -]licen[cs]e\b/gi, toMention: () => exactId('apple-ascl') },
  { pattern: /\bgrok[ -]2[ -]community[ -]licen[cs]e\b/gi, toMention: () => exactId('grok2-community') },
  // Named licences the Hub has no id for.
  {
    pattern: /\bmistral(?:[ -]ai)?[ -]research[ -]licen[cs]e\b/gi,
    toMention: () => ({ id: 'other', exact: true, name: 'Mistral AI Research License' }),
  },
  {
    pattern: /\bmistral(?:[ -]ai)?[ -]non-?production[ -]licen[cs]e\b/gi,
    toMention: () => ({ id: 'other', exact: true, name: 'Mistral AI Non-Production License' }),
  },
  {
    pattern: /\b(?:tongyi[ -]qianwen|qwen)[ -](?:research[ -])?licen[cs]e(?:[ -]agreement)?\b/gi,
    toMention: () => ({ id: 'other', exact: true, name: 'Qwen License Agreement' }),
  },
  {
    pattern: /\bdeepseek[ -](?:model[ -])?licen[cs]e(?:[ -]agreement)?\b/gi,
    toMention: () => ({ id: 'other', exact: true, name: 'DeepSeek License Agreement' }),
  },
  {
    pattern: /\bstability[ -]ai[ -](?:non-?commercial[ -]research[ -])?community[ -]licen[cs]e\b/gi,
    toMention: () => ({ id: 'other', exact: true, name: 'Stability AI Community License' }),
  },
  // Ids written as ids: `apache-2.0`, `cc-by-nc-sa-4.0`, `EPL-2.0`, `llama3.1`. Only tokens with a digit or a
  // hyphen: bare words ("other", "gemma") say too little in prose.
  {
    pattern: /(?<![\w.+/-])[A-Za-z][A-Za-z0-9.+-]{1,40}(?![\w+/-])/g,
    toMention: (m) => {
      const token = (m[0] as string).replace(/\.+$/, '');
      if (!/[\d-]/.test(token)) return undefined;
      const id = hubIdOf(token);
      return id === undefined ? undefined : exactId(id);
    },
  },
];

function llamaId(major: string, minor: string | undefined): { id: string; exact: boolean } | undefined {
  const id = minor === undefined ? `llama${major}` : `llama${major}.${minor}`;
  return HUB_NAMES.has(id) ? exactId(id) : { id: 'llama', exact: false };
}

function cdlaId(kind: string, version: string | undefined): { id: string; exact: boolean } | undefined {
  const k = kind.toLowerCase();
  if (version === undefined) return { id: `cdla-${k}`, exact: false };
  const id = `cdla-${k}-${version}`;
  return HUB_NAMES.has(id) ? exactId(id) : undefined;
}

const CC_START = /\b(?:cc|creative[ -]commons)(?![\w])/gi;

/**
 * Finds the licences a piece of prose names: links to licence pages, names ("Apache License 2.0",
 * "CC BY-NC 4.0", "Llama 3 Community License") and ids (`cc-by-sa-4.0`). Overlapping matches keep the
 * longest. Scans at most `MAX_MENTION_SCAN_CHARS`. Never throws.
 */
export function findLicenseMentions(text: string): LicenseMention[] {
  const scanned = text.slice(0, MAX_MENTION_SCAN_CHARS);
  const found: LicenseMention[] = [];
  const add = (start: number, end: number, mention: { id: string; exact: boolean; name?: string }) => {
    const name = mention.name ?? HUB_NAMES.get(mention.id) ?? scanned.slice(start, end).trim();
    found.push({ id: mention.id, exact: mention.exact, name, start, end });
  };
  for (const rule of MENTION_RULES) {
    // `exec` from the start, as `matchAll` would iterate (without copying the pattern for each text).
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(scanned); m !== null; m = pattern.exec(scanned)) {
      if (m[0] === '') pattern.lastIndex++;
      const mention = rule.toMention(m);
      if (mention !== undefined) add(m.index, m.index + m[0].length, mention);
      if (!pattern.global) break;
    }
    pattern.lastIndex = 0;
  }
  for (const m of scanned.matchAll(CC_START)) {
    const start = m.index;
    const after = start + m[0].length;
    const cc = parseCreativeCommons(scanned.slice(after));
    if (cc !== undefined) add(start, after + cc.length, cc);
  }
  // Keep the longest of overlapping matches (a specific name over the family inside it).
  found.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: LicenseMention[] = [];
  for (const mention of found) {
    const last = kept[kept.length - 1];
    if (last !== undefined && mention.start < last.end) {
      if (mention.end - mention.start > last.end - last.start) kept[kept.length - 1] = mention;
      continue;
    }
    kept.push(mention);
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------------------
// Identification
// ---------------------------------------------------------------------------------------------------------

export interface LicenseTextOptions {
  /** Characters read; defaults to `MAX_LICENSE_TEXT_CHARS`. */
  readonly maxChars?: number;
}

const percent = (value: number) => `${Math.floor(value * 100)}%`;

/**
 * The title line of Creative Commons legal code as CC publishes it in plain text
 * (creativecommons.org/licenses/by-nc/4.0/legalcode.txt: "Attribution-NonCommercial 4.0 International"),
 * which names no "Creative Commons" for `findLicenseMentions` to start from.
 */
const CC_TITLE =
  /^(?:creative commons )?attribution(-noncommercial)?(?:(-sharealike)|(-noderiv(?:ative)?s))? (\d\.\d)(?: international| generic| unported)?(?: public license)?$/i;

/** The licence named by the first lines of a file (`MIT License`, CC titles), if one is. */
function titleOf(text: string): { mention: LicenseMention; line: string } | undefined {
  const lines = text.slice(0, MAX_LICENSE_HEAD_CHARS).split(/\r?\n/);
  let seen = 0;
  for (const raw of lines) {
    const line = raw.trim().replace(/^[#*_\s]+|[#*_\s]+$/g, '');
    if (line === '' || /^[=\-_*#]+$/.test(line)) continue;
    if (++seen > 3) break;
    // "Modified MIT License" (openai/gpt-2) is not the MIT licence.
    if (/\b(?:modified|based on|derived from|adapted from)\b/i.test(line)) return undefined;
    const cc = CC_TITLE.exec(line.slice(0, 200));
    if (cc !== null) {
      const elements = `by${cc[1] !== undefined ? '-nc' : ''}${cc[3] !== undefined ? '-nd' : cc[2] !== undefined ? '-sa' : ''}`;
      const id = `cc-${elements}-${cc[4]}`;
      return {
        mention: { id, exact: true, name: line, start: 0, end: line.length },
        line: line.slice(0, 120),
      };
    }
    const mentions = findLicenseMentions(line.slice(0, 200));
    if (mentions.length > 0) return { mention: mentions[0] as LicenseMention, line: line.slice(0, 120) };
  }
  return undefined;
}

/**
 * How far below the best match a reference that the file's title names may score and still be chosen:
 * sibling licences (CC BY-NC and BY-NC-ND of one version) are within a few thousandths of each other, so
 * a lightly edited copy can score its sibling a hair higher; the title settles it.
 */
const TITLE_PREFERENCE_MARGIN = 0.02;

/**
 * Identifies the licence of a LICENSE/COPYING file's text: by word-set similarity with the SPDX texts of
 * the licences the Hub knows, by the titles of model licences without SPDX text, or, for a short file, by
 * the single licence it names. Returns `unknown` (with the closest reference) otherwise. Never throws.
 */
export function identifyLicenseText(text: string, options: LicenseTextOptions = {}): LicenseTextResult {
  const maxChars = options.maxChars ?? MAX_LICENSE_TEXT_CHARS;
  const bounded = typeof text === 'string' ? text.slice(0, maxChars) : '';
  if (bounded.trim() === '') return { status: 'unknown', evidence: 'the file is empty' };
  const words = wordsOf(bounded);
  const wordSet = new Set(words);
  const title = titleOf(bounded);

  let best: { ref: Reference; similarity: number } | undefined;
  let titled: { ref: Reference; similarity: number } | undefined;
  if (wordSet.size >= MIN_TEXT_WORDS) {
    for (const ref of loadReferences()) {
      const ratio = Math.min(words.length, ref.count) / Math.max(words.length, ref.count);
      if (ratio < MIN_LENGTH_RATIO) continue;
      const similarity = dice(wordSet, ref.words);
      if (best === undefined || similarity > best.similarity) best = { ref, similarity };
      if (title?.mention.exact === true && title.mention.id === ref.id) titled = { ref, similarity };
    }
  }
  const chosen =
    titled !== undefined &&
    best !== undefined &&
    titled.similarity >= TITLED_MATCH_SIMILARITY &&
    titled.similarity >= best.similarity - TITLE_PREFERENCE_MARGIN
      ? titled
      : best !== undefined && best.similarity >= EXACT_MATCH_SIMILARITY
        ? best
        : undefined;
  if (chosen !== undefined) {
    const { ref, similarity } = chosen;
    const byTitle = chosen === titled;
    return {
      status: 'identified',
      id: ref.id,
      spdx: ref.spdx,
      name: ref.name,
      confidence: similarity,
      method: 'text',
      evidence: `the text matches ${ref.spdx} (${percent(similarity)} of words shared${
        byTitle ? `, titled "${title?.line}"` : ''
      })`,
    };
  }

  const fp = fingerprintOf(headOf(bounded));
  if (fp !== undefined) {
    return {
      status: 'identified',
      id: fp.id,
      name: fp.name,
      confidence: 0.95,
      method: 'fingerprint',
      evidence: `the file is titled "${fp.name}"`,
    };
  }

  // A short file that reads like no licence text may be a statement naming one; a licence-like text that
  // matched nothing (openai/gpt-2's "Modified MIT License") is a variant, not the licence its title names.
  const licenceLike = best !== undefined && best.similarity >= 0.5;
  if (bounded.length <= MAX_LICENSE_STATEMENT_CHARS && !licenceLike) {
    // Only names the file applies to itself: the whole file is little more than the name, or the name
    // follows "under", "licensed", "License:" (a file citing another licence it must comply with is not it).
    const short = words.length <= MAX_STATEMENT_WORDS;
    const named = findLicenseMentions(bounded).filter(
      (m) => m.exact && (short || STATEMENT_LEAD.test(bounded.slice(Math.max(0, m.start - 80), m.start))),
    );
    const ids = new Set(named.map((m) => (m.id === 'other' ? `other:${m.name}` : m.id)));
    const first = named[0];
    if (ids.size === 1 && first !== undefined) {
      return {
        status: 'identified',
        id: first.id,
        name: first.name,
        confidence: 0.8,
        method: 'statement',
        evidence: `the file is a short statement naming ${first.name} ("${bounded.slice(first.start, first.end)}")`,
      };
    }
  }

  const closest =
    best !== undefined && best.similarity >= 0.5
      ? { id: best.ref.id, name: best.ref.name, similarity: best.similarity }
      : undefined;
  const parts = [
    best === undefined || closest === undefined
      ? 'no reference licence text is similar'
      : `the closest reference text is ${best.ref.spdx} with ${percent(closest.similarity)} of words shared, below the ${percent(EXACT_MATCH_SIMILARITY)} needed`,
  ];
  const firstLine = bounded
    .split(/\r?\n/, 5)
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (firstLine !== undefined) parts.push(`its first line is "${firstLine.slice(0, 80)}"`);
  return { status: 'unknown', evidence: parts.join('; '), ...(closest === undefined ? {} : { closest }) };
}
