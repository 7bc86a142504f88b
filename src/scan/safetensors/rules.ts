import type { RuleDescriptor } from '../../core/rules.js';

const SPEC = 'https://huggingface.co/docs/safetensors/index#format';

/** Rules raised by the safetensors analysis. */
export const SAFETENSORS_RULES = {
  header: {
    id: 'SAFETENSORS-HEADER',
    title: 'safetensors header is invalid',
    description:
      'The header is not what the safetensors format allows (length, UTF-8 JSON object, known dtypes, shapes, offsets, string-only metadata, unique keys). The reference reader refuses such a file; other readers may read it differently.',
    help: 'Re-download the file from its source; if it stays invalid, do not use it. Files written by the safetensors library are always valid.',
    defaultSeverity: 'medium',
    references: [SPEC],
    tags: ['safetensors', 'not-analysed'],
  },
  layout: {
    id: 'SAFETENSORS-LAYOUT',
    title: 'safetensors data hides bytes',
    description:
      "The tensors do not tile the file's byte buffer: bytes that belong to no tensor (gaps, data after the last tensor), overlapping tensors, or sizes that do not match. This is how a safetensors file becomes a polyglot carrying a pickle or an archive; those bytes are analysed by content.",
    help: 'Do not trust this file: a safetensors writer never leaves gaps or trailing data. Obtain the weights again from a trusted source.',
    defaultSeverity: 'high',
    references: [SPEC],
    tags: ['security', 'safetensors', 'evasion'],
  },
  metadata: {
    id: 'SAFETENSORS-METADATA',
    title: 'safetensors metadata carries code, commands, URLs or paths',
    description:
      'A `__metadata__` value holds Python code that imports modules or runs commands (high), shell commands, script markup or URLs (medium), or file paths (low). Nothing in safetensors runs them, but tools that act on metadata or show it in a web page may.',
    help: 'Check why the metadata holds this; tools should never evaluate metadata.',
    defaultSeverity: 'low',
    references: [SPEC],
    tags: ['security', 'safetensors'],
  },
} as const satisfies Record<string, RuleDescriptor>;
