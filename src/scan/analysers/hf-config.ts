import { decodeUtf8, truncateText } from '../../core/byte-reader.js';
import { compareStrings } from '../../core/finding.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { HF_RULES } from '../hf/rules.js';
import { reportTemplate } from '../template/report.js';

/** Largest JSON document read as a possible Hugging Face configuration (real ones are kilobytes). */
export const MAX_CONFIG_JSON_BYTES = 8 * 1024 * 1024;
/** Class references listed in one finding. */
const MAX_LISTED_REFERENCES = 50;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `auto_map` values are "module.Class", "repo_id--module.Class" (code from another repository), or for
 * tokenizers a [slow, fast] pair where either may be null (transformers dynamic_module_utils
 * get_class_from_dynamic_module). `custom_pipelines` entries name an `impl` the same way.
 */
function classReferences(config: Record<string, unknown>): string[] {
  const refs: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') refs.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') refs.push(x);
  };
  if (isRecord(config.auto_map)) for (const v of Object.values(config.auto_map)) add(v);
  if (isRecord(config.custom_pipelines)) {
    for (const p of Object.values(config.custom_pipelines)) if (isRecord(p)) add(p.impl);
  }
  return [...new Set(refs)].sort();
}

/** The Python file a reference loads, and the repository it comes from when not this one. */
function moduleOf(ref: string): { file: string; repo?: string } {
  const [repo, rest] = ref.includes('--') ? (ref.split('--', 2) as [string, string]) : [undefined, ref];
  const dot = rest.lastIndexOf('.');
  const file = `${(dot > 0 ? rest.slice(0, dot) : rest).replaceAll('.', '/')}.py`;
  return repo === undefined ? { file } : { file, repo };
}

/**
 * JSON documents that configure Hugging Face loading (config.json, tokenizer_config.json, ...), recognised
 * by content: a JSON object. Only code execution through `trust_remote_code` is reported here.
 */
export const hfConfigAnalyser: FormatAnalyser = {
  id: 'json',
  detect(head, source) {
    if (source.size > MAX_CONFIG_JSON_BYTES) return false;
    let i = 0;
    while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09))
      i++;
    return head[i] === 0x7b;
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    let config: unknown;
    try {
      config = JSON.parse(decodeUtf8(source.readAt(0, source.size)));
    } catch {
      return { format: 'unknown', kind: 'other' };
    }
    if (!isRecord(config)) return { format: 'json', kind: 'config' };
    const refs = classReferences(config);
    if (refs.length > 0) {
      const modules = refs.map(moduleOf);
      const files = [...new Set(modules.map((m) => (m.repo ? `${m.repo}: ${m.file}` : m.file)))].sort();
      const foreign = [...new Set(modules.flatMap((m) => (m.repo ? [m.repo] : [])))].sort();
      const rule = HF_RULES.remoteCode;
      ctx.report({
        ruleId: rule.id,
        severity: 'high',
        title: rule.title,
        message: `Loading this model with trust_remote_code=True runs its own Python code: ${truncateText(files.join(', '), 300)}.${foreign.length > 0 ? ` Some of it is fetched from other repositories (${truncateText(foreign.join(', '), 200)}), which can change after you review this one.` : ''}`,
        evidence: truncateText(refs.slice(0, MAX_LISTED_REFERENCES).join('\n'), 2000),
        remediation: rule.help,
        references: rule.references,
      });
    }
    // tokenizer_config.json: `chat_template` is a template, or a list of {name, template} (transformers);
    // other top-level keys naming a template (default_chat_template, custom_*_template) are templates too.
    for (const [key, value] of Object.entries(config).sort(([a], [b]) => compareStrings(a, b))) {
      if (!/template/i.test(key)) continue;
      if (typeof value === 'string') reportTemplate(ctx, value, truncateText(key, 80));
      else if (Array.isArray(value)) {
        for (const [i, entry] of value.entries()) {
          if (isRecord(entry) && typeof entry.template === 'string') {
            const name = typeof entry.name === 'string' ? entry.name : String(i);
            reportTemplate(ctx, entry.template, `${truncateText(key, 80)} '${truncateText(name, 60)}'`);
          }
        }
      }
    }
    return { format: 'json', kind: 'config' };
  },
};
