import { decodeUtf8, truncateText } from '../../core/byte-reader.js';
import { compareStrings } from '../../core/finding.js';
import { isRecord } from '../../core/json.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { isConfigName, reportConfigIndicators } from '../hf/config-indicators.js';
import {
  baseName,
  type CodeReference,
  codeReferences,
  describeReference,
  escapesFolder,
  sourceOfReference,
} from '../hf/remote-code.js';
import { HF_RULES } from '../hf/rules.js';
import { isKerasModelConfig } from '../keras/config.js';
import { reportKerasConfig } from '../keras/report.js';
import { reportTemplate } from '../template/report.js';

/** Largest JSON document read as a possible Hugging Face configuration (real ones are kilobytes). */
export const MAX_CONFIG_JSON_BYTES = 8 * 1024 * 1024;
/** Class references listed in one finding. */
const MAX_LISTED_REFERENCES = 50;

/**
 * Reports the Python code a configuration makes a loader import (HF-REMOTE-CODE). Without the folder the
 * files cannot be listed or checked for presence: a reference to a file is high (it runs whenever the file is
 * in the repository or on the Hub), an import of an installed module by name is medium. In a folder scan the
 * layout check replaces this finding with one that lists the files.
 */
function reportCodeReferences(ctx: AnalysisContext, refs: readonly CodeReference[]): void {
  if (refs.length === 0) return;
  const rule = HF_RULES.remoteCode;
  const sources = [...new Set(refs.map(sourceOfReference))].sort(compareStrings);
  const foreign = [...new Set(refs.flatMap((r) => (r.repo !== undefined ? [r.repo] : [])))].sort(
    compareStrings,
  );
  const outside = refs.filter((r) => r.file !== undefined && escapesFolder(r.file));
  const vias = [...new Set(refs.map((r) => r.via))].sort(compareStrings);
  const parts = [
    `Loading this model imports Python code that is not part of the library, through ${vias.join(', ')}: ${truncateText(sources.join(', '), 300)}.`,
  ];
  if (foreign.length > 0) {
    parts.push(
      `Some of it is fetched from other repositories (${truncateText(foreign.join(', '), 200)}), which can change after you review this one.`,
    );
  }
  if (outside.length > 0) {
    parts.push(
      `Some paths leave the repository folder: ${truncateText(outside.map((r) => r.file).join(', '), 200)}.`,
    );
  }
  ctx.report({
    ruleId: rule.id,
    severity: refs.some((r) => r.file !== undefined) ? 'high' : 'medium',
    title: rule.title,
    message: parts.join(' '),
    evidence: truncateText(refs.slice(0, MAX_LISTED_REFERENCES).map(describeReference).join('\n'), 2000),
    remediation: rule.help,
    references: rule.references,
  });
}

/**
 * PEFT adapter_config.json: `base_model_name_or_path` is the model AutoPeftModel.from_pretrained loads before
 * applying the adapter (peft/auto.py). Its files are not part of this scan, so it is worth naming: info only.
 */
function reportBaseModel(ctx: AnalysisContext, config: Record<string, unknown>): void {
  const base = config.base_model_name_or_path;
  if (typeof base !== 'string' || base.trim() === '') return;
  const rule = HF_RULES.adapterBaseModel;
  ctx.report({
    ruleId: rule.id,
    severity: 'info',
    title: rule.title,
    message: `This PEFT adapter is applied to the base model '${truncateText(base, 200)}', which is loaded from elsewhere and is not covered by this scan.`,
    evidence: `base_model_name_or_path: ${truncateText(base, 200)}`,
    remediation: rule.help,
    references: rule.references,
  });
}

/**
 * JSON documents that configure Hugging Face loading (config.json, tokenizer_config.json, model_index.json,
 * ...), recognised by content: a JSON object, or a JSON list for sentence-transformers' modules.json.
 */
export const hfConfigAnalyser: FormatAnalyser = {
  id: 'json',
  detect(head, source, name) {
    if (source.size > MAX_CONFIG_JSON_BYTES) return false;
    let i = 0;
    while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09))
      i++;
    return head[i] === 0x7b || (head[i] === 0x5b && baseName(name) === 'modules.json');
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    let config: unknown;
    try {
      config = JSON.parse(decodeUtf8(source.readAt(0, source.size)));
    } catch {
      return { format: 'unknown', kind: 'other' };
    }
    const name = ctx.member ?? ctx.path;
    reportCodeReferences(ctx, codeReferences(name, config));
    // A Keras model saved as JSON (model.to_json()) goes to the Keras analysis; HF keys are still checked.
    if (isKerasModelConfig(config)) await reportKerasConfig(ctx, config, 'config');
    if (!isRecord(config)) return { format: 'json', kind: 'config' };
    if (baseName(name) === 'adapter_config.json') reportBaseModel(ctx, config);
    if (isConfigName(name)) reportConfigIndicators(ctx, config);
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
