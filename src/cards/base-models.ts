/**
 * Offline facts about well-known base models: the licence each is published under on the Hugging Face
 * Hub, and what each licence asks of a model derived from it (a fine-tune, adapter, merge or quantisation,
 * declared with `base_model` / `base_model_relation`: hub-docs `model-cards.md`, "Specifying a base model").
 *
 * Only facts we are sure of are listed, each with its source; a model that is not listed is simply
 * unknown, and nothing is concluded about it. Repository ids on the Hub are case-insensitive, so patterns
 * are matched without case.
 *
 * Pure data and lookups; never throws.
 */

/** What a licence requires of a model derived from the licensed one. */
export type DerivativeObligation =
  /** The derivative must be distributed under the same licence (Llama licences: a copy of the agreement). */
  | 'keep-license'
  /** No commercial use: the derivative cannot be offered under terms that allow it. */
  | 'non-commercial'
  /** Copyleft: adapted material must carry the same licence (or a compatible later version). */
  | 'share-alike'
  /** The base's use-based restrictions must be passed on as an enforceable part of the derivative's licence. */
  | 'use-restrictions'
  /** Adapted material may not be shared at all. */
  | 'no-derivatives';

export interface LicenseTerms {
  readonly obligations: readonly DerivativeObligation[];
  /** A derivative's name must begin with this (Llama 3 and later). */
  readonly namePrefix?: string;
  /** Where the obligations are written. */
  readonly source: string;
}

const LLAMA3_TERMS: LicenseTerms = {
  obligations: ['keep-license'],
  namePrefix: 'Llama 3',
  // meta-llama/llama3 LICENSE §1.b.i: "provide a copy of this Agreement with any such Llama Materials" and
  // "include “Llama 3” at the beginning of any such AI model name".
  source: 'Meta Llama 3 Community License Agreement §1.b.i',
};

/**
 * Licences from 3.1 on changed the naming clause to "include “Llama” at the beginning of any such AI model
 * name" (meta-llama/llama-models `models/llama3_1/LICENSE` §1.b.i, same wording in 3.2, 3.3 and 4).
 */
const llamaTerms = (version: string): LicenseTerms => ({
  obligations: ['keep-license'],
  namePrefix: 'Llama',
  source: `Llama ${version} Community License Agreement §1.b.i`,
});

/** The use-based restrictions clause of the RAIL licences (licenses.ai), paragraph 4(a) of OpenRAIL-M. */
const RAIL_TERMS: LicenseTerms = {
  obligations: ['use-restrictions'],
  source:
    'OpenRAIL-M §4(a): "Use-based restrictions as referenced in paragraph 5 MUST be included as an enforceable provision by You in any type of legal agreement (e.g. a license) governing the use and/or distribution of the Work or any Derivatives"',
};

const CC_NC_SOURCE = 'CC BY-NC 4.0 §1(i) and §2(a)(1): rights are granted for NonCommercial purposes only';
const CC_SA_SOURCE =
  'CC BY-SA 4.0 §3(b)(1): "The Adapter\'s License You apply must be a Creative Commons license with the same License Elements, this version or later, or a BY-SA Compatible License"';
const CC_ND_SOURCE =
  'CC BY-ND 4.0 §2(a)(1)(B): the licence allows producing Adapted Material but not sharing it';

