/**
 * The controlled vocabularies of Hugging Face card metadata, checked offline: licence ids (`license`,
 * `license_name`, `license_link`), task ids (`pipeline_tag`, dataset `task_categories` and `task_ids`) and
 * metadata keys that were renamed. The Hub validates metadata on its server when a README.md is pushed
 * (hub-docs `modelcard.md`: "Properties will be validated by the Hub when git pushing changes to your
 * README.md file"), so a tool that reads cards offline carries the same lists itself.
 *
 * Pure: every function takes a value parsed from YAML (so `unknown`), never throws on it, and returns data.
 *
 * Sources:
 * - Licences: Hugging Face Hub docs, "Licenses" (huggingface/hub-docs `docs/hub/repositories-licenses.md`,
 *   last changed in commit fd6cf1f56e1514af08c5a7262d9f79b3becb810d, 2026-06-06), 83 identifiers.
 * - SPDX: the SPDX License List as packaged by `spdx-license-ids` 3.0.24 (2026-09-17; the release after
 *   3.0.23, which carried SPDX License List v3.28.0), current and deprecated ids.
 * - Tasks: `@huggingface/tasks` 0.21.54 (`PIPELINE_DATA`), the list hub-docs `datasetcard.md` points to for
 *   `task_categories` ("Full list at .../packages/tasks/src/pipelines.ts").
 */
import { PIPELINE_DATA, type PipelineData } from '@huggingface/tasks';
import { distance } from 'fastest-levenshtein';
import deprecatedSpdxIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import spdxIds from 'spdx-license-ids/index.json' with { type: 'json' };

/**
 * Longest term compared by edit distance. A licence or task id is a few dozen characters; longer text is
 * prose pasted into metadata, and edit distance costs length × candidates, so hostile metadata cannot make
 * a check slow.
 */
export const MAX_TERM_CHARS = 200;
/** Most list items checked in one field; a card with more is refusing to be read, and the rest are skipped. */
export const MAX_LIST_ITEMS = 1000;
/** Characters of an input value quoted in a message (STYLE.md §9: messages quote truncated input). */
const MAX_QUOTED_CHARS = 80;

// ---------------------------------------------------------------------------------------------------------
// Licences
// ---------------------------------------------------------------------------------------------------------

/**
 * The Hub's licence identifiers with their full names, in the order of the docs' table (hub-docs
 * `docs/hub/repositories-licenses.md`, the region between `<!-- region licenses -->` and `<!-- endregion -->`,
 * commit fd6cf1f56e1514af08c5a7262d9f79b3becb810d). The docs call the right-hand column the "License identifier
 * (to use in repo card)"; every id is lower case.
 */
