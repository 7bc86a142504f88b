import type { AnalysisContext } from '../context.js';
import { ARCHIVE_RULES } from './rules.js';

/**
 * Reports a member or stream whose decompression stopped early: at a bomb limit (ARCHIVE-BOMB, high) or
 * on corrupt data (ARCHIVE-MALFORMED). Either way the rest was not analysed, so it counts as not analysed.
 */
export function reportIncompleteDecompression(
  ctx: AnalysisContext,
  what: string,
  out: { readonly stopped?: 'limit' | 'ratio'; readonly error?: string; readonly data: Uint8Array },
  maxOutput: number,
  where: { readonly offset: number; readonly sizes: string },
): void {
  if (out.stopped !== undefined) {
    const why =
      out.stopped === 'ratio'
        ? `it expands more than ${ctx.limits.maxCompressionRatio}:1`
        : maxOutput < ctx.limits.maxMemberBytes
          ? 'the scan’s total decompression budget is used up'
          : `it expands beyond ${ctx.limits.maxMemberBytes} bytes`;
    ctx.notAnalysed({
      ruleId: ARCHIVE_RULES.bomb.id,
      severity: 'high',
      title: ARCHIVE_RULES.bomb.title,
      message: `${what} was not fully decompressed: ${why} (${where.sizes}). Only its first ${out.data.length} bytes were analysed.`,
      offset: where.offset,
      evidence: `${where.sizes}; stopped after ${out.data.length} bytes`,
      remediation: ARCHIVE_RULES.bomb.help,
      references: ARCHIVE_RULES.bomb.references,
    });
    return;
  }
  const error = out.error ?? 'the stream ended early';
  ctx.notAnalysed({
    ruleId: ARCHIVE_RULES.malformed.id,
    severity: 'medium',
    title: ARCHIVE_RULES.malformed.title,
    message: `${what} could not be fully decompressed: ${error}. The first ${out.data.length} bytes were analysed.`,
    offset: where.offset,
    evidence: error,
    remediation: ARCHIVE_RULES.malformed.help,
  });
}
