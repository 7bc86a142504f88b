import type { RuleDescriptor } from '../../core/rules.js';
import type { CardCheck } from '../audit/types.js';

export const CARD_USE_RULES = {} as const satisfies Record<string, RuleDescriptor>;

export const checkUse: CardCheck = () => [];
