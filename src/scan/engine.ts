import type { ByteSource } from '../core/byte-reader.js';
import { describeError } from '../core/errors.js';
import type { ArtifactKind, Finding } from '../core/finding.js';
import {
  MAX_ARCHIVE_MEMBERS,
  MAX_COMPRESSION_RATIO,
  MAX_MEMBER_BYTES,
  MAX_NESTING_DEPTH,
  MAX_TOTAL_DECOMPRESSED_BYTES,
  SNIFF_BYTES,
} from '../core/limits.js';
import type { AnalysisContext, FindingDraft, ScanLimits } from './context.js';
import { toFinding } from './context.js';
import type { ImportPolicy } from './pickle/policy.js';
import { SCAN_RULES } from './rules.js';

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxNestingDepth: MAX_NESTING_DEPTH,
  maxMemberBytes: MAX_MEMBER_BYTES,
  maxTotalDecompressedBytes: MAX_TOTAL_DECOMPRESSED_BYTES,
  maxCompressionRatio: MAX_COMPRESSION_RATIO,
  maxArchiveMembers: MAX_ARCHIVE_MEMBERS,
};

/** What an analyser found the input to be, refined after parsing (e.g. `zip` → `pytorch-zip`). */
export interface AnalysisResult {
  readonly format: string;
  readonly kind: ArtifactKind;
}

/**
 * A format analyser (STYLE.md §5: adding a format is adding a file). `detect` looks at the first bytes and
 * the name only as a hint; content decides. The first analyser whose `detect` answers is used.
 */
export interface FormatAnalyser {
  readonly id: string;
  detect(head: Uint8Array, source: ByteSource, name: string): boolean;
  analyse(source: ByteSource, ctx: AnalysisContext, head: Uint8Array): Promise<AnalysisResult>;
}

/** Outcome of analysing one file on disk. */
export interface FileAnalysis {
  readonly format: string;
  readonly kind: ArtifactKind;
  readonly findings: readonly Finding[];
  /** Parts (the file or members) that could not be fully analysed. */
  readonly notAnalysed: number;
}

export interface EngineOptions {
  readonly analysers: readonly FormatAnalyser[];
  readonly policy: ImportPolicy;
  readonly limits?: Partial<ScanLimits>;
}

/** Runs the analysers over one file or member, recursively for containers. */
export async function analyseSource(
  source: ByteSource,
  path: string,
  options: EngineOptions,
): Promise<FileAnalysis> {
  const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, ...options.limits };
  const findings: Finding[] = [];
  const state = { notAnalysed: 0 };
  const budget = { decompressedBytes: limits.maxTotalDecompressedBytes };
  const result = await analyseAt(source, path, undefined, 0, options, limits, budget, findings, state);
  return { ...result, findings, notAnalysed: state.notAnalysed };
}

async function analyseAt(
  source: ByteSource,
  path: string,
  member: string | undefined,
  depth: number,
  options: EngineOptions,
  limits: ScanLimits,
  budget: { decompressedBytes: number },
  findings: Finding[],
  state: { notAnalysed: number },
): Promise<AnalysisResult> {
  let countedNotAnalysed = false;
  const ctx: AnalysisContext = {
    path,
    member,
    depth,
    policy: options.policy,
    limits,
    budget,
    report(draft: FindingDraft) {
      findings.push(toFinding(ctx, draft));
    },
    notAnalysed(draft: FindingDraft) {
      if (!countedNotAnalysed) {
        countedNotAnalysed = true;
        state.notAnalysed++;
      }
      findings.push(toFinding(ctx, draft));
    },
    async analyseMember(name: string, memberSource: ByteSource) {
      const memberPath = member === undefined ? name : `${member}!/${name}`;
      if (depth + 1 > limits.maxNestingDepth) {
        const child = { path, member: memberPath };
        state.notAnalysed++;
        findings.push(
          toFinding(child, {
            ruleId: SCAN_RULES.nestingLimit.id,
            severity: 'medium',
            title: SCAN_RULES.nestingLimit.title,
            message: `Containers are nested more than ${limits.maxNestingDepth} levels deep; this member was not analysed.`,
            evidence: `depth ${depth + 1}`,
            remediation: SCAN_RULES.nestingLimit.help,
          }),
        );
        return;
      }
      await analyseAt(memberSource, path, memberPath, depth + 1, options, limits, budget, findings, state);
    },
  };
  const head = source.readAt(0, Math.min(SNIFF_BYTES, source.size));
  const name = member ?? path;
  for (const analyser of options.analysers) {
    if (!analyser.detect(head, source, name)) continue;
    try {
      return await analyser.analyse(source, ctx, head);
    } catch (error) {
      ctx.notAnalysed({
        ruleId: SCAN_RULES.analysisError.id,
        severity: 'medium',
        title: SCAN_RULES.analysisError.title,
        message: `The ${analyser.id} analyser could not finish: ${describeError(error)}.`,
        evidence: describeError(error),
        remediation: SCAN_RULES.analysisError.help,
      });
      return { format: analyser.id, kind: 'other' };
    }
  }
  return { format: 'unknown', kind: 'other' };
}
