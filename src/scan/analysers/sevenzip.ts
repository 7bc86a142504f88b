import { bufferSource, truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { openSevenZip } from '../../formats/sevenzip/decoder.js';
import {
  isSevenZipHead,
  parseSevenZipSignature,
  type SevenZipSignature,
} from '../../formats/sevenzip/header.js';
import type { SevenZipListing, SevenZipMember } from '../../formats/sevenzip/listing.js';
import { escapesRoot } from '../../formats/zip/reader.js';
import { ARCHIVE_RULES } from '../archive/rules.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { SCAN_RULES } from '../rules.js';
import { MIN_BYTES_FOR_RATIO } from './zip.js';

/** Member names listed in one finding. */
const MAX_LISTED_NAMES = 20;

const RESULT: AnalysisResult = { format: '7z', kind: 'archive' };

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED_NAMES).join(', ');
  return truncateText(names.length > MAX_LISTED_NAMES ? `${shown}, …` : shown, 600);
}

function malformed(ctx: AnalysisContext, message: string, evidence: string): void {
  ctx.notAnalysed({
    ruleId: ARCHIVE_RULES.malformed.id,
    severity: 'medium',
    title: ARCHIVE_RULES.malformed.title,
    message,
    offset: 0,
    evidence: truncateText(evidence, 500),
    remediation: ARCHIVE_RULES.malformed.help,
  });
}

function encrypted(ctx: AnalysisContext, message: string, evidence: string): void {
  ctx.notAnalysed({
    ruleId: SCAN_RULES.unsupported.id,
    severity: 'medium',
    title: SCAN_RULES.unsupported.title,
    message,
    offset: 0,
    evidence,
    remediation:
      'Ask the publisher for an unencrypted copy, or decrypt it with a trusted tool and scan the result.',
  });
}

function bomb(ctx: AnalysisContext, message: string, evidence: string): void {
  ctx.notAnalysed({
    ruleId: ARCHIVE_RULES.bomb.id,
    severity: 'high',
    title: ARCHIVE_RULES.bomb.title,
    message,
    evidence: truncateText(evidence, 500),
    remediation: ARCHIVE_RULES.bomb.help,
    references: ARCHIVE_RULES.bomb.references,
  });
}

/** Traversal and link members, reported as the zip and tar analysers report them. */
function reportMemberRisks(ctx: AnalysisContext, member: SevenZipMember): void {
  if (escapesRoot(member.path)) {
    ctx.report({
      ruleId: ARCHIVE_RULES.pathTraversal.id,
      severity: 'high',
      title: ARCHIVE_RULES.pathTraversal.title,
      message: `Member '${truncateText(member.path, 200)}' escapes the extraction folder.`,
      evidence: truncateText(member.path, 300),
      remediation: ARCHIVE_RULES.pathTraversal.help,
      references: ARCHIVE_RULES.pathTraversal.references,
    });
  }
  if (member.isSymlink) {
    ctx.report({
      ruleId: ARCHIVE_RULES.link.id,
      severity: 'high',
      title: ARCHIVE_RULES.link.title,
      message: `Member '${truncateText(member.path, 200)}' is a symbolic link; 7-Zip recreates it as a link on extraction.`,
      evidence: truncateText(member.path, 300),
      remediation: ARCHIVE_RULES.link.help,
      references: ARCHIVE_RULES.link.references,
    });
  }
}

/**
 * Which members are decompressed, decided BEFORE anything is decompressed from the sizes the archive
 * declares (7-Zip decodes a block to exactly its declared unpack size, so the declared sizes bound the
 * output): members larger than the member limit, blocks that expand beyond the compression-ratio limit,
 * and whatever no longer fits in the scan's decompression budget are reported and left out.
 */