export const HUB_LICENSES: readonly (readonly [id: string, name: string])[] = [
  ['apache-2.0', 'Apache license 2.0'],
  ['mit', 'MIT'],
  ['openrail', 'OpenRAIL license family'],
  ['bigscience-openrail-m', 'BigScience OpenRAIL-M'],
  ['creativeml-openrail-m', 'CreativeML OpenRAIL-M'],
  ['bigscience-bloom-rail-1.0', 'BigScience BLOOM RAIL 1.0'],
  ['bigcode-openrail-m', 'BigCode Open RAIL-M v1'],
  ['afl-3.0', 'Academic Free License v3.0'],
  ['artistic-2.0', 'Artistic license 2.0'],
  ['bsl-1.0', 'Boost Software License 1.0'],
  ['bsd', 'BSD license family'],
  ['bsd-2-clause', 'BSD 2-clause "Simplified" license'],
  ['bsd-3-clause', 'BSD 3-clause "New" or "Revised" license'],
  ['bsd-3-clause-clear', 'BSD 3-clause Clear license'],
  ['c-uda', 'Computational Use of Data Agreement'],
  ['cc', 'Creative Commons license family'],
  ['cc0-1.0', 'Creative Commons Zero v1.0 Universal'],
  ['cc-by-2.0', 'Creative Commons Attribution 2.0'],
  ['cc-by-2.5', 'Creative Commons Attribution 2.5'],
  ['cc-by-3.0', 'Creative Commons Attribution 3.0'],
  ['cc-by-4.0', 'Creative Commons Attribution 4.0'],
  ['cc-by-sa-3.0', 'Creative Commons Attribution Share Alike 3.0'],
  ['cc-by-sa-4.0', 'Creative Commons Attribution Share Alike 4.0'],
  ['cc-by-nc-2.0', 'Creative Commons Attribution Non Commercial 2.0'],
  ['cc-by-nc-3.0', 'Creative Commons Attribution Non Commercial 3.0'],
  ['cc-by-nc-4.0', 'Creative Commons Attribution Non Commercial 4.0'],
  ['cc-by-nd-4.0', 'Creative Commons Attribution No Derivatives 4.0'],
  ['cc-by-nc-nd-3.0', 'Creative Commons Attribution Non Commercial No Derivatives 3.0'],
  ['cc-by-nc-nd-4.0', 'Creative Commons Attribution Non Commercial No Derivatives 4.0'],
  ['cc-by-nc-sa-2.0', 'Creative Commons Attribution Non Commercial Share Alike 2.0'],
  ['cc-by-nc-sa-3.0', 'Creative Commons Attribution Non Commercial Share Alike 3.0'],
  ['cc-by-nc-sa-4.0', 'Creative Commons Attribution Non Commercial Share Alike 4.0'],
  ['cdla-sharing-1.0', 'Community Data License Agreement – Sharing, Version 1.0'],
  ['cdla-permissive-1.0', 'Community Data License Agreement – Permissive, Version 1.0'],
  ['cdla-permissive-2.0', 'Community Data License Agreement – Permissive, Version 2.0'],
  ['wtfpl', 'Do What The F*ck You Want To Public License'],
  ['ecl-2.0', 'Educational Community License v2.0'],
  ['epl-1.0', 'Eclipse Public License 1.0'],
  ['epl-2.0', 'Eclipse Public License 2.0'],
  ['etalab-2.0', 'Etalab Open License 2.0'],
  ['eupl-1.1', 'European Union Public License 1.1'],
  ['eupl-1.2', 'European Union Public License 1.2'],
  ['agpl-3.0', 'GNU Affero General Public License v3.0'],
  ['gfdl', 'GNU Free Documentation License family'],
  ['gpl', 'GNU General Public License family'],
  ['gpl-2.0', 'GNU General Public License v2.0'],
  ['gpl-3.0', 'GNU General Public License v3.0'],
  ['lgpl', 'GNU Lesser General Public License family'],
  ['lgpl-2.1', 'GNU Lesser General Public License v2.1'],
  ['lgpl-3.0', 'GNU Lesser General Public License v3.0'],
  ['isc', 'ISC'],
  ['h-research', 'H Research License'],
  ['intel-research', 'Intel Research Use License Agreement'],
  ['lppl-1.3c', 'LaTeX Project Public License v1.3c'],
  ['ms-pl', 'Microsoft Public License'],
  ['apple-ascl', 'Apple Sample Code license'],
  ['apple-amlr', 'Apple Model License for Research'],
  ['mpl-2.0', 'Mozilla Public License 2.0'],
  ['odc-by', 'Open Data Commons License Attribution family'],
  ['odbl', 'Open Database License family'],
  ['openmdw-1.0', 'Open Model, Data & Weights License Agreement'],
  ['openmdw-1.1', 'Open Model, Data & Weights License Agreement v1.1'],
  ['openrail++', 'Open Rail++-M License'],
  ['osl-3.0', 'Open Software License 3.0'],
  ['postgresql', 'PostgreSQL License'],
  ['ofl-1.1', 'SIL Open Font License 1.1'],
  ['ncsa', 'University of Illinois/NCSA Open Source License'],
  ['unlicense', 'The Unlicense'],
  ['zlib', 'zLib License'],
  ['pddl', 'Open Data Commons Public Domain Dedication and License'],
  ['lgpl-lr', 'Lesser General Public License For Linguistic Resources'],
  ['deepfloyd-if-license', 'DeepFloyd IF Research License Agreement'],
  ['fair-noncommercial-research-license', 'FAIR Noncommercial Research License'],
  ['llama2', 'Llama 2 Community License Agreement'],
  ['llama3', 'Llama 3 Community License Agreement'],
  ['llama3.1', 'Llama 3.1 Community License Agreement'],
  ['llama3.2', 'Llama 3.2 Community License Agreement'],
  ['llama3.3', 'Llama 3.3 Community License Agreement'],
  ['llama4', 'Llama 4 Community License Agreement'],
  ['grok2-community', 'Grok 2 Community License Agreement'],
  ['gemma', 'Gemma Terms of Use'],
  ['unknown', 'Unknown'],
  ['other', 'Other'],
];

const HUB_LICENSE_NAMES: ReadonlyMap<string, string> = new Map(HUB_LICENSES);
const HUB_LICENSE_BY_LOWER: ReadonlyMap<string, string> = new Map(HUB_LICENSES.map(([id]) => [id, id]));

/** What a licence id was recognised as: a Hub id, an SPDX id that is not a Hub id, `other`, or neither. */
export type LicenseKind = 'hf' | 'spdx' | 'other' | 'unknown';

export type LicenseIssueCode =
  /** The value is not a string (a number, a mapping, a YAML boolean such as `no`). */
  | 'not-a-string'
  /** Empty, blank or null. */
  | 'empty'
  /** A valid SPDX id the Hub spells differently (`Apache-2.0` for `apache-2.0`): valid, but not the Hub's id. */
  | 'hub-spelling'
  /** A valid SPDX id with no identical Hub id: the Hub does not display or filter by it. */
  | 'not-on-hub'
  /** An SPDX id the SPDX list deprecates (`GPL-2.0` for `GPL-2.0-only` or `GPL-2.0-or-later`). */
  | 'deprecated-spdx'
  /** A Hub-only id in the wrong case (`Llama2`). */
  | 'case-mismatch'
  /** A recognisable but non-canonical spelling (`BSD-3`, `apache2`, `Apache License 2.0`, `GPL3`, `cc-by-4`). */
  | 'non-canonical'
  /** Close to exactly one Hub id by edit distance (`apach-2.0`). */
  | 'misspelt'
  /** An SPDX expression (`MIT OR Apache-2.0`, `GPL-2.0+`, `... WITH ...`); the Hub takes one id or a list. */
  | 'spdx-expression'
  /** A Hub id that names a family, not a licence (`bsd`, `cc`, `gpl`): which one is left unsaid. */
  | 'family-only'
  /** The Hub id `unknown`: the card says it does not know its own licence. */
  | 'declared-unknown'
  /** `license: other` without `license_name`. */
  | 'other-without-name'
  /** `license: other` without `license_link`. */
  | 'other-without-link'
  /** `license: other` whose `license_name` is itself a Hub id. */
  | 'other-name-is-known'
  /** Not a Hub id, not an SPDX id, and not close to one. */
  | 'unrecognised';

