import { CARD_RULES } from '../cards/rules/index.js';
import type { RuleDescriptor } from '../core/rules.js';
import { BASELINE_RULES } from '../deps/baseline-rules.js';
import { DEPS_RULES } from '../deps/rules.js';
import { ARCHIVE_RULES } from './archive/rules.js';
import { EXECUTABLE_RULES } from './executable/rules.js';
import { GGUF_RULES } from './gguf/rules.js';
import { HF_RULES } from './hf/rules.js';
import { KERAS_RULES } from './keras/rules.js';
import { ONNX_RULES } from './onnx/rules.js';
import { PICKLE_RULES } from './pickle/rules.js';
import { SCAN_RULES } from './rules.js';
import { SAFETENSORS_RULES } from './safetensors/rules.js';
import { SAVEDMODEL_RULES } from './savedmodel/rules.js';
import { SKOPS_RULES } from './skops/rules.js';
import { TEMPLATE_RULES } from './template/rules.js';

/** Every rule the scanner can raise, sorted by id: what SARIF's `tool.driver.rules` and the README list. */
export const ALL_RULES: readonly RuleDescriptor[] = [
  ...Object.values(SCAN_RULES),
  ...Object.values(PICKLE_RULES),
  ...Object.values(ARCHIVE_RULES),
  ...Object.values(SAFETENSORS_RULES),
  ...Object.values(EXECUTABLE_RULES),
  ...Object.values(HF_RULES),
  ...Object.values(TEMPLATE_RULES),
  ...Object.values(GGUF_RULES),
  ...Object.values(SAVEDMODEL_RULES),
  ...Object.values(KERAS_RULES),
  ...Object.values(SKOPS_RULES),
  ...Object.values(ONNX_RULES),
  ...Object.values(DEPS_RULES),
  ...Object.values(BASELINE_RULES),
  ...CARD_RULES,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const BY_ID = new Map(ALL_RULES.map((r) => [r.id, r]));

export function ruleById(id: string): RuleDescriptor | undefined {
  return BY_ID.get(id);
}
