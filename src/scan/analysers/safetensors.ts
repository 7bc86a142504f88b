import { truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { compareStrings } from '../../core/finding.js';
import {
  isSafetensorsHead,
  readSafetensorsHeader,
  type SafetensorsHeader,
} from '../../formats/safetensors/header.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { SAFETENSORS_RULES } from '../safetensors/rules.js';
import { analyseHiddenRanges } from './hidden-bytes.js';

/** Characters of one metadata value searched for code, URLs and paths. */
const MAX_METADATA_SCAN_CHARS = 64 * 1024;

/** Python source that imports modules or runs commands, as exec-like gadgets are handed. */
const CODE =
  /__import__\s*\(|\bimport\s+[A-Za-z_]|\bfrom\s+[A-Za-z_][\w.]*\s+import\b|\b(?:os|subprocess|builtins)\s*\.\s*[A-Za-z_]+\s*\(|\b(?:exec|eval|compile)\s*\(/;
/** Shell commands that fetch, delete or run things. */
const SHELL =
  /\b(?:curl|wget)\s+\S|\brm\s+-[a-z]*[rf]|\b(?:ba|z)?sh\s+-c\b|\bchmod\s+[+0-7]|\bnc\s+-|\bpowershell\b|\|\s*(?:ba)?sh\b/i;
/** Markup that runs script where metadata is shown in a web page (model hubs, dashboards). */
const SCRIPT = /<\s*script\b|javascript:|\bon(?:error|load)\s*=/i;
const URL = /\b(?:https?|ftp|file|s3|gs):\/\/[^\s"'<>]+/i;
const PATH =
  /(?:^|[\s"'=])(?:\/(?:etc|home|root|tmp|usr|var|proc|dev)\/[^\s"']*|~\/[^\s"']+|\.\.[\\/][^\s"']*|[A-Za-z]:\\[^\s"']+)/;

/** What metadata values are checked for, most severe first. */
const METADATA_PATTERNS: readonly { pattern: RegExp; what: string; severity: 'high' | 'medium' | 'low' }[] = [
  { pattern: CODE, what: 'Python code that imports modules or runs commands', severity: 'high' },
  { pattern: SHELL, what: 'a shell command', severity: 'medium' },
  { pattern: SCRIPT, what: 'script markup', severity: 'medium' },
  { pattern: URL, what: 'a URL', severity: 'medium' },
  { pattern: PATH, what: 'a file path', severity: 'low' },
];

/**
 * safetensors files: only the header is read (a 5 GB file costs what a 5 MB one does), validated strictly;
 * bytes no tensor covers are analysed by content, since that is where a polyglot keeps its payload.
 */
export const safetensorsAnalyser: FormatAnalyser = {
  id: 'safetensors',
  detect(head, source) {
    return isSafetensorsHead(head, source.size);
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    let header: SafetensorsHeader;
    try {
      header = readSafetensorsHeader(source);
    } catch (error) {
      ctx.notAnalysed({
        ruleId: SAFETENSORS_RULES.header.id,
        severity: 'medium',
        title: SAFETENSORS_RULES.header.title,
        message: `The safetensors header could not be read: ${describeError(error)}.`,
        offset: 0,
        evidence: describeError(error),
        remediation: SAFETENSORS_RULES.header.help,
        references: SAFETENSORS_RULES.header.references,
      });
      return { format: 'safetensors', kind: 'model' };
    }
    for (const kind of ['schema', 'layout'] as const) {
      const problems = header.problems.filter((p) => p.kind === kind);
      if (problems.length === 0) continue;
      const rule = kind === 'schema' ? SAFETENSORS_RULES.header : SAFETENSORS_RULES.layout;
      const listed = problems.map((p) => p.message);
      ctx.report({
        ruleId: rule.id,
        severity: kind === 'schema' ? 'medium' : 'high',
        title: rule.title,
        message: `${listed.length} problem(s) in the safetensors header: ${truncateText(listed.slice(0, 3).join('; '), 400)}${listed.length > 3 ? '; …' : ''}.`,
        offset: 8,
        evidence: truncateText(listed.join('\n'), 2000),
        remediation: rule.help,
        references: rule.references,
      });
    }
    reportMetadata(ctx, header);
    await analyseHiddenRanges(source, ctx, head, header.uncovered, SAFETENSORS_RULES.layout);
    return { format: 'safetensors', kind: 'model' };
  },
};

function reportMetadata(ctx: AnalysisContext, header: SafetensorsHeader): void {
  if (header.metadata === undefined) return;
  for (const [key, full] of Object.entries(header.metadata).sort(([a], [b]) => compareStrings(a, b))) {
    const value = full.slice(0, MAX_METADATA_SCAN_CHARS);
    const kind = METADATA_PATTERNS.find((k) => k.pattern.test(value));
    if (kind === undefined) continue;
    const hit = kind.pattern.exec(value) as RegExpExecArray;
    const what = kind.what;
    ctx.report({
      ruleId: SAFETENSORS_RULES.metadata.id,
      severity: kind.severity,
      title: SAFETENSORS_RULES.metadata.title,
      message: `The __metadata__ value '${truncateText(key, 80)}' holds ${what}: ${truncateText(hit[0].trim(), 160)}.`,
      offset: 8,
      evidence: truncateText(`${key}: ${value}`, 500),
      remediation: SAFETENSORS_RULES.metadata.help,
      references: SAFETENSORS_RULES.metadata.references,
    });
  }
}
