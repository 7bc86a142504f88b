import type { ScanReport, Severity } from '../core/finding.js';
import { ALL_RULES } from '../scan/all-rules.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export type ReportFormat = 'text' | 'json' | 'sarif' | 'markdown';

export interface RenderOptions {
  readonly color: boolean;
  readonly failOn: Severity | 'none';
  readonly verbose: boolean;
}

/** Renders the report (the JSON contract) in the requested format. */
export function renderReport(report: ScanReport, format: ReportFormat, options: RenderOptions): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, ALL_RULES);
    case 'markdown':
      return renderMarkdown(report, { failOn: options.failOn });
    case 'text':
      return renderText(report, options);
  }
}

export { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, exitCodeFor, findingsAtOrAbove } from './exit-code.js';
export { renderJson, toJsonReport } from './json.js';
export { renderMarkdown } from './markdown.js';
export { renderSarif, toSarif } from './sarif.js';
export { renderText } from './text.js';
