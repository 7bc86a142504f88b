import { ByteReader, type ByteSource } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { simulatePickle } from '../../formats/pickle/simulate.js';
import {
  globalName,
  isCall,
  isGlobal,
  isTagged,
  type PickleValue,
  typeName,
} from '../../formats/pickle/values.js';
import { listTar, looksLikeTar, type TarEntry, tarMemberViews } from '../../formats/tar/reader.js';
import { escapesRoot } from '../../formats/zip/reader.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisContext, FindingDraft } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import type { PickleStreamResult } from '../pickle/analyse.js';
import { analysePickleIn, confirmPickle } from './pickle.js';

/**
 * Record positions walked in a legacy PyTorch tar's `storages`/`tensors` member (every storage or tensor
 * record, and each place an unknown element size could make torch read next).
 */
export const MAX_LEGACY_RECORDS = 1_000_000;

/** Element sizes of PyTorch storage classes (torch/_utils.py `_element_size` of each storage's dtype). */
const STORAGE_ELEMENT_SIZE: Readonly<Record<string, number>> = {
  DoubleStorage: 8,
  FloatStorage: 4,
  HalfStorage: 2,
  BFloat16Storage: 2,
  LongStorage: 8,
  IntStorage: 4,
  ShortStorage: 2,
  CharStorage: 1,
  ByteStorage: 1,
  BoolStorage: 1,
  ComplexFloatStorage: 8,
  ComplexDoubleStorage: 16,
  QInt8Storage: 1,
  QUInt8Storage: 1,
  QInt32Storage: 4,
  QUInt4x2Storage: 1,
  QUInt2x4Storage: 1,
  UntypedStorage: 1,
};

/**
 * Every value torch/_utils.py `_element_size(dtype)` can return (finfo/iinfo bits of a torch.dtype: c10's
 * element sizes), followed when a storage record's type is only known at run time.
 */
const ANY_ELEMENT_SIZE: readonly number[] = [1, 2, 4, 8, 16];

const U64_MASK = (1n << 64n) - 1n;

const LEGACY_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];

/** Places where tar readers disagree that are reported one by one; the rest are counted in one finding. */
export const MAX_DIVERGENCE_FINDINGS = 20;

/** Values whose Python type is known and is not a callable's result, a module attribute or the like. */
function knownType(v: PickleValue): boolean {
  return !isTagged(v) || !['global', 'call', 'persid', 'ext', 'buffer'].includes(v.k);
}

function describeValue(v: PickleValue): string {
  if (isCall(v))
    return isGlobal(v.callee) ? `the result of calling ${globalName(v.callee)}` : 'a call result';
  if (isGlobal(v)) return `the global ${globalName(v)}`;
  return `a ${typeName(v)}`;
}

/**
 * What `range(count)` makes of the count pickle's value (torch/serialization.py legacy_load:
 * `for i in range(num_storages)` / `for _ in range(num_tensors)`): an int or a bool (range(True) is
 * range(1)), negative counts giving no iteration; a TypeError for any other known type (float, str, None,
 * containers); unknown for what only running the pickle tells (a call result, a module attribute).
 */
type RecordCount =
  | { readonly kind: 'int'; readonly n: number; readonly bool: boolean }
  | { readonly kind: 'unknown'; readonly what: string }
  | { readonly kind: 'raises'; readonly why: string };

function recordCount(v: PickleValue): RecordCount {
  if (typeof v === 'boolean') return { kind: 'int', n: v ? 1 : 0, bool: true };
  if (typeof v === 'number') return { kind: 'int', n: Math.max(0, v), bool: false };
  if (typeof v === 'bigint') {
    const n = v < 0n ? 0 : v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
    return { kind: 'int', n, bool: false };
  }
  if (knownType(v)) return { kind: 'raises', why: `range() raises TypeError on ${describeValue(v)}` };
  return { kind: 'unknown', what: describeValue(v) };
}

/**
 * The element sizes torch may multiply a storage record's int64 element count by, or why the record makes
 * torch raise. torch/serialization.py legacy_load: `key, location, storage_type = args`,
 * `dtype = storage_type._dtype` (`.dtype` in torch 1.x), `UntypedStorage._new_with_file(f,
 * _element_size(dtype))`. A storage class of torch is exact; a value only known at run time (a call result,
 * an attribute of a module other than torch's) may be any size.
 */
