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
import { ARCHIVE_RULES } from './archive/rules.js';
import type { AnalysisContext, FindingDraft, MemberOptions, ScanLimits } from './context.js';
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
  /**
   * Secondary analysers also run when another analyser already took the input: they find a second
   * reading of the same bytes (a zip appended to a pickle) that some loader would use.
   */
  readonly secondary?: boolean;
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
  const state: EngineState = {
    options,
    limits,
    budget: { decompressedBytes: limits.maxTotalDecompressedBytes },
    findings: [],
    counts: { notAnalysed: 0 },
  };
  const result = await analyseAt(source, path, undefined, 0, state);
  return { ...result, findings: state.findings, notAnalysed: state.counts.notAnalysed };
}

interface EngineState {
  readonly options: EngineOptions;
  readonly limits: ScanLimits;
  readonly budget: { decompressedBytes: number };
  readonly findings: Finding[];
  /** Shared by every context of one file: parts that could not be fully analysed. */
  readonly counts: { notAnalysed: number };
}

function makeContext(
  path: string,
  member: string | undefined,
  depth: number,
  state: EngineState,
  later: (() => Promise<unknown>)[] = [],
): AnalysisContext {
  const { limits } = state;
  let countedNotAnalysed = false;
  const memberPathOf = (name: string) => (member === undefined ? name : `${member}!/${name}`);
  const ctx: AnalysisContext = {
    path,
    member,
    depth,
    policy: state.options.policy,
    limits,
    budget: state.budget,
    report(draft: FindingDraft) {
      state.findings.push(toFinding(ctx, draft));
    },
    notAnalysed(draft: FindingDraft) {
      if (!countedNotAnalysed) {
        countedNotAnalysed = true;
        state.counts.notAnalysed++;
      }
      state.findings.push(toFinding(ctx, draft));
    },
    child(name: string) {
      return makeContext(path, memberPathOf(name), depth + 1, state, later);
    },
    analyseLater(name: string, laterSource: ByteSource) {
      later.push(() => ctx.analyseMember(name, laterSource));
    },
    async analyseMember(name: string, memberSource: ByteSource, memberOptions?: MemberOptions) {
      const memberPath = memberPathOf(name);
      if (depth + 1 > limits.maxNestingDepth) {
        const child = { path, member: memberPath };
        state.counts.notAnalysed++;
        state.findings.push(
          toFinding(child, {
            ruleId: SCAN_RULES.nestingLimit.id,
            severity: 'medium',
            title: SCAN_RULES.nestingLimit.title,
            message: `Containers are nested more than ${limits.maxNestingDepth} levels deep; this member was not analysed.`,
            evidence: `depth ${depth + 1}`,
            remediation: SCAN_RULES.nestingLimit.help,
          }),
        );
        return { format: 'not-analysed' };
      }
      const childState = memberOptions?.policy
        ? { ...state, options: { ...state.options, policy: memberOptions.policy } }
        : state;
      return analyseAt(memberSource, path, memberPath, depth + 1, childState);
    },
  };
  return ctx;
}

async function analyseAt(
  source: ByteSource,
  path: string,
  member: string | undefined,
  depth: number,
  state: EngineState,
): Promise<AnalysisResult> {
  const options = state.options;
  const later: (() => Promise<unknown>)[] = [];
  const ctx = makeContext(path, member, depth, state, later);
  const head = source.readAt(0, Math.min(SNIFF_BYTES, source.size));
  const name = member ?? path;
  const run = async (analyser: FormatAnalyser): Promise<AnalysisResult> => {
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
  };
  const primary = options.analysers.find((a) => !a.secondary && a.detect(head, source, name));
  let result = primary ? await run(primary) : undefined;
  for (const analyser of options.analysers) {
    if (!analyser.secondary || !analyser.detect(head, source, name)) continue;
    if (result !== undefined && result.format !== 'unknown') {
      ctx.report({
        ruleId: ARCHIVE_RULES.structure.id,
        severity: 'high',
        title: ARCHIVE_RULES.structure.title,
        message: `The file is both a ${result.format} file (by its first bytes) and a ${analyser.id} archive (by its end): loaders that decide by the first bytes and zip readers see different content. Both were analysed.`,
        offset: 0,
        evidence: `${result.format} + ${analyser.id} polyglot`,
        remediation: ARCHIVE_RULES.structure.help,
        references: ARCHIVE_RULES.structure.references,
      });
      await run(analyser);
    } else {
      result = await run(analyser);
    }
  }
  // Bounded like any member: each queued source is analysed once, at depth + 1, under the nesting limit.
  for (const analyse of later.splice(0)) await analyse();
  if (result !== undefined) return result;
  if (MODEL_NAME.test(name)) {
    // Named like a model but no known format: nothing a known loader would run, but it cannot be vouched
    // for either, so say so rather than stay silent.
    ctx.report({
      ruleId: SCAN_RULES.unrecognised.id,
      severity: 'info',
      title: SCAN_RULES.unrecognised.title,
      message: `The content matches no format pedigree knows, although the name suggests a model or archive (first bytes ${hexHead(head)}).`,
      offset: 0,
      evidence: `first bytes ${hexHead(head)}`,
      remediation: SCAN_RULES.unrecognised.help,
    });
  }
  return { format: 'unknown', kind: 'other' };
}

/** Names that loaders treat as model files or archives (a hint only: content decides the format). */
const MODEL_NAME =
  /\.(?:pkl|pickle|dill|pt|pth|bin|ckpt|joblib|jbl|npy|npz|pb|h5|hdf5|keras|onnx|safetensors|gguf|ggml|model|mar|tar|zip|gz|tgz|bz2|xz|lzma|lz4|7z)$/i;

function hexHead(head: Uint8Array): string {
  return Buffer.from(head.subarray(0, 8))
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}
