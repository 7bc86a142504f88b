import type { RuleDescriptor } from '../core/rules.js';

const HELP_APPROVE =
  'If the change is intended, review it and record it with `pedigree deps approve` (commit the new baseline); otherwise revert the manifest or lockfile.';
const SEVERITY_NOTE =
  'High for packages the policy marks critical (`deps.baseline.critical`, every package by default), info for the others so the report still shows them.';

/** Rules `pedigree deps check` raises when the resolved dependencies differ from the approved baseline. */
export const BASELINE_RULES = {
  added: {
    id: 'DEP-BASELINE-ADDED',
    title: 'Dependency added since the approved baseline',
    description: `A package is declared that the approved baseline does not list for that file. ${SEVERITY_NOTE}`,
    help: HELP_APPROVE,
    defaultSeverity: 'high',
    references: [],
    tags: ['dependencies', 'baseline', 'supply-chain'],
  },
  removed: {
    id: 'DEP-BASELINE-REMOVED',
    title: 'Dependency removed since the approved baseline',
    description: `A package the approved baseline lists for a file is no longer declared there. ${SEVERITY_NOTE}`,
    help: HELP_APPROVE,
    defaultSeverity: 'high',
    references: [],
    tags: ['dependencies', 'baseline', 'supply-chain'],
  },
  version: {
    id: 'DEP-BASELINE-VERSION',
    title: 'Dependency version changed since the approved baseline',
    description: `A package's version (or, when it is not pinned, its requirement) differs from the approved one; the message also lists the source and hash changes that came with it. ${SEVERITY_NOTE}`,
    help: HELP_APPROVE,
    defaultSeverity: 'high',
    references: [],
    tags: ['dependencies', 'baseline', 'supply-chain'],
  },
  source: {
    id: 'DEP-BASELINE-SOURCE',
    title: 'Dependency source changed since the approved baseline',
    description: `A package now comes from somewhere else: another index or registry, URL, repository or commit, or local path (with a version change, only a change of kind, host or repository is reported here). ${SEVERITY_NOTE}`,
    help: `${HELP_APPROVE} A new index or host is how dependency-confusion and repository-takeover attacks arrive: check it is yours.`,
    defaultSeverity: 'high',
    references: ['https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610'],
    tags: ['dependencies', 'baseline', 'supply-chain'],
  },
  hash: {
    id: 'DEP-BASELINE-HASH',
    title: 'Dependency hashes changed without a version change',
    description: `The same version from the same source now has other artifact hashes (or none): the bytes installed are not the bytes approved. ${SEVERITY_NOTE}`,
    help: `Find out why the artifact changed before approving: a re-uploaded release or a tampered mirror look exactly like this. ${HELP_APPROVE}`,
    defaultSeverity: 'high',
    references: ['https://pip.pypa.io/en/stable/topics/secure-installs/'],
    tags: ['dependencies', 'baseline', 'supply-chain'],
  },
  marker: {
    id: 'DEP-BASELINE-MARKER',
    title: 'Dependency environment marker changed since the approved baseline',
    description: `A package's PEP 508 environment marker changed, so it is installed on other platforms or Python versions than approved. ${SEVERITY_NOTE}`,
    help: HELP_APPROVE,
    defaultSeverity: 'high',
    references: ['https://peps.python.org/pep-0508/#environment-markers'],
    tags: ['dependencies', 'baseline'],
  },
} as const satisfies Record<string, RuleDescriptor>;
