import { createColors } from 'picocolors';
import { type Finding, type ScanReport, SEVERITIES, type Severity, severityRank } from '../core/finding.js';
import { findingsAtOrAbove } from './exit-code.js';

export interface TextOptions {
  readonly color: boolean;
  readonly failOn: Severity | 'none';
  /** Show evidence, references and info findings; list clean files. */
  readonly verbose: boolean;
}

type Colors = ReturnType<typeof createColors>;

function paint(c: Colors, severity: Severity, text: string): string {
  switch (severity) {
    case 'critical':
      return c.bold(c.red(text));
    case 'high':
      return c.red(text);
    case 'medium':
      return c.yellow(text);
    case 'low':
      return c.cyan(text);
    case 'info':
      return c.dim(text);
  }
}

function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${bytes} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Strips control characters so content from scanned files cannot drive the terminal (escape sequences). */
/**
 * Names and evidence come from the scanned files: control characters (ANSI escapes), line breaks (forged
 * report lines) and bidirectional overrides (text that reads differently than it is) are neutralised.
 */
export function safe(text: string): string {
  return text
    .replace(/\r?\n|\r/g, '\\n')
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}

function renderFinding(c: Colors, f: Finding, verbose: boolean): string[] {
  const tag = paint(c, f.severity, f.severity.toUpperCase().padEnd(8));
  const where = [
    f.location.member,
    f.location.line !== undefined ? `line ${f.location.line}` : undefined,
    f.location.field,
    f.location.offset !== undefined ? `offset ${f.location.offset}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  const lines = [`  ${tag} ${c.bold(f.ruleId)}${where ? c.dim(`  (${safe(where)})`) : ''}`];
  const indent = '           ';
  lines.push(`${indent}${safe(f.message)}`);
  if (verbose) lines.push(`${indent}${c.dim('evidence:')} ${safe(f.evidence)}`);
  lines.push(`${indent}${c.dim('fix:')} ${safe(f.remediation)}`);
  if (verbose && f.references.length > 0) lines.push(`${indent}${c.dim('see:')} ${f.references.join(' ')}`);
  return lines;
}

/** The terminal report: findings grouped by file, most severe first, then a one-line summary. */
export function renderText(report: ScanReport, options: TextOptions): string {
  const c = createColors(options.color);
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  let hiddenInfo = 0;
  for (const f of report.findings) {
    if (f.severity === 'info' && !options.verbose) {
      hiddenInfo++;
      continue;
    }
    const list = byFile.get(f.location.path) ?? [];
    list.push(f);
    byFile.set(f.location.path, list);
  }
  const artifacts = new Map(report.artifacts.map((a) => [a.path, a]));
  const paths = [...new Set([...byFile.keys(), ...(options.verbose ? artifacts.keys() : [])])].sort();
  for (const path of paths) {
    const findings = byFile.get(path) ?? [];
    const a = artifacts.get(path);
    const meta = a ? c.dim(`  ${a.format}, ${formatSize(a.size)}`) : '';
    out.push(
      `${c.bold(c.underline(safe(path)))}${meta}${findings.length === 0 ? c.green('  no findings') : ''}`,
    );
    const sorted = [...findings].sort((x, y) => severityRank(y.severity) - severityRank(x.severity));
    for (const f of sorted) out.push(...renderFinding(c, f, options.verbose));
    out.push('');
  }
  const counts = SEVERITIES.map((s) => {
    const n = report.summary.findings[s];
    const text = `${n} ${s}`;
    return n > 0 ? paint(c, s, text) : c.dim(text);
  }).join(', ');
  const failing = findingsAtOrAbove(report, options.failOn);
  const verdict = failing > 0 ? c.bold(c.red('FAIL')) : c.bold(c.green('PASS'));
  const notAnalysed =
    report.summary.notAnalysed > 0
      ? c.yellow(`${report.summary.notAnalysed} not fully analysed`)
      : '0 not fully analysed';
  const hidden = hiddenInfo > 0 ? c.dim(` (${hiddenInfo} info hidden; --verbose shows them)`) : '';
  out.push(
    `${verdict} ${report.summary.files} file(s) scanned: ${counts}; ${notAnalysed}; threshold ${options.failOn}${hidden}`,
  );
  return `${out.join('\n')}\n`;
}