export interface LicenseIssue {
  readonly code: LicenseIssueCode;
  readonly message: string;
}

/** The check of one licence value. */
export interface LicenseCheck {
  /** The value, quoted and truncated, for messages. */
  readonly input: string;
  /** Whether the value is a Hugging Face or SPDX licence id (possibly with an advisory `issue`). */
  readonly valid: boolean;
  readonly kind: LicenseKind;
  /** The recognised id in its canonical spelling (the Hub's for `hf`, the SPDX list's for `spdx`). */
  readonly canonical?: string;
  /** What to write in `license:` instead, when the value is not exactly a Hub id. */
  readonly suggestion?: string;
  /** The most important thing wrong or worth saying; absent when the value is a plain Hub id. */
  readonly issue?: LicenseIssue;
}

/** The other licence fields of the same card, read when `license` is `other`. */
export interface LicenseContext {
  /** `license_name` from the metadata. */
  readonly licenseName?: unknown;
  /** `license_link` from the metadata. */
  readonly licenseLink?: unknown;
}

const SPDX_BY_LOWER: ReadonlyMap<string, string> = new Map(
  [...spdxIds, ...deprecatedSpdxIds].map((id) => [id.toLowerCase(), id]),
);
const SPDX_DEPRECATED: ReadonlySet<string> = new Set(deprecatedSpdxIds);

/**
 * A loose key for licence names: case, punctuation, spaces and filler words dropped, `v3`/`version 3` and
 * `3.0` read as `3`, so that `Apache License, Version 2.0`, `apache2` and `apache-2.0` meet, and `BSD-3`
 * meets `bsd-3-clause`.
 */
export function licenseKey(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\b(?:the|gnu|licen[cs]es?|agreement|version|clause|international|unported|generic)\b/g, ' ')
    .replace(/\bv(?=\d)/g, ' ')
    .replace(/([a-z])v(?=\d)/g, '$1')
    .replace(/[^a-z0-9.+]/g, '')
    .replace(/^\.+|\.+$/g, '')
    .replace(/(\d)(?:\.0)+(?![.\d])/g, '$1');
}

/**
 * Spellings seen in cards that no id or full name normalises to. Each maps a `licenseKey` to a Hub id.
 * "New"/"Revised"/"Modified" BSD is BSD-3-Clause and "Simplified" BSD is BSD-2-Clause (the names the Hub's
 * table and the SPDX list give those licences); ASL is the Apache Software Foundation's own abbreviation.
 */
const LICENSE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['asl2', 'apache-2.0'],
  ['cc0', 'cc0-1.0'],
  ['newbsd', 'bsd-3-clause'],
  ['revisedbsd', 'bsd-3-clause'],
  ['modifiedbsd', 'bsd-3-clause'],
  ['bsdnew', 'bsd-3-clause'],
  ['simplifiedbsd', 'bsd-2-clause'],
  ['bsdsimplified', 'bsd-2-clause'],
]);

/**
 * `licenseKey` → the ids it stands for. Hub ids and their full names first; SPDX ids only where no Hub id
 * has the key. A key with more than one target is ambiguous and suggests nothing.
 */
const LICENSE_KEY_TARGETS: ReadonlyMap<string, readonly string[]> = (() => {
  const hub = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, key: string, id: string) => {
    if (key === '') return;
    const targets = map.get(key) ?? new Set<string>();
    targets.add(id);
    map.set(key, targets);
  };
  for (const [id, name] of HUB_LICENSES) {
    add(hub, licenseKey(id), id);
    add(hub, licenseKey(name), id);
  }
  for (const [key, id] of LICENSE_ALIASES) add(hub, key, id);
  const spdx = new Map<string, Set<string>>();
  for (const id of spdxIds) add(spdx, licenseKey(id), id);
  const merged = new Map<string, readonly string[]>();
  for (const [key, ids] of spdx) merged.set(key, [...ids]);
  for (const [key, ids] of hub) merged.set(key, [...ids]);
  return merged;
})();

/** Hub ids that name a family of licences rather than one licence, by the docs' own full names. */
const HUB_FAMILY_IDS: ReadonlySet<string> = new Set(
  HUB_LICENSES.filter(([, name]) => / family$/.test(name)).map(([id]) => id),
);

