import { inflateSync } from 'node:zlib';
import { ByteReader, type ByteSource, bufferSource, truncateText } from '../../core/byte-reader.js';
import type { Severity } from '../../core/finding.js';
import { scanForImports } from '../../formats/pickle/byte-scan.js';
import { looksLikePickleStart } from '../../formats/pickle/embedded.js';
import { type PickleRun, type SimulateOptions, simulatePickle } from '../../formats/pickle/simulate.js';
import {
  globalName,
  isCall,
  isGlobal,
  isTagged,
  type PCall,
  type PGlobal,
  type PickleValue,
  renderValue,
} from '../../formats/pickle/values.js';
import type { FindingDraft } from '../context.js';
import { type ImportPolicy, type ImportVerdict, isNestedLoader } from './policy.js';
import { PICKLE_RULES } from './rules.js';

/** Pickles nested inside pickles (bytes handed to pickle.loads, base64 text ...) analysed this deep. */
export const MAX_NESTED_PICKLE_DEPTH = 3;
/** Pickles analysed one after another in one stream (PyTorch legacy files hold five). */
export const MAX_STACKED_PICKLES = 64;

/** PyTorch's legacy-format magic number (torch/serialization.py MAGIC_NUMBER). */
const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

export interface PickleStreamOptions {
  readonly policy: ImportPolicy;
  /** Where the stream starts in the source. */
  readonly start?: number;
  readonly simulate?: SimulateOptions;
  /** Only the first pickle is loaded by this container (e.g. a zip member), later ones are trailing data. */
  readonly single?: boolean;
  /** Nesting level of embedded pickles, 0 for a file's own stream. */
  readonly nestedDepth?: number;
  /** Decompresses an embedded compressed payload; provided by the caller so this module stays format-free. */
  readonly decompress?: (data: Uint8Array) => Uint8Array | undefined;
  /**
   * Receives data handed to a loader that is not a pickle but a container the loader opens (a zip
   * checkpoint given to `torch.load` through `_load_from_bytes`), to be analysed by content.
   */
  readonly nestedContainer?: (data: Uint8Array, offset: number, how: string) => void;
}

/** Zip local header or empty-archive magic: what torch.load (torch/serialization.py _is_zipfile) opens as a zip. */
function isZipData(data: Uint8Array): boolean {
  return (
    data[0] === 0x50 &&
    data[1] === 0x4b &&
    ((data[2] === 3 && data[3] === 4) || (data[2] === 5 && data[3] === 6))
  );
}

export interface PickleStreamResult {
  readonly runs: readonly PickleRun[];
  /** False when some part of the stream could not be analysed. */
  readonly complete: boolean;
  /** The stream was recognised as a PyTorch legacy (non-zip) checkpoint. */
  readonly torchLegacy: boolean;
  /** Offset after the last analysed byte. */
  readonly end: number;
}

/**
 * Analyses every pickle in a stream: the first, then each following pickle while one follows (PyTorch
 * legacy files stack five; attackers hide payloads in the second). Reports through `report`.
 */
export function analysePickleStream(
  source: ByteSource,
  report: (draft: FindingDraft) => void,
  options: PickleStreamOptions,
): PickleStreamResult {
  const result = analyseStreamOnce(source, report, options);
  // What runs can depend on the loader: byte strings torch.load decodes as UTF-8, and protocol-0 lines
  // CPython's two unpicklers read differently (text-numbers.ts; joblib.load uses the pure-Python one). When
  // this stream has such a construct, it is analysed the other way too.
  const rereadings: { needed: boolean; simulate: SimulateOptions; how: string }[] = [
    {
      needed: options.simulate?.stringEncoding !== 'utf-8' && result.runs.some((r) => r.nonAsciiStrings),
      simulate: { stringEncoding: 'utf-8' },
      how: "When its byte strings are read as UTF-8 (torch.load passes encoding='utf-8')",
    },
    {
      needed: options.simulate?.dialect !== 'python' && result.runs.some((r) => r.divergent),
      simulate: { dialect: 'python' },
      how: "When read by Python's pure-Python unpickler (pickle._Unpickler, which joblib.load uses)",
    },
  ];
  for (const { needed, simulate, how } of rereadings) {
    if (!needed) continue;
    analyseStreamOnce(source, (draft) => report({ ...draft, message: `${how}: ${draft.message}` }), {
      ...options,
      simulate: { ...options.simulate, ...simulate },
    });
  }
  return result;
}

