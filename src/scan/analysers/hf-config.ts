import { decodeUtf8, truncateText } from '../../core/byte-reader.js';
import { compareStrings } from '../../core/finding.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { isConfigName, reportConfigIndicators } from '../hf/config-indicators.js';
import { classReferences, moduleOf } from '../hf/remote-code.js';
import { HF_RULES } from '../hf/rules.js';
import { isKerasModelConfig } from '../keras/config.js';
import { reportKerasConfig } from '../keras/report.js';
import { reportTemplate } from '../template/report.js';

/** Largest JSON document read as a possible Hugging Face configuration (real ones are kilobytes). */
export const MAX_CONFIG_JSON_BYTES = 8 * 1024 * 1024;
/** Class references listed in one finding. */
const MAX_LISTED_REFERENCES = 50;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
    // A Keras model saved as JSON (model.to_json()) goes to the Keras analysis; HF keys are still checked.
    if (isKerasModelConfig(config)) await reportKerasConfig(ctx, config, 'config');
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
    if (isConfigName(ctx.member ?? ctx.path)) reportConfigIndicators(ctx, config);
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