/** The Hub id equivalent to an SPDX id, if the Hub has one, and whether it loses information. */
function hubEquivalent(spdxId: string): { id: string; exact: boolean } | undefined {
  const lower = spdxId.toLowerCase();
  const direct = HUB_LICENSE_BY_LOWER.get(lower);
  if (direct !== undefined) return { id: direct, exact: true };
  // SPDX 3.0 split `GPL-3.0` into `GPL-3.0-only` and `GPL-3.0-or-later`; the Hub kept the old single ids.
  const unsuffixed = lower.replace(/-(?:only|or-later)$/, '');
  const bySuffix = HUB_LICENSE_BY_LOWER.get(unsuffixed);
  if (bySuffix !== undefined) return { id: bySuffix, exact: lower.endsWith('-only') };
  // `ODbL-1.0`, `GFDL-1.3-only`, `BSD-4-Clause`: the Hub has only the family.
  const family = lower.replace(/-\d.*$/, '');
  if (HUB_FAMILY_IDS.has(family)) return { id: family, exact: false };
  return undefined;
}

function quote(value: unknown): string {
  if (typeof value === 'string') {
    const clipped = value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value;
    return JSON.stringify(clipped);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value).slice(0, MAX_QUOTED_CHARS)}`;
}

/** The single candidate within edit distance of `key`, if exactly one is closest; `sameDigits` guards versions. */
function closest(key: string, candidates: Iterable<string>, sameDigits: boolean): string | undefined {
  if (key.length < 4 || key.length > MAX_TERM_CHARS) return undefined;
  const limit = key.length >= 8 ? 2 : 1;
  const digits = key.replace(/\D/g, '');
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const candidate of candidates) {
    if (sameDigits && candidate.replace(/\D/g, '') !== digits) continue;
    if (Math.abs(candidate.length - key.length) > limit) continue;
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) {
      tie = true;
    }
  }
  return best !== undefined && !tie ? best : undefined;
}

function hubKeyIndex(): ReadonlyMap<string, string> {
  const index = new Map<string, string>();
  for (const [id] of HUB_LICENSES) index.set(licenseKey(id), id);
  return index;
}
const HUB_KEYS: ReadonlyMap<string, string> = hubKeyIndex();

/** Describes a recognised id as a check result, with the Hub id to use. */
function recognised(input: string, id: string, code: 'non-canonical' | 'misspelt'): LicenseCheck {
  const isHub = HUB_LICENSE_NAMES.has(id);
  const suggestion = isHub ? id : (hubEquivalent(id)?.id ?? 'other');
  const found =
    code === 'misspelt'
      ? `${input} is not a licence id; did you mean \`${id}\`?`
      : `${input} is a non-canonical spelling of \`${id}\`.`;
  const fix =
    suggestion === 'other'
      ? 'The Hub has no id for it: write `license: other` with `license_name` and `license_link`.'
      : `Write \`license: ${suggestion}\`.`;
  return {
    input,
    valid: false,
    kind: isHub ? 'hf' : 'spdx',
    canonical: id,
    suggestion,
    issue: { code, message: `${found} ${fix}` },
  };
}

/**
 * Checks one licence value from card metadata (`license:`) against the Hub's list and the SPDX list.
 * A Hub id is valid as is; an SPDX id is valid but reported with the Hub id to use instead; near misses
 * (`BSD-3`, `apache2`, `Apache License 2.0`, `GPL3`, `cc-by-4`) are invalid with a suggestion; `other` is
 * checked against `license_name` and `license_link` in `context`. Never throws.
 */
export function checkLicense(value: unknown, context: LicenseContext = {}): LicenseCheck {
  const input = quote(value);
  if (value === null || value === undefined) {
    return {
      input,
      valid: false,
      kind: 'unknown',
      issue: { code: 'empty', message: 'The licence is empty.' },
    };
  }
  if (typeof value !== 'string') {
    return {
      input,
      valid: false,
      kind: 'unknown',
      issue: {
        code: 'not-a-string',
        message:
          typeof value === 'boolean'
            ? `The licence is ${input}, not an id; YAML 1.1 reads bare yes/no/on/off as booleans, so quote it.`
            : `The licence is ${input}, not an id.`,
      },
    };
  }
  const trimmed = value.trim();
  if (trimmed === '') {
    return {
      input,
      valid: false,
      kind: 'unknown',
      issue: { code: 'empty', message: 'The licence is empty.' },
    };
  }

  if (HUB_LICENSE_NAMES.has(value)) return checkHubId(input, value, context);

  const lower = trimmed.toLowerCase();
  const hubId = HUB_LICENSE_BY_LOWER.get(lower);
  const spdxId = SPDX_BY_LOWER.get(lower);
  if (spdxId !== undefined) return checkSpdxId(input, spdxId, trimmed !== value);
  if (hubId !== undefined) {
    return {
      input,
      valid: false,
      kind: hubId === 'other' ? 'other' : 'hf',
      canonical: hubId,
      suggestion: hubId,
      issue: {
        code: trimmed === value ? 'case-mismatch' : 'non-canonical',
        message: `${input} is the Hub id \`${hubId}\` spelt differently; the Hub's ids are lower case and matched as written.`,
      },
    };
  }

  const key = licenseKey(trimmed);
  const targets = key.length <= MAX_TERM_CHARS ? LICENSE_KEY_TARGETS.get(key) : undefined;
  if (targets?.length === 1 && targets[0] !== undefined) {
    return recognised(input, targets[0], 'non-canonical');
  }

  const expression = checkExpression(input, trimmed);
  if (expression !== undefined) return expression;

  const near = targets === undefined ? closest(key, HUB_KEYS.keys(), true) : undefined;
  const nearId = near === undefined ? undefined : HUB_KEYS.get(near);
  if (nearId !== undefined) return recognised(input, nearId, 'misspelt');

  return {
    input,
    valid: false,
    kind: 'unknown',
    issue: {
      code: 'unrecognised',
      message: `${input} is neither a Hugging Face licence id nor an SPDX id${
        targets !== undefined ? ` (it could be any of ${targets.map((t) => `\`${t}\``).join(', ')})` : ''
      }; use an id from the Hub's list, or \`license: other\` with \`license_name\` and \`license_link\`.`,
    },
  };
}

