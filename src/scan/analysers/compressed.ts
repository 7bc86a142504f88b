import { bufferSource } from '../../core/byte-reader.js';
import { decompressBounded, sniffCompression } from '../../formats/compress/index.js';
import { reportIncompleteDecompression } from '../archive/report.js';
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
    if (!out.complete) {
      reportIncompleteDecompression(ctx, `The ${kind} stream`, out, maxOutput, {
        offset: out.stopped !== undefined ? 0 : (out.consumed ?? 0),
        sizes: `${source.size} compressed bytes`,
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