function analyseStreamOnce(
  source: ByteSource,
  report: (draft: FindingDraft) => void,
  options: PickleStreamOptions,
): PickleStreamResult {
  const reader = new ByteReader(source);
  const runs: PickleRun[] = [];
  let offset = options.start ?? 0;
  let complete = true;
  let torchLegacy = false;
  for (let index = 0; index < MAX_STACKED_PICKLES && offset < source.size; index++) {
    const run = simulatePickle(reader, offset, options.simulate);
    const trailing = index > 0 && run.error !== undefined;
    runs.push(run);
    reportRun(source, run, report, options);
    if (run.error) {
      if (trailing && !looksLikePickleStart(source.readAt(run.start, 2))) {
        report({
          ruleId: PICKLE_RULES.trailingData.id,
          severity: 'low',
          title: PICKLE_RULES.trailingData.title,
          message: `${source.size - run.start} byte(s) after the last complete pickle do not parse as a pickle: ${run.error.message}.`,
          offset: run.start,
          evidence: `trailing bytes start with ${hexPrefix(source.readAt(run.start, 16))}`,
          remediation: PICKLE_RULES.trailingData.help,
        });
      } else {
        complete = false;
        report(malformedDraft(run));
        if (run.error.code === 'LIMIT_EXCEEDED') reportScannedImports(source, run.end, report, options);
      }
      return { runs, complete, torchLegacy, end: run.end };
    }
    offset = run.end;
    if (options.single) break;
    if (index === 0 && isTorchLegacyMagic(run.result, source.readAt(offset, 2))) torchLegacy = true;
    // PyTorch legacy: magic, protocol, sys_info, the object, storage keys; raw storage bytes follow.
    if (torchLegacy && index === 4) break;
  }
  if (runs.length >= MAX_STACKED_PICKLES && offset < source.size) {
    complete = false;
    report({
      ruleId: PICKLE_RULES.malformed.id,
      severity: 'medium',
      title: PICKLE_RULES.malformed.title,
      message: `More than ${MAX_STACKED_PICKLES} pickles follow each other; the rest of the stream was not analysed.`,
      offset,
      evidence: `${source.size - offset} byte(s) not analysed`,
      remediation: PICKLE_RULES.malformed.help,
    });
  }
  return { runs, complete, torchLegacy, end: offset };
}

/**
 * After a limit stopped the simulation, reports the globals a byte scan finds in what it did not reach
 * (byte-scan.ts): a loader without our limits runs them.
 */