function checkHubId(input: string, id: string, context: LicenseContext): LicenseCheck {
  if (id === 'other') return checkOther(input, context);
  if (id === 'unknown') {
    return {
      input,
      valid: true,
      kind: 'hf',
      canonical: id,
      issue: { code: 'declared-unknown', message: 'The card declares its licence `unknown`.' },
    };
  }
  if (HUB_FAMILY_IDS.has(id)) {
    return {
      input,
      valid: true,
      kind: 'hf',
      canonical: id,
      issue: {
        code: 'family-only',
        message: `\`${id}\` names a licence family (${HUB_LICENSE_NAMES.get(id)}), not which licence in it applies.`,
      },
    };
  }
  return { input, valid: true, kind: 'hf', canonical: id };
}

function checkSpdxId(input: string, spdxId: string, padded: boolean): LicenseCheck {
  const hub = hubEquivalent(spdxId);
  const deprecated = SPDX_DEPRECATED.has(spdxId);
  const base = { input, valid: true, kind: 'spdx' as const, canonical: spdxId };
  if (hub?.exact) {
    return {
      ...base,
      suggestion: hub.id,
      issue: {
        code: 'hub-spelling',
        message: `${input} is the SPDX id \`${spdxId}\`${padded ? ' (with surrounding spaces)' : ''}${
          deprecated ? ', deprecated by SPDX' : ''
        }; the Hub's id for it is \`${hub.id}\`, which the Hub displays and filters by.`,
      },
    };
  }
  const advice =
    hub === undefined
      ? 'the Hub has no id for it: write `license: other` with `license_name` and `license_link`'
      : `the nearest Hub id is \`${hub.id}\`, which is broader; or write \`license: other\` with \`license_name\``;
  return {
    ...base,
    suggestion: hub?.id ?? 'other',
    issue: deprecated
      ? { code: 'deprecated-spdx', message: `${input} is an SPDX id that SPDX deprecates; ${advice}.` }
      : { code: 'not-on-hub', message: `${input} is the SPDX id \`${spdxId}\`, but ${advice}.` },
  };
}

/** SPDX expression operators (SPDX spec Annex D); people also write them in lower case. */
const EXPRESSION_OPERATOR = /\s+(?:AND|OR|WITH)\s+/i;

function checkExpression(input: string, text: string): LicenseCheck | undefined {
  // `GPL-2.0+` is SPDX's "or later" operator on an id.
  if (text.endsWith('+') && !HUB_LICENSE_NAMES.has(text.toLowerCase())) {
    const base = checkLicense(text.slice(0, -1));
    if (base.canonical === undefined) return undefined;
    const suggestion = base.suggestion ?? base.canonical;
    return {
      input,
      valid: false,
      kind: base.kind,
      canonical: base.canonical,
      suggestion,
      issue: {
        code: 'spdx-expression',
        message: `${input} is an SPDX "or later" expression; the Hub has no such id: write \`license: ${suggestion}\` and say "or later" in the card.`,
      },
    };
  }
  if (!EXPRESSION_OPERATOR.test(text)) return undefined;
  const parts = text
    .replace(/[()]/g, ' ')
    .split(/\s+(?:AND|OR)\s+/i)
    .map((part) => part.split(/\s+WITH\s+/i)[0]?.trim() ?? '');
  const checks = parts.map((part) => checkLicense(part));
  const ids = checks.map((check) => (check.kind === 'hf' ? check.canonical : check.suggestion));
  const allKnown = ids.every((id): id is string => id !== undefined);
  if (ids.every((id) => id === undefined)) return undefined;
  return {
    input,
    valid: false,
    kind: allKnown ? 'spdx' : 'unknown',
    issue: {
      code: 'spdx-expression',
      message: `${input} is an SPDX expression; the Hub takes one id or a YAML list of ids${
        allKnown ? ` ([${ids.join(', ')}])` : ''
      }. A list does not say whether the licences apply together (AND) or as alternatives (OR), and drops any WITH exception, so say that in the card's prose.`,
    },
  };
}