function storageElementSizes(v: PickleValue | undefined): readonly number[] | string {
  if (v === undefined || !knownType(v)) return ANY_ELEMENT_SIZE;
  if (!isTagged(v) || v.k === 'float' || v.k === 'bytes' || v.k === 'bytearray' || v.k === 'longstr') {
    // Not iterable, or iterates into str/int items, which have no _dtype.
    return `the record is ${describeValue(v)}, not (key, location, storage_type)`;
  }
  if (v.k !== 'tuple' && v.k !== 'list' && v.k !== 'set' && v.k !== 'frozenset' && v.k !== 'dict')
    return ANY_ELEMENT_SIZE;
  if (v.count !== 3) return `the record unpacks into ${v.count} values, not 3`;
  // Set and dict iteration order (a dict iterates its keys) is not modelled: any item may be storage_type.
  if (v.k !== 'tuple' && v.k !== 'list') return ANY_ELEMENT_SIZE;
  const type = v.items[2];
  if (type !== undefined && isGlobal(type) && !type.dynamic && /^torch(\.|$)/.test(type.module)) {
    // In torch's own namespace only the storage classes have a `_dtype` that is a torch.dtype: any other
    // name fails in find_class, on `._dtype` or in _element_size ("expected torch.dtype").
    const size = Object.hasOwn(STORAGE_ELEMENT_SIZE, type.name) ? STORAGE_ELEMENT_SIZE[type.name] : undefined;
    return size !== undefined
      ? [size]
      : `its storage_type ${globalName(type)} is not a storage class of torch`;
  }
  if (type === undefined || !knownType(type)) return ANY_ELEMENT_SIZE;
  return `its storage_type is ${describeValue(type)}, which has no _dtype`;
}

/** Whether pickle.load at `offset` would do anything before failing: reach STOP, import or call. */
function runsSomething(source: ByteSource, offset: number): boolean {
  const run = simulatePickle(source, offset);
  if (run.error === undefined || run.error.code === 'LIMIT_EXCEEDED') return true;
  return run.imports.length + run.dynamicImports.length + run.calls.length + run.extensions.length > 0;
}

/**
 * `ctx` reporting each finding once: the places an unknown element size leads to can fall inside a pickle
 * analysed from another place, and both analyses then report the same opcodes.
 */
