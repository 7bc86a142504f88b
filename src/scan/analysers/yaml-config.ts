import { parse } from 'yaml';
import { decodeUtf8, truncateText } from '../../core/byte-reader.js';
import { compareStrings } from '../../core/finding.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { reportTemplate } from '../template/report.js';

/** Largest YAML configuration read (real ones are kilobytes). */
export const MAX_YAML_CONFIG_BYTES = 4 * 1024 * 1024;
/** Depth of nested mappings searched for template keys. */
const MAX_DEPTH = 16;

/**
 * YAML configurations (`*.yaml`, `*.yml`: recognised by name, since YAML has no signature) that carry chat
 * templates, as serving frameworks' model configs do. Parsed with the `yaml` package as plain data (no
 * custom tags, alias expansion bounded by its defaults); only string values under keys naming a template
 * are analysed, never rendered.
 */
export const yamlConfigAnalyser: FormatAnalyser = {
  id: 'yaml',
  detect(_head, source, name) {
    return /\.ya?ml$/i.test(name) && source.size <= MAX_YAML_CONFIG_BYTES;
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    let doc: unknown;
    try {
      doc = parse(decodeUtf8(source.readAt(0, source.size)), { maxAliasCount: 100 });
    } catch {
      return { format: 'unknown', kind: 'other' };
    }
    const visit = (v: unknown, path: string, depth: number): void => {
      if (depth > MAX_DEPTH || typeof v !== 'object' || v === null) return;
      for (const [key, value] of Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
        compareStrings(a, b),
      )) {
        const where = path === '' ? key : `${path}.${key}`;
        if (typeof value === 'string' && /template/i.test(key))
          reportTemplate(ctx, value, truncateText(where, 120));
        else visit(value, where, depth + 1);
      }
    };
    visit(doc, '', 0);
    return { format: 'yaml', kind: 'config' };
  },
};
