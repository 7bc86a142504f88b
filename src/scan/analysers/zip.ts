import {
  ByteReader,
  type ByteSource,
  bufferSource,
  sliceSource,
  truncateText,
} from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { SNIFF_BYTES } from '../../core/limits.js';
import { isOpcode } from '../../formats/pickle/opcodes.js';
import { simulatePickle } from '../../formats/pickle/simulate.js';
import {
  findEndRecord,
  inflateMember,
  METHOD_DEFLATE,
  METHOD_STORED,
  memberCrc,
  readZipDirectory,
  type ZipAnomaly,
  type ZipEntry,
} from '../../formats/zip/reader.js';
import { reportIncompleteDecompression } from '../archive/report.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisContext, FindingDraft } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { PICKLE_RULES } from '../pickle/rules.js';
import { createTorchScriptPolicy } from '../pickle/torchscript-policy.js';
import { reportSkopsSchema } from '../skops/schema.js';
import { isKerasConfigMember, reportKerasArchiveCode, reportKerasArchiveConfig } from './keras.js';
import {
  classifyZipLayout,
  findRiskyTorchScript,
  isTensorStorageMember,
  isTorchScriptCodeName,
  type ZipLayout,
} from './zip-layout.js';

/** Stored members up to this size have their CRC checked (they are read whole anyway). */
export const MAX_CRC_CHECK_BYTES = 64 * 1024 * 1024;
/** Below this output size a high compression ratio is normal (small, repetitive files). */
export const MIN_BYTES_FOR_RATIO = 16 * 1024 * 1024;
/** Window of TorchScript source searched at a time for risky tokens. */
export const MAX_TORCHSCRIPT_SOURCE_BYTES = 4 * 1024 * 1024;

const ZIP_LOCAL_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY_MAGIC = [0x50, 0x4b, 0x05, 0x06];

function startsWithBytes(head: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => head[i] === b);
}

const ANOMALY_RULE: Record<
  ZipAnomaly['kind'],
  { rule: (typeof ARCHIVE_RULES)[keyof typeof ARCHIVE_RULES]; severity: FindingDraft['severity'] }
> = {
  'name-mismatch': { rule: ARCHIVE_RULES.nameMismatch, severity: 'high' },
  flags: { rule: ARCHIVE_RULES.flags, severity: 'medium' },
  structure: { rule: ARCHIVE_RULES.structure, severity: 'low' },
  overlap: { rule: ARCHIVE_RULES.structure, severity: 'high' },
  duplicate: { rule: ARCHIVE_RULES.structure, severity: 'medium' },
  traversal: { rule: ARCHIVE_RULES.pathTraversal, severity: 'high' },
  link: { rule: ARCHIVE_RULES.link, severity: 'high' },
  truncated: { rule: ARCHIVE_RULES.malformed, severity: 'medium' },
};

function reportAnomaly(ctx: AnalysisContext, a: ZipAnomaly): void {
  const { rule, severity } = ANOMALY_RULE[a.kind];
  const draft: FindingDraft = {
    ruleId: rule.id,
    severity,
    title: rule.title,
    message:
      a.member !== undefined
        ? `Member '${a.member}': ${a.message}.`
        : `${a.message[0]?.toUpperCase()}${a.message.slice(1)}.`,
    ...(a.offset !== undefined ? { offset: a.offset } : {}),
    evidence: a.message,
    remediation: rule.help,
    references: rule.references,
  };
  if (a.kind === 'truncated') ctx.notAnalysed(draft);
  else ctx.report(draft);
}

/** Opcodes simulated to decide whether a storage member is a pickle (bounded: storages can be gigabytes). */
const MAX_STORAGE_SNIFF_OPCODES = 100_000;

/** A global CPython's find_class could resolve: dotted Python identifiers, as GLOBAL/INST spell them. */
const PY_QUALNAME = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

