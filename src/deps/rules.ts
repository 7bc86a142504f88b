import type { RuleDescriptor } from '../core/rules.js';

const OSV = 'https://ossf.github.io/osv-schema/';

/** Rules `pedigree deps` raises. */
export const DEPS_RULES = {
  vulnerable: {
    id: 'DEP-VULN',
    title: 'Dependency with a known vulnerability',
    description:
      'A package pinned or locked at a version that an OSV advisory affects (listed in its versions, or inside an ECOSYSTEM range). Advisories that alias each other are one finding, all ids shown. Severity comes from the CVSS vector, else the advisory rating, else the configured severity for unrated advisories.',
    help: 'Upgrade to the fixed version shown (the smallest upgrade that clears every known vulnerability of the package is in the remediation), or record a reviewed ignore with an expiry.',
    defaultSeverity: 'high',
    references: [OSV, 'https://osv.dev/'],
    tags: ['security', 'dependencies', 'vulnerability'],
  },
  unresolved: {
    id: 'DEP-UNRESOLVED',
    title: 'Dependency without an exact version',
    description:
      'The file only constrains this package (a range, `*`, a URL, a path or a VCS reference), so which version is installed is not known and it is not matched. It is never guessed as vulnerable.',
    help: 'Scan a lockfile (uv.lock, poetry.lock, pylock.toml, a pip-compile output) to check the versions really installed.',
    defaultSeverity: 'info',
    references: ['https://pip.pypa.io/en/stable/topics/repeatable-installs/'],
    tags: ['dependencies'],
  },
  notChecked: {
    id: 'DEP-NOT-CHECKED',
    title: 'Dependency that could not be checked',
    description:
      'The package has a version that is not valid in its ecosystem (medium: fail closed, it is not reported clean), or belongs to an ecosystem with no advisory data (conda packages with no PyPI equivalent: info).',
    help: 'Fix the version string, or check the package by other means.',
    defaultSeverity: 'medium',
    references: ['https://peps.python.org/pep-0440/'],
    tags: ['dependencies', 'not-analysed'],
  },
  readProblem: {
    id: 'DEP-READ-ERROR',
    title: 'Dependency file could not be fully read',
    description:
      'A line or entry of a manifest or lockfile could not be read (malformed, over a limit, an include that could not be loaded); the rest of the file was read.',
    help: 'Fix the entry named; until then the packages it names are not checked.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['dependencies', 'not-analysed'],
  },
  staleDatabase: {
    id: 'DEP-DB-STALE',
    title: 'Vulnerability database is old',
    description:
      'The newest advisory in the database used is older than the configured age (7 days by default): vulnerabilities published since are not known to this run.',
    help: 'Run `pedigree db update` (or `pedigree db import` of a current OSV export).',
    defaultSeverity: 'low',
    references: ['https://google.github.io/osv.dev/data/'],
    tags: ['dependencies', 'database'],
  },
} as const satisfies Record<string, RuleDescriptor>;
