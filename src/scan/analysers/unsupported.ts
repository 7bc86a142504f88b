import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { SCAN_RULES } from '../rules.js';

/**
 * Containers recognised by magic bytes that pedigree cannot open yet: reported as not analysed. (7z is opened
 * by the 7z analyser.)
 */
const UNSUPPORTED: readonly { readonly format: string; readonly magic: readonly number[] }[] = [
  { format: 'rar', magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { format: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
];

export const unsupportedAnalyser: FormatAnalyser = {
  id: 'unsupported',
  detect(head) {
    return UNSUPPORTED.some((u) => u.magic.every((b, i) => head[i] === b));
  },
  async analyse(_source, ctx, head): Promise<AnalysisResult> {
    const format = UNSUPPORTED.find((u) => u.magic.every((b, i) => head[i] === b))?.format ?? 'unknown';
    ctx.notAnalysed({
      ruleId: SCAN_RULES.unsupported.id,
      severity: 'medium',
      title: SCAN_RULES.unsupported.title,
      message: `This is a ${format} archive, which pedigree cannot open yet; nothing inside it was analysed.`,
      offset: 0,
      evidence: `${format} magic bytes`,
      remediation: SCAN_RULES.unsupported.help,
    });
    return { format, kind: 'archive' };
  },
};
