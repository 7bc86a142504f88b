/**
 * Validation of pedigree.yaml: loaded only when a configuration file exists, because zod and yaml cost
 * more start-up time than the rest of a typical scan (BENCHMARKS.md).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeError, UsageError } from '../core/errors.js';
import { SEVERITIES } from '../core/finding.js';

/** A pickle global pattern: `module.Name`, or `module.*` for every top-level name of a module. */
const GLOBAL_PATTERN = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*\.(\*|[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*)$/;

/** An ISO 8601 calendar date, `YYYY-MM-DD` (YAML 1.2 keeps it a string with the `yaml` package). */
const ISO_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** `deps:` — the dependency policy (`pedigree deps`). */
const depsSchema = z.strictObject({
  /** Severity of advisories with no CVSS vector and no rating. */
  unknownSeverity: z.enum(SEVERITIES).optional(),
  /** The advisory data is stale when its newest record is older than this. */
  maxDbAgeDays: z.number().int().nonnegative().optional(),
  /** Accepted vulnerabilities: each needs a reason, an owner and an expiry; an expired one stops applying. */
  ignore: z
    .array(
      z.strictObject({
        /** Any id or alias of the vulnerability (GHSA, PYSEC, CVE, ...). */
        id: z.string().min(1),
        /** Only for this package (normalised name); every package when absent. */
        package: z.string().min(1).optional(),
        reason: z.string().min(1),
        owner: z.string().min(1),
        expires: ISO_DATE,
      }),
    )
    .optional(),
  /** Days from an advisory's publication within which a fix must be applied, by severity. */
  deadlines: z.partialRecord(z.enum(SEVERITIES), z.number().int().nonnegative()).optional(),
  /** SPDX licence rules for packages whose lockfile or metadata states a licence. */
  licenses: z
    .strictObject({
      allow: z.array(z.string().min(1)).optional(),
      deny: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  /** The approved baseline that `pedigree deps check` compares against. */
  baseline: z
    .strictObject({
      /** Where `pedigree deps approve` writes it, relative to the configuration file (default pedigree-baseline.json). */
      file: z.string().min(1).optional(),
      /** Packages whose change needs a new approval: `all`, or names (normalised per ecosystem). */
      critical: z.union([z.literal('all'), z.array(z.string().min(1))]).optional(),
    })
    .optional(),
});

export type DepsPolicy = z.infer<typeof depsSchema>;

/** A completeness threshold, 0-100. */
const SCORE = z.number().int().min(0).max(100);

/** `cards:` — the card audit (`pedigree card audit`, and the cards `pedigree scan` meets). */
const cardsSchema = z.strictObject({
  /** Minimum completeness score (README "Card completeness score"): one number, or per kind. */
  minScore: z
    .union([SCORE, z.strictObject({ model: SCORE.optional(), dataset: SCORE.optional() })])
    .optional(),
  /** Topics every card must cover with content (README lists them), e.g. `limitations`, `evaluation-results`. */
  require: z
    .array(z.string().regex(/^[a-z]+(?:-[a-z]+)*$/, 'expected a topic such as `limitations`'))
    .optional(),
  /** Card rules not to report. */
  disable: z
    .array(z.string().regex(/^CARD-[A-Z0-9-]+$/, 'expected a rule id such as CARD-CITATION-MISSING'))
    .optional(),
  /** Severity per card rule. */
  severity: z
    .record(
      z.string().regex(/^CARD-[A-Z0-9-]+$/, 'expected a rule id such as CARD-CITATION-MISSING'),
      z.enum(SEVERITIES),
    )
    .optional(),
});

export type CardsPolicy = z.infer<typeof cardsSchema>;

/** A metric tolerance: numpy.isclose's rule, |re-run − recorded| ≤ absolute + relative × |recorded|. */
const toleranceSchema = z.strictObject({
  absolute: z.number().nonnegative().optional(),
  relative: z.number().nonnegative().optional(),
});

/** `repro:` — when a re-run (`pedigree repro`) whose outputs differ is still `equivalent`. */
const reproSchema = z.strictObject({
  /** For every metric without its own entry (none: metrics must be equal). */
  tolerance: toleranceSchema.optional(),
  /** Per metric: the recorded dotted name (`eval.accuracy`), or a pattern where `*` stands for any characters. */
  metrics: z.record(z.string().min(1), toleranceSchema).optional(),
  /** Metrics not compared (names or `*` patterns): timings, throughput. */
  ignore: z.array(z.string().min(1)).optional(),
});

export type ReproPolicy = z.infer<typeof reproSchema>;

const configSchema = z.strictObject({
  failOn: z.enum([...SEVERITIES, 'none'] as const).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  pickle: z
    .strictObject({
      allow: z.array(z.string().regex(GLOBAL_PATTERN, 'expected `module.Name` or `module.*`')).optional(),
    })
    .optional(),
  deps: depsSchema.optional(),
  cards: cardsSchema.optional(),
  repro: reproSchema.optional(),
});

export type PedigreeConfig = z.infer<typeof configSchema>;

/** Parses and validates pedigree.yaml text; every problem is listed in the error, unknown keys included. */
export function parseConfig(text: string, file: string): PedigreeConfig {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new UsageError('BAD_CONFIG', `${file}: not valid YAML: ${describeError(error)}`, { cause: error });
  }
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `${where}: ${issue.message}`;
    });
    throw new UsageError('BAD_CONFIG', `${file}: invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