/**
 * Storage members of a PyTorch archive are raw tensor bytes that torch never unpickles (it unpickles
 * `<folder>/data.pkl`, located as inline_container.cc does; see zip-layout.ts). They are analysed as
 * pickles only when their bytes say so, so tensor bytes that happen to look like a pickle do not turn
 * into noise, and they are never read whole (a 2 GB checkpoint costs what a 2 MB one does): a
 * SNIFF_BYTES window at a time, for at most MAX_STORAGE_SNIFF_OPCODES opcodes. `whole` says `source` is the whole member (stored: a lazy slice); otherwise it is
 * the SNIFF_BYTES inflated from its start.
 *
 * - Behind a protocol 2-5 PROTO header: when the pickle parses to the end or resolves an import or call
 *   (a deflated member on its header alone).
 * - Otherwise (no header, as protocol 0 writes, or PROTO 0/1; pickle.load takes any): when the
 *   simulation imports a global named like Python code (GLOBAL, INST, STACK_GLOBAL), the only way such
 *   a pickle reaches code. Most tensors start with some opcode, and a clean parse alone does not count:
 *   tensor heads spell harmless pickles such as `N.` too often (about 1 in 250 half-precision storages
 *   and 1 in 3,000 random ones, measured), while the rare garbage "import" names no identifier (none did
 *   in 1.5 million sampled heads).
 */
