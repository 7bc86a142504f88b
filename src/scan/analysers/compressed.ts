import { bufferSource } from '../../core/byte-reader.js';
import { decompressBounded, sniffCompression } from '../../formats/compress/index.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';

/** Below this output size a high compression ratio is normal (small, repetitive files). */
export const MIN_BYTES_FOR_RATIO = 16 * 1024 * 1024;

/**
 * Compressed streams: joblib files written with compress=zlib/gzip/bz2/xz/lzma/lz4 (joblib/compressor.py),
 * `.gz`/`.bz2`/`.xz` model files and `.tar.gz` archives. The stream is decompressed within the member and
 * total budgets, then its content is analysed by content like any other member.
 */
export const compressedAnalyser: FormatAnalyser = {
  id: 'compressed',
  detect(head) {
    return sniffCompression(head) !== undefined;
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    const kind = sniffCompression(head);
    if (kind === undefined) return { format: 'unknown', kind: 'other' };
    const maxOutput = Math.min(ctx.limits.maxMemberBytes, Math.max(0, ctx.budget.decompressedBytes));
    const out = await decompressBounded(kind, source, {
      maxOutputBytes: maxOutput,
      maxRatio: ctx.limits.maxCompressionRatio,
      minBytesForRatio: MIN_BYTES_FOR_RATIO,
    });
    ctx.budget.decompressedBytes -= out.data.length;
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
        message: `The ${kind} stream was not fully decompressed: ${why}. Only its first ${out.data.length} bytes were analysed.`,
        offset: 0,
        evidence: `${source.size} compressed bytes; stopped after ${out.data.length}`,
        remediation: ARCHIVE_RULES.bomb.help,
        references: ARCHIVE_RULES.bomb.references,
      });
    } else if (!out.complete) {
      ctx.notAnalysed({
        ruleId: ARCHIVE_RULES.malformed.id,
        severity: 'medium',
        title: ARCHIVE_RULES.malformed.title,
        message: `The ${kind} stream could not be fully decompressed: ${out.error ?? 'unknown error'}. The first ${out.data.length} bytes were analysed.`,
        offset: out.consumed ?? 0,
        evidence: out.error ?? 'incomplete stream',
        remediation: ARCHIVE_RULES.malformed.help,
      });
    }
    const inner = await ctx.analyseMember(`(${kind}-decompressed)`, bufferSource(out.data));
    // A joblib file is a compressed pickle; report what the decompressed content turned out to be.
    const format = inner.format === 'joblib' || inner.format === 'pickle' ? `joblib-${kind}` : kind;
    return {
      format,
      kind: inner.format === 'tar' ? 'archive' : inner.format === 'unknown' ? 'other' : 'model',
    };
  },
};
