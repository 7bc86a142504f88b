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
    title: 'Chat template could not be fully analysed',
    description:
      "Part or all of the chat template was not analysed structurally: tags pedigree's Jinja parser (@huggingface/jinja, a subset of Jinja) refuses were left out and the rest analysed, or Jinja itself refuses the template, or it exceeds the size or syntax-node limit. What was left out was searched token by token and as text for injection markers. Python's Jinja may accept tags the parser refuses.",
    help: 'Read the template before serving the model, and render templates only in a sandboxed environment.',
    defaultSeverity: 'medium',
    references: [SANDBOX],
    tags: ['chat-template', 'not-analysed'],
  },
} as const satisfies Record<string, RuleDescriptor>;
