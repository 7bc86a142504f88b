import { createColors } from 'picocolors';
import { assertNever } from '../../core/errors.js';
import {
  type AlgorithmDelta,
  describeNotComparable,
  type HashComparison,
  hashListsDiffer,
} from './compare-hashes.js';
import type {
  BomDiff,
  BomSideSummary,
  ComponentChange,
  ComponentEntry,
  ModelWeightsDelta,
  WeightFileDelta,
} from './diff.js';
import type { BomComponent } from './model.js';

/**
 * Version of the JSON shape of `pedigree bom diff --format json`; bump the minor for additions, the major
 * for changes that break a consumer.
 */
export const BOM_DIFF_SCHEMA_VERSION = '1.0.0';

export const BOM_DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type BomDiffFormat = (typeof BOM_DIFF_FORMATS)[number];

export interface BomDiffRenderOptions {
  /** The two files as the user named them. */
  readonly pathA: string;
  readonly pathB: string;
  /** Terminal colours (text only). */
  readonly color?: boolean;
}

/** GitHub rejects comments over 65,536 characters; the markdown report stops adding rows well before. */
export const MARKDOWN_MAX_CHARS = 60_000;

/** Characters of a digest shown in text and markdown (the JSON report has them whole). */
const SHORT_DIGEST = 12;

/** Longest name, version or licence shown in text and markdown before it is cut. */
const MAX_SHOWN_CHARS = 200;

/**
 * Names, versions and licences come from the BOMs: control characters (ANSI escapes), line breaks (forged
 * report lines) and bidirectional overrides (text that reads differently than it is) are neutralised, and
 * very long values cut.
 */
