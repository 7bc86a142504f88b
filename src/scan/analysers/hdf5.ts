import { type ByteSource, sliceSource, startsWith, truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { type Hdf5Attribute, type Hdf5Summary, readHdf5Summary } from '../../formats/hdf5/reader.js';
import { recoverKerasConfigs } from '../../formats/hdf5/recover.js';
import { findHdf5Superblock, HDF5_SIGNATURE } from '../../formats/hdf5/signature.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { CODE_PATTERN, MAX_METADATA_SCAN_CHARS } from '../indicators.js';
import { describeLambdaCode } from '../keras/lambda-code.js';
import { reportKerasConfigText } from '../keras/report.js';
import { KERAS_RULES } from '../keras/rules.js';

/**
 * Said in every Lambda finding of an HDF5 file: Keras 3 before 3.11.3 silently ignored `safe_mode` when
 * loading legacy HDF5 files (CVE-2025-9905, keras-team/keras#21602), and tf-keras' HDF5 loader does not
 * enter a safe-mode scope at all, so the Lambda runs with the defaults.
 */
export const HDF5_LAMBDA_NOTE =
  'Legacy HDF5 loading ignores safe_mode (CVE-2025-9905: Keras 3 before 3.11.3; tf-keras does not apply it), so load_model runs it with default settings.';

/** The root attributes Keras 2 / tf-keras write and read (tf_keras/saving/legacy/hdf5_format.py). */
const CONFIG_ATTRIBUTES = ['model_config', 'training_config'] as const;

/** Values that look like JSON configuration objects (walked as Keras configurations wherever they are). */
const JSON_CONFIG = /^\s*\{[\s\S]*"(?:class_name|module)"\s*:/;
/** Python source that imports modules, runs commands or evaluates code: the shared pattern, plus lambdas. */
const CODE = new RegExp(`${CODE_PATTERN.source}|\\blambda\\b[^:\\n]{0,80}:`);
/** Base64 text long enough to hold a marshalled code object. */
const BASE64_BLOB = /^[A-Za-z0-9+/=\s]{40,}$/;

/** Keras HDF5 models and weights (`.h5`, `.hdf5`, `model.weights.h5` inside `.keras` archives). */
export const hdf5Analyser: FormatAnalyser = {
  id: 'hdf5',
  detect(head) {
    return startsWith(head, HDF5_SIGNATURE);
  },
  analyse(source, ctx) {
    return analyseHdf5(source, ctx, true);
  },
};

/** Names HDF5 files go by: where a user block is looked for (the probe reads up to 50 places in the file). */
const HDF5_NAME = /\.(?:h5|hdf5|hdf|he5)$/i;

/**
 * An HDF5 superblock after a user block (at 512, 1024, ...): h5py opens the file whatever the first bytes
 * are, while other loaders read those first bytes (a pickle, a zip). Secondary, so the first bytes' own
 * format is analysed too and the engine reports the polyglot. Looked for only in files named like HDF5
 * (what someone would open with h5py), so other files, of any size, are not probed past their header.
 */
export const hdf5UserBlockAnalyser: FormatAnalyser = {
  id: 'hdf5',
  secondary: true,
  detect(head, source, name) {
    if (startsWith(head, HDF5_SIGNATURE) || !HDF5_NAME.test(name)) return false;
    return (findHdf5Superblock(source, head) ?? 0) > 0;
  },
  analyse(source, ctx) {
    return analyseHdf5(source, ctx, false);
  },
};

async function analyseHdf5(
  source: ByteSource,
  ctx: AnalysisContext,
  primary: boolean,
): Promise<AnalysisResult> {
  let summary: Hdf5Summary;
  try {
    summary = await readHdf5Summary(source);
  } catch (error) {
    ctx.notAnalysed({
      ruleId: KERAS_RULES.hdf5Malformed.id,
      severity: 'medium',
      title: KERAS_RULES.hdf5Malformed.title,
      message: `The HDF5 file could not be opened: ${truncateText(describeError(error), 600)}. Its first ${Math.min(source.size, 64 * 1024 * 1024)} bytes were searched for Keras configurations instead.`,
      offset: 0,
      evidence: truncateText(describeError(error), 1000),
      remediation: KERAS_RULES.hdf5Malformed.help,
      references: KERAS_RULES.hdf5Malformed.references,
    });
    await reportRecovered(source, ctx);
    return { format: 'hdf5', kind: 'model' };
  }
  if (summary.superblockOffset > 0) {
    const rule = KERAS_RULES.hdf5Structure;
    ctx.report({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `The HDF5 superblock starts at offset ${summary.superblockOffset}, after a user block that HDF5 ignores and Keras never writes; ${primary ? 'it is analysed by content' : 'it is what other loaders read first'}.`,
      offset: summary.superblockOffset,
      evidence: `user block of ${summary.superblockOffset} bytes`,
      remediation: rule.help,
      references: rule.references,
    });
    if (primary)
      await ctx.analyseMember('(HDF5 user block)', sliceSource(source, 0, summary.superblockOffset));
  }
  let keras = false;
  for (const name of CONFIG_ATTRIBUTES) {
    const attr = summary.attributes.find((a) => a.object === '/' && a.name === name);
    if (attr === undefined) continue;
    keras = true;
    await reportConfigAttribute(ctx, attr);
  }
  for (const attr of summary.attributes) {
    if (attr.object === '/' && (CONFIG_ATTRIBUTES as readonly string[]).includes(attr.name)) continue;
    await reportOtherAttribute(ctx, attr);
  }
  reportLinksAndProblems(ctx, summary);
  return { format: keras ? 'keras-h5' : 'hdf5', kind: 'model' };
}

async function reportConfigAttribute(ctx: AnalysisContext, attr: Hdf5Attribute): Promise<void> {
  const rule = KERAS_RULES.hdf5Malformed;
  const value = attr.strings;
  if (attr.problem !== undefined || value === undefined || value.length !== 1) {
    const why =
      attr.problem ??
      (value === undefined
        ? `it is of type ${attr.type}, not a string`
        : `it holds ${value.length} strings, not one`);
    ctx.notAnalysed({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `The root attribute '${attr.name}' could not be analysed: ${why}. Keras decodes it as one JSON string.`,
      evidence: `${attr.name}: ${attr.type}`,
      remediation: rule.help,
      references: rule.references,
    });
    if (value === undefined || value.length === 0) return;
  }
  for (const [i, text] of (value ?? []).entries()) {
    const rootName = value !== undefined && value.length > 1 ? `${attr.name}[${i}]` : attr.name;
    await reportKerasConfigText(ctx, text, rootName, { lambdaNote: HDF5_LAMBDA_NOTE });
  }
}

/**
 * Any other attribute: Keras reads none of them as code (layer_names, weight_names, keras_version, ...),
 * so configurations or code there are reported as out of place, and configurations are walked as well.
 */
async function reportOtherAttribute(ctx: AnalysisContext, attr: Hdf5Attribute): Promise<void> {
  const rule = KERAS_RULES.hdf5Structure;
  const where = `${attr.object === '/' ? '' : attr.object}@${attr.name}`;
  if (attr.problem !== undefined) {
    ctx.notAnalysed({
      ruleId: KERAS_RULES.hdf5Malformed.id,
      severity: 'medium',
      title: KERAS_RULES.hdf5Malformed.title,
      message: `The attribute '${truncateText(attr.name, 100)}' of ${truncateText(attr.object, 200)} was not read: ${attr.problem}.`,
      evidence: `${truncateText(where, 300)}: ${attr.type}`,
      remediation: KERAS_RULES.hdf5Malformed.help,
      references: KERAS_RULES.hdf5Malformed.references,
    });
  }
  for (const text of attr.strings ?? []) {
    if (JSON_CONFIG.test(text.slice(0, 4096))) {
      ctx.report({
        ruleId: rule.id,
        severity: 'medium',
        title: rule.title,
        message: `The attribute '${truncateText(attr.name, 100)}' of ${truncateText(attr.object, 200)} holds a Keras-style configuration where Keras keeps none; it is analysed below.`,
        evidence: truncateText(text, 300),
        remediation: rule.help,
        references: rule.references,
      });
      await reportKerasConfigText(ctx, text, where);
      continue;
    }
    const trimmed = text.trim();
    if (BASE64_BLOB.test(trimmed.slice(0, 4096))) {
      const code = describeLambdaCode(trimmed);
      if (code.form !== 'source') {
        ctx.report({
          ruleId: rule.id,
          severity: code.dangerous.length > 0 ? 'critical' : 'high',
          title: rule.title,
          message: `The attribute '${truncateText(attr.name, 100)}' of ${truncateText(attr.object, 200)} holds marshalled Python code${code.dangerous.length > 0 ? ` naming ${truncateText(code.dangerous.join(', '), 200)}` : ''}.`,
          evidence: truncateText(code.summary, 2000),
          remediation: rule.help,
          references: rule.references,
        });
        continue;
      }
    }
    const hit = CODE.exec(text.slice(0, MAX_METADATA_SCAN_CHARS));
    if (hit) {
      ctx.report({
        ruleId: rule.id,
        severity: 'medium',
        title: rule.title,
        message: `The attribute '${truncateText(attr.name, 100)}' of ${truncateText(attr.object, 200)} holds what looks like Python code: ${truncateText(hit[0], 120)}.`,
        evidence: truncateText(text, 500),
        remediation: rule.help,
        references: rule.references,
      });
    }
  }
}

function reportLinksAndProblems(ctx: AnalysisContext, summary: Hdf5Summary): void {
  const external = summary.links.filter((l) => l.kind !== 'soft');
  if (external.length > 0) {
    const rule = KERAS_RULES.hdf5Structure;
    const listed = external.map((l) => `${l.path} -> ${l.target}`);
    ctx.report({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `${external.length} link(s) point into other files, which h5py follows when the model is loaded (pedigree did not): ${truncateText(listed.slice(0, 5).join(', '), 400)}.`,
      evidence: truncateText(listed.join('\n'), 2000),
      remediation: rule.help,
      references: rule.references,
    });
  }
  if (summary.problems.length > 0) {
    const rule = KERAS_RULES.hdf5Malformed;
    ctx.notAnalysed({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `Part of the HDF5 file was not read: ${truncateText(summary.problems.slice(0, 3).join('; '), 600)}${summary.problems.length > 3 ? '; …' : ''}.`,
      evidence: truncateText(summary.problems.join('\n'), 2000),
      remediation: rule.help,
      references: rule.references,
    });
  }
}

/** The bounded fallback for files the library could not open: configurations found by a byte search. */
async function reportRecovered(source: ByteSource, ctx: AnalysisContext): Promise<void> {
  const found = recoverKerasConfigs(source);
  for (const [i, object] of found.objects.entries()) {
    await reportKerasConfigText(
      ctx,
      object.text,
      `(configuration ${i + 1} found at offset ${object.offset})`,
      {
        lambdaNote: HDF5_LAMBDA_NOTE,
        offset: object.offset,
      },
    );
  }
  if (found.objects.length === 0 && found.marker !== undefined) {
    const rule = KERAS_RULES.lambda;
    ctx.report({
      ruleId: rule.id,
      severity: 'high',
      title: rule.title,
      message: `The unreadable HDF5 file contains ${truncateText(found.marker.text, 80)} at offset ${found.marker.offset}: a code-carrying Keras layer whose configuration could not be extracted. ${HDF5_LAMBDA_NOTE}`,
      offset: found.marker.offset,
      evidence: truncateText(found.marker.text, 200),
      remediation: rule.help,
      references: rule.references,
    });
  }
}