/** Terms of the licences with a Hub id that bind derivatives. Licences not listed (MIT, Apache-2.0...) add none. */
const HUB_LICENSE_TERMS: ReadonlyMap<string, LicenseTerms> = new Map<string, LicenseTerms>([
  [
    'llama2',
    {
      obligations: ['keep-license'],
      // Llama 2 Community License §1.b.i: "If you distribute or make available the Llama Materials (or any
      // derivative works thereof) to a third party, you shall provide a copy of this Agreement".
      source: 'Llama 2 Community License Agreement §1.b.i',
    },
  ],
  ['llama3', LLAMA3_TERMS],
  ['llama3.1', llamaTerms('3.1')],
  ['llama3.2', llamaTerms('3.2')],
  ['llama3.3', llamaTerms('3.3')],
  ['llama4', llamaTerms('4')],
  [
    'gemma',
    {
      obligations: ['use-restrictions'],
      source:
        'Gemma Terms of Use §3.1: "You must include the use restrictions referenced in Section 3.2 as an enforceable provision in any agreement ... governing the use and/or distribution of Gemma or Model Derivatives"',
    },
  ],
  ['openrail', RAIL_TERMS],
  ['bigscience-openrail-m', RAIL_TERMS],
  ['creativeml-openrail-m', RAIL_TERMS],
  ['bigcode-openrail-m', RAIL_TERMS],
  ['openrail++', RAIL_TERMS],
  [
    'bigscience-bloom-rail-1.0',
    {
      obligations: ['use-restrictions'],
      source:
        'BigScience RAIL License v1.0 §4(a): use-based restrictions (Attachment A) must be included in any agreement governing the use or distribution of the Model or its Derivatives',
    },
  ],
  [
    'fair-noncommercial-research-license',
    {
      obligations: ['non-commercial'],
      source: 'FAIR Noncommercial Research License (noncommercial research use only)',
    },
  ],
  [
    'deepfloyd-if-license',
    {
      obligations: ['non-commercial'],
      source: 'DeepFloyd IF Research License Agreement (non-commercial research use)',
    },
  ],
  ['cc-by-nc-2.0', { obligations: ['non-commercial'], source: CC_NC_SOURCE }],
  ['cc-by-nc-3.0', { obligations: ['non-commercial'], source: CC_NC_SOURCE }],
  ['cc-by-nc-4.0', { obligations: ['non-commercial'], source: CC_NC_SOURCE }],
  [
    'cc-by-nc-sa-2.0',
    { obligations: ['non-commercial', 'share-alike'], source: `${CC_NC_SOURCE}; ${CC_SA_SOURCE}` },
  ],
  [
    'cc-by-nc-sa-3.0',
    { obligations: ['non-commercial', 'share-alike'], source: `${CC_NC_SOURCE}; ${CC_SA_SOURCE}` },
  ],
  [
    'cc-by-nc-sa-4.0',
    { obligations: ['non-commercial', 'share-alike'], source: `${CC_NC_SOURCE}; ${CC_SA_SOURCE}` },
  ],
  [
    'cc-by-nc-nd-3.0',
    { obligations: ['non-commercial', 'no-derivatives'], source: `${CC_NC_SOURCE}; ${CC_ND_SOURCE}` },
  ],
  [
    'cc-by-nc-nd-4.0',
    { obligations: ['non-commercial', 'no-derivatives'], source: `${CC_NC_SOURCE}; ${CC_ND_SOURCE}` },
  ],
  ['cc-by-nd-4.0', { obligations: ['no-derivatives'], source: CC_ND_SOURCE }],
  ['cc-by-sa-3.0', { obligations: ['share-alike'], source: CC_SA_SOURCE }],
  ['cc-by-sa-4.0', { obligations: ['share-alike'], source: CC_SA_SOURCE }],
  [
    'gpl-2.0',
    {
      obligations: ['share-alike'],
      source: 'GPL-2.0 §2(b): derived works must be licensed under this License',
    },
  ],
  [
    'gpl-3.0',
    {
      obligations: ['share-alike'],
      source: 'GPL-3.0 §5(c): the modified work must be licensed under this License',
    },
  ],
  [
    'agpl-3.0',
    {
      obligations: ['share-alike'],
      source: 'AGPL-3.0 §5(c): the modified work must be licensed under this License',
    },
  ],
]);

/** A licence the Hub has no id for, as cards name it in `license_name` (with `license: other`). */
interface OtherLicense {
  readonly name: string;
  /** `license_name` values that stand for it, lower case. */
  readonly names: readonly string[];
  readonly terms: LicenseTerms;
}

