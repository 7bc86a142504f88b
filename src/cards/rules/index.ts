import type { RuleDescriptor } from '../../core/rules.js';
import type { CardCheck } from '../audit/types.js';
import { CARD_DATASET_RULES, checkDataset } from './dataset.js';
import { CARD_EVALUATION_RULES, checkEvaluation } from './evaluation.js';
import { CARD_FILE_RULES } from './files.js';
import { CARD_LICENSE_RULES, checkLicense } from './license.js';
import { CARD_METADATA_RULES, checkMetadata } from './metadata.js';
import { CARD_PROVENANCE_RULES, checkProvenance } from './provenance.js';
import { CARD_SECTION_RULES, checkSections } from './sections.js';
import { CARD_USE_RULES, checkUse } from './use.js';

const rulesOf = (rules: Readonly<Record<string, RuleDescriptor>>): RuleDescriptor[] => Object.values(rules);

/** Every rule the card audit can raise (CARD-...), sorted by id. */
export const CARD_RULES: readonly RuleDescriptor[] = [
  ...rulesOf(CARD_FILE_RULES),
  ...rulesOf(CARD_METADATA_RULES),
  ...rulesOf(CARD_SECTION_RULES),
  ...rulesOf(CARD_LICENSE_RULES),
  ...rulesOf(CARD_PROVENANCE_RULES),
  ...rulesOf(CARD_EVALUATION_RULES),
  ...rulesOf(CARD_USE_RULES),
  ...rulesOf(CARD_DATASET_RULES),
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** The checks, run in this order; each is independent of the others. */
export const CARD_CHECKS: readonly CardCheck[] = [
  checkMetadata,
  checkSections,
  checkLicense,
  checkProvenance,
  checkEvaluation,
  checkUse,
  checkDataset,
];