export function printable(text: string, max = MAX_SHOWN_CHARS): string {
  const clean = text
    .replace(/\r?\n|\r/g, '\\n')
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const displayName = (c: BomComponent) => (c.group !== undefined ? `${c.group}/${c.name}` : c.name);
const shortDigest = (value: string) =>
  value.length > SHORT_DIGEST ? `${value.slice(0, SHORT_DIGEST)}…` : value;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function sideLine(side: BomSideSummary): string {
  return `${side.format} ${side.specVersion}, ${plural(side.components, 'component')}`;
}

/** `SHA-256 1a2b3c4d5e6f… → 9f8e7d6c5b4a…`, one per algorithm that differs. */
function algorithmText(d: AlgorithmDelta): string {
  switch (d.change) {
    case 'changed':
      return `${d.algorithm} ${shortDigest(d.before as string)} → ${shortDigest(d.after as string)}`;
    case 'added':
      return `${d.algorithm} added (${shortDigest(d.after as string)})`;
    case 'removed':
      return `${d.algorithm} removed (was ${shortDigest(d.before as string)})`;
    case 'unchanged':
      return `${d.algorithm} unchanged`;
    default:
      return assertNever(d.change, 'hash change');
  }
}

/** What a hash comparison says, in words: the differing digests, and why it says nothing when it cannot. */
function hashesText(h: HashComparison): string {
  const differing = h.algorithms.filter((d) => d.change !== 'unchanged').map(algorithmText);
  if (h.status === 'not-comparable') {
    const why = `not comparable (${describeNotComparable(h.reason ?? 'no-hashes')})`;
    return differing.length > 0 ? `${why}; ${differing.join('; ')}` : why;
  }
  if (h.status === 'unchanged')
    return differing.length > 0 ? `content unchanged; ${differing.join('; ')}` : 'unchanged';
  return differing.join('; ');
}

function componentLine(c: BomComponent): string {
  return [c.type ?? c.kind, displayName(c), c.version, c.purl]
    .filter((x) => x !== undefined)
    .map((x) => printable(x))
    .join(' ');
}

/** Lines describing each changed field of a component. */
function changeLines(change: ComponentChange): string[] {
  const lines: string[] = [];
  for (const field of change.fields) {
    switch (field) {
      case 'name':
        lines.push(
          `name: ${printable(change.name?.before ?? '')} → ${printable(change.name?.after ?? '')}${change.matchedBy === 'content' ? ' (same content)' : ''}`,
        );
        break;
      case 'type':
        lines.push(`type: ${printable(change.type?.before ?? '')} → ${printable(change.type?.after ?? '')}`);
        break;
      case 'version':
        lines.push(
          `version: ${printable(change.version?.before ?? '(none)')} → ${printable(change.version?.after ?? '(none)')}`,
        );
        break;
      case 'purl':
        lines.push(
          `purl: ${printable(change.purl?.before ?? '(none)')} → ${printable(change.purl?.after ?? '(none)')}`,
        );
        break;
      case 'licenses': {
        const l = change.licenses;
        const parts = [
          ...(l?.added ?? []).map((x) => `+ ${printable(x)}`),
          ...(l?.removed ?? []).map((x) => `- ${printable(x)}`),
        ];
        lines.push(`licences: ${parts.join(', ')}`);
        break;
      }
      case 'hashes':
        lines.push(`hashes: ${hashesText(change.hashes)}`);
        break;
      case 'modelCard':
        lines.push(`model card: ${change.modelCard?.after ? 'added' : 'removed'}`);
        break;
      default:
        assertNever(field, 'changed field');
    }
  }
  // A change of version or licence with hashes that say nothing about the content: say so.
  if (!change.fields.includes('hashes') && change.hashes.status === 'not-comparable')
    lines.push(`hashes: ${hashesText(change.hashes)}`);
  return lines;
}

function fileLine(f: WeightFileDelta): string {
  const name = printable(f.name);
  switch (f.status) {
    case 'changed':
      return `changed  ${name}: ${hashesText(f.hashes)}`;
    case 'added':
      return `added    ${name}`;
    case 'removed':
      return `removed  ${name}`;
    case 'renamed':
      return `renamed  ${printable(f.previousName ?? '')} → ${name} (same content)`;
    case 'not-comparable':
      return `unknown  ${name}: ${hashesText(f.hashes)}`;
    case 'unchanged':
      return `same     ${name}`;
    default:
      return assertNever(f.status, 'weight file status');
  }
}

function modelLines(m: ModelWeightsDelta): string[] {
  const lines: string[] = [];
  // The model's own hashes when they say something: changed, listed on one side, or all there is to go by.
  const h = m.modelHashes;
  if (h.status === 'changed' || hashListsDiffer(h) || (h.status === 'not-comparable' && m.files.length === 0))
    lines.push(`model hashes: ${hashesText(h)}`);
  for (const f of m.files) lines.push(fileLine(f));
  return lines;
}

function modelTitle(m: ModelWeightsDelta): string {
  const a = m.a.version;
  const b = m.b.version;
  const version = a === b ? (b !== undefined ? ` ${b}` : '') : ` ${a ?? '(none)'} → ${b ?? '(none)'}`;
  return printable(`${displayName(m.b)}${version}`);
}

/** The terminal report: models whose weights changed first, then added, removed, changed, then the summary. */
export function renderBomDiffText(diff: BomDiff, options: BomDiffRenderOptions): string {
  const c = createColors(options.color === true);
  const out: string[] = [
    `${c.bold('A')} ${printable(options.pathA)}  (${sideLine(diff.a)})`,
    `${c.bold('B')} ${printable(options.pathB)}  (${sideLine(diff.b)})`,
    '',
  ];
  const section = (title: string, count: number) => out.push(c.bold(`${title} (${count})`));
  if (diff.modelsChanged.length > 0) {
    section('Models whose weights changed', diff.modelsChanged.length);
    for (const m of diff.modelsChanged) {
      out.push(`  ${c.magenta('!')} ${c.bold(modelTitle(m))}`);
      for (const line of modelLines(m)) out.push(`      ${line}`);
    }
    out.push('');
  }
  if (diff.added.length > 0) {
    section('Added', diff.added.length);
    for (const e of diff.added) out.push(`  ${c.green('+')} ${componentLine(e.component)}`);
    out.push('');
  }
  if (diff.removed.length > 0) {
    section('Removed', diff.removed.length);
    for (const e of diff.removed) out.push(`  ${c.red('-')} ${componentLine(e.component)}`);
    out.push('');
  }
  if (diff.changed.length > 0) {
    section('Changed', diff.changed.length);
    for (const ch of diff.changed) {
      out.push(`  ${c.yellow('~')} ${printable(`${ch.b.type ?? ch.b.kind} ${displayName(ch.b)}`)}`);
      for (const line of changeLines(ch)) out.push(`      ${line}`);
    }
    out.push('');
  }
  if (diff.modelsNotComparable.length > 0) {
    section('Models whose weights could not be compared', diff.modelsNotComparable.length);
    for (const m of diff.modelsNotComparable)
      out.push(`  ${c.yellow('?')} ${modelTitle(m)}: ${printable(m.notComparable ?? '')}`);
    out.push('');
  }
  if (diff.summary.hashesNotComparable > 0)
    out.push(
      c.dim(
        `Hashes not comparable for ${plural(diff.summary.hashesNotComparable, 'matched component')} (no hashes on one or both sides, no algorithm in common, or only MD5/SHA-1): their content is neither shown changed nor shown the same.`,
      ),
      '',
    );
  out.push(summaryLine(diff));
  return `${out.join('\n')}\n`;
}

function summaryLine(diff: BomDiff): string {
  const s = diff.summary;
  if (s.identical)
    return `No differences: ${plural(s.unchanged, 'component')} in both BOMs${s.modelsNotComparable > 0 ? `, ${plural(s.modelsNotComparable, 'model')} whose weights could not be compared` : ''}.`;
  return [
    ...(s.modelsChanged > 0 ? [`${plural(s.modelsChanged, 'model')} with changed weights`] : []),
    `${s.added} added`,
    `${s.removed} removed`,
    `${s.changed} changed`,
    `${s.unchanged} unchanged`,
  ].join(', ');
}

function hashComparisonJson(h: HashComparison): unknown {
  return {
    status: h.status,
    ...(h.reason !== undefined ? { reason: h.reason } : {}),
    compared: [...h.compared],
    algorithms: h.algorithms.map((d) => ({
      algorithm: d.algorithm,
      change: d.change,
      ...(d.before !== undefined ? { before: d.before } : {}),
      ...(d.after !== undefined ? { after: d.after } : {}),
    })),
  };
}

/** A component in the JSON report; a model's `files` only where it is added or removed (elsewhere they are in `modelsChanged`). */
function componentJson(c: BomComponent, withFiles = true): unknown {
  return {
    kind: c.kind,
    ...(c.type !== undefined ? { type: c.type } : {}),
    ...(c.group !== undefined ? { group: c.group } : {}),
    name: c.name,
    ...(c.version !== undefined ? { version: c.version } : {}),
    ...(c.purl !== undefined ? { purl: c.purl } : {}),
    ref: c.ref,
    location: c.location,
    hashes: c.hashes.map((h) => ({ algorithm: h.algorithm, value: h.value })),
    licenses: [...c.licenses],
    ...(c.modelCard !== undefined ? { modelCard: c.modelCard } : {}),
    ...(withFiles && c.files.length > 0
      ? {
          files: c.files.map((f) => ({
            name: f.name,
            weights: f.weights,
            hashes: f.hashes.map((h) => ({ algorithm: h.algorithm, value: h.value })),
          })),
        }
      : {}),
  };
}

const entryJson = (e: ComponentEntry) => ({
  identity: e.identity,
  ...(componentJson(e.component) as object),
});

function changeJson(ch: ComponentChange): unknown {
  const changes: Record<string, unknown> = {};
  for (const field of ch.fields) {
    switch (field) {
      case 'name':
        changes.name = { ...ch.name };
        break;
      case 'type':
        changes.type = { ...ch.type };
        break;
      case 'version':
        changes.version = { ...ch.version };
        break;
      case 'purl':
        changes.purl = { ...ch.purl };
        break;
      case 'licenses':
        changes.licenses = {
          before: [...(ch.licenses?.before ?? [])],
          after: [...(ch.licenses?.after ?? [])],
          added: [...(ch.licenses?.added ?? [])],
          removed: [...(ch.licenses?.removed ?? [])],
        };
        break;
      case 'hashes':
        changes.hashes = hashComparisonJson(ch.hashes);
        break;
      case 'modelCard':
        changes.modelCard = { ...ch.modelCard };
        break;
      default:
        assertNever(field, 'changed field');
    }
  }
  return {
    identity: ch.identity,
    ...(ch.previousIdentity !== undefined ? { previousIdentity: ch.previousIdentity } : {}),
    matchedBy: ch.matchedBy,
    kind: ch.b.kind,
    name: displayName(ch.b),
    fields: [...ch.fields],
    content: {
      status: ch.hashes.status,
      ...(ch.hashes.reason !== undefined ? { reason: ch.hashes.reason } : {}),
    },
    changes,
    a: componentJson(ch.a, false),
    b: componentJson(ch.b, false),
  };
}

function modelJson(m: ModelWeightsDelta): unknown {
  return {
    identity: m.identity,
    ...(m.previousIdentity !== undefined ? { previousIdentity: m.previousIdentity } : {}),
    name: displayName(m.b),
    a: { ref: m.a.ref, ...(m.a.version !== undefined ? { version: m.a.version } : {}) },
    b: { ref: m.b.ref, ...(m.b.version !== undefined ? { version: m.b.version } : {}) },
    reasons: [...m.reasons],
    ...(m.notComparable !== undefined ? { notComparable: m.notComparable } : {}),
    modelHashes: hashComparisonJson(m.modelHashes),
    files: m.files.map((f) => ({
      status: f.status,
      name: f.name,
      ...(f.previousName !== undefined ? { previousName: f.previousName } : {}),
      hashes: hashComparisonJson(f.hashes),
    })),
  };
}

/**
 * The JSON report (schema BOM_DIFF_SCHEMA_VERSION): keys in a fixed order, only documented keys, every list
 * sorted by identity, so the same two BOMs give the same bytes.
 */
export function toBomDiffJson(diff: BomDiff, options: BomDiffRenderOptions): unknown {
  const side = (path: string, s: BomSideSummary) => ({
    path,
    format: s.format,
    specVersion: s.specVersion,
    components: s.components,
  });
  return {
    schemaVersion: BOM_DIFF_SCHEMA_VERSION,
    a: side(options.pathA, diff.a),
    b: side(options.pathB, diff.b),
    summary: { ...diff.summary },
    added: diff.added.map(entryJson),
    removed: diff.removed.map(entryJson),
    changed: diff.changed.map(changeJson),
    modelsChanged: diff.modelsChanged.map(modelJson),
    modelsNotComparable: diff.modelsNotComparable.map(modelJson),
    hashesNotComparable: diff.hashesNotComparable.map((h) => ({
      identity: h.identity,
      kind: h.kind,
      name: h.name,
      reason: h.reason,
    })),
  };
}

export function renderBomDiffJson(diff: BomDiff, options: BomDiffRenderOptions): string {
  return `${JSON.stringify(toBomDiffJson(diff, options), null, 2)}\n`;
}

/**
 * Escapes text for a GitHub-flavoured Markdown table cell; HTML and @mentions from a BOM stay inert. Lines
 * built from values already cut get a larger allowance than one raw value.
 */
function cell(text: string): string {
  return (
    printable(text, 4 * MAX_SHOWN_CHARS)
      // Backslash escapes for Markdown's own punctuation (CommonMark §2.4); `|` would split the row.
      .replace(/[\\`*_[\]|~]/g, '\\$&')
      .replace(/[<>&]/g, (ch) => `&#${ch.charCodeAt(0)};`)
      // `@name` after a space or at the start would mention someone; `torch@2.3.1` would not.
      .replace(/(^|[^\w])@/g, '$1&#64;')
  );
}

/** Rows stop being added once the report nears MARKDOWN_MAX_CHARS; the rest are counted. */
class MarkdownBudget {
  private used = 0;
  omitted = 0;
  constructor(private readonly out: string[]) {}
  push(line: string): boolean {
    if (this.used + line.length + 1 > MARKDOWN_MAX_CHARS) {
      this.omitted++;
      return false;
    }
    this.used += line.length + 1;
    this.out.push(line);
    return true;
  }
}

/**
 * A report for pull-request comments: summary table, models whose weights changed first, then added,
 * removed and changed components.
 */
export function renderBomDiffMarkdown(diff: BomDiff, options: BomDiffRenderOptions): string {
  const out: string[] = [];
  const budget = new MarkdownBudget(out);
  const s = diff.summary;
  const head = [
    '## pedigree bom diff',
    '',
    `**A** ${cell(options.pathA)} (${sideLine(diff.a)}) → **B** ${cell(options.pathB)} (${sideLine(diff.b)})`,
    '',
    s.identical ? '✅ **No differences**' : `⚠️ **${summaryLine(diff)}**`,
    '',
    '| | components |',
    '| --- | ---: |',
    `| models whose weights changed | ${s.modelsChanged} |`,
    `| added | ${s.added} |`,
    `| removed | ${s.removed} |`,
    `| changed | ${s.changed} |`,
    `| unchanged | ${s.unchanged} |`,
    `| models whose weights could not be compared | ${s.modelsNotComparable} |`,
    `| hashes not comparable | ${s.hashesNotComparable} |`,
    '',
  ];
  for (const line of head) budget.push(line);

  if (diff.modelsChanged.length > 0) {
    budget.push('### Models whose weights changed');
    budget.push('');
    budget.push('| model | version | what changed |');
    budget.push('| --- | --- | --- |');
    for (const m of diff.modelsChanged) {
      const version =
        m.a.version === m.b.version
          ? (m.b.version ?? '')
          : `${m.a.version ?? '(none)'} → ${m.b.version ?? '(none)'}`;
      budget.push(
        `| ${cell(displayName(m.b))} | ${cell(version)} | ${modelLines(m).map(cell).join('<br>')} |`,
      );
    }
    budget.push('');
  }
  const componentTable = (title: string, entries: readonly ComponentEntry[]) => {
    if (entries.length === 0) return;
    budget.push(`### ${title}`);
    budget.push('');
    budget.push('| kind | name | version | purl | licences |');
    budget.push('| --- | --- | --- | --- | --- |');
    for (const { component: c } of entries)
      budget.push(
        `| ${cell(c.type ?? c.kind)} | ${cell(displayName(c))} | ${cell(c.version ?? '')} | ${cell(c.purl ?? '')} | ${cell(c.licenses.join(', '))} |`,
      );
    budget.push('');
  };
  componentTable('Added', diff.added);
  componentTable('Removed', diff.removed);
  if (diff.changed.length > 0) {
    budget.push('### Changed');
    budget.push('');
    budget.push('| kind | name | changes |');
    budget.push('| --- | --- | --- |');
    for (const ch of diff.changed)
      budget.push(
        `| ${cell(ch.b.type ?? ch.b.kind)} | ${cell(displayName(ch.b))} | ${changeLines(ch).map(cell).join('<br>')} |`,
      );
    budget.push('');
  }
  if (diff.modelsNotComparable.length > 0) {
    budget.push('### Models whose weights could not be compared');
    budget.push('');
    budget.push('| model | why |');
    budget.push('| --- | --- |');
    for (const m of diff.modelsNotComparable)
      budget.push(`| ${cell(displayName(m.b))} | ${cell(m.notComparable ?? '')} |`);
    budget.push('');
  }
  if (s.hashesNotComparable > 0)
    budget.push(
      `_Hashes not comparable for ${plural(s.hashesNotComparable, 'matched component')} (no hashes on one or both sides, no algorithm in common, or only MD5/SHA-1): their content is neither shown changed nor shown the same._`,
    );
  if (budget.omitted > 0)
    out.push(
      '',
      `_${plural(budget.omitted, 'line')} not shown to stay under GitHub's comment size: use \`--format json\` for the full diff._`,
    );
  return `${out.join('\n')}\n`;
}

/** Renders the diff in one of BOM_DIFF_FORMATS. */
export function renderBomDiff(diff: BomDiff, format: BomDiffFormat, options: BomDiffRenderOptions): string {
  switch (format) {
    case 'text':
      return renderBomDiffText(diff, options);
    case 'json':
      return renderBomDiffJson(diff, options);
    case 'markdown':
      return renderBomDiffMarkdown(diff, options);
    default:
      return assertNever(format, 'format');
  }
}
