import type { RuleDescriptor } from '../../core/rules.js';

const SPEC = 'https://github.com/ggml-org/ggml/blob/master/docs/gguf.md';
const LOADER = 'https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/gguf.cpp';

/** Rules raised by the GGUF analysis. */
export const GGUF_RULES = {
  malformed: {
    id: 'GGUF-MALFORMED',
    title: 'GGUF file could not be fully read',
    description:
      "The GGUF header is truncated or corrupt, over one of pedigree's limits, of a version pedigree does not read, or names a tensor type whose size pedigree does not know: what follows the problem (or the layout around that tensor) was not analysed. Metadata read before the problem, such as a chat template, is still reported.",
    help: 'Re-download the file from its source. If it stays unreadable, do not serve it: llama.cpp refuses most such files, but other GGUF readers may read them differently.',
    defaultSeverity: 'medium',
    references: [SPEC, LOADER],
    tags: ['gguf', 'not-analysed'],
  },
  structure: {
    id: 'GGUF-STRUCTURE',
    title: 'Unusual GGUF structure',
    description:
      'The tensor layout or header is not what GGUF writers produce. High when bytes belong to no tensor (gaps between tensors, data after the last one): every loader skips them, which is where a polyglot hides a payload; they are analysed by content. Medium for misaligned, overlapping or out-of-file tensors, oversized padding, duplicate keys or tensor names and values llama.cpp refuses: readers then disagree on what the file holds.',
    help: 'Do not trust this file: llama.cpp and gguf-py never write gaps, trailing data or duplicates. Obtain it again from a trusted source, or rewrite it with gguf-py and compare.',
    defaultSeverity: 'medium',
    references: [SPEC, LOADER],
    tags: ['security', 'gguf', 'evasion'],
  },
  chatTemplate: {
    id: 'GGUF-CHAT-TEMPLATE',
    title: 'GGUF chat template key holds no template text',
    description:
      'A metadata key that names a chat template (`tokenizer.chat_template`, or a named `tokenizer.chat_template.<name>`) holds something other than a string, so it cannot be analysed as a template; readers may still use it. (String templates are analysed: see TEMPLATE-INJECTION.)',
    help: 'Read the template before serving the model. Render templates only in a sandboxed Jinja environment (jinja2.sandbox.ImmutableSandboxedEnvironment); look for dunder attributes (`__class__`, `__globals__`, `__subclasses__`), `cycler`/`joiner`/`namespace` and string-building that hides them.',
    defaultSeverity: 'medium',
    references: [SPEC, 'https://nvd.nist.gov/vuln/detail/CVE-2024-34359'],
    tags: ['security', 'gguf', 'chat-template', 'not-analysed'],
  },
} as const satisfies Record<string, RuleDescriptor>;