const OTHER_LICENSES: readonly OtherLicense[] = [
  {
    name: 'Mistral AI Research License',
    // The Hub cards of mistralai/Mistral-Large-Instruct-2407, Ministral-8B-Instruct-2410 and
    // Mistral-Small-Instruct-2409 declare `license_name: mrl`, `license_link: https://mistral.ai/licenses/MRL-0.1.md`;
    // the MRL grants use for research and non-commercial purposes only.
    names: ['mrl', 'mistral-research-license', 'mistral ai research license', 'mrl-0.1'],
    terms: {
      obligations: ['non-commercial'],
      source: 'Mistral AI Research License (MRL-0.1): research and non-commercial use only',
    },
  },
  {
    name: 'Mistral AI Non-Production License',
    // mistralai/Codestral-22B-v0.1: `license_name: mnpl`; the MNPL allows no production or commercial use.
    names: ['mnpl', 'mistral ai non-production license', 'mnpl-0.1'],
    terms: { obligations: ['non-commercial'], source: 'Mistral AI Non-Production License (MNPL-0.1)' },
  },
  {
    name: 'Qwen Research License Agreement',
    // Qwen/Qwen2.5-3B-Instruct: `license_name: qwen-research`; research and evaluation only, commercial use
    // needs a separate licence from Alibaba Cloud.
    names: ['qwen-research', 'qwen research license agreement'],
    terms: {
      obligations: ['non-commercial'],
      source: 'Qwen Research License Agreement (non-commercial use only)',
    },
  },
  {
    name: 'LLaMA (version 1) non-commercial license',
    // meta-llama/llama MODEL_CARD.md at 53011c3: "License: Non-commercial bespoke license".
    names: ['llama-1-noncommercial', 'llama1', 'llama-1'],
    terms: {
      obligations: ['non-commercial'],
      source: 'LLaMA model card (meta-llama/llama@53011c3): "Non-commercial bespoke license"',
    },
  },
];

/** What a licence (a Hub id, or `other` with its `license_name`) requires of derivatives, when known. */
export function licenseTermsOf(id: string, otherName?: unknown): LicenseTerms | undefined {
  if (id === 'other') {
    if (typeof otherName !== 'string') return undefined;
    const key = otherName.trim().toLowerCase();
    return OTHER_LICENSES.find((l) => l.names.includes(key))?.terms;
  }
  return HUB_LICENSE_TERMS.get(id);
}

/** The display name of an `other` licence we know, from its `license_name`. */
export function otherLicenseName(otherName: unknown): string | undefined {
  if (typeof otherName !== 'string') return undefined;
  const key = otherName.trim().toLowerCase();
  return OTHER_LICENSES.find((l) => l.names.includes(key))?.name;
}

/**
 * Hub licence ids that allow commercial use (of the licensed work itself, whatever their other conditions):
 * the permissive and copyleft licences, open data licences, and the model licences that allow it
 * (Llama: commercial use below 700 million monthly users, §2; Gemma Terms of Use §3; the OpenRAIL family).
 */
const COMMERCIAL_USE_ALLOWED: ReadonlySet<string> = new Set([
  'apache-2.0',
  'mit',
  'openrail',
  'bigscience-openrail-m',
  'creativeml-openrail-m',
  'bigscience-bloom-rail-1.0',
  'bigcode-openrail-m',
  'openrail++',
  'afl-3.0',
  'artistic-2.0',
  'bsl-1.0',
  'bsd',
  'bsd-2-clause',
  'bsd-3-clause',
  'bsd-3-clause-clear',
  'cc0-1.0',
  'cc-by-2.0',
  'cc-by-2.5',
  'cc-by-3.0',
  'cc-by-4.0',
  'cc-by-sa-3.0',
  'cc-by-sa-4.0',
  'cc-by-nd-4.0',
  'cdla-sharing-1.0',
  'cdla-permissive-1.0',
  'cdla-permissive-2.0',
  'wtfpl',
  'ecl-2.0',
  'epl-1.0',
  'epl-2.0',
  'etalab-2.0',
  'eupl-1.1',
  'eupl-1.2',
  'agpl-3.0',
  'gpl',
  'gpl-2.0',
  'gpl-3.0',
  'lgpl',
  'lgpl-2.1',
  'lgpl-3.0',
  'isc',
  'lppl-1.3c',
  'ms-pl',
  'mpl-2.0',
  'odc-by',
  'odbl',
  'osl-3.0',
  'postgresql',
  'ofl-1.1',
  'ncsa',
  'unlicense',
  'zlib',
  'pddl',
  'llama2',
  'llama3',
  'llama3.1',
  'llama3.2',
  'llama3.3',
  'llama4',
  'gemma',
]);

