import type { RuleDescriptor } from '../core/rules.js';

const OSV = 'https://ossf.github.io/osv-schema/';
const SPDX_EXPRESSIONS = 'https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/';

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
  ignoreExpired: {
    id: 'DEP-IGNORE-EXPIRED',
    title: 'Vulnerability ignore has expired',
    description:
      'A `deps.ignore` entry of pedigree.yaml is past its `expires` date (compared as UTC calendar dates; the expiry day itself still applies). It no longer hides anything: the vulnerabilities it matched are reported again.',
    help: 'Upgrade the package, or review the risk again and set a new `expires` date (with the reason and owner up to date).',
    defaultSeverity: 'medium',
    references: [],
    tags: ['dependencies', 'policy'],
  },
  ignoreUnused: {
    id: 'DEP-IGNORE-UNUSED',
    title: 'Vulnerability ignore matches nothing',
    description:
      'A `deps.ignore` entry matches no vulnerability of any package read (by id or alias, and package when given): the package was upgraded or removed, or the entry is mistyped. Stale ignores could hide a later vulnerability with the same id.',
    help: 'Remove the entry, or correct its `id` or `package`.',
    defaultSeverity: 'low',
    references: [],
    tags: ['dependencies', 'policy'],
  },
  patchOverdue: {
    id: 'DEP-PATCH-OVERDUE',
    title: 'Vulnerability past its patch deadline',
    description:
      "A vulnerability (not ignored) was published longer ago than `deps.deadlines` allows for its severity. The finding has the vulnerability's severity and says when it was published, when the deadline passed and how many days overdue it is.",
    help: 'Apply the fix shown now, or record a reviewed ignore with an owner and an expiry.',
    defaultSeverity: 'high',
    references: [OSV],
    tags: ['dependencies', 'policy', 'vulnerability'],
  },
  patchUndated: {
    id: 'DEP-PATCH-UNDATED',
    title: 'Patch deadline cannot be computed',
    description:
      'A patch deadline is configured for the severity of a vulnerability whose advisories give no valid `published` date, so whether it is overdue is unknown. Low: the vulnerability itself is already reported at its own severity.',
    help: 'Check the advisory for its publication date and track the fix by hand.',
    defaultSeverity: 'low',
    references: [OSV],
    tags: ['dependencies', 'policy'],
  },
  licenseDenied: {
    id: 'DEP-LICENSE-DENIED',
    title: 'Dependency under a denied licence',
    description:
      "The package's declared SPDX licence expression cannot be satisfied without a licence on `deps.licenses.deny` (for `OR`, every choice includes a denied licence).",
    help: 'Replace the package, or get the licence approved and change the policy.',
    defaultSeverity: 'high',
    references: [SPDX_EXPRESSIONS],
    tags: ['dependencies', 'policy', 'license'],
  },
  licenseNotAllowed: {
    id: 'DEP-LICENSE-NOT-ALLOWED',
    title: 'Dependency licence not on the allow list',
    description:
      "The package's declared SPDX licence expression cannot be satisfied by the licences on `deps.licenses.allow` (leaving out denied ones).",
    help: 'Review the licence; add it to `deps.licenses.allow` if it is acceptable, or replace the package.',
    defaultSeverity: 'medium',
    references: [SPDX_EXPRESSIONS],
    tags: ['dependencies', 'policy', 'license'],
  },
  licenseUnknown: {
    id: 'DEP-LICENSE-UNKNOWN',
    title: 'Dependency licence is not an SPDX expression',
    description:
      'The licence the lockfile gives is not a valid SPDX licence expression (for example `UNLICENSED`, `SEE LICENSE IN ...`, a misspelt or lower-case id), so the licence rules cannot be evaluated for it.',
    help: "Read the package's licence and decide by hand; fix the licence upstream if it is yours.",
    defaultSeverity: 'low',
    references: [SPDX_EXPRESSIONS],
    tags: ['dependencies', 'policy', 'license'],
  },
  licenseMissing: {
    id: 'DEP-LICENSE-MISSING',
    title: 'Dependencies without licence information',
    description:
      'Licence rules are configured but some packages carry no licence in their manifest or lockfile (only npm lockfiles record one): one finding counts and names them; they are not checked.',
    help: "Check these packages' licences by other means (for example from the installed metadata).",
    defaultSeverity: 'info',
    references: [],
    tags: ['dependencies', 'policy', 'license'],
  },
  foundConfig: {
    id: 'DEP-CONFIG',
    title: 'Configuration file from the scanned folder applied',
    description:
      'A pedigree.yaml found in the scanned folder (not given with --config) changed the dependency check: whoever controls the folder can use it to ignore vulnerabilities. Its ignores are applied and every vulnerability they hid is listed; the finding has the highest severity among them, so no threshold passes that would fail without the file. Looser settings (threshold, unknown severity, database age) are not honoured.',
    help: 'Review the ignores listed. Run with --no-config to ignore the file, or pass it with --config once you trust it.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['security', 'configuration', 'dependencies'],
  },
} as const satisfies Record<string, RuleDescriptor>;
