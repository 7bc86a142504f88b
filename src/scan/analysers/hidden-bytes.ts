import { type ByteSource, sliceSource } from '../../core/byte-reader.js';
import { SNIFF_BYTES } from '../../core/limits.js';
import type { RuleDescriptor } from '../../core/rules.js';
import { skipZeros } from '../../formats/compress/deflate.js';
import type { AnalysisContext } from '../context.js';
import { appendedZipAnalyser, zipAnalyser } from './zip.js';

/** Byte ranges outside every tensor analysed by content per file; more are reported, not analysed. */
export const MAX_HIDDEN_RANGES_ANALYSED = 16;

/**
 * Analyses, by content, the byte ranges of a tensor file (safetensors, GGUF) that no tensor covers: where a
 * polyglot keeps its pickle or archive. Zero padding at a range's start is skipped; a zip at the very end
 * is left to the engine's appended-zip analysis, which already reads it.
 */
export async function analyseHiddenRanges(
  source: ByteSource,
  ctx: AnalysisContext,
  head: Uint8Array,
  ranges: readonly { readonly start: number; readonly end: number }[],
  rule: RuleDescriptor,
): Promise<void> {
  let analysed = 0;
  for (const range of ranges) {
    const start = skipZeros(sliceSource(source, 0, range.end), range.start);
    if (start >= range.end) continue;
    if (analysed++ >= MAX_HIDDEN_RANGES_ANALYSED) {
      ctx.notAnalysed({
        ruleId: rule.id,
        severity: 'high',
        title: rule.title,
        message: `More than ${MAX_HIDDEN_RANGES_ANALYSED} byte ranges belong to no tensor; the rest were not analysed.`,
        offset: range.start,
        evidence: `${ranges.length} ranges outside every tensor`,
        remediation: rule.help,
        references: rule.references,
      });
      return;
    }
    const bytes = sliceSource(source, start, range.end - start);
    if (range.end === source.size) {
      const bytesHead = bytes.readAt(0, SNIFF_BYTES);
      if (zipAnalyser.detect(bytesHead, bytes, '') && appendedZipAnalyser.detect(head, source, '')) continue;
    }
    await ctx.analyseMember(`(bytes ${start}-${range.end} outside every tensor)`, bytes);
  }
}