function checkOther(input: string, context: LicenseContext): LicenseCheck {
  const base = { input, valid: true, kind: 'other' as const, canonical: 'other' };
  const { licenseName, licenseLink } = context;
  // hub-docs repositories-licenses.md: "In case of `license: other` please add the license's text to a LICENSE
  // file inside your repo ..., and set a name for it in `license_name`"; model-cards.md adds `license_link`.
  if (typeof licenseName !== 'string' || licenseName.trim() === '') {
    return {
      ...base,
      issue: {
        code: 'other-without-name',
        message: '`license: other` without a `license_name`: the card does not say which licence it is.',
      },
    };
  }
  // huggingface_hub ModelCardData: "Common licenses (Apache-2.0, MIT, CC-BY-SA-4.0) do not need a name.
  // In that case, use `license` instead."
  const named = checkLicense(licenseName);
  const knownToHub =
    (named.kind === 'hf' && named.issue?.code !== 'misspelt') || named.issue?.code === 'hub-spelling';
  if (knownToHub) {
    const suggestion = named.kind === 'hf' ? named.canonical : named.suggestion;
    if (suggestion !== undefined && suggestion !== 'other') {
      return {
        ...base,
        suggestion,
        issue: {
          code: 'other-name-is-known',
          message: `\`license: other\` names ${quote(licenseName)}, which the Hub knows: write \`license: ${suggestion}\`.`,
        },
      };
    }
  }
  if (typeof licenseLink !== 'string' || licenseLink.trim() === '') {
    return {
      ...base,
      issue: {
        code: 'other-without-link',
        message: `\`license: other\` (${quote(licenseName)}) without a \`license_link\` to its text (a URL or a LICENSE file in the repository).`,
      },
    };
  }
  return base;
}

// ---------------------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------------------

export type ListIssueCode = 'missing' | 'not-a-list' | 'empty-list' | 'duplicate' | 'too-many';

/** A field that holds one term or a YAML list of terms, checked term by term. */
export interface ListCheck<T> {
  /** Every item valid and the list itself well formed. */
  readonly valid: boolean;
  /** One check per item (one for a scalar), in input order. */
  readonly items: readonly T[];
  readonly issue?: { readonly code: ListIssueCode; readonly message: string };
}

function checkList<
  T extends {
    readonly valid: boolean;
    readonly canonical?: string;
    readonly suggestion?: string;
    readonly input: string;
  },
>(value: unknown, field: string, checkOne: (item: unknown) => T): ListCheck<T> {
  if (value === null || value === undefined) {
    return { valid: false, items: [], issue: { code: 'missing', message: `\`${field}\` has no value.` } };
  }
  if (!Array.isArray(value)) {
    if (typeof value === 'object') {
      return {
        valid: false,
        items: [],
        issue: { code: 'not-a-list', message: `\`${field}\` is a mapping, not an id or a list of ids.` },
      };
    }
    const item = checkOne(value);
    return { valid: item.valid, items: [item] };
  }
  if (value.length === 0) {
    return {
      valid: false,
      items: [],
      issue: { code: 'empty-list', message: `\`${field}\` is an empty list.` },
    };
  }
  const items = value.slice(0, MAX_LIST_ITEMS).map(checkOne);
  const allValid = items.every((item) => item.valid);
  if (value.length > MAX_LIST_ITEMS) {
    return {
      valid: false,
      items,
      issue: {
        code: 'too-many',
        message: `\`${field}\` lists ${value.length} items; the first ${MAX_LIST_ITEMS} were checked.`,
      },
    };
  }
  const seen = new Set<string>();
  for (const item of items) {
    // `mit` and `MIT` are one licence: compare what the Hub would show.
    const key = item.suggestion ?? item.canonical ?? item.input;
    if (seen.has(key)) {
      return {
        valid: false,
        items,
        issue: { code: 'duplicate', message: `\`${field}\` lists ${item.input} more than once.` },
      };
    }
    seen.add(key);
  }
  return { valid: allValid, items };
}

/**
 * Checks a `license` field, which dataset cards (and some model cards) write as a list: each licence with
 * `checkLicense`, plus an empty list, duplicates and a mapping where ids belong.
 */
export function checkLicenses(value: unknown, context: LicenseContext = {}): ListCheck<LicenseCheck> {
  return checkList(value, 'license', (item) => checkLicense(item, context));
}

// ---------------------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------------------

export type TaskIssueCode =
  | 'not-a-string'
  | 'empty'
  /** Recognisable after normalising case, spaces and underscores, or by display name (`Text Classification`). */
  | 'non-canonical'
  /** Close to exactly one id by edit distance. */
  | 'misspelt'
  /** A task id (`task_ids`) where a task (`pipeline_tag`, `task_categories`) belongs, e.g. `text2text-generation`. */
  | 'subtask-not-task'
  /** A task where a task id belongs. */
  | 'task-not-subtask'
  /** Valid, but the Hub hides it in its model (or dataset) filters (`hideInModels`/`hideInDatasets`). */
  | 'hidden-on-hub'
  | 'unrecognised';

