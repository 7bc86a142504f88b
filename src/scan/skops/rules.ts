import type { RuleDescriptor } from '../../core/rules.js';

const SKOPS_DOCS = 'https://skops.readthedocs.io/en/stable/persistence.html';

/** Rules for skops archives (`.skops`: a zip whose schema.json lists the objects skops.io.load constructs). */
export const SKOPS_RULES = {
  untrustedType: {
    id: 'SKOPS-UNTRUSTED-TYPE',
    title: 'skops file needs types you must trust',
    description:
      'skops.io.load constructs only the types it trusts by default (scikit-learn estimators, NumPy and SciPy arrays, builtin containers); any other type in schema.json makes it refuse unless you pass it in `trusted=`. Passing them on (or `get_untrusted_types()` wholesale) lets the file construct those objects and call their `__setstate__`, and for known-dangerous callables (os, subprocess, builtins.eval, operator.methodcaller ...) run code.',
    help: 'Read the listed types before trusting any of them; never pass the output of get_untrusted_types() unreviewed. Treat files naming dangerous callables as malicious.',
    defaultSeverity: 'medium',
    references: [SKOPS_DOCS, 'https://nvd.nist.gov/vuln/detail/CVE-2024-37065'],
    tags: ['security', 'skops', 'code-execution'],
  },
  malformed: {
    id: 'SKOPS-MALFORMED',
    title: 'skops schema could not be fully read',
    description:
      'schema.json is not valid JSON, is nested or sized beyond the limits, or has nodes skops cannot load. What could be read was checked; the rest was not.',
    help: 'Do not load the file; re-create it with skops.io.dump from a trusted environment.',
    defaultSeverity: 'medium',
    references: [SKOPS_DOCS],
    tags: ['skops', 'not-analysed'],
  },
} as const satisfies Record<string, RuleDescriptor>;