function selectMembers(ctx: AnalysisContext, listing: SevenZipListing): SevenZipMember[] {
  const files = listing.members.filter((m) => !m.isDirectory && !m.isSymlink && !m.encrypted);
  const blockSize = new Map<number, number>();
  const blockPacked = new Map<number, number>();
  for (const m of listing.members) {
    if (m.block === undefined) continue;
    blockSize.set(m.block, (blockSize.get(m.block) ?? 0) + (m.size ?? 0));
    if (m.packedSize !== undefined && !blockPacked.has(m.block)) blockPacked.set(m.block, m.packedSize);
  }
  const tooLarge: string[] = [];
  const ratio: string[] = [];
  const overBudget: string[] = [];
  const unknownSize: string[] = [];
  const selected: SevenZipMember[] = [];
  let budget = Math.max(0, ctx.budget.decompressedBytes);
  for (const m of files) {
    if (m.size === undefined) {
      unknownSize.push(m.path);
      continue;
    }
    if (m.size > ctx.limits.maxMemberBytes) {
      tooLarge.push(`${m.path} (${m.size} bytes)`);
      continue;
    }
    if (m.block !== undefined) {
      const unpacked = blockSize.get(m.block) ?? 0;
      const packed = blockPacked.get(m.block) ?? 0;
      if (unpacked >= MIN_BYTES_FOR_RATIO && unpacked > packed * ctx.limits.maxCompressionRatio) {
        ratio.push(`${m.path} (block ${m.block}: ${unpacked} bytes from ${packed})`);
        continue;
      }
    }
    if (m.size > budget) {
      overBudget.push(`${m.path} (${m.size} bytes)`);
      continue;
    }
    budget -= m.size;
    selected.push(m);
  }
  if (tooLarge.length > 0) {
    bomb(
      ctx,
      `${tooLarge.length} member(s) declare more than ${ctx.limits.maxMemberBytes} bytes and were not decompressed: ${listNames(tooLarge)}.`,
      tooLarge.join('\n'),
    );
  }
  if (ratio.length > 0) {
    bomb(
      ctx,
      `${ratio.length} member(s) sit in blocks that expand more than ${ctx.limits.maxCompressionRatio}:1 and were not decompressed: ${listNames(ratio)}.`,
      ratio.join('\n'),
    );
  }
  if (overBudget.length > 0) {
    bomb(
      ctx,
      `The scan’s total decompression budget is used up; ${overBudget.length} member(s) were not decompressed: ${listNames(overBudget)}.`,
      overBudget.join('\n'),
    );
  }
  if (unknownSize.length > 0) {
    malformed(
      ctx,
      `${unknownSize.length} member(s) declare no size and were not decompressed: ${listNames(unknownSize)}.`,
      unknownSize.join('\n'),
    );
  }
  return selected;
}

function readSignature(ctx: AnalysisContext, source: Parameters<typeof parseSevenZipSignature>[0]) {
  try {
    return parseSevenZipSignature(source);
  } catch (error) {
    malformed(ctx, `The 7z archive could not be read: ${describeError(error)}.`, describeError(error));
    return undefined;
  }
}

/**
 * 7z archives (7-Zip DOC/7zFormat.txt), listed and decompressed by 7-Zip itself in WebAssembly; members are
 * analysed by content. Model files are shipped in 7z to get past scanners that cannot open it (picklescan's
 * malicious1.7z: a pickle calling builtins.eval).
 */
export const sevenZipAnalyser: FormatAnalyser = {
  id: '7z',
  detect(head) {
    return isSevenZipHead(head);
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    const signature: SevenZipSignature | undefined = readSignature(ctx, source);
    if (signature === undefined) return RESULT;
    if (signature.headerEncrypted) {
      encrypted(
        ctx,
        'The 7z archive is encrypted, member names included (7-Zip -mhe=on); nothing inside it was analysed.',
        'encrypted 7z header (7zAES coder)',
      );
      return RESULT;
    }
    for (const problem of signature.problems)
      malformed(ctx, `The 7z archive is damaged: ${problem}.`, problem);
    if (signature.header === 'empty') return RESULT;

    let decoder: Awaited<ReturnType<typeof openSevenZip>>;
    let listing: SevenZipListing;
    try {
      decoder = await openSevenZip(source);
      listing = decoder.list(ctx.limits.maxArchiveMembers);
    } catch (error) {
      malformed(
        ctx,
        `7-Zip could not list the archive's members: ${describeError(error)}. Nothing inside it was analysed.`,
        describeError(error),
      );
      return RESULT;
    }
    if (listing.omitted > 0) {
      bomb(
        ctx,
        `The archive lists ${listing.members.length + listing.omitted} members; only the first ${listing.members.length} were analysed.`,
        `${listing.omitted} member(s) not analysed`,
      );
    }
    for (const member of listing.members) reportMemberRisks(ctx, member);
    const locked = listing.members.filter((m) => m.encrypted).map((m) => m.path);
    if (locked.length > 0) {
      encrypted(
        ctx,
        `${locked.length} member(s) of the 7z archive are encrypted and were not analysed: ${listNames(locked)}.`,
        truncateText(locked.join('\n'), 500),
      );
    }
    const selected = selectMembers(ctx, listing);
    const files = listing.members.filter((m) => !m.isDirectory && !m.isSymlink);
    if (selected.length === 0) return RESULT;
    // Everything extractable: extract the whole archive in one pass (a solid block is then decoded once).
    const names = selected.length === files.length ? undefined : selected.map((m) => m.path);
    let extracted = 0;
    const result = await decoder.extract(names, async (file) => {
      extracted++;
      ctx.budget.decompressedBytes -= file.data.length;
      await ctx.analyseMember(file.path, bufferSource(file.data));
    });
    if (result.exitCode !== 0 || extracted < selected.length) {
      const why = result.messages.length > 0 ? result.messages.join('; ') : `exit code ${result.exitCode}`;
      malformed(
        ctx,
        `7-Zip extracted ${extracted} of the ${selected.length} member(s) it was asked for (${truncateText(why, 300)}); the rest were not analysed.`,
        why,
      );
    }
    return RESULT;
  },
};
