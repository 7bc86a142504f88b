/**
 * Keras v3 archives (`.keras`): a zip with `config.json` (the model configuration, walked by the shared
 * Keras analysis), `metadata.json`, `model.weights.h5` or `model.weights.npz`, and `assets/`
 * (keras/src/saving/saving_lib.py). The zip analyser recognises the layout and hands the configuration
 * here instead of to the generic JSON analysis; the weights go to the HDF5 analysis by content.
 */
import { type ByteSource, truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import type { AnalysisContext } from '../context.js';
import { decodePythonJsonBytes } from '../keras/json.js';
import { reportKerasConfigText } from '../keras/report.js';
import { KERAS_RULES } from '../keras/rules.js';

/** saving_lib `_CONFIG_FILENAME`: what `load_model` reads from the archive (zipfile: exact name). */
export const KERAS_CONFIG_MEMBER = 'config.json';

/** Said in Lambda findings of `.keras` archives. */
export const KERAS_V3_LAMBDA_NOTE =
  'Keras 3 refuses it unless safe_mode=False or keras.config.enable_unsafe_deserialization() was called, which a configuration itself can trigger on older versions (CVE-2025-9906); Keras 2.13-2.15 .keras loading is weaker still.';

/**
 * Python source, bytecode, zipapps, notebooks and `.pth` files (which `site` executes when they sit in
 * site-packages): nothing Keras loads from an archive.
 */
const PYTHON_MEMBER = /\.(?:py|pyw|pyc|pyo|pyz|pyzw|pth|ipynb)$/i;

/** Whether a member of a `.keras` archive is the configuration Keras loads. */
export function isKerasConfigMember(name: string): boolean {
  return name === KERAS_CONFIG_MEMBER;
}

/**
 * Walks the `config.json` of a `.keras` archive, decoded as `json.loads(bytes)` decodes it (UTF-8 with or
 * without BOM, UTF-16, UTF-32): Keras hands the member's bytes to json.loads, so a UTF-16 configuration
 * loads, and must not pass as unreadable.
 */
export async function reportKerasArchiveConfig(ctx: AnalysisContext, source: ByteSource): Promise<void> {
  let text: string;
  try {
    text = decodePythonJsonBytes(source.readAt(0, source.size), KERAS_CONFIG_MEMBER).text;
  } catch (error) {
    const rule = KERAS_RULES.malformed;
    ctx.notAnalysed({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `The archive's ${KERAS_CONFIG_MEMBER} could not be read: ${describeError(error)}.`,
      evidence: describeError(error),
      remediation: rule.help,
      references: rule.references,
    });
    return;
  }
  await reportKerasConfigText(ctx.child(KERAS_CONFIG_MEMBER), text, KERAS_CONFIG_MEMBER, {
    lambdaNote: KERAS_V3_LAMBDA_NOTE,
  });
}

/** Python files in a `.keras` archive (executables are reported by the executable analysis of each member). */
export function reportKerasArchiveCode(ctx: AnalysisContext, names: readonly string[]): void {
  const python = names.filter((n) => PYTHON_MEMBER.test(n)).sort();
  if (python.length === 0) return;
  const rule = KERAS_RULES.archiveCode;
  ctx.report({
    ruleId: rule.id,
    severity: 'medium',
    title: rule.title,
    message: `The Keras archive carries ${python.length} Python file(s) that Keras does not load: ${truncateText(python.join(', '), 300)}.`,
    evidence: truncateText(python.join('\n'), 1000),
    remediation: rule.help,
    references: rule.references,
  });
}
