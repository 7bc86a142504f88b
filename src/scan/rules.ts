import type { RuleDescriptor } from '../core/rules.js';

/** Rules about the scan itself: what could not be analysed, and why. */
export const SCAN_RULES = {
  analysisError: {
    id: 'SCAN-ERROR',
    title: 'File could not be analysed',
    description:
      'An analyser failed on this file or member. It is not reported clean: nothing in it was checked after the failure.',
    help: 'Check the file is complete and readable, then scan again. Report a bug to pedigree if the file is valid.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed'],
  },
  foundConfig: {
    id: 'SCAN-CONFIG',
    title: 'Configuration file from the scanned folder applied',
    description:
      'A pedigree.yaml found in the scanned folder (not given with --config) changed the scan: whoever controls the folder can use it to exclude files, allow their own pickle globals or lower the threshold. Its threshold is only honoured when stricter than the default, and everything it changed is listed.',
    help: 'Review what the file changes, above all excluded files and allowlist entries. Scan with --no-config to ignore it, or pass it with --config once you trust it.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['security', 'configuration'],
  },
  nestingLimit: {
    id: 'SCAN-NESTING-LIMIT',
    title: 'Containers nested too deeply',
    description:
      'Archives inside archives beyond the nesting limit are not opened, which stops recursion bombs; their content was not analysed.',
    help: 'Unpack the outer archives yourself and scan the inner files, or raise the limit if you trust the source.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed', 'archive'],
  },
  unrecognised: {
    id: 'SCAN-UNRECOGNISED',
    title: 'Content matches no known format',
    description:
      'The file is named like a model or archive, but its content matches no format pedigree knows. Loaders that trust the name may still read it.',
    help: 'Check what the file really is; a model file that is not one of the known formats cannot be vouched for.',
    defaultSeverity: 'info',
    references: [],
    tags: ['inventory'],
  },
  unsupported: {
    id: 'SCAN-UNSUPPORTED',
    title: 'Format recognised but not analysed',
    description: 'pedigree recognises this format but cannot look inside it yet, so it was not analysed.',
    help: 'Convert or unpack the file with a trusted tool and scan the result.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed'],
  },
  symlinkOutside: {
    id: 'SCAN-SYMLINK-OUTSIDE-ROOT',
    title: 'Symbolic link leaves the scanned folder',
    description:
      'A symbolic link points outside the scanned folder. It was not followed; a loader that follows it reads a file nobody reviewed (for example /etc/passwd or a home directory).',
    help: 'Remove the link or replace it with the file it should point to.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['security', 'filesystem'],
  },
  unreadable: {
    id: 'SCAN-UNREADABLE',
    title: 'File could not be read',
    description: 'The file could not be opened or read, so it was not analysed.',
    help: 'Check permissions and that the file still exists, then scan again.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed'],
  },
} as const satisfies Record<string, RuleDescriptor>;
