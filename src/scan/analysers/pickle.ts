import { gunzipSync, inflateSync } from 'node:zlib';
import { type ByteSource, bufferSource } from '../../core/byte-reader.js';
import { JoblibLayoutError, joblibOnBuild } from '../../formats/pickle/joblib.js';
import { isOpcode } from '../../formats/pickle/opcodes.js';
import { simulatePickle } from '../../formats/pickle/simulate.js';
import type { AnalysisContext, FindingDraft } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { analysePickleStream, type PickleStreamOptions, type PickleStreamResult } from '../pickle/analyse.js';
import { PICKLE_RULES } from '../pickle/rules.js';

/** A dotted Python identifier: the only module names `__import__` can resolve (Unicode letters allowed, PEP 3131). */
const IMPORTABLE_MODULE = /^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*$/u;

/**
 * Whether a protocol 0/1 candidate is a pickle: it must reach STOP, or resolve an importable global before
 * failing. (A file that fails before doing anything cannot run anything either.) Protocol 2+ pickles
 * start with PROTO and need no confirmation.
 */
export function confirmPickle(source: ByteSource, head: Uint8Array): boolean {
  if (head.length >= 2 && head[0] === 0x80 && (head[1] as number) >= 1 && (head[1] as number) <= 5)
    return true;
  if (head.length === 0 || !isOpcode(head[0] as number)) return false;
  const limits = { maxOpcodes: 1_000_000 };
  const run = simulatePickle(source, 0, { limits });
  // A million valid opcodes without an error is a pickle too (a limit-tripping prefix hides what follows).
  // Imports count only when the module name could be imported at all: text files (YAML, logs) that start
  // with `c` or `i` read as GLOBAL/INST lines naming modules like `hat_template:`, which `__import__`
  // cannot find, so the load fails before anything runs. Calls need such an import first.
  const acts = (r: typeof run) =>
    r.error === undefined ||
    r.error.code === 'LIMIT_EXCEEDED' ||
    r.imports.some((i) => IMPORTABLE_MODULE.test(i.module)) ||
    r.dynamicImports.length > 0;
  if (acts(run)) return true;
  // joblib.load reads any pickle with the pure-Python unpickler, which accepts lines the C one refuses.
  return run.divergent && acts(simulatePickle(source, 0, { limits, dialect: 'python' }));
}

/** Output bound for compressed payloads embedded in a pickle (they are constants, never large legitimately). */
export const MAX_EMBEDDED_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/**
 * Decompresses a compressed constant found inside a pickle (zlib or gzip, what `zlib.decompress` /
 * `gzip.decompress` gadgets are handed), bounded by maxOutputLength so a bomb cannot exhaust memory.
 * Other codecs are not expanded here; their constants are still reported by the gadget that uses them.
 */
function decompressEmbedded(data: Uint8Array): Uint8Array | undefined {
  const opts = { maxOutputLength: MAX_EMBEDDED_DECOMPRESSED_BYTES };
  try {
    if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(data, opts);
    if (data[0] === 0x78) return inflateSync(data, opts);
    return undefined;
  } catch {
    return undefined;
  }
}

const draftKey = (d: FindingDraft) => `${d.ruleId}\u0000${d.offset ?? ''}\u0000${d.evidence}`;

/**
 * Analyses a pickle stream and reports through the context; shared by every pickle-bearing container.
 *
 * joblib files are read two ways, because the loader decides what the bytes mean: joblib.load skips the
 * array bytes after each NumpyArrayWrapper (the joblib view), while pickle.load reads them as opcodes (the
 * pickle view). Findings of both views are reported; the pickle view's parse error inside array bytes is
 * expected and not reported when the joblib view parsed cleanly.
 */
export function analysePickleIn(
  source: ByteSource,
  ctx: AnalysisContext,
  options: Partial<PickleStreamOptions> = {},
): PickleStreamResult & { joblib: boolean } {
  const seen = new Set<string>();
  const emit = (draft: FindingDraft) => {
    const key = draftKey(draft);
    if (seen.has(key)) return;
    seen.add(key);
    if (draft.ruleId === PICKLE_RULES.malformed.id) ctx.notAnalysed(draft);
    else ctx.report(draft);
  };
  let joblib = false;
  let layoutError: JoblibLayoutError | undefined;
  const result = analysePickleStream(
    source,
    (draft) => {
      // Where joblib resumes after its array bytes decides what it runs next; if the scanner lost that
      // place (a layout it cannot follow, or a stream that stops parsing right after skipped array bytes),
      // the rest is exactly what an attacker would hide, so the gap is reported as high, not medium.
      const desync =
        draft.ruleId === PICKLE_RULES.malformed.id &&
        (layoutError !== undefined || (joblib && !/^(TRUNCATED|LIMIT_EXCEEDED):/.test(draft.evidence)));
      if (!desync) return emit(draft);
      emit({
        ...draft,
        severity: 'high',
        message: `joblib.load would continue at a place the scanner could not follow: ${draft.message} joblib reads NumPy array bytes out of band, and a file that makes readers disagree about where they end can hide anything after them.`,
        remediation:
          'Do not load this file with joblib.load. Legitimate joblib files parse cleanly; re-create it with joblib.dump from a source you trust.',
      });
    },
    {
      policy: ctx.policy,
      decompress: decompressEmbedded,
      nestedContainer(data, offset) {
        ctx.analyseLater(`(checkpoint loaded at offset ${offset})`, bufferSource(data));
      },
      ...options,
      simulate: {
        ...options.simulate,
        onBuild(instance, state, reader, run) {
          const before = reader.offset;
          try {
            const replacement = joblibOnBuild(instance, state, reader, run);
            if (replacement !== undefined || reader.offset !== before) joblib = true;
            return replacement;
          } catch (error) {
            if (error instanceof JoblibLayoutError) layoutError = error;
            joblib = true;
            throw error;
          }
        },
      },
    },
  );
  if (joblib) {
    analysePickleStream(
      source,
      (draft) => {
        if (draft.ruleId === PICKLE_RULES.malformed.id || draft.ruleId === PICKLE_RULES.trailingData.id)
          return;
        emit({ ...draft, message: `When read with pickle.load instead of joblib.load: ${draft.message}` });
      },
      { policy: ctx.policy, decompress: decompressEmbedded, ...options },
    );
  }
  return { ...result, joblib };
}

/** Plain pickles (.pkl, .pickle, .dill, raw pickles named .bin/.pt), joblib files and PyTorch legacy files. */
export const pickleAnalyser: FormatAnalyser = {
  id: 'pickle',
  detect(head, source) {
    return confirmPickle(source, head);
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    const result = analysePickleIn(source, ctx);
    const format = result.torchLegacy ? 'pytorch-legacy' : result.joblib ? 'joblib' : 'pickle';
    return { format, kind: 'model' };
  },
};
