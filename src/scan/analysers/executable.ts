import { sniffExecutable } from '../../formats/executable/sniff.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { EXECUTABLE_RULES } from '../executable/rules.js';

/** Native binaries and scripts: recognised and reported, never run; their contents are not analysed further. */
export const executableAnalyser: FormatAnalyser = {
  id: 'executable',
  detect(head, source) {
    return sniffExecutable(head, (p, n) => source.readAt(p, n)) !== undefined;
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    const info = sniffExecutable(head, (p, n) => source.readAt(p, n));
    if (info === undefined) return { format: 'unknown', kind: 'other' };
    const rule = EXECUTABLE_RULES.executable;
    ctx.report({
      ruleId: rule.id,
      severity: info.kind === 'script' ? 'medium' : 'high',
      title: rule.title,
      message: `This file is a ${info.description}. Model weights never need a program; find out what runs it.`,
      offset: 0,
      evidence: info.description,
      remediation: rule.help,
      references: rule.references,
    });
    return { format: info.kind, kind: 'code' };
  },
};
