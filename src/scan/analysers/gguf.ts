import { truncateText } from '../../core/byte-reader.js';
import { describeError, ParseError } from '../../core/errors.js';
import type { Severity } from '../../core/finding.js';
import {
  type GgufFile,
  type GgufIssue,
  type GgufIssueKind,
  type GgufMetadataEntry,
  type GgufPartial,
  isGguf,
  parseGguf,
} from '../../formats/gguf/reader.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { GGUF_RULES } from '../gguf/rules.js';
import { reportTemplate } from '../template/report.js';
import { analyseHiddenRanges } from './hidden-bytes.js';

/** Problems of one kind listed in a finding's evidence. */
const MAX_LISTED_ISSUES = 20;

/**
 * The keys llama.cpp (`LLM_KV_TOKENIZER_CHAT_TEMPLATE` and its named variants) and llama-cpp-python read
 * templates from: reported whatever their value. A string under any other key naming a chat template is
 * reported too, since some other server may render it (gguf-py's `tokenizer.chat_templates`, the list of
 * template names, is not a string).
 */
const isTemplateKey = (key: string) =>
  key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.');
const NAMES_A_TEMPLATE = /chat_?template/i;

/** How each kind of problem is reported: hidden bytes are high, what makes readers disagree medium. */
const GROUPS: readonly {
  readonly kinds: readonly GgufIssueKind[];
  readonly severity: Severity;
  readonly what: string;
}[] = [
  { kinds: ['gap', 'trailing'], severity: 'high', what: 'bytes that belong to no tensor' },
  {
    kinds: ['overlap', 'out-of-file', 'misaligned', 'padding'],
    severity: 'medium',
    what: 'tensor data that readers locate differently or refuse',
  },
  {
    kinds: ['duplicate-key', 'duplicate-tensor', 'invalid', 'bad-shape'],
    severity: 'medium',
    what: 'header values llama.cpp refuses and other readers read differently',
  },
];

/**
 * GGUF model files (llama.cpp, Ollama, LM Studio). Only the header is read, whatever the file size: the
 * metadata (chat templates are reported until their analysis lands), the tensor infos, and the layout they
 * describe; bytes no tensor covers are analysed by content, as a polyglot's payload would be.
 */
export const ggufAnalyser: FormatAnalyser = {
  id: 'gguf',
  detect(head) {
    return isGguf(head);
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    const partial: GgufPartial = { metadata: [], tensors: [] };
    let file: GgufFile | undefined;
    try {
      file = parseGguf(source, { partial });
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      const why = describeError(error);
      ctx.notAnalysed({
        ruleId: GGUF_RULES.malformed.id,
        severity: 'medium',
        title: GGUF_RULES.malformed.title,
        message: `The GGUF header could not be fully read: ${why}. ${partial.metadata.length} metadata entries and ${partial.tensors.length} tensor infos were read before the problem and are checked; the rest, and the tensor layout, were not analysed.`,
        offset: error.offset ?? 0,
        evidence: why,
        remediation: GGUF_RULES.malformed.help,
        references: GGUF_RULES.malformed.references,
      });
    }
    reportChatTemplates(ctx, file?.metadata ?? partial.metadata);
    if (file !== undefined) {
      reportIssues(ctx, file);
      const ranges = file.issues.flatMap((i) => (i.range === undefined ? [] : [i.range]));
      await analyseHiddenRanges(source, ctx, head, ranges, GGUF_RULES.structure);
    }
    return { format: 'gguf', kind: 'model' };
  },
};

function reportChatTemplates(ctx: AnalysisContext, metadata: readonly GgufMetadataEntry[]): void {
  for (const entry of metadata) {
    const { value } = entry;
    if (!isTemplateKey(entry.key) && !(value.type === 'string' && NAMES_A_TEMPLATE.test(entry.key))) continue;
    const key = truncateText(entry.key, 120);
    if (value.type === 'string') {
      // The template is parsed and walked (never rendered) like every other chat template.
      reportTemplate(ctx, value.value, `metadata key '${key}'`, entry.valueOffset);
      continue;
    }
    const evidence = `${key}: a ${value.type === 'array' ? `${value.itemType} array` : value.type}`;
    const message = `The metadata key '${key}' names a chat template but holds a ${value.type}, not a string, which pedigree cannot analyse as a template; a reader may still use it.`;
    ctx.notAnalysed({
      ruleId: GGUF_RULES.chatTemplate.id,
      severity: 'medium',
      title: GGUF_RULES.chatTemplate.title,
      message,
      offset: entry.valueOffset,
      evidence,
      remediation: GGUF_RULES.chatTemplate.help,
      references: GGUF_RULES.chatTemplate.references,
    });
  }
}

function reportIssues(ctx: AnalysisContext, file: GgufFile): void {
  const unknown = file.issues.filter((i) => i.kind === 'unknown-type');
  if (unknown.length > 0) {
    ctx.notAnalysed({
      ruleId: GGUF_RULES.malformed.id,
      severity: 'medium',
      title: GGUF_RULES.malformed.title,
      message: `${unknown.length} tensor(s) have a ggml type pedigree does not know, so their size, and the bytes around them, could not be checked: ${list(unknown, 3)}.`,
      offset: (unknown[0] as GgufIssue).offset,
      evidence: list(unknown, MAX_LISTED_ISSUES, '\n'),
      remediation: GGUF_RULES.malformed.help,
      references: GGUF_RULES.malformed.references,
    });
  }
  for (const group of GROUPS) {
    const issues = file.issues.filter((i) => group.kinds.includes(i.kind));
    if (issues.length === 0) continue;
    ctx.report({
      ruleId: GGUF_RULES.structure.id,
      severity: group.severity,
      title: GGUF_RULES.structure.title,
      message: `The GGUF file has ${issues.length} problem(s) with ${group.what}: ${list(issues, 3)}.${group.severity === 'high' ? ' Those bytes were analysed by content.' : ''}`,
      offset: (issues[0] as GgufIssue).offset,
      evidence: list(issues, MAX_LISTED_ISSUES, '\n'),
      remediation: GGUF_RULES.structure.help,
      references: GGUF_RULES.structure.references,
    });
  }
}

function list(issues: readonly GgufIssue[], max: number, separator = '; '): string {
  const shown = issues.slice(0, max).map((i) => i.message);
  if (issues.length > max) shown.push(`… ${issues.length - max} more`);
  return truncateText(shown.join(separator), 4000);
}

/**
 * Bytes every loader skips are analysed like a member (after any zero padding), so a pickle or archive
 * hidden in a gap or after the last tensor is found. A zip at the end is left to the engine's appended-zip
 * pass, which analyses it already.
 */
