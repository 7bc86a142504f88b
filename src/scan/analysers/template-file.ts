import { decodeUtf8 } from '../../core/byte-reader.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { MAX_TEMPLATE_CHARS } from '../template/analyse.js';
import { reportTemplate } from '../template/report.js';

/**
 * Standalone Jinja chat templates (`chat_template.jinja`, `*.j2`, `*.template`), which transformers and llama.cpp servers
 * load next to the tokenizer. Jinja is plain text, so these are the one format recognised by name (the
 * issue names the files); the content must still be UTF-8 text of a bounded size.
 */
export const templateFileAnalyser: FormatAnalyser = {
  id: 'jinja',
  detect(_head, source, name) {
    return /\.(?:jinja2?|j2|template)$/i.test(name) && source.size <= MAX_TEMPLATE_CHARS * 4;
  },
  async analyse(source, ctx): Promise<AnalysisResult> {
    let text: string;
    try {
      text = decodeUtf8(source.readAt(0, source.size));
    } catch {
      return { format: 'unknown', kind: 'other' };
    }
    reportTemplate(ctx, text, 'this file');
    return { format: 'jinja', kind: 'config' };
  },
};
