import { bufferSource, sliceSource } from '../../core/byte-reader.js';
import { decompressBounded, sniffCompression } from '../../formats/compress/index.js';
import { reportIncompleteDecompression } from '../archive/report.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { confirmPickle, pickleAnalyser } from './pickle.js';

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
    if (kind === 'lzma' && confirmPickle(whole, head)) {
      // .lzma has no magic: a pickle can start with a header liblzma's FORMAT_AUTO decoder accepts (LONG4 with
      // length 1 is 8B 01 00 00 00, lc=4 lp=0 pb=3 and a 1-byte dictionary). lzma.open then reads the file as
      // .lzma and pickle.load as a pickle, so both readings are analysed, as the engine does for pickle + zip.
      ctx.report({
        ruleId: ARCHIVE_RULES.structure.id,
        severity: 'high',
        title: ARCHIVE_RULES.structure.title,
        message:
          'The file is both a .lzma stream (by a header liblzma accepts, which has no magic) and a pickle: lzma.open decompresses it while pickle.load runs it as it is. Both were analysed.',
        offset: 0,
        evidence: 'lzma + pickle polyglot',
        remediation: ARCHIVE_RULES.structure.help,
        references: ARCHIVE_RULES.structure.references,
      });
      await pickleAnalyser.analyse(whole, ctx, head);
    }
    // A joblib file is a compressed pickle; report what the decompressed content turned out to be.
    const joblib = inner.format === 'joblib' || inner.format === 'pickle';
    const format = zfile ? 'joblib-zfile' : joblib ? `joblib-${kind}` : kind;
    return {
      format,
      kind: inner.format === 'tar' ? 'archive' : inner.format === 'unknown' ? 'other' : 'model',
    };
  },
};
