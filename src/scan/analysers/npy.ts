import { type ByteSource, sliceSource, truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import {
  isNpy,
  type NpyHeader,
  type NpyPreamble,
  parseNpyHeader,
  readNpyPreamble,
} from '../../formats/npy/header.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { analysePickleIn, confirmPickle } from './pickle.js';

/**
 * NumPy .npy files. Numeric arrays are data; an object-dtype array's data is a pickle that
 * numpy.load(allow_pickle=True) unpickles (numpy/lib/format.py `read_array`), so it is analysed as one.
 * A header pedigree cannot read, or a dtype it cannot classify, fails closed: numpy may still read it as an
 * object dtype, so the data after the header is analysed as a pickle when it is one.
 */
export const npyAnalyser: FormatAnalyser = {
  id: 'npy',
  detect(head) {
    return isNpy(head);
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    let preamble: NpyPreamble;
    try {
      preamble = readNpyPreamble(source);
    } catch (error) {
      // No header length, so no place where numpy would start reading data (and numpy refuses the file).
      reportUnreadable(
        ctx,
        `The .npy header could not be read: ${describeError(error)}.`,
        describeError(error),
      );
      return { format: 'npy', kind: 'data' };
    }
    let header: NpyHeader;
    try {
      header = parseNpyHeader(source, preamble);
    } catch (error) {
      const why = describeError(error);
      return failClosed(source, ctx, preamble, `The .npy header could not be read: ${why}.`, why);
    }
    if (header.dtypeClass === 'plain') return { format: 'npy', kind: 'data' };
    if (header.dtypeClass === 'unknown') {
      return failClosed(
        source,
        ctx,
        preamble,
        `The .npy dtype ${truncateText(header.descr)} could not be classified as holding Python objects or not: ${header.dtypeWhy ?? 'unknown form'}.`,
        `descr ${truncateText(header.descr)}`,
      );
    }
    const descr = truncateText(header.descr);
    ctx.report({
      ruleId: ARCHIVE_RULES.numpyObject.id,
      severity: 'low',
      title: ARCHIVE_RULES.numpyObject.title,
      message: `The array (dtype ${descr}, shape (${header.shape.join(', ')})) stores Python objects as a pickle; numpy.load needs allow_pickle=True to read it.`,
      offset: header.dataOffset,
      evidence: `descr ${descr}`,
      remediation: ARCHIVE_RULES.numpyObject.help,
      references: ARCHIVE_RULES.numpyObject.references,
    });
    analysePickleIn(source, ctx, { start: header.dataOffset, single: true });
    return { format: 'npy-object', kind: 'data' };
  },
};

/**
 * The header could not be read or classified. numpy reads exactly the header length's bytes of header and
 * then, for an object dtype, `pickle.load`s what follows; so if that is a pickle it is analysed as one (its
 * findings at their own severity), and otherwise the file is reported as not analysed.
 */
function failClosed(
  source: ByteSource,
  ctx: AnalysisContext,
  preamble: NpyPreamble,
  why: string,
  evidence: string,
): AnalysisResult {
  const { dataOffset } = preamble;
  const data = sliceSource(source, dataOffset, Math.max(0, source.size - dataOffset));
  if (data.size > 0 && confirmPickle(data, data.readAt(0, 2))) {
    ctx.report({
      ruleId: ARCHIVE_RULES.numpyObject.id,
      severity: 'medium',
      title: ARCHIVE_RULES.numpyObject.title,
      message: `${why} The data after the header is a pickle, which numpy.load(allow_pickle=True) runs if it reads the dtype as holding objects; it is analysed as one.`,
      offset: dataOffset,
      evidence: `${evidence}; a pickle follows the header`,
      remediation: ARCHIVE_RULES.numpyObject.help,
      references: ARCHIVE_RULES.numpyObject.references,
    });
    analysePickleIn(source, ctx, { start: dataOffset, single: true });
    return { format: 'npy-object', kind: 'data' };
  }
  reportUnreadable(ctx, why, evidence);
  return { format: 'npy', kind: 'data' };
}

function reportUnreadable(ctx: AnalysisContext, message: string, evidence: string): void {
  ctx.notAnalysed({
    ruleId: ARCHIVE_RULES.malformed.id,
    severity: 'medium',
    title: ARCHIVE_RULES.malformed.title,
    message,
    offset: 0,
    evidence,
    remediation: ARCHIVE_RULES.malformed.help,
  });
}