/** The check of one task value. */
export interface TaskCheck {
  readonly input: string;
  readonly valid: boolean;
  /** The id in the Hub's spelling, when the value is one. */
  readonly canonical?: string;
  /** What to write instead. */
  readonly suggestion?: string;
  readonly issue?: { readonly code: TaskIssueCode; readonly message: string };
}

const PIPELINE_ENTRIES: readonly (readonly [string, PipelineData])[] = Object.entries(PIPELINE_DATA);
const PIPELINES: ReadonlyMap<string, PipelineData> = new Map(PIPELINE_ENTRIES);
/** Task id → the tasks that list it as a subtask (a few, such as `closed-domain-qa`, sit under several). */
const SUBTASK_PARENTS: ReadonlyMap<string, readonly string[]> = (() => {
  const parents = new Map<string, string[]>();
  for (const [task, data] of PIPELINE_ENTRIES) {
    for (const subtask of data.subtasks ?? []) {
      const list = parents.get(subtask.type) ?? [];
      if (!list.includes(task)) list.push(task);
      parents.set(subtask.type, list);
    }
  }
  return parents;
})();

/** A loose key for task names: `Text Classification`, `text_classification`, `TextClassification` meet. */
function taskKey(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Loose key → ids, from the ids and their display names in `@huggingface/tasks`. */
function taskIndex(
  entries: Iterable<readonly [id: string, name: string]>,
): ReadonlyMap<string, readonly string[]> {
  const index = new Map<string, string[]>();
  const add = (key: string, id: string) => {
    const list = index.get(key) ?? [];
    if (!list.includes(id)) list.push(id);
    index.set(key, list);
  };
  for (const [id, name] of entries) {
    add(taskKey(id), id);
    add(taskKey(name), id);
  }
  return index;
}

const TASK_KEYS = taskIndex(PIPELINE_ENTRIES.map(([id, data]) => [id, data.name] as const));
const SUBTASK_KEYS = taskIndex(
  PIPELINE_ENTRIES.flatMap(([, data]) => (data.subtasks ?? []).map((s) => [s.type, s.name] as const)),
);

/** The tasks (`task_categories` values) a dataset task id belongs under, per `@huggingface/tasks`. */
export function parentTasksOf(taskId: string): readonly string[] {
  return SUBTASK_PARENTS.get(taskId) ?? [];
}

type TaskField = 'pipeline_tag' | 'task_categories' | 'task_ids';

/** The one id whose loose key equals the value's, if exactly one does. */
function byKey(index: ReadonlyMap<string, readonly string[]>, value: string): string | undefined {
  const ids = index.get(taskKey(value));
  return ids?.length === 1 ? ids[0] : undefined;
}

/** The one id whose loose key is closest to the value's by edit distance, if exactly one is. */
function byDistance(index: ReadonlyMap<string, readonly string[]>, value: string): string | undefined {
  const near = closest(taskKey(value), index.keys(), false);
  const ids = near === undefined ? undefined : index.get(near);
  return ids?.length === 1 ? ids[0] : undefined;
}

function nearMiss(input: string, id: string, code: 'non-canonical' | 'misspelt', what: string): TaskCheck {
  const how = code === 'non-canonical' ? 'the id is' : 'did you mean';
  return {
    input,
    valid: false,
    suggestion: id,
    issue: { code, message: `${input} is not a ${what}; ${how} \`${id}\`.` },
  };
}

function subtaskNotTask(input: string, subtask: string, field: TaskField): TaskCheck {
  const parents = parentTasksOf(subtask);
  const suggestion = parents.length === 1 ? parents[0] : undefined;
  return {
    input,
    valid: false,
    ...(suggestion === undefined ? {} : { suggestion }),
    issue: {
      code: 'subtask-not-task',
      message: `${input} is the dataset task id \`${subtask}\` (a subtask of ${parents
        .map((p) => `\`${p}\``)
        .join(' or ')}), not a task; \`${field}\` takes a task.`,
    },
  };
}

function checkTask(value: unknown, field: TaskField): TaskCheck {
  const input = quote(value);
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return { input, valid: false, issue: { code: 'empty', message: `\`${field}\` is empty.` } };
  }
  if (typeof value !== 'string') {
    return {
      input,
      valid: false,
      issue: { code: 'not-a-string', message: `\`${field}\` is ${input}, not an id.` },
    };
  }
  if (value.length > MAX_TERM_CHARS) {
    return {
      input,
      valid: false,
      issue: { code: 'unrecognised', message: `\`${field}\` is too long to be an id.` },
    };
  }
  return field === 'task_ids' ? checkSubtaskId(input, value) : checkTaskIdFor(input, value, field);
}

