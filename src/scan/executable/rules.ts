import type { RuleDescriptor } from '../../core/rules.js';

/** Rules for programs found among model files. */
export const EXECUTABLE_RULES = {
  executable: {
    id: 'EXECUTABLE-FILE',
    title: 'Executable or script among model files',
    description:
      'A native executable or shared library (ELF, PE, Mach-O: high) or a `#!` script (medium) is shipped with the model. Weights never need one; remote-code modules, loaders of custom ops and users running setup steps can execute it.',
    help: 'Find out why the model ships a program. Do not run or load it unless you trust its publisher and can build it from source.',
    defaultSeverity: 'high',
    references: ['https://huggingface.co/docs/hub/security'],
    tags: ['security', 'executable'],
  },
} as const satisfies Record<string, RuleDescriptor>;
