import type { ByteSource } from '../core/byte-reader.js';
import type { Finding, Location, Severity } from '../core/finding.js';
import type { ImportPolicy } from './pickle/policy.js';

/** A finding before its location's path and member are filled in by the context that found it. */
export interface FindingDraft {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  /** Byte offset within the current file or member. */
  readonly offset?: number;
  readonly evidence: string;
  readonly remediation: string;
  readonly references?: readonly string[];
}

export interface MemberOptions {
  readonly policy?: ImportPolicy;
}

/** What the member turned out to be. */
export interface AnalysisResultLike {
  readonly format: string;
}

/** Limits of one scan; every field has a named default in core/limits.ts or the format's module. */
export interface ScanLimits {
  readonly maxNestingDepth: number;
  readonly maxMemberBytes: number;
  readonly maxTotalDecompressedBytes: number;
  readonly maxCompressionRatio: number;
  readonly maxArchiveMembers: number;
}

/**
 * What an analyser sees of the file (or archive member) it analyses, and how it reports. One context per
 * file or member; nested members get a child context from `child`.
 */
export interface AnalysisContext {
  readonly path: string;
  /** Archive member path, nested members joined with `!/`. */
  readonly member: string | undefined;
  /** 0 for a file on disk, +1 per container level. */
  readonly depth: number;
  readonly policy: ImportPolicy;
  readonly limits: ScanLimits;
  /** Budget of decompressed bytes left for the top-level file (decompression bomb defence). */
  readonly budget: { decompressedBytes: number };
  report(draft: FindingDraft): void;
  /** Records that (part of) this file could not be analysed, with the reason; also reported as a finding. */
  notAnalysed(draft: FindingDraft): void;
  /**
   * Analyses a member of this file (an archive member, a decompressed stream) by content. `policy` replaces
   * the import policy for that member (TorchScript archives resolve `__torch__` names without Python).
   */
  /** A context for a member analysed by the caller itself (findings located at that member). */
  child(name: string): AnalysisContext;
  analyseMember(name: string, source: ByteSource, options?: MemberOptions): Promise<AnalysisResultLike>;
  /**
   * Queues data found while analysing (a checkpoint handed to a nested `torch.load`) to be analysed by
   * content, as a member named `name`, once the current analyser has finished: for synchronous analysers.
   */
  analyseLater(name: string, source: ByteSource): void;
}

export function locationOf(ctx: Pick<AnalysisContext, 'path' | 'member'>, offset?: number): Location {
  return {
    path: ctx.path,
    ...(ctx.member !== undefined ? { member: ctx.member } : {}),
    ...(offset !== undefined ? { offset } : {}),
  };
}

export function toFinding(ctx: Pick<AnalysisContext, 'path' | 'member'>, draft: FindingDraft): Finding {
  return {
    ruleId: draft.ruleId,
    severity: draft.severity,
    title: draft.title,
    message: draft.message,
    location: locationOf(ctx, draft.offset),
    evidence: draft.evidence,
    remediation: draft.remediation,
    references: draft.references ?? [],
  };
}
