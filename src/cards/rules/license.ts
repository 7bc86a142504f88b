import type { RuleDescriptor } from '../../core/rules.js';
import type { CardCheck } from '../audit/types.js';

export const CARD_LICENSE_RULES = {} as const satisfies Record<string, RuleDescriptor>;

export const checkLicense: CardCheck = () => [];
