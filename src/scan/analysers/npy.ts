import { describeError } from '../../core/errors.js';
import { isNpy, parseNpyHeader } from '../../formats/npy/header.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { analysePickleIn } from './pickle.js';

/**
 * NumPy .npy files. Numeric arrays are data; an object-dtype array's data is a pickle that
 * numpy.load(allow_pickle=True) unpickles (numpy/lib/format.py `read_array`), so it is analysed as one.
 */
export const npyAnalyser: FormatAnalyser = {
  id: 'npy',
  detect(head) {
    return isNpy(head);
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    let header: ReturnType<typeof parseNpyHeader>;
    try {
      header = parseNpyHeader(source);
    } catch (error) {
      ctx.notAnalysed({
        ruleId: ARCHIVE_RULES.malformed.id,
        severity: 'medium',
        title: ARCHIVE_RULES.malformed.title,
        message: `The .npy header could not be read: ${describeError(error)}.`,
        offset: 0,
        evidence: describeError(error),
        remediation: ARCHIVE_RULES.malformed.help,
      });
      return { format: 'npy', kind: 'data' };
    }
    if (!header.hasObjects) return { format: 'npy', kind: 'data' };
    ctx.report({
      ruleId: ARCHIVE_RULES.numpyObject.id,
      severity: 'low',
      title: ARCHIVE_RULES.numpyObject.title,
      message: `The array (dtype ${header.descr}, shape (${header.shape.join(', ')})) stores Python objects as a pickle; numpy.load needs allow_pickle=True to read it.`,
      offset: header.dataOffset,
      evidence: `descr ${header.descr}`,
      remediation: ARCHIVE_RULES.numpyObject.help,
      references: ARCHIVE_RULES.numpyObject.references,
    });
    analysePickleIn(source, ctx, { start: header.dataOffset, single: true });
    return { format: 'npy-object', kind: 'data' };
  },
};