function checkTaskIdFor(input: string, value: string, field: 'pipeline_tag' | 'task_categories'): TaskCheck {
  const data = PIPELINES.get(value);
  if (data !== undefined) {
    const hidden = field === 'pipeline_tag' ? data.hideInModels : data.hideInDatasets;
    if (hidden !== true) return { input, valid: true, canonical: value };
    const page = field === 'pipeline_tag' ? 'models' : 'datasets';
    return {
      input,
      valid: true,
      canonical: value,
      issue: {
        code: 'hidden-on-hub',
        message: `\`${value}\` is a task, but the Hub hides it in its ${page} filters.`,
      },
    };
  }
  // `text2text-generation` and `conversational` were tasks once and are subtasks of `text-generation` now.
  if (SUBTASK_PARENTS.has(value)) return subtaskNotTask(input, value, field);
  const task = byKey(TASK_KEYS, value);
  if (task !== undefined) return nearMiss(input, task, 'non-canonical', 'task id');
  const subtask = byKey(SUBTASK_KEYS, value);
  if (subtask !== undefined) return subtaskNotTask(input, subtask, field);
  const near = byDistance(TASK_KEYS, value);
  if (near !== undefined) return nearMiss(input, near, 'misspelt', 'task id');
  return {
    input,
    valid: false,
    issue: {
      code: 'unrecognised',
      message: `${input} is not a Hugging Face task (the list in @huggingface/tasks).`,
    },
  };
}

function checkSubtaskId(input: string, value: string): TaskCheck {
  if (SUBTASK_PARENTS.has(value)) return { input, valid: true, canonical: value };
  const task = PIPELINES.has(value) ? value : byKey(TASK_KEYS, value);
  if (task !== undefined && byKey(SUBTASK_KEYS, value) === undefined) {
    return {
      input,
      valid: false,
      issue: {
        code: 'task-not-subtask',
        message: `${input} is the task \`${task}\`; it belongs in \`task_categories\`, and \`task_ids\` takes its subtasks.`,
      },
    };
  }
  const subtask = byKey(SUBTASK_KEYS, value);
  if (subtask !== undefined) return nearMiss(input, subtask, 'non-canonical', 'dataset task id');
  const near = byDistance(SUBTASK_KEYS, value);
  if (near !== undefined) return nearMiss(input, near, 'misspelt', 'dataset task id');
  return {
    input,
    valid: false,
    issue: {
      code: 'unrecognised',
      message: `${input} is not a Hugging Face dataset task id (the subtasks in @huggingface/tasks).`,
    },
  };
}

/** Checks a model card's `pipeline_tag` (one task id from `@huggingface/tasks`). Never throws. */
export function checkPipelineTag(value: unknown): TaskCheck {
  return checkTask(value, 'pipeline_tag');
}

/** Checks one dataset `task_categories` value (a task id, as for `pipeline_tag`). Never throws. */
export function checkTaskCategory(value: unknown): TaskCheck {
  return checkTask(value, 'task_categories');
}

/** Checks one dataset `task_ids` value (a subtask id from `@huggingface/tasks`). Never throws. */
export function checkTaskId(value: unknown): TaskCheck {
  return checkTask(value, 'task_ids');
}

/** Checks a dataset card's `task_categories` field, one id or a list. */
export function checkTaskCategories(value: unknown): ListCheck<TaskCheck> {
  return checkList(value, 'task_categories', checkTaskCategory);
}

/** Checks a dataset card's `task_ids` field, one id or a list. */
export function checkTaskIds(value: unknown): ListCheck<TaskCheck> {
  return checkList(value, 'task_ids', checkTaskId);
}

// ---------------------------------------------------------------------------------------------------------
// Legacy keys
// ---------------------------------------------------------------------------------------------------------

/** A metadata key that was renamed, with where the rename is recorded. */
export interface LegacyKey {
  readonly key: string;
  /** The key to use now. */
  readonly current: string;
  readonly cards: 'dataset' | 'any';
  readonly source: string;
  readonly note: string;
}

/** Renamed card metadata keys. A `Map` because the lookup key comes from input (STYLE.md §9). */
export const LEGACY_KEYS: ReadonlyMap<string, LegacyKey> = new Map(
  (
    [
      {
        key: 'languages',
        current: 'language',
        cards: 'dataset',
        source: 'huggingface/datasets#4607 (2022-07), huggingface/datasets#5158',
        note: 'Renamed to align dataset metadata with models and Spaces; the datasets library then refused cards still using it.',
      },
      {
        key: 'licenses',
        current: 'license',
        cards: 'dataset',
        source: 'huggingface/datasets#4607 (2022-07), huggingface/datasets#5158',
        note: 'Renamed with `languages`; the Hub UI had already been writing `license`.',
      },
      {
        key: 'license_details',
        current: 'license_name',
        cards: 'dataset',
        source: 'huggingface/hub-docs datasetcard.md ("Legacy, textual description of a custom license")',
        note: 'A custom licence is now `license: other` with `license_name` and `license_link`.',
      },
    ] satisfies LegacyKey[]
  ).map((entry) => [entry.key, entry]),
);

/** The full record for a renamed metadata key, or undefined if the key is current or unknown. */
export function legacyKeyInfo(key: unknown): LegacyKey | undefined {
  return typeof key === 'string' ? LEGACY_KEYS.get(key) : undefined;
}

/** The current name of a renamed metadata key (`languages` → `language`), or undefined. */
export function legacyKey(key: unknown): string | undefined {
  return legacyKeyInfo(key)?.current;
}
