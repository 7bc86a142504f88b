import { bufferSource, sliceSource } from '../../core/byte-reader.js';
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
/**
 * joblib < 0.10 wrote compressed files as `ZF`, the uncompressed length in hex padded to 19 characters,
 * then a zlib stream (joblib/numpy_pickle_utils.py write_zfile); joblib.load still reads them
 * (`_detect_compressor` returns "compat").
 */
const ZFILE_PREFIX = [0x5a, 0x46];
const ZFILE_HEADER_BYTES = 2 + 19;

function isZFile(head: Uint8Array): boolean {
  return (
    ZFILE_PREFIX.every((b, i) => head[i] === b) &&
    /^0x[0-9a-fA-F]+L? *$/.test(Buffer.from(head.subarray(2, ZFILE_HEADER_BYTES)).toString('latin1')) &&
    sniffCompression(head.subarray(ZFILE_HEADER_BYTES)) === 'zlib'
  );
}

export const compressedAnalyser: FormatAnalyser = {
  id: 'compressed',
  detect(head) {
    return sniffCompression(head) !== undefined || isZFile(head);
  },
  async analyse(whole, ctx, head): Promise<AnalysisResult> {
    const zfile = isZFile(head);
    const source = zfile ? sliceSource(whole, ZFILE_HEADER_BYTES, whole.size - ZFILE_HEADER_BYTES) : whole;
    const kind = zfile ? 'zlib' : sniffCompression(head);
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
    const joblib = inner.format === 'joblib' || inner.format === 'pickle';
    const format = zfile ? 'joblib-zfile' : joblib ? `joblib-${kind}` : kind;
    return {
      format,
      kind: inner.format === 'tar' ? 'archive' : inner.format === 'unknown' ? 'other' : 'model',
    };
  },
};
