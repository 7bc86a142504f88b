import { type Finding, type ScanReport, SEVERITIES, type Severity, severityRank } from '../core/finding.js';
import { findingsAtOrAbove } from './exit-code.js';

/** GitHub rejects comments over 65,536 characters; stop adding rows well before that. */
export const MARKDOWN_MAX_CHARS = 60_000;

const ICON: Readonly<Record<Severity, string>> = {
  critical: '🛑',
  high: '🔴',
  medium: '🟠',
  low: '🟡',
  info: 'ℹ️',
};

/** Escapes text for a GitHub-flavoured Markdown table cell. */
function cell(text: string): string {
  return (
    text
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      // HTML and @mentions from file content must not render or ping anyone in a PR comment.
      .replace(/[<>@]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#64;'))
      .replace(/\r?\n/g, '<br>')
  );
}

function code(text: string): string {
  // Inside a code span HTML is inert, but a table still splits on `|` (GFM tables spec, example 200).
  const clean = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  // A backtick inside is fenced with a longer run, padded with spaces (CommonMark §6.1).
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

function where(f: Finding): string {
  const member = f.location.member !== undefined ? ` → ${f.location.member}` : '';
  const offset = f.location.offset !== undefined ? ` @${f.location.offset}` : '';
  const line = f.location.line !== undefined ? `:${f.location.line}` : '';
  const field = f.location.field !== undefined ? ` ${cell(f.location.field)}` : '';
  return `${code(f.location.path)}${line}${cell(member)}${offset}${field}`;
}

/** A report for pull-request comments: verdict, counts, then findings (most severe first). */
export function renderMarkdown(report: ScanReport, options: { failOn: Severity | 'none' }): string {
  const failing = findingsAtOrAbove(report, options.failOn);
  const verdict =
    failing > 0
      ? `❌ **FAIL**: ${failing} finding(s) at or above \`${options.failOn}\``
      : `✅ **PASS** (threshold \`${options.failOn}\`)`;
  const out: string[] = [
    '## pedigree scan',
    '',
    verdict,
    '',
    `| files | ${SEVERITIES.join(' | ')} | not analysed |`,
    `| ---: | ${SEVERITIES.map(() => '---:').join(' | ')} | ---: |`,
    `| ${report.summary.files} | ${SEVERITIES.map((s) => report.summary.findings[s]).join(' | ')} | ${report.summary.notAnalysed} |`,
    '',
  ];
  if (report.findings.length === 0) {
    out.push('No findings.', '');
    return out.join('\n');
  }
  const sorted = [...report.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const header = ['| severity | rule | location | finding | fix |', '| --- | --- | --- | --- | --- |'];
  const rows: string[] = [];
  let size = out.join('\n').length + header.join('\n').length;
  let omitted = 0;
  for (const f of sorted) {
    const row = `| ${ICON[f.severity]} ${f.severity} | \`${f.ruleId}\` | ${where(f)} | ${cell(f.message)}<br>${code(f.evidence)} | ${cell(f.remediation)} |`;
    if (size + row.length + 1 > MARKDOWN_MAX_CHARS) {
      omitted++;
      continue;
    }
    size += row.length + 1;
    rows.push(row);
  }
  out.push(...header, ...rows, '');
  if (omitted > 0) {
    out.push(`_${omitted} more finding(s) not shown to fit a comment; see the JSON or SARIF report._`, '');
  }
  return out.join('\n');
}
