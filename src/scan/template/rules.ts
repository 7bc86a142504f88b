import type { RuleDescriptor } from '../../core/rules.js';

const CVE = 'https://nvd.nist.gov/vuln/detail/CVE-2024-34359';
const SANDBOX = 'https://jinja.palletsprojects.com/en/stable/sandbox/';

/** Rules raised by the chat template analysis. */
export const TEMPLATE_RULES = {
  injection: {
    id: 'TEMPLATE-INJECTION',
    title: 'Chat template reaches Python internals',
    description:
      'A Jinja chat template uses server-side template injection constructs: dunder attributes (`__class__`, `__globals__`, `__subclasses__`, `__builtins__`), the `attr` filter or computed keys that reach them, strings built to spell them, or Jinja globals (`cycler`, `joiner`, `lipsum`, `self`) whose internals lead to the interpreter. Servers that render the template outside a sandbox run code (CVE-2024-34359, llama-cpp-python). Chat templates never need any of this.',
    help: 'Do not serve this model with this template. Remove or replace the template, and render templates only in jinja2.sandbox.ImmutableSandboxedEnvironment.',
    defaultSeverity: 'critical',
    references: [CVE, SANDBOX],
    tags: ['security', 'chat-template', 'code-execution'],
  },
  unparsed: {
    id: 'TEMPLATE-UNPARSED',
    title: 'Chat template could not be parsed',
    description:
      "The chat template does not parse with pedigree's Jinja parser (@huggingface/jinja, a subset of Jinja), so its structure was not analysed; a text search for injection markers still ran. Python's Jinja may accept it.",
    help: 'Read the template before serving the model, and render templates only in a sandboxed environment.',
    defaultSeverity: 'medium',
    references: [SANDBOX],
    tags: ['chat-template', 'not-analysed'],
  },
} as const satisfies Record<string, RuleDescriptor>;