/** Hub ids whose grant is for non-commercial use only. */
const NON_COMMERCIAL: ReadonlySet<string> = new Set([
  'cc-by-nc-2.0',
  'cc-by-nc-3.0',
  'cc-by-nc-4.0',
  'cc-by-nc-nd-3.0',
  'cc-by-nc-nd-4.0',
  'cc-by-nc-sa-2.0',
  'cc-by-nc-sa-3.0',
  'cc-by-nc-sa-4.0',
  'fair-noncommercial-research-license',
  'deepfloyd-if-license',
]);

/** Whether a licence allows commercial use: true, false, or undefined when we do not know (`other`, `unknown`). */
export function allowsCommercialUse(id: string, otherName?: unknown): boolean | undefined {
  if (COMMERCIAL_USE_ALLOWED.has(id)) return true;
  if (NON_COMMERCIAL.has(id)) return false;
  const terms = licenseTermsOf(id, otherName);
  if (terms?.obligations.includes('non-commercial')) return false;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Base models
// ---------------------------------------------------------------------------------------------------------

export interface BaseModelEntry {
  /** Matched against the whole normalised repository id, without case. */
  readonly pattern: RegExp;
  /** The family, for messages: "Llama 3", "Stable Diffusion 2". */
  readonly family: string;
  /** The Hub licence id of the base, or `other` (then `licenseName`). */
  readonly license: string;
  readonly licenseName?: string;
  /** Where the licence fact comes from. */
  readonly source: string;
}

/**
 * Base models and their licences, as their own Hub cards declare them (`license:` of the repository named),
 * unless the comment says otherwise. Order matters only where patterns overlap: the first match wins.
 * Deliberately left out (unsure or mixed): facebook/opt-* (the Hub cards changed licence over time),
 * openai/clip-* (the Hub cards declare none; the GitHub repository is MIT), most of Qwen1/1.5 and
 * deepseek-ai (per-model licences), Falcon 2/3.
 */
export const BASE_MODELS: readonly BaseModelEntry[] = [
  // Meta. The Hub cards of each repository; Code Llama and Llama Guard 1 were released under Llama 2's licence.
  {
    pattern: /^meta-llama\/(?:llama-2-|codellama-|llamaguard-7b)/i,
    family: 'Llama 2',
    license: 'llama2',
    source: 'meta-llama/Llama-2-7b-hf and CodeLlama cards: license: llama2',
  },
  {
    pattern: /^codellama\/codellama-/i,
    family: 'Code Llama',
    license: 'llama2',
    source: 'codellama/CodeLlama-7b-hf card: license: llama2',
  },
  {
    pattern: /^meta-llama\/(?:meta-llama-3-|meta-llama-guard-2-)/i,
    family: 'Llama 3',
    license: 'llama3',
    source: 'meta-llama/Meta-Llama-3-8B card: license: llama3',
  },
  {
    pattern: /^meta-llama\/(?:meta-)?llama-3\.1-|^meta-llama\/llama-guard-3-8b/i,
    family: 'Llama 3.1',
    license: 'llama3.1',
    source: 'meta-llama/Llama-3.1-8B card: license: llama3.1',
  },
  {
    pattern: /^meta-llama\/llama-3\.2-|^meta-llama\/llama-guard-3-(?:1b|11b)/i,
    family: 'Llama 3.2',
    license: 'llama3.2',
    source: 'meta-llama/Llama-3.2-1B card: license: llama3.2',
  },
  {
    pattern: /^meta-llama\/llama-3\.3-/i,
    family: 'Llama 3.3',
    license: 'llama3.3',
    source: 'meta-llama/Llama-3.3-70B-Instruct card: license: llama3.3',
  },
  {
    pattern: /^meta-llama\/llama-4-/i,
    family: 'Llama 4',
    license: 'llama4',
    source: 'meta-llama/Llama-4-Scout-17B-16E card: license: llama4',
  },
  // LLaMA 1 weights re-uploaded; Meta released them under a non-commercial research licence.
  {
    pattern: /^huggyllama\/llama-/i,
    family: 'LLaMA (1)',
    license: 'other',
    licenseName: 'llama-1-noncommercial',
    source: 'meta-llama/llama MODEL_CARD.md@53011c3: "Non-commercial bespoke license"',
  },
  // Google. gemma-scope (sparse autoencoders, CC-BY-4.0) does not start with a version, so it is not matched.
  {
    pattern: /^google\/(?:gemma-(?:\d|1\.1-)|codegemma-|recurrentgemma-|paligemma|shieldgemma-)/i,
    family: 'Gemma',
    license: 'gemma',
    source: 'google/gemma-7b and google/gemma-2-9b cards: license: gemma',
  },
  {
    pattern: /^google\/flan-t5-|^google-t5\/t5-|^t5-(?:small|base|large|3b|11b)$/i,
    family: 'T5',
    license: 'apache-2.0',
    source: 'google/flan-t5-base and google-t5/t5-base cards: license: apache-2.0',
  },
  {
    pattern: /^(?:google-bert\/)?bert-(?:base|large)-/i,
    family: 'BERT',
    license: 'apache-2.0',
    source: 'google-bert/bert-base-uncased card: license: apache-2.0',
  },
  {
    pattern: /^(?:distilbert\/)?distilbert-base-|^(?:distilbert\/)?distilgpt2$/i,
    family: 'DistilBERT',
    license: 'apache-2.0',
    source: 'distilbert/distilbert-base-uncased card: license: apache-2.0',
  },
  {
    pattern: /^(?:FacebookAI\/)?roberta-(?:base|large)$/i,
    family: 'RoBERTa',
    license: 'mit',
    source: 'FacebookAI/roberta-base card: license: mit',
  },
  // OpenAI.
  {
    pattern: /^(?:openai-community\/)?(?:gpt2(?:-medium|-large|-xl)?|openai-gpt)$/i,
    family: 'GPT-2',
    license: 'mit',
    source: 'openai-community/gpt2 card: license: mit',
  },
  {
    pattern: /^openai\/whisper-/i,
    family: 'Whisper',
    license: 'apache-2.0',
    source: 'openai/whisper-large-v3 card: license: apache-2.0',
  },
  // Mistral AI: Apache-2.0 for the open-weight releases; research/non-production licences for some.
  {
    pattern:
      /^mistralai\/(?:mistral-7b-|mixtral-8x7b-|mixtral-8x22b-|mistral-nemo-(?:base|instruct)-2407|mistral-small-24b-(?:base|instruct)-2501)/i,
    family: 'Mistral',
    license: 'apache-2.0',
    source: 'mistralai/Mistral-7B-v0.1 and Mixtral-8x7B-v0.1 cards: license: apache-2.0',
  },
  {
    pattern:
      /^mistralai\/(?:mistral-large-instruct-2407|ministral-8b-instruct-2410|mistral-small-instruct-2409)$/i,
    family: 'Mistral (research licence)',
    license: 'other',
    licenseName: 'mrl',
    source: 'mistralai/Ministral-8B-Instruct-2410 card: license: other, license_name: mrl',
  },
  {
    pattern: /^mistralai\/codestral-22b-v0\.1$/i,
    family: 'Codestral',
    license: 'other',
    licenseName: 'mnpl',
    source: 'mistralai/Codestral-22B-v0.1 card: license: other, license_name: mnpl',
  },
  // TII Falcon: 7B and 40B were relabelled Apache-2.0 (2023-05-31); 180B has its own licence.
  {
    pattern: /^tiiuae\/falcon-(?:7b|40b)(?:-instruct)?$/i,
    family: 'Falcon',
    license: 'apache-2.0',
    source: 'tiiuae/falcon-7b card: license: apache-2.0',
  },
  {
    pattern: /^tiiuae\/falcon-180b(?:-chat)?$/i,
    family: 'Falcon 180B',
    license: 'other',
    licenseName: 'falcon-180b-license',
    source: 'tiiuae/falcon-180B card: "Falcon-180B TII License"',
  },
  // BigScience.
  {
    pattern: /^bigscience\/bloom/i,
    family: 'BLOOM',
    license: 'bigscience-bloom-rail-1.0',
    source: 'bigscience/bloom card: license: bigscience-bloom-rail-1.0',
  },
  // Stable Diffusion: 1.x under CreativeML OpenRAIL-M, 2.x and SDXL 1.0 under Open RAIL++-M.
  {
    pattern:
      /^(?:compvis\/stable-diffusion-v1-\d|runwayml\/stable-diffusion-(?:v1-5|inpainting)|stable-diffusion-v1-5\/stable-diffusion-)/i,
    family: 'Stable Diffusion 1',
    license: 'creativeml-openrail-m',
    source: 'CompVis/stable-diffusion-v1-4 card: license: creativeml-openrail-m',
  },
  {
    pattern:
      /^stabilityai\/(?:stable-diffusion-2|stable-diffusion-x4-upscaler|stable-diffusion-xl-(?:base|refiner)-1\.0)/i,
    family: 'Stable Diffusion 2 / XL',
    license: 'openrail++',
    source: 'stabilityai/stable-diffusion-2-1 and stable-diffusion-xl-base-1.0 cards: license: openrail++',
  },
  // Qwen: Qwen2 and Qwen2.5 are Apache-2.0 except the 3B (research licence) and 72B (Qwen licence); Qwen3 is Apache-2.0.
  {
    pattern: /^qwen\/qwen3-/i,
    family: 'Qwen3',
    license: 'apache-2.0',
    source: 'Qwen/Qwen3-8B card: license: apache-2.0',
  },
  {
    pattern: /^qwen\/qwen2\.5-(?:0\.5b|1\.5b|7b|14b|32b)(?:-instruct)?$/i,
    family: 'Qwen2.5',
    license: 'apache-2.0',
    source: 'Qwen/Qwen2.5-7B-Instruct card: license: apache-2.0',
  },
  {
    pattern: /^qwen\/qwen2\.5-3b(?:-instruct)?$/i,
    family: 'Qwen2.5 3B',
    license: 'other',
    licenseName: 'qwen-research',
    source: 'Qwen/Qwen2.5-3B-Instruct card: license: other, license_name: qwen-research',
  },
  {
    pattern: /^qwen\/qwen2\.5-72b(?:-instruct)?$/i,
    family: 'Qwen2.5 72B',
    license: 'other',
    licenseName: 'qwen',
    source: 'Qwen/Qwen2.5-72B-Instruct card: license: other, license_name: qwen',
  },
  // Microsoft Phi: phi-1_5 and phi-2 were relicensed MIT (2024-01); Phi-3, 3.5 and 4 were released MIT.
  {
    pattern: /^microsoft\/phi-/i,
    family: 'Phi',
    license: 'mit',
    source: 'microsoft/phi-2 and microsoft/Phi-3-mini-4k-instruct cards: license: mit',
  },
  // EleutherAI.
  {
    pattern: /^eleutherai\/(?:gpt-j-6b|gpt-neox-20b|pythia-)/i,
    family: 'EleutherAI',
    license: 'apache-2.0',
    source: 'EleutherAI/gpt-j-6b and pythia cards: license: apache-2.0',
  },
  {
    pattern: /^eleutherai\/gpt-neo-(?:125m|1\.3b|2\.7b)$/i,
    family: 'GPT-Neo',
    license: 'mit',
    source: 'EleutherAI/gpt-neo-1.3B card: license: mit',
  },
  // DeepSeek: R1 and V3-0324 were released MIT (weights and code).
  {
    pattern: /^deepseek-ai\/(?:deepseek-r1|deepseek-v3-0324)$/i,
    family: 'DeepSeek',
    license: 'mit',
    source: 'deepseek-ai/DeepSeek-R1 card: license: mit',
  },
];

/** Longest repository id considered (`owner/name`, each at most 96 characters on the Hub). */
const MAX_MODEL_ID_CHARS = 200;

/**
 * A `base_model` value as a repository id: trimmed, without a `https://huggingface.co/` or `hf.co/` prefix,
 * a trailing slash or a `/tree/...` path. Undefined when it is not an id.
 */
export function normalizeModelId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_MODEL_ID_CHARS) return undefined;
  const id = value
    .trim()
    .replace(/^(?:https?:\/\/)?(?:www\.)?(?:huggingface\.co|hf\.co)\//i, '')
    .replace(/\/(?:tree|blob|resolve)\/.*$/, '')
    .replace(/\/+$/, '');
  return /^[\w.-]{1,96}(?:\/[\w.-]{1,96})?$/.test(id) ? id : undefined;
}

/** The base model entry for a repository id (any `base_model` value), or undefined when it is not known. */
export function lookupBaseModel(value: unknown): BaseModelEntry | undefined {
  const id = normalizeModelId(value);
  if (id === undefined) return undefined;
  return BASE_MODELS.find((entry) => entry.pattern.test(id));
}
