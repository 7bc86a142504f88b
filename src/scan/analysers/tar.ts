import { ByteReader, type ByteSource } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { simulatePickle } from '../../formats/pickle/simulate.js';
import { isGlobal, isTagged, type PickleValue } from '../../formats/pickle/values.js';
import { listTar, looksLikeTar, type TarEntry, tarMemberViews } from '../../formats/tar/reader.js';
import { escapesRoot } from '../../formats/zip/reader.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { analysePickleIn, confirmPickle } from './pickle.js';

/** Storages and tensors walked in a legacy PyTorch tar's `storages`/`tensors` members. */
export const MAX_LEGACY_RECORDS = 1_000_000;
/** Dimensions a legacy tensor record may declare. */
export const MAX_LEGACY_NDIM = 64;

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

const LEGACY_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];

/** Places where tar readers disagree that are reported one by one; the rest are counted in one finding. */
export const MAX_DIVERGENCE_FINDINGS = 20;

function tupleItems(v: PickleValue | undefined): readonly PickleValue[] | undefined {
  return v !== undefined && isTagged(v) && v.k === 'tuple' ? v.items : undefined;
}

/**
 * The legacy tar format's `storages` and `tensors` members interleave pickles with raw bytes
 * (torch/serialization.py `legacy_load`): `storages` is a count pickle, then per storage a
 * (key, location, storage_type) pickle, an int64 element count and the raw elements, then a storage-views
 * pickle; `tensors` is a count pickle, then per tensor a (key, storage_id, type) pickle and
 * int32 ndim, 4 padding bytes, ndim int64 sizes, ndim int64 strides and an int64 offset. Every pickle is
 * analysed; the raw bytes are skipped exactly as torch skips them.
 */
function analyseLegacyRecords(source: ByteSource, ctx: AnalysisContext, kind: 'storages' | 'tensors'): void {
  const reader = new ByteReader(source);
  const pickleAt = (offset: number) => analysePickleIn(source, ctx, { start: offset, single: true });
  const notAnalysed = (offset: number, why: string) =>
    ctx.notAnalysed({
      ruleId: ARCHIVE_RULES.malformed.id,
      severity: 'medium',
      title: ARCHIVE_RULES.malformed.title,
      message: `The legacy PyTorch '${kind}' record could not be walked past offset ${offset}: ${why}. Pickles after it were not analysed.`,
      offset,
      evidence: why,
      remediation: ARCHIVE_RULES.malformed.help,
    });
  const first = pickleAt(0);
  const count = first.runs[0]?.result;
  if (!first.complete) return;
  if (typeof count !== 'number' && typeof count !== 'bigint') {
    notAnalysed(first.end, 'the record count is not an integer');
    return;
  }
  let offset = first.end;
  const n = Number(count);
  if (n > MAX_LEGACY_RECORDS) {
    notAnalysed(offset, `${n} records exceed the limit of ${MAX_LEGACY_RECORDS}`);
    return;
  }
  try {
    for (let i = 0; i < n; i++) {
      const rec = pickleAt(offset);
      if (!rec.complete) return;
      const items = tupleItems(rec.runs[0]?.result);
      reader.seek(rec.end);
      if (kind === 'storages') {
        const type = items?.[2];
        const size = type !== undefined && isGlobal(type) ? STORAGE_ELEMENT_SIZE[type.name] : undefined;
        if (size === undefined) {
          notAnalysed(rec.end, 'a storage record does not name a known storage type');
          return;
        }
        const numel = reader.u64le('storage element count');
        reader.skip(Number(numel) * size, 'storage bytes');
      } else {
        const ndim = reader.i32le('tensor ndim');
        if (ndim < 0 || ndim > MAX_LEGACY_NDIM) {
          notAnalysed(rec.end, `tensor ndim ${ndim} is out of range`);
          return;
        }
        reader.skip(4 + 16 * ndim + 8, 'tensor sizes, strides and offset');
      }
      offset = reader.offset;
    }
    if (kind === 'storages' && offset < source.size) pickleAt(offset);
  } catch (error) {
    notAnalysed(offset, describeError(error));
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