function reportScannedImports(
  source: ByteSource,
  from: number,
  report: (draft: FindingDraft) => void,
  options: PickleStreamOptions,
): void {
  // Each name is classified once: the scan filters on the verdict, the report below uses it.
  const verdicts = new Map<string, ImportVerdict>();
  const verdictOf = (module: string, name: string) => {
    const key = `${module}\u0000${name}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = options.policy.classify(module, name);
      verdicts.set(key, verdict);
    }
    return verdict;
  };
  const keep = (module: string, name: string) => verdictOf(module, name).kind !== 'allowed';
  for (const imp of scanForImports(source, from, source.size, keep)) {
    const verdict = verdictOf(imp.module, imp.name);
    if (verdict.kind === 'allowed') continue;
    const note = `Found by a byte scan of the bytes after the analysis limit (${imp.opcode} at offset ${imp.offset}); CPython has no such limit and reaches it.`;
    if (verdict.kind === 'dangerous') {
      report({
        ruleId: PICKLE_RULES.importDangerous.id,
        severity: verdict.severity,
        title: PICKLE_RULES.importDangerous.title,
        message: `The pickle imports ${verdict.canonical}: ${verdict.reason}. ${note}`,
        offset: imp.offset,
        evidence: `${imp.opcode} ${imp.module} ${imp.name}`,
        remediation: remediationFor(verdict),
        references: verdict.references,
      });
    } else {
      report({
        ruleId: PICKLE_RULES.importUnknown.id,
        severity: 'medium',
        title: PICKLE_RULES.importUnknown.title,
        message: `The pickle imports ${verdict.canonical}, which is not on the allowlist. ${note}`,
        offset: imp.offset,
        evidence: `${imp.opcode} ${imp.module} ${imp.name}`,
        remediation: remediationFor(verdict),
        references: PICKLE_RULES.importUnknown.references,
      });
    }
  }
}

function isTorchLegacyMagic(value: PickleValue | undefined, next: Uint8Array): boolean {
  // The magic may be computed (a bypass: eval('0x1950...')), so a call result followed by another pickle
  // counts too; what matters is that the following pickles are analysed, which they are either way.
  return value === TORCH_LEGACY_MAGIC || (value !== undefined && isCall(value) && looksLikePickleStart(next));
}

function hexPrefix(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
}

function malformedDraft(run: PickleRun): FindingDraft {
  const error = run.error!;
  const limit = error.code === 'LIMIT_EXCEEDED';
  return {
    ruleId: PICKLE_RULES.malformed.id,
    severity: 'medium',
    title: PICKLE_RULES.malformed.title,
    message: limit
      ? `Analysis stopped at an analysis limit after ${run.opcodes} opcode(s): ${error.message}. Findings before it are reported; the rest was not analysed.`
      : `The pickle is malformed after ${run.opcodes} opcode(s): ${error.message}. A loader runs everything before this point; findings before it are reported.`,
    offset: error.offset ?? run.end,
    evidence: `${error.code}: ${error.message}`,
    remediation: PICKLE_RULES.malformed.help,
  };
}

const REMEDIATION_BY_CATEGORY: Record<string, string> = {
  'code-execution':
    'Do not load this file: it runs code when unpickled. Get the weights as safetensors from a trusted source, or re-export them inside an isolated sandbox.',
  'nested-deserialization':
    'Do not load this file: it unpickles more data while loading. Analyse the nested data (reported separately) and prefer safetensors.',
  'file-access': 'Do not load this file: it reads or writes files when unpickled. Prefer safetensors.',
  network: 'Do not load this file: it opens network connections when unpickled. Prefer safetensors.',
};

function remediationFor(verdict: ImportVerdict): string {
  if (verdict.kind === 'dangerous') {
    return REMEDIATION_BY_CATEGORY[verdict.category] ?? PICKLE_RULES.importDangerous.help;
  }
  return `If you trust the publisher and \`${verdict.canonical}\`, add it to \`pickle.allow\` in pedigree.yaml; prefer re-saving the weights as safetensors.`;
}

/** Source text that imports modules or runs commands: what `exec`-like gadgets are handed. */
const CODE_PATTERN =
  /__import__\s*\(|\bimport\s*[A-Za-z_(]|\b(?:os|posix|nt|subprocess|pty|socket|shutil|builtins)\s*\.\s*[A-Za-z_]+\s*\(|\b(?:exec|eval|compile|getattr|open)\s*\(/;

/** Values searched for code in one call's arguments. */
const MAX_CODE_SEARCH_NODES = 4096;

/** The first string constant in a call's arguments (searched a few levels deep) that looks like code. */
function codeInArguments(call: PCall): string | undefined {
  let found: string | undefined;
  // Memo-shared trees are cheap to build and exponential to walk: each value once, and a total bound.
  const seen = new Set<object>();
  let budget = MAX_CODE_SEARCH_NODES;
  const visit = (v: PickleValue | undefined, depth: number): void => {
    if (found !== undefined || v === undefined || depth > 4 || budget-- <= 0) return;
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return;
      seen.add(v);
    }
    if (typeof v === 'string') {
      if (CODE_PATTERN.test(v)) found = v;
      return;
    }
    if (!isTagged(v)) return;
    if (v.k === 'longstr') {
      if (CODE_PATTERN.test(v.prefix)) found = v.prefix;
    } else if (v.k === 'bytes' || v.k === 'bytearray') {
      const text = Buffer.from(v.prefix).toString('latin1');
      if (CODE_PATTERN.test(text)) found = text;
    } else if (v.k === 'list' || v.k === 'tuple' || v.k === 'set' || v.k === 'frozenset') {
      for (const item of v.items) visit(item, depth + 1);
    } else if (v.k === 'dict') {
      for (const [k, val] of v.entries) {
        visit(k, depth + 1);
        visit(val, depth + 1);
      }
    } else if (v.k === 'call') {
      visit(v.args, depth + 1);
    }
  };
  visit(call.args, 0);
  return found;
}

/** Calls whose callee is the global `g` directly (as written in the pickle), and how many were not kept. */
function callsOf(run: PickleRun, g: { module: string; name: string }): PCall[] & { unkept: number } {
  const out = Object.assign([] as PCall[], { unkept: 0 });
  for (const site of run.calls) {
    const callee = site.call.callee;
    if (isGlobal(callee) && !callee.dynamic && callee.module === g.module && callee.name === g.name) {
      out.push(...site.calls);
      out.unkept += site.count - site.calls.length;
    }
  }
  return out;
}

/** How deep values are searched for a loader passed along instead of called. */
const MAX_VALUE_SEARCH_DEPTH = 8;

/**
 * Globals that are passed around as values (call arguments, object state, the result) rather than called
 * where they are imported. A loader handed to another function is called by that function with arguments
 * the pickle cannot show: `numpy.random._pickle.__generator_ctor(data, torch.storage._load_from_bytes)`
 * calls `_load_from_bytes(data)` (red team round 3).
 */
function globalsPassedAsValues(run: PickleRun): PGlobal[] {
  const found: PGlobal[] = [];
  const seen = new Set<object>();
  const visit = (v: PickleValue | undefined, depth: number): void => {
    if (v === undefined || !isTagged(v) || depth > MAX_VALUE_SEARCH_DEPTH || seen.has(v)) return;
    seen.add(v);
    switch (v.k) {
      case 'global':
        found.push(v);
        return;
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
        for (const item of v.items) visit(item, depth + 1);
        return;
      case 'dict':
        for (const [key, value] of v.entries) {
          visit(key, depth + 1);
          visit(value, depth + 1);
        }
        return;
      case 'call':
        visit(v.args, depth + 1);
        visit(v.kwargs, depth + 1);
        visit(v.built, depth + 1);
        return;
      default:
        return;
    }
  };
  // Call arguments and object state are walked by the simulator for every call (kept or not).
  found.push(...run.valueGlobals);
  for (const change of run.stateChanges) visit(change.value, 0);
  visit(run.result, 0);
  return found;
}

/**
 * Calls of a dangerous global that CPython's own pickler writes for harmless values: `save_type` pickles
 * `type(None)`, `type(...)` and `type(NotImplemented)` as `builtins.type(<singleton>)` (Lib/pickle.py), and
 * one-argument `type(x)` only returns a class. Creating classes needs three arguments.
 */
const HARMLESS_CALLS: Readonly<Record<string, (call: PCall) => boolean>> = {
  'builtins.type': (call) => {
    if (!isTagged(call.args) || call.args.k !== 'tuple' || call.args.count !== 1 || call.kwargs !== undefined)
      return false;
    const only = call.args.items[0];
    if (only === null) return true;
    return (
      only !== undefined &&
      isGlobal(only) &&
      !only.dynamic &&
      /^(builtins|__builtin__)\.(Ellipsis|NotImplemented)$/.test(globalName(only))
    );
  },
};

/**
 * File-backed array classes that NumPy pickles name only as the subtype handed to
 * `numpy.core.multiarray._reconstruct(subtype, shape, dtype)`: `ndarray.__new__(subtype, ...)` builds an
 * in-memory array and `memmap.__array_finalize__` leaves it unmapped, so no file is opened (a slice of a
 * `np.load(..., mmap_mode='r')` array pickles this way).
 */
const RECONSTRUCT_SUBTYPES = new Set([
  'numpy.memmap',
  'numpy.core.memmap.memmap',
  'numpy._core.memmap.memmap',
]);
const RECONSTRUCT = /^numpy\.(_?core\.)?multiarray\._reconstruct$/;

/** Whether the global `g` is used only as the first argument of NumPy's `_reconstruct` (all calls kept). */
function onlyAsReconstructSubtype(run: PickleRun, g: { module: string; name: string }): boolean {
  const isG = (v: PickleValue | undefined) =>
    v !== undefined && isGlobal(v) && v.module === g.module && v.name === g.name;
  // Bounded like every walk over hostile values: past the budget, assume the global is used elsewhere.
  let budget = MAX_CODE_SEARCH_NODES;
  const contains = (v: PickleValue | undefined, depth: number): boolean => {
    if (budget-- <= 0) return true;
    if (v === undefined || depth > MAX_VALUE_SEARCH_DEPTH || !isTagged(v)) return false;
    if (isG(v)) return true;
    if (v.k === 'list' || v.k === 'tuple' || v.k === 'set' || v.k === 'frozenset')
      return v.items.some((i) => contains(i, depth + 1));
    if (v.k === 'dict') return v.entries.some(([k, x]) => contains(k, depth + 1) || contains(x, depth + 1));
    return false;
  };
  let used = false;
  for (const site of run.calls) {
    if (site.count > site.calls.length) return false;
    for (const call of site.calls) {
      const args = isTagged(call.args) && call.args.k === 'tuple' ? call.args.items : [];
      const reconstruct = isGlobal(call.callee) && RECONSTRUCT.test(globalName(call.callee));
      const rest = reconstruct ? args.slice(1) : args;
      if (rest.some((a) => contains(a, 0)) || contains(call.kwargs, 0) || contains(call.built, 0))
        return false;
      if (reconstruct && isG(args[0])) used = true;
    }
  }
  if (run.stateChanges.some((c) => contains(c.value, 0)) || contains(run.result, 0)) return false;
  return used;
}

/** Whether every use of a dangerous global is a direct call in a form known to be harmless. */
function onlyHarmlessCalls(
  canonical: string,
  calls: PCall[] & { unkept: number },
  passedAsValues: ReadonlySet<string>,
): boolean {
  const harmless = HARMLESS_CALLS[canonical];
  if (harmless === undefined || calls.length === 0 || calls.unkept > 0) return false;
  if (passedAsValues.has(canonical)) return false;
  return calls.every((c) => c.opcode === 'REDUCE' && harmless(c));
}

function reportRun(
  source: ByteSource,
  run: PickleRun,
  report: (draft: FindingDraft) => void,
  options: PickleStreamOptions,
): void {
  const policy = options.policy;
  const valueGlobals = globalsPassedAsValues(run).map((g) => ({
    g,
    verdict: policy.classify(g.module, g.name),
  }));
  const passedAsValues = new Set(valueGlobals.map(({ verdict }) => verdict.canonical));
  const nestedLoaderCalls: PCall[] = [];
  for (const imp of run.imports) {
    const verdict = policy.classify(imp.module, imp.name);
    // Loaders (pickle.loads, torch.storage._load_from_bytes ...) get their argument analysed as a pickle,
    // whether or not the loader itself is allowed.
    if (isNestedLoader(verdict)) {
      const calls = callsOf(run, imp);
      nestedLoaderCalls.push(...calls);
      if (calls.unkept > 0) {
        report({
          ruleId: PICKLE_RULES.nestedOpaque.id,
          severity: 'high',
          title: PICKLE_RULES.nestedOpaque.title,
          message: `${verdict.canonical} is called ${calls.length + calls.unkept} times; the arguments of the first ${calls.length} were analysed, the other ${calls.unkept} were not.`,
          offset: imp.offset,
          evidence: `${calls.length + calls.unkept} calls of ${verdict.canonical}`,
          remediation: PICKLE_RULES.nestedOpaque.help,
          references: PICKLE_RULES.nestedOpaque.references,
        });
      }
    }
    if (verdict.kind === 'allowed') continue;
    const calls = callsOf(run, imp);
    if (onlyHarmlessCalls(verdict.canonical, calls, passedAsValues)) continue;
    if (
      RECONSTRUCT_SUBTYPES.has(verdict.canonical) &&
      calls.length === 0 &&
      onlyAsReconstructSubtype(run, imp)
    )
      continue;
    const shown = calls[0] ? renderValue(calls[0]) : `${imp.opcode} ${imp.module} ${imp.name}`;
    const uses = imp.count > 1 ? ` (imported ${imp.count} times)` : '';
    if (verdict.kind === 'dangerous') {
      const what = calls[0]
        ? `Loading this file calls ${truncateText(renderValue(calls[0]), 300)}`
        : `The pickle imports ${verdict.canonical}, which a later step can call`;
      report({
        ruleId: PICKLE_RULES.importDangerous.id,
        severity: verdict.severity,
        title: PICKLE_RULES.importDangerous.title,
        message: `${what}${uses}. ${verdict.canonical}: ${verdict.reason}`,
        offset: imp.offset,
        evidence: truncateText(shown, 500),
        remediation: remediationFor(verdict),
        references: verdict.references,
      });
    } else {
      const code = calls.map(codeInArguments).find((c) => c !== undefined);
      report({
        ruleId: PICKLE_RULES.importUnknown.id,
        // An unlisted callable handed Python source that runs commands is a gadget we did not know,
        // not an unknown class: grade it by what it is given (picklescan GHSA-4r9r-ch6f-vxmx class).
        severity: code !== undefined ? 'critical' : 'medium',
        title: PICKLE_RULES.importUnknown.title,
        message: `The pickle imports ${verdict.canonical}, which is not on the allowlist${uses}${calls[0] ? ` and calls it: ${truncateText(renderValue(calls[0]), 200)}` : ''}.${code !== undefined ? ` Its argument is Python code that runs commands or imports modules (${truncateText(code, 120)}).` : ''}`,
        offset: imp.offset,
        evidence: truncateText(shown, 500),
        remediation: remediationFor(verdict),
        references: PICKLE_RULES.importUnknown.references,
      });
    }
  }
  for (const dyn of run.dynamicImports) {
    report({
      ruleId: PICKLE_RULES.importDynamic.id,
      severity: 'critical',
      title: PICKLE_RULES.importDynamic.title,
      message: `STACK_GLOBAL imports a name computed at load time (module ${truncateText(dyn.module, 120)}, name ${truncateText(dyn.name, 120)}).`,
      offset: dyn.offset,
      evidence: truncateText(`STACK_GLOBAL(${dyn.module}, ${dyn.name})`, 500),
      remediation: PICKLE_RULES.importDynamic.help,
      references: PICKLE_RULES.importDynamic.references,
    });
  }
  for (const site of run.calls) {
    const callee = site.call.callee;
    if (isGlobal(callee) && !callee.dynamic) continue;
    if (isTagged(callee) && (callee.k === 'global' || callee.k === 'ext')) {
      // dynamic imports and extension codes are reported on their own
      continue;
    }
    const severity: Severity = 'high';
    report({
      ruleId: PICKLE_RULES.callIndirect.id,
      severity,
      title: PICKLE_RULES.callIndirect.title,
      message: `The pickle calls a computed callable: ${truncateText(renderValue(site.call), 300)}${site.count > 1 ? ` (${site.count} times)` : ''}.`,
      offset: site.call.offset,
      evidence: truncateText(renderValue(site.call), 500),
      remediation: PICKLE_RULES.callIndirect.help,
      references: PICKLE_RULES.callIndirect.references,
    });
  }
  for (const change of run.stateChanges) {
    if (change.targetKind === 'global') {
      const target = change.target as PGlobal;
      report({
        ruleId: PICKLE_RULES.stateTampering.id,
        severity: 'critical',
        title: PICKLE_RULES.stateTampering.title,
        message: `${change.opcode} modifies the imported ${globalName(target)} with ${truncateText(renderValue(change.value), 200)}.`,
        offset: change.offset,
        evidence: truncateText(`${change.opcode} ${globalName(target)} <- ${renderValue(change.value)}`, 500),
        remediation: PICKLE_RULES.stateTampering.help,
        references: PICKLE_RULES.stateTampering.references,
      });
    } else {
      report({
        ruleId: PICKLE_RULES.anomaly.id,
        severity: change.targetKind === 'primitive' ? 'low' : 'medium',
        title: PICKLE_RULES.anomaly.title,
        message: `${change.opcode} is applied to a ${change.targetKind} value (${truncateText(renderValue(change.target), 120)}), which real picklers never do.`,
        offset: change.offset,
        evidence: truncateText(
          `${change.opcode} ${renderValue(change.target)} <- ${renderValue(change.value)}`,
          500,
        ),
        remediation: PICKLE_RULES.anomaly.help,
        references: PICKLE_RULES.anomaly.references,
      });
    }
  }
  for (const ext of run.extensions) {
    report({
      ruleId: PICKLE_RULES.extension.id,
      severity: 'medium',
      title: PICKLE_RULES.extension.title,
      message: `The pickle refers to copyreg extension code ${ext.code}, resolved only by a registry the loading program sets up.`,
      offset: ext.offset,
      evidence: `EXT ${ext.code}`,
      remediation: PICKLE_RULES.extension.help,
      references: PICKLE_RULES.extension.references,
    });
  }
  const seenAnomalies = new Set<string>();
  for (const anomaly of run.anomalies) {
    if (seenAnomalies.has(anomaly.code)) continue;
    seenAnomalies.add(anomaly.code);
    report({
      ruleId: PICKLE_RULES.anomaly.id,
      severity: 'low',
      title: PICKLE_RULES.anomaly.title,
      message: anomaly.message,
      offset: anomaly.offset,
      evidence: anomaly.code,
      remediation: PICKLE_RULES.anomaly.help,
      references: PICKLE_RULES.anomaly.references,
    });
  }
  const passedLoaders = new Map<string, PGlobal>();
  for (const { g, verdict } of valueGlobals) {
    if (g.dynamic || !isNestedLoader(verdict)) continue;
    passedLoaders.set(globalName(g), g);
  }
  for (const [name, g] of passedLoaders) {
    report({
      ruleId: PICKLE_RULES.nestedOpaque.id,
      severity: 'high',
      title: PICKLE_RULES.nestedOpaque.title,
      message: `The deserializer ${name} is handed to other code as a value instead of being called with constant data; whatever that code calls it with is unpickled and cannot be known here.`,
      offset: g.offset,
      evidence: `${name} passed as a value`,
      remediation: PICKLE_RULES.nestedOpaque.help,
      references: PICKLE_RULES.nestedOpaque.references,
    });
  }
  analyseNested(source, run, nestedLoaderCalls, report, options);
}

/** Largest nested payload rebuilt from a list of byte values. */
export const MAX_REBUILT_BYTES = 16 * 1024 * 1024;

/**
 * The bytes a constructor call produces when they are fully known: `bytes([...])`, `bytearray([...])`,
 * `bytes(b'...')`, `_codecs.encode('...', 'latin1')` and decoders of a constant (base64 etc., whose
 * constant the embedded-payload check decodes separately). Undefined when they cannot be known.
 */
function bytesFromCall(call: PCall): Uint8Array | undefined {
  const args = isTagged(call.args) && call.args.k === 'tuple' ? call.args.items : [];
  const inner = args[0];
  const callee = isGlobal(call.callee) ? `${call.callee.module}.${call.callee.name}` : '';
  if (inner !== undefined && isTagged(inner) && inner.k === 'list') {
    if (!/^(__builtin__|builtins)\.(bytes|bytearray)$/.test(callee)) return undefined;
    if (inner.items.length !== inner.count || inner.count > MAX_REBUILT_BYTES) return undefined;
    const out = new Uint8Array(inner.items.length);
    for (let i = 0; i < inner.items.length; i++) {
      const v = inner.items[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) return undefined;
      out[i] = v;
    }
    return out;
  }
  const text =
    typeof inner === 'string'
      ? inner
      : inner !== undefined &&
          isTagged(inner) &&
          (inner.k === 'bytes' || inner.k === 'bytearray') &&
          inner.length === inner.prefix.length
        ? Buffer.from(inner.prefix).toString('latin1')
        : undefined;
  if (text === undefined) return undefined;
  if (/^(_?codecs\.encode|(__builtin__|builtins)\.(bytes|bytearray))$/.test(callee)) {
    if (typeof inner !== 'string') {
      // bytes(b'...') copies; bytes(b'...', enc) and codecs.encode(b'...') raise.
      return args[1] === undefined && !callee.includes('codecs') ? Buffer.from(text, 'latin1') : undefined;
    }
    // codecs.encode defaults to UTF-8; bytes(str) without an encoding raises TypeError.
    const encoding = args[1] === undefined && callee.includes('codecs') ? 'utf-8' : args[1];
    return typeof encoding === 'string' ? encodeText(inner, encoding) : undefined;
  }
  if (
    /^(base64\.(b64decode|standard_b64decode|urlsafe_b64decode|decodebytes)|binascii\.a2b_base64)$/.test(
      callee,
    )
  ) {
    return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  if (/^(binascii\.(unhexlify|a2b_hex)|builtins\.bytes\.fromhex)$/.test(callee)) {
    return /^(?:[0-9a-fA-F]{2}\s*)*$/.test(text) ? Buffer.from(text.replace(/\s+/g, ''), 'hex') : undefined;
  }
  if (/^zlib\.decompress$/.test(callee)) {
    try {
      return inflateSync(Buffer.from(text, 'latin1'), { maxOutputLength: MAX_REBUILT_BYTES });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `str.encode(encoding)` for the codecs whose output is fully determined here; undefined for any other
 * codec (EBCDIC, CJK, ...), so its output is reported as unknown instead of being guessed (red team: a
 * payload encoded with cp037 analysed as latin-1 was missed). Names are normalised as Python's
 * encodings.normalize_encoding and the aliases table do for these codecs.
 */
export function encodeText(text: string, encoding: string): Uint8Array | undefined {
  const name = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  const codeUnits = (bigEndian: boolean) => {
    const out = Buffer.alloc(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      if (bigEndian) out.writeUInt16BE(u, i * 2);
      else out.writeUInt16LE(u, i * 2);
    }
    return out;
  };
  const codePoints = (bigEndian: boolean) => {
    const points = Array.from(text, (c) => c.codePointAt(0) as number);
    const out = Buffer.alloc(points.length * 4);
    for (const [i, p] of points.entries()) {
      if (bigEndian) out.writeUInt32BE(p, i * 4);
      else out.writeUInt32LE(p, i * 4);
    }
    return out;
  };
  const single = (max: number) => {
    const out = Buffer.alloc(text.length);
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      if (u > max) return undefined; // UnicodeEncodeError: nothing is loaded
      out[i] = u;
    }
    return out;
  };
  switch (name) {
    case 'utf8':
    case 'u8':
    case 'utf':
    case 'cp65001':
      return Buffer.from(text, 'utf8');
    case 'latin1':
    case 'latin':
    case 'l1':
    case 'iso88591':
    case 'iso885911987':
    case '8859':
    case 'cp819':
    case 'ibm819':
      return single(0xff);
    case 'ascii':
    case 'usascii':
    case 'us':
    case '646':
      return single(0x7f);
    case 'utf16le':
      return codeUnits(false);
    case 'utf16be':
      return codeUnits(true);
    case 'utf16':
    case 'u16':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), codeUnits(false)]); // BOM, then little-endian
    case 'utf32le':
      return codePoints(false);
    case 'utf32be':
      return codePoints(true);
    case 'utf32':
    case 'u32':
      return Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), codePoints(false)]);
    default:
      return undefined;
  }
}

/**
 * Pickles inside pickles: constants that look like pickles (raw, latin-1 text, base64, hex, compressed)
 * and any bytes or str handed straight to a nested loader such as pickle.loads.
 */
function analyseNested(
  source: ByteSource,
  run: PickleRun,
  loaderCalls: readonly PCall[],
  report: (draft: FindingDraft) => void,
  options: PickleStreamOptions,
): void {
  const depth = (options.nestedDepth ?? 0) + 1;
  const candidates = new Map<number, { data: Uint8Array; how: string }>();
  for (const payload of run.embedded) {
    let data: Uint8Array | undefined = payload.data;
    let how = payload.encoding === 'raw' ? 'embedded bytes' : `${payload.encoding}-encoded text`;
    if (payload.looksLike === 'compressed') {
      data = options.decompress?.(payload.data);
      how += ', compressed';
      if (data === undefined) continue;
    }
    candidates.set(payload.offset, { data, how });
  }
  for (const call of loaderCalls) {
    const args = call.args;
    if (!isTagged(args) || args.k !== 'tuple') continue;
    const first = args.items[0];
    if (first === undefined) continue;
    let data: Uint8Array | undefined;
    let offset = call.offset;
    if (typeof first === 'string') data = Buffer.from(first, 'latin1');
    else if (isTagged(first) && (first.k === 'bytes' || first.k === 'bytearray')) {
      // Only a prefix of long constants is kept; the whole constant is still where it was read from.
      data =
        first.length > first.prefix.length
          ? source.readAt(first.offset, Math.min(first.length, MAX_REBUILT_BYTES))
          : first.prefix;
      offset = first.offset;
    } else if (isCall(first)) {
      data = bytesFromCall(first);
    }
    if (data && !candidates.has(offset)) {
      candidates.set(offset, { data, how: `argument of ${renderValue(call.callee)}` });
    } else if (data === undefined) {
      // The loader is handed data built while loading, which cannot be reconstructed here: whatever it
      // holds runs, so this is not a clean file (red-team: torch.storage._load_from_bytes(bytes([...]))).
      report({
        ruleId: PICKLE_RULES.nestedOpaque.id,
        severity: 'high',
        title: PICKLE_RULES.nestedOpaque.title,
        message: `${renderValue(call.callee)} deserializes data computed while loading (${truncateText(renderValue(first), 160)}); it could not be reconstructed and analysed.`,
        offset: call.offset,
        evidence: truncateText(renderValue(call), 500),
        remediation: PICKLE_RULES.nestedOpaque.help,
        references: PICKLE_RULES.nestedOpaque.references,
      });
    }
  }
  for (const [offset, { data, how }] of candidates) {
    if (depth > MAX_NESTED_PICKLE_DEPTH) {
      // Loaders inside loaders this deep are not how checkpoints are made; what the innermost one runs is
      // unknown, so it is reported as opaque (high), not as a limit (red team round 6).
      report({
        ruleId: PICKLE_RULES.nestedOpaque.id,
        severity: 'high',
        title: PICKLE_RULES.nestedOpaque.title,
        message: `A pickle nested more than ${MAX_NESTED_PICKLE_DEPTH} levels deep (${how}) was not analysed; a loader would unpickle it.`,
        offset,
        evidence: `nested depth ${depth}`,
        remediation: PICKLE_RULES.nestedOpaque.help,
        references: PICKLE_RULES.nestedOpaque.references,
      });
      continue;
    }
    if (isZipData(data)) {
      if (options.nestedContainer) {
        options.nestedContainer(data, offset, how);
        continue;
      }
      report({
        ruleId: PICKLE_RULES.nestedOpaque.id,
        severity: 'high',
        title: PICKLE_RULES.nestedOpaque.title,
        message: `A zip archive (${how}) is handed to a loader, which opens it as a checkpoint; it was not analysed here.`,
        offset,
        evidence: `zip archive of ${data.length} bytes`,
        remediation: PICKLE_RULES.nestedOpaque.help,
        references: PICKLE_RULES.nestedOpaque.references,
      });
      continue;
    }
    const prefix = `In a pickle nested at offset ${offset} (${how}): `;
    analysePickleStream(
      bufferSource(data),
      (draft) => report({ ...draft, offset, message: `${prefix}${draft.message}` }),
      // Stacked, not single: a nested torch.load reads a legacy checkpoint's five pickles.
      { ...options, start: 0, single: false, nestedDepth: depth },
    );
  }
}
