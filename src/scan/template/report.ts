import { truncateText } from '../../core/byte-reader.js';
import type { AnalysisContext } from '../context.js';
import { analyseTemplate } from './analyse.js';
import { TEMPLATE_RULES } from './rules.js';

/** Analyses one chat template found at `where` (a metadata key, a JSON field) and reports through `ctx`. */
export function reportTemplate(ctx: AnalysisContext, template: string, where: string, offset?: number): void {
  const result = analyseTemplate(template);
  const at = offset === undefined ? {} : { offset };
  if (result.parseError !== undefined) {
    ctx.notAnalysed({
      ruleId: TEMPLATE_RULES.unparsed.id,
      severity: 'medium',
      title: TEMPLATE_RULES.unparsed.title,
      message: `The chat template in ${where} was not fully analysed (${truncateText(result.parseError, 200)}); what was not analysed structurally was searched for injection markers only.`,
      ...at,
      evidence: truncateText(template, 300),
      remediation: TEMPLATE_RULES.unparsed.help,
      references: TEMPLATE_RULES.unparsed.references,
    });
  }
  const worst = result.issues.some((i) => i.severity === 'critical') ? 'critical' : 'high';
  if (result.issues.length === 0) return;
  const rule = TEMPLATE_RULES.injection;
  ctx.report({
    ruleId: rule.id,
    severity: worst,
    title: rule.title,
    message: `The chat template in ${where} uses ${truncateText(
      [...new Set(result.issues.map((i) => i.what))].join(', '),
      300,
    )}: server-side template injection, which runs code in servers that render it unsandboxed.`,
    ...at,
    evidence: truncateText(`${result.issues.map((i) => i.construct).join(' ')}\n---\n${template}`, 1000),
    remediation: rule.help,
    references: rule.references,
  });
}
