import { type ByteSource, bufferSource, sliceSource } from '../../core/byte-reader.js';
import { SNIFF_BYTES } from '../../core/limits.js';
import {
  type CompressionKind,
  decompressBounded,
  skipZeros,
  sniffCompressedSource,
  sniffCompression,
} from '../../formats/compress/index.js';
import { reportIncompleteDecompression } from '../archive/report.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { confirmPickle, pickleAnalyser } from './pickle.js';
import { appendedZipAnalyser, zipAnalyser } from './zip.js';

/** Below this output size a high compression ratio is normal (small, repetitive files). */
export const MIN_BYTES_FOR_RATIO = 16 * 1024 * 1024;

/**
 * Compressed streams: joblib files written with compress=zlib/gzip/bz2/xz/lzma/lz4 (joblib/compressor.py),
 * `.gz`/`.bz2`/`.xz`/`.lz` model files and `.tar.gz` archives. The stream is decompressed within the member
 * and total budgets, then its content is analysed by content like any other member; so are bytes after the
 * compressed data that no stream took.
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

/** What the Python readers of each kind do with bytes after the compressed data that start no stream. */
const IGNORED_BY: Readonly<Record<CompressionKind, string>> = {
  xz: "CPython's lzma module (LZMAFile, which joblib uses, lzma.open, lzma.decompress) ignores them",
  lzma: "CPython's lzma module (LZMAFile, which joblib uses, lzma.open, lzma.decompress) ignores them",
  lzip: "CPython's lzma module ignores them",
  bz2: "CPython's bz2 module (BZ2File, which joblib uses, bz2.decompress) ignores them",
  zlib: "zlib.decompress ignores them (joblib's zlib reader never gets past them: it fails with MemoryError)",
  gzip: "CPython's gzip module fails on them",
  lz4: "python-lz4's LZ4FrameFile fails on them",
};

/**
 * Bytes after the compressed data that no stream took: a decompressor stops at the end of its streams, but
 * another loader (one that skips the compressed part, `xz -d`, which reads streams behind zero padding that
 * CPython ignores) may read them. After any zero padding they are analysed by content like a member, unless
 * they are a zip that the engine's appended-zip pass over this input already analyses.
 */
async function analyseTrailing(
  ctx: AnalysisContext,
  kind: CompressionKind,
  whole: ByteSource,
  head: Uint8Array,
  trailing: ByteSource,
): Promise<void> {
  const start = skipZeros(trailing, 0); // xz Stream Padding, or padding some tool added
  if (start >= trailing.size) return;
  const rest = sliceSource(trailing, start, trailing.size - start);
  const restHead = rest.readAt(0, SNIFF_BYTES);
  if (zipAnalyser.detect(restHead, rest, '') && appendedZipAnalyser.detect(head, whole, '')) return;
  await ctx.analyseMember(`(${kind}-trailing)`, rest);
}

export const compressedAnalyser: FormatAnalyser = {
  id: 'compressed',
  detect(head, source) {
    return isZFile(head) || sniffCompressedSource(head, source) !== undefined;
  },
  async analyse(whole, ctx, head): Promise<AnalysisResult> {
    const zfile = isZFile(head);
    const source = zfile ? sliceSource(whole, ZFILE_HEADER_BYTES, whole.size - ZFILE_HEADER_BYTES) : whole;
    const kind = zfile ? 'zlib' : sniffCompressedSource(head, whole);
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
    if (out.trailingBytes !== undefined) {
      const start = source.size - out.trailingBytes;
      const offset = start + (zfile ? ZFILE_HEADER_BYTES : 0);
      const trailing = sliceSource(source, start, out.trailingBytes);
      if (out.complete) {
        // Decompressors ignore them, so what loaders decompress was analysed; they are still an anomaly.
        // (When a reader fails on them, the incomplete decompression above reports it.)
        const first = Buffer.from(trailing.readAt(0, 8)).toString('hex');
        ctx.report({
          ruleId: ARCHIVE_RULES.malformed.id,
          severity: 'low',
          title: ARCHIVE_RULES.malformed.title,
          message: `${out.trailingBytes} bytes at offset ${offset} follow the end of the ${kind} data and start no stream. ${IGNORED_BY[kind]}, but other tools may read them, and compressors do not write them. They were analysed by content.`,
          offset,
          evidence: `${out.trailingBytes} trailing bytes starting ${first}`,
          remediation: ARCHIVE_RULES.malformed.help,
        });
      }
      await analyseTrailing(ctx, kind, whole, head, trailing);
    }
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
    // joblib.load recognises its compressors by magic bytes (joblib/compressor.py): lzip is not one.
    const joblib = (inner.format === 'joblib' || inner.format === 'pickle') && kind !== 'lzip';
    const format = zfile ? 'joblib-zfile' : joblib ? `joblib-${kind}` : kind;
    return {
      format,
      kind: inner.format === 'tar' ? 'archive' : inner.format === 'unknown' ? 'other' : 'model',
    };
  },
};
