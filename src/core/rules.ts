import type { Severity } from './finding.js';

/**
 * Static description of a rule, for help text (SARIF `reportingDescriptor`, README tables).
 * Each analyser exports the descriptors of the rules it can raise; the CLI hands them to the renderers.
 */
export interface RuleDescriptor {
  readonly id: string;
  /** Short name, e.g. "Dangerous import in pickle". */
  readonly title: string;
  /** One or two sentences: what the rule detects and why it matters. */
  readonly description: string;
  /** What to do about it (Markdown allowed). */
  readonly help: string;
  /** The severity most findings of this rule carry; individual findings may differ. */
  readonly defaultSeverity: Severity;
  readonly references: readonly string[];
  /** Free-form tags, e.g. `security`, `pickle`, `supply-chain`. */
  readonly tags: readonly string[];
}
