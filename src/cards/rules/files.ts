import type { RuleDescriptor } from '../../core/rules.js';

/** Rules about finding and reading cards (the audit's own rules are in rules/). */
export const CARD_FILE_RULES = {
  missing: {
    id: 'CARD-MISSING',
    title: 'Model or dataset without a card',
    description:
      'A folder holds model weights but no model card (README.md, MODEL_CARD.md or model_card.md) in it or above it: nothing says what the model is for, what it was trained on or under which licence it may be used.',
    help: 'Write a card (`pedigree card init` writes a skeleton filled with what the files say), or point to it.',
    defaultSeverity: 'low',
    references: ['https://huggingface.co/docs/hub/model-cards'],
    tags: ['card', 'completeness'],
  },
  unreadable: {
    id: 'CARD-READ-ERROR',
    title: 'Card could not be read',
    description:
      'The card file could not be opened or read, so it was not audited. It is not reported as complete.',
    help: 'Check permissions and that the file still exists, then audit again.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['card', 'not-analysed'],
  },
  foundConfig: {
    id: 'CARD-CONFIG',
    title: 'Card settings from a configuration file in the audited folder',
    description:
      'A pedigree.yaml found in the audited folder (not given with --config) set the card audit. Whoever controls the folder controls it, so only settings that make the audit stricter are honoured: a higher minimum score, more required sections, higher severities. Rules it disables and severities it lowers are ignored and listed.',
    help: 'Review the file; pass it with --config once you trust it, or use --no-config to ignore it.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['card', 'configuration'],
  },
} as const satisfies Record<string, RuleDescriptor>;