function storageHoldsPickle(source: ByteSource, whole: boolean): boolean {
  const head = source.readAt(0, 2);
  if (head.length === 0 || !isOpcode(head[0] as number)) return false;
  const modern = head[0] === 0x80 && (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5;
  if (modern && !whole) return true;
  // Only the kept prefix of long strings is read (no embedded-payload expansion): the full analysis
  // looks inside once the member is confirmed.
  const run = simulatePickle(new ByteReader(source, 0, SNIFF_BYTES), 0, {
    limits: { maxOpcodes: MAX_STORAGE_SNIFF_OPCODES, maxEmbeddedBytes: 0 },
  });
  if (modern) return run.error === undefined || run.imports.length > 0 || run.calls.length > 0;
  return run.imports.some((i) => PY_QUALNAME.test(i.module) && PY_QUALNAME.test(i.name));
}

async function memberSource(
  source: ByteSource,
  entry: ZipEntry,
  ctx: AnalysisContext,
  sniffOnly: boolean,
): Promise<{ source: ByteSource; complete: boolean } | undefined> {
  const declared = `${entry.compressedSize} compressed, ${entry.uncompressedSize} declared`;
  if (entry.method === METHOD_STORED) {
    // PyTorch (miniz) and zipfile disagree on a stored member's length when its sizes differ (an anomaly
    // the reader reports); the longer view holds the shorter one, so analysing it covers both loaders.
    const length = Math.max(entry.compressedSize, entry.uncompressedSize);
    return { source: sliceSource(source, entry.dataOffset, length), complete: true };
  }
  if (entry.method !== METHOD_DEFLATE) {
    // PyTorch (miniz) reads only stored and deflated members; others cannot be loaded by it, but other
    // loaders may, so say what was not analysed.
    ctx.notAnalysed({
      ruleId: ARCHIVE_RULES.malformed.id,
      severity: 'medium',
      title: ARCHIVE_RULES.malformed.title,
      message: `Member '${entry.name}' uses compression method ${entry.method}, which pedigree does not decompress; it was not analysed.`,
      offset: entry.localHeaderOffset,
      evidence: `method ${entry.method}`,
      remediation: ARCHIVE_RULES.malformed.help,
    });
    return undefined;
  }
  const maxOutput = sniffOnly
    ? SNIFF_BYTES
    : Math.min(ctx.limits.maxMemberBytes, Math.max(0, ctx.budget.decompressedBytes));
  const out = await inflateMember(source, entry, {
    maxOutputBytes: maxOutput,
    maxRatio: ctx.limits.maxCompressionRatio,
    minBytesForRatio: MIN_BYTES_FOR_RATIO,
  });
  ctx.budget.decompressedBytes -= out.data.length;
  if (sniffOnly) return { source: bufferSource(out.data), complete: out.complete };
  if (!out.complete) {
    reportIncompleteDecompression(ctx, `Member '${entry.name}'`, out, maxOutput, {
      offset: out.stopped !== undefined ? entry.localHeaderOffset : entry.dataOffset,
      sizes: declared,
    });
  }
  return { source: bufferSource(out.data), complete: out.complete };
}

function checkCrc(ctx: AnalysisContext, entry: ZipEntry, source: ByteSource, recovered: boolean): void {
  if (recovered || source.size > MAX_CRC_CHECK_BYTES) return;
  const actual = memberCrc(source.readAt(0, source.size));
  if (actual === entry.crc32) return;
  ctx.report({
    ruleId: ARCHIVE_RULES.crcMismatch.id,
    severity: 'medium',
    title: ARCHIVE_RULES.crcMismatch.title,
    message: `Member '${entry.name}' has CRC-32 ${hex(actual)} but the archive records ${hex(entry.crc32)}. PyTorch loads it anyway; zipfile-based tools refuse it.`,
    offset: entry.localHeaderOffset,
    evidence: `stored ${hex(entry.crc32)}, computed ${hex(actual)}`,
    remediation: ARCHIVE_RULES.crcMismatch.help,
    references: ARCHIVE_RULES.crcMismatch.references,
  });
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function formatOf(layout: ZipLayout): AnalysisResult {
  switch (layout.kind) {
    case 'pytorch':
      return { format: 'pytorch-zip', kind: 'model' };
    case 'torchscript':
      return { format: 'torchscript', kind: 'model' };
    case 'npz':
      return { format: 'npz', kind: 'data' };
    case 'keras':
      return { format: 'keras', kind: 'model' };
    case 'skops':
      return { format: 'skops', kind: 'model' };
    case 'zip':
      return { format: 'zip', kind: 'archive' };
  }
}

async function reportTorchScriptCode(
  ctx: AnalysisContext,
  source: ByteSource,
  code: readonly ZipEntry[],
): Promise<void> {
  if (code.length === 0) return;
  const names = code.map((e) => e.name).sort();
  ctx.report({
    ruleId: PICKLE_RULES.torchscriptCode.id,
    severity: 'low',
    title: PICKLE_RULES.torchscriptCode.title,
    message: `The TorchScript archive carries ${code.length} code file(s) that torch.jit.load compiles and runs: ${truncateText(names.join(', '), 300)}.`,
    evidence: truncateText(names.join(', '), 500),
    remediation: PICKLE_RULES.torchscriptCode.help,
    references: PICKLE_RULES.torchscriptCode.references,
  });
  for (const entry of code) {
    // memberSource bounds the inflated size (and reports a member it had to cut); the whole of what it
    // returns is searched, window by window, so padding cannot push a call out of sight.
    const member = await memberSource(source, entry, ctx, false);
    if (!member) continue;
    const found = searchTorchScript(member.source);
    if (found === undefined) continue;
    const { risky, text } = found;
    const line = text.split('\n').find((l) => l.includes(risky)) ?? risky;
    ctx.report({
      ruleId: PICKLE_RULES.torchscriptCode.id,
      severity: 'high',
      title: PICKLE_RULES.torchscriptCode.title,
      message: `TorchScript code in '${entry.name}' uses ${risky}, which reads or writes files or loads more serialized data when the model runs.`,
      offset: entry.localHeaderOffset,
      evidence: truncateText(line.trim(), 300),
      remediation: PICKLE_RULES.torchscriptCode.help,
      references: PICKLE_RULES.torchscriptCode.references,
    });
  }
}

/** Overlap between search windows: longer than any risky token with generous whitespace around its dots. */
const TORCHSCRIPT_WINDOW_OVERLAP = 4096;

function searchTorchScript(source: ByteSource): { risky: string; text: string } | undefined {
  const decoder = new TextDecoder('utf-8');
  const step = MAX_TORCHSCRIPT_SOURCE_BYTES - TORCHSCRIPT_WINDOW_OVERLAP;
  for (let pos = 0; pos < source.size; pos += step) {
    const text = decoder.decode(source.readAt(pos, MAX_TORCHSCRIPT_SOURCE_BYTES));
    const risky = findRiskyTorchScript(text);
    if (risky !== undefined) return { risky, text };
    if (pos + MAX_TORCHSCRIPT_SOURCE_BYTES >= source.size) break;
  }
  return undefined;
}

/** Zip archives: PyTorch checkpoints, TorchScript, npz, and plain zips holding models. */
export const zipAnalyser: FormatAnalyser = {
  id: 'zip',
  detect(head) {
    return startsWithBytes(head, ZIP_LOCAL_MAGIC) || startsWithBytes(head, ZIP_EMPTY_MAGIC);
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    let dir: ReturnType<typeof readZipDirectory>;
    try {
      dir = readZipDirectory(source, { maxEntries: ctx.limits.maxArchiveMembers });
    } catch (error) {
      // Looked like a zip (magic or end record) but no member can be located: nothing a zip reader would
      // load, and nothing we could check.
      ctx.notAnalysed({
        ruleId: ARCHIVE_RULES.malformed.id,
        severity: 'medium',
        title: ARCHIVE_RULES.malformed.title,
        message: `The zip archive could not be read: ${describeError(error)}.`,
        offset: 0,
        evidence: describeError(error),
        remediation: ARCHIVE_RULES.malformed.help,
      });
      return { format: 'zip', kind: 'archive' };
    }
    for (const a of dir.anomalies) reportAnomaly(ctx, a);
    if (dir.omittedEntries > 0) {
      ctx.notAnalysed({
        ruleId: ARCHIVE_RULES.bomb.id,
        severity: 'high',
        title: ARCHIVE_RULES.bomb.title,
        message: `The archive lists ${dir.entries.length + dir.omittedEntries} members; only the first ${dir.entries.length} were analysed.`,
        evidence: `${dir.omittedEntries} member(s) not analysed`,
        remediation: ARCHIVE_RULES.bomb.help,
      });
    }
    const layout = classifyZipLayout(dir.entries.map((e) => e.name));
    const torchScript = layout.kind === 'torchscript';
    const policy = torchScript ? createTorchScriptPolicy(ctx.policy) : undefined;
    const code: ZipEntry[] = [];
    for (const entry of dir.entries) {
      if (entry.isDirectory || entry.isSymlink || entry.dataOffset < 0) continue;
      if (torchScript && isTorchScriptCodeName(entry.name)) {
        code.push(entry);
        continue;
      }
      const storage = isTensorStorageMember(layout, entry.name);
      try {
        if (storage) {
          // Tensor bytes: never read whole (a 2 GB checkpoint costs what a 2 MB one does), only sniffed.
          const sniff = await memberSource(source, entry, ctx, true);
          if (sniff === undefined) continue;
          if (!storageHoldsPickle(sniff.source, entry.method === METHOD_STORED)) continue;
        }
        const member = await memberSource(source, entry, ctx, false);
        if (member === undefined) continue;
        if (member.complete) checkCrc(ctx, entry, member.source, dir.recovered);
        if (layout.kind === 'skops' && entry.name === 'schema.json') reportSkopsSchema(ctx, member.source);
        if (layout.kind === 'keras' && isKerasConfigMember(entry.name)) {
          // The Keras configuration walk, instead of the generic JSON analysis (not both: one story).
          await reportKerasArchiveConfig(ctx, member.source);
          continue;
        }
        await ctx.analyseMember(entry.name, member.source, policy ? { policy } : undefined);
      } catch (error) {
        ctx.notAnalysed({
          ruleId: ARCHIVE_RULES.malformed.id,
          severity: 'medium',
          title: ARCHIVE_RULES.malformed.title,
          message: `Member '${entry.name}' could not be read: ${describeError(error)}.`,
          offset: entry.localHeaderOffset,
          evidence: describeError(error),
          remediation: ARCHIVE_RULES.malformed.help,
        });
      }
    }
    await reportTorchScriptCode(ctx, source, code);
    if (layout.kind === 'keras')
      reportKerasArchiveCode(
        ctx,
        dir.entries.map((e) => e.name),
      );
    return formatOf(layout);
  },
};

/**
 * A zip found by its end record behind other data: zipfile (and numpy.load of a zip) read it, while
 * pickle.load, torch.load and numpy.load decide by the first bytes. It is analysed in addition to whatever
 * the first bytes are (secondary), so neither view of a polyglot hides the other.
 */
export const appendedZipAnalyser: FormatAnalyser = {
  id: 'zip',
  secondary: true,
  detect(head, source) {
    if (startsWithBytes(head, ZIP_LOCAL_MAGIC) || startsWithBytes(head, ZIP_EMPTY_MAGIC)) return false;
    try {
      const eocd = findEndRecord(source);
      if (eocd === undefined || eocd.entries === 0) return false;
      const at = source.readAt(eocd.cdEnd - eocd.cdSize, 4);
      return startsWithBytes(at, [0x50, 0x4b, 0x01, 0x02]);
    } catch {
      return false;
    }
  },
  analyse: (source, ctx, head) => zipAnalyser.analyse(source, ctx, head),
};