function reportingOnce(ctx: AnalysisContext): AnalysisContext {
  const seen = new Set<string>();
  const fresh = (d: FindingDraft) => {
    const key = `${d.ruleId}\0${d.offset ?? ''}\0${d.evidence}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  return {
    path: ctx.path,
    member: ctx.member,
    depth: ctx.depth,
    policy: ctx.policy,
    limits: ctx.limits,
    budget: ctx.budget,
    report(d) {
      if (fresh(d)) ctx.report(d);
    },
    notAnalysed(d) {
      if (fresh(d)) ctx.notAnalysed(d);
    },
    child: (name) => ctx.child(name),
    analyseMember: (name, source, options) => ctx.analyseMember(name, source, options),
    analyseLater: (name, source) => ctx.analyseLater(name, source),
  };
}

interface RecordStep {
  readonly offset: number;
  /** Records read before this one. */
  readonly index: number;
  /** Reached through an element size guessed for a storage type only known at run time. */
  readonly speculative: boolean;
}

/**
 * The legacy tar format's `storages` and `tensors` members interleave pickles with raw bytes
 * (torch/serialization.py `legacy_load`, which reads them from files opened unbuffered so that
 * `pickle.load` stops right after STOP): `storages` is a count pickle, then per storage a
 * (key, location, storage_type) pickle, an int64 element count and the raw elements
 * (`_new_with_file`: THPStorage_readFileRaw reads the int64 count then count * element_size bytes, a size_t
 * product), then a storage-views pickle; `tensors` is a count pickle, then per tensor a
 * (key, storage_id, type) pickle and int32 ndim, 4 padding bytes, ndim int64 sizes, ndim int64 strides and
 * an int64 offset (struct.unpack, which sets no limit on ndim). Every pickle torch would unpickle is
 * analysed; the raw bytes are skipped exactly as torch skips them. Where the layout depends on what only
 * running the pickles tells (the count, a storage's element size), every possibility is followed and the
 * file is reported at high: torch.save writes a literal int count and a storage class.
 */
function analyseLegacyRecords(
  source: ByteSource,
  memberCtx: AnalysisContext,
  kind: 'storages' | 'tensors',
): void {
  const ctx = reportingOnce(memberCtx);
  const reader = new ByteReader(source);
  const analysed = new Map<number, PickleStreamResult | undefined>();
  // Positions a guessed element size leads to are analysed only if pickle.load would do something there,
  // so the element sizes torch does not use add no noise about bytes that are not a pickle.
  const pickleAt = (offset: number, speculative: boolean) => {
    if (!analysed.has(offset)) {
      const run = !speculative || runsSomething(source, offset);
      analysed.set(offset, run ? analysePickleIn(source, ctx, { start: offset, single: true }) : undefined);
    }
    return analysed.get(offset);
  };
  /** `torchStops`: torch.load raises there too, so nothing after it is unpickled. */
  const notAnalysed = (offset: number, why: string, torchStops = true) => {
    const rest = source.size - offset;
    const after = rest > 0 ? `the ${rest} byte(s) after it were not analysed` : 'nothing follows it';
    ctx.notAnalysed({
      ruleId: ARCHIVE_RULES.malformed.id,
      severity: 'medium',
      title: ARCHIVE_RULES.malformed.title,
      message: `The legacy PyTorch '${kind}' record could not be walked past offset ${offset}: ${why}. ${torchStops ? `torch.load stops there too; ${after}` : `${after[0]?.toUpperCase()}${after.slice(1)}`}.`,
      offset,
      evidence: why,
      remediation: ARCHIVE_RULES.malformed.help,
    });
  };
  const structure = (severity: 'high' | 'medium', message: string, offset: number, evidence: string) =>
    ctx.report({
      ruleId: ARCHIVE_RULES.structure.id,
      severity,
      title: ARCHIVE_RULES.structure.title,
      message,
      offset,
      evidence,
      remediation:
        'Do not load this file with torch.load. torch.save never writes it; treat it as crafted to evade scanners.',
      references: ARCHIVE_RULES.structure.references,
    });

  if (source.size === 0) return; // pickle.load raises EOFError
  const first = pickleAt(0, false);
  const value = first?.runs[0]?.result;
  if (first === undefined || !first.complete || value === undefined) return;
  const count = recordCount(value);
  if (count.kind === 'raises') {
    notAnalysed(first.end, count.why);
    return;
  }
  if (count.kind === 'unknown') {
    structure(
      'high',
      `The '${kind}' record count is ${count.what}, not an int. torch/serialization.py legacy_load passes it to range(), so how many records torch reads is only known when the pickle runs; torch.save writes a literal int. Every record that follows was walked and analysed.`,
      0,
      `record count: ${count.what}`,
    );
  } else if (count.bool) {
    structure(
      'medium',
      `The '${kind}' record count is ${value ? 'True' : 'False'}, not an int; torch reads it as range(${value ? 'True' : 'False'}) == range(${count.n}) and the records were walked that way.`,
      0,
      `record count: ${value ? 'True' : 'False'}`,
    );
  }

  let reportedGuess = false;
  const work: RecordStep[] = [{ offset: first.end, index: 0, speculative: false }];
  const seen = new Set<string>();
  let steps = 0;
  while (work.length > 0) {
    const step = work.pop() as RecordStep;
    // With a known count, what torch reads at a position depends on how many records came before it.
    const key = count.kind === 'int' ? `${step.offset}:${step.index}` : `${step.offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (++steps > MAX_LEGACY_RECORDS) {
      notAnalysed(step.offset, `more than ${MAX_LEGACY_RECORDS} record positions to follow`, false);
      return;
    }
    const loopDone = count.kind === 'int' && step.index >= count.n;
    // After the loop, 'storages' unpickles storage_views; nothing more is read from 'tensors'.
    if (loopDone && kind === 'tensors') continue;
    if (step.offset >= source.size) continue; // pickle.load raises EOFError
    const rec = pickleAt(step.offset, step.speculative);
    if (loopDone || rec === undefined || !rec.complete) continue;
    let certain = !step.speculative && count.kind === 'int';
    reader.seek(rec.end);
    try {
      if (kind === 'storages') {
        const sizes = storageElementSizes(rec.runs[0]?.result);
        if (typeof sizes === 'string') {
          // With an unknown count this pickle may be storage_views, after which nothing is read.
          if (certain) notAnalysed(rec.end, sizes);
          continue;
        }
        if (sizes.length > 1 && !reportedGuess) {
          reportedGuess = true;
          structure(
            'high',
            `A '${kind}' record at offset ${step.offset} names no storage class of torch, so the element size torch multiplies the stored element count by (torch/serialization.py legacy_load: _element_size(storage_type._dtype)) is only known when the pickle runs. Every element size torch can use (${ANY_ELEMENT_SIZE.join(', ')} bytes) was followed and the pickles where torch could read next were analysed.`,
            step.offset,
            `storage record at offset ${step.offset}`,
          );
        }
        // A record of unknown value may not even unpack: what follows it is not certain.
        certain &&= sizes.length === 1;
        const numel = reader.u64le('storage element count');
        const after = reader.offset;
        for (const size of sizes) {
          const bytes = (numel * BigInt(size)) & U64_MASK;
          if (bytes > BigInt(source.size - after)) {
            // THPStorage_readFileRaw: "unexpected EOF" (or a failed allocation).
            if (certain) notAnalysed(after, `the storage's ${bytes} byte(s) run past the end`);
            continue;
          }
          work.push({
            offset: after + Number(bytes),
            index: step.index + 1,
            speculative: step.speculative || sizes.length > 1,
          });
        }
      } else {
        const ndim = reader.i32le('tensor ndim');
        if (ndim < 0) {
          // struct.unpack(f'<{ndim}q', ...) raises struct.error on '<-1q'.
          if (certain) notAnalysed(rec.end, `tensor ndim ${ndim} is negative`);
          continue;
        }
        reader.skip(4 + 16 * ndim + 8, 'tensor sizes, strides and offset');
        work.push({ offset: reader.offset, index: step.index + 1, speculative: step.speculative });
      }
    } catch (error) {
      if (certain) notAnalysed(rec.end, describeError(error));
    }
  }
}

function reportEntryRisks(ctx: AnalysisContext, entry: TarEntry): void {
  if (escapesRoot(entry.name)) {
    ctx.report({
      ruleId: ARCHIVE_RULES.pathTraversal.id,
      severity: 'high',
      title: ARCHIVE_RULES.pathTraversal.title,
      message: `Member '${entry.name}' escapes the extraction folder.`,
      offset: entry.headerOffset,
      evidence: entry.name,
      remediation: ARCHIVE_RULES.pathTraversal.help,
      references: ARCHIVE_RULES.pathTraversal.references,
    });
  }
  if (entry.type === 'symlink' || entry.type === 'hardlink') {
    const outside = escapesRoot(entry.linkName);
    ctx.report({
      ruleId: ARCHIVE_RULES.link.id,
      severity: 'high',
      title: ARCHIVE_RULES.link.title,
      message: `Member '${entry.name}' is a ${entry.type === 'symlink' ? 'symbolic' : 'hard'} link to '${entry.linkName}'${outside ? ', outside the archive' : ''}.`,
      offset: entry.headerOffset,
      evidence: `${entry.name} -> ${entry.linkName}`,
      remediation: ARCHIVE_RULES.link.help,
      references: ARCHIVE_RULES.link.references,
    });
  }
}

/**
 * Whether the file's first bytes are a pickle torch.load's fallback would act on. torch/serialization.py
 * `_legacy_load` tries the tar reading first and on any `tarfile.TarError` (a bad header after an extended
 * one, a bad pax record, a member cut short...) seeks back to 0 and unpickles the file as the stacked legacy
 * format; a tar header's name field can hold that pickle. The project's test is confirmPickle (reaches STOP,
 * or resolves an import or a call before failing), narrowed by one thing Python does: it stops at the first
 * import it cannot resolve, and a module name with a NUL byte never resolves. Plain tars whose first member
 * name starts with 'c' (GLOBAL: "config.json") read such a name, because the line runs on through the
 * NUL-padded name field; they do nothing in Python and are not reported.
 */
function pickleAtStart(source: ByteSource, head: Uint8Array): boolean {
  if (!confirmPickle(source, head)) return false;
  const run = simulatePickle(source, 0, { limits: { maxOpcodes: 1_000_000 } });
  if (run.error === undefined) return true;
  const events = [
    ...run.imports.map((i) => ({ offset: i.offset, resolves: !i.module.includes('\0') })),
    ...run.dynamicImports.map((i) => ({ offset: i.offset, resolves: true })),
    ...run.extensions.map((e) => ({ offset: e.offset, resolves: true })),
    ...run.calls.map((c) => ({ offset: c.call.offset, resolves: true })),
  ].sort((a, b) => a.offset - b.offset);
  return events[0]?.resolves ?? true;
}

/** Tar archives, including PyTorch's legacy tar checkpoints (torch.save before 0.4 / `_use_new_zipfile_serialization=False` tar path). */
export const tarAnalyser: FormatAnalyser = {
  id: 'tar',
  detect(head) {
    return looksLikeTar(head);
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    const listing = listTar(source, { maxEntries: ctx.limits.maxArchiveMembers });
    const malformed = (message: string, offset: number, evidence: string) =>
      ctx.notAnalysed({
        ruleId: ARCHIVE_RULES.malformed.id,
        severity: 'medium',
        title: ARCHIVE_RULES.malformed.title,
        message,
        offset,
        evidence,
        remediation: ARCHIVE_RULES.malformed.help,
      });
    for (const p of listing.problems) {
      malformed(
        `The tar archive could not be fully read: ${p.message}. Members after this point were not analysed.`,
        p.offset,
        p.message,
      );
    }
    if (listing.omittedEntries) {
      ctx.notAnalysed({
        ruleId: ARCHIVE_RULES.bomb.id,
        severity: 'high',
        title: ARCHIVE_RULES.bomb.title,
        message: `The archive has more than ${ctx.limits.maxArchiveMembers} members; the rest were not analysed.`,
        evidence: `${listing.entries.length} members listed`,
        remediation: ARCHIVE_RULES.bomb.help,
      });
    }
    const structure = (message: string, offset: number, evidence: string) =>
      ctx.report({
        ruleId: ARCHIVE_RULES.structure.id,
        severity: 'high',
        title: ARCHIVE_RULES.structure.title,
        message,
        offset,
        evidence,
        remediation: ARCHIVE_RULES.structure.help,
        references: ARCHIVE_RULES.structure.references,
      });
    for (const d of listing.divergences.slice(0, MAX_DIVERGENCE_FINDINGS)) {
      structure(
        `Tar readers disagree about this archive: ${d.message}. The members of every reading were analysed.`,
        d.offset,
        d.message,
      );
    }
    const more = listing.divergences.length - MAX_DIVERGENCE_FINDINGS;
    if (more > 0) {
      structure(
        `Tar readers disagree about this archive in ${more} more place(s) than reported; the members of every reading were analysed.`,
        listing.divergences[MAX_DIVERGENCE_FINDINGS]?.offset ?? 0,
        `${listing.divergences.length} places where tar readers disagree`,
      );
    }
    // torch.load reads the members Python's tarfile lists; other readings' members are analysed but do not
    // make the file a legacy checkpoint.
    const primary = listing.entries.filter((e) => e.alternative === undefined);
    const names = new Set(primary.map((e) => e.name));
    const legacy = LEGACY_MEMBERS.every((m) => names.has(m));
    for (const entry of listing.entries) {
      reportEntryRisks(ctx, entry);
      if (entry.type !== 'file') continue;
      const { views, problem } = tarMemberViews(source, entry);
      if (problem !== undefined)
        malformed(
          `The tar member could not be read as tarfile reads it: ${problem}.`,
          entry.dataOffset,
          problem,
        );
      if (views.length > 1) {
        structure(
          `Sparse member '${entry.name}' has a map that TarFile.extractfile() (how torch.load reads 'pickle') and TarFile.extract() (how it reads 'storages' and 'tensors') lay out differently. Both layouts were analysed.`,
          entry.headerOffset,
          `${entry.name}: ${entry.sparse?.map.length ?? 0} sparse regions`,
        );
      }
      for (const view of views) {
        const name = view.label === undefined ? entry.name : `${entry.name} ${view.label}`;
        if (
          legacy &&
          entry.alternative === undefined &&
          (entry.name === 'storages' || entry.name === 'tensors')
        ) {
          analyseLegacyRecords(view.source, ctx.child(name), entry.name);
          continue;
        }
        await ctx.analyseMember(name, view.source);
      }
    }
    if (pickleAtStart(source, head)) {
      const why = listing.tarError
        ? `, which it does for this file (${listing.tarError.message} at offset ${listing.tarError.offset})`
        : '';
      structure(
        `The file is both a tar archive and a pickle: its first header starts with pickle opcodes. torch.load unpickles the file from byte 0 whenever Python's tarfile raises an error reading it${why}. Both readings were analysed.`,
        0,
        'tar + pickle polyglot',
      );
      analysePickleIn(source, ctx);
    }
    return legacy ? { format: 'pytorch-legacy-tar', kind: 'model' } : { format: 'tar', kind: 'archive' };
  },
};
