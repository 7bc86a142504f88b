import { truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { compareStrings } from '../../core/finding.js';
import {
  isSafetensorsHead,
  readSafetensorsHeader,
  type SafetensorsHeader,
} from '../../formats/safetensors/header.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { findMetadataIndicator, MAX_METADATA_SCAN_CHARS } from '../indicators.js';
import { SAFETENSORS_RULES } from '../safetensors/rules.js';
import { analyseHiddenRanges } from './hidden-bytes.js';

/**
 * safetensors files: only the header is read (a 5 GB file costs what a 5 MB one does), validated strictly;
 * bytes no tensor covers are analysed by content, since that is where a polyglot keeps its payload.
 */
export const safetensorsAnalyser: FormatAnalyser = {
  id: 'safetensors',
  detect(head, source) {
    return isSafetensorsHead(head, source.size);
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    let header: SafetensorsHeader;
    try {
      header = readSafetensorsHeader(source);
    } catch (error) {
      ctx.notAnalysed({
        ruleId: SAFETENSORS_RULES.header.id,
        severity: 'medium',
        title: SAFETENSORS_RULES.header.title,
        message: `The safetensors header could not be read: ${describeError(error)}.`,
        offset: 0,
        evidence: describeError(error),
        remediation: SAFETENSORS_RULES.header.help,
        references: SAFETENSORS_RULES.header.references,
      });
      return { format: 'safetensors', kind: 'model' };
    }
    for (const kind of ['schema', 'layout'] as const) {
      const problems = header.problems.filter((p) => p.kind === kind);
      if (problems.length === 0) continue;
      const rule = kind === 'schema' ? SAFETENSORS_RULES.header : SAFETENSORS_RULES.layout;
      const listed = problems.map((p) => p.message);
      ctx.report({
        ruleId: rule.id,
        severity: kind === 'schema' ? 'medium' : 'high',
        title: rule.title,
        message: `${listed.length} problem(s) in the safetensors header: ${truncateText(listed.slice(0, 3).join('; '), 400)}${listed.length > 3 ? '; …' : ''}.`,
        offset: 8,
        evidence: truncateText(listed.join('\n'), 2000),
        remediation: rule.help,
        references: rule.references,
      });
    }
    reportMetadata(ctx, header);
    await analyseHiddenRanges(source, ctx, head, header.uncovered, SAFETENSORS_RULES.layout);
    return { format: 'safetensors', kind: 'model' };
  },
};

function reportMetadata(ctx: AnalysisContext, header: SafetensorsHeader): void {
  if (header.metadata === undefined) return;
  for (const [key, full] of Object.entries(header.metadata).sort(([a], [b]) => compareStrings(a, b))) {
    const value = full.slice(0, MAX_METADATA_SCAN_CHARS);
    const found = findMetadataIndicator(value);
    if (found === undefined) continue;
    const { indicator: kind, match } = found;
    const what = kind.what;
    ctx.report({
      ruleId: SAFETENSORS_RULES.metadata.id,
      severity: kind.severity,
      title: SAFETENSORS_RULES.metadata.title,
      message: `The __metadata__ value '${truncateText(key, 80)}' holds ${what}: ${truncateText(match.trim(), 160)}.`,
      offset: 8,
      evidence: truncateText(`${key}: ${value}`, 500),
      remediation: SAFETENSORS_RULES.metadata.help,
      references: SAFETENSORS_RULES.metadata.references,
    });
  }
}
