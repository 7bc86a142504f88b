import { bufferSource, truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import type { AnalysisContext } from '../context.js';
import { walkKerasConfig } from './config.js';
import { parsePythonJson } from './json.js';
import { KERAS_RULES } from './rules.js';

export interface KerasReportOptions {
  /** Added to Lambda findings, e.g. that legacy HDF5 loading ignores safe_mode. */
  readonly lambdaNote?: string;
  /** Byte offset findings point at (the attribute or member holding the configuration), when known. */
  readonly offset?: number;
}

/** Walks a parsed Keras configuration, reports what it found and analyses embedded payloads by content. */
export async function reportKerasConfig(
  ctx: AnalysisContext,
  root: unknown,
  rootName: string,
  options: KerasReportOptions = {},
): Promise<void> {
  const result = walkKerasConfig(root, rootName, {
    policy: ctx.policy,
    ...(options.lambdaNote !== undefined ? { lambdaNote: options.lambdaNote } : {}),
  });
  for (const issue of result.issues) {
    const rule = KERAS_RULES[issue.rule];
    const draft = {
      ruleId: rule.id,
      severity: issue.severity,
      title: rule.title,
      message: issue.message,
      ...(options.offset !== undefined ? { offset: options.offset } : {}),
      evidence: issue.evidence,
      remediation: rule.help,
      references: rule.references,
    };
    if (issue.rule === 'malformed') ctx.notAnalysed(draft);
    else ctx.report(draft);
  }
  for (const [key, count] of Object.entries(result.omitted)) {
    const rule = KERAS_RULES[key as keyof typeof KERAS_RULES];
    ctx.report({
      ruleId: rule.id,
      severity: 'info',
      title: rule.title,
      message: `${count} more ${rule.id} finding(s) in ${rootName} were not listed one by one.`,
      evidence: `${count} omitted`,
      remediation: rule.help,
      references: rule.references,
    });
  }
  for (const payload of result.embedded) {
    await ctx.analyseMember(payload.name, bufferSource(payload.bytes));
  }
}

/**
 * Parses JSON text as Python's json module would and walks it; a configuration that does not parse is
 * reported as not analysed (a loader may read it differently, e.g. after repair), never as clean.
 */
export async function reportKerasConfigText(
  ctx: AnalysisContext,
  text: string,
  rootName: string,
  options: KerasReportOptions = {},
): Promise<void> {
  let root: unknown;
  try {
    root = parsePythonJson(text, rootName);
  } catch (error) {
    const rule = KERAS_RULES.malformed;
    ctx.notAnalysed({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `The Keras configuration ${rootName} could not be parsed: ${describeError(error)}.`,
      ...(options.offset !== undefined ? { offset: options.offset } : {}),
      evidence: truncateText(text, 300),
      remediation: rule.help,
      references: rule.references,
    });
    return;
  }
  await reportKerasConfig(ctx, root, rootName, options);
}
