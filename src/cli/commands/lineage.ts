import pc from 'picocolors';
import { UsageError } from '../../core/errors.js';
import {
  type ArtifactNode,
  buildLineage,
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  type LineageTarget,
  lineageToDot,
  lineageToJson,
  lineageToMermaid,
  matchArtifacts,
  type RecordSignatureCheck,
  type RunNode,
  readLineageSources,
  resolveLineageTarget,
  traceLineage,
} from '../../provenance/lineage.js';
import { safe } from '../../report/text.js';
import { checkBundleSignature } from '../../trust/check-signature.js';
import type { CliIo } from '../io.js';
import { positiveIntegerOption } from '../options.js';
import { deliverReportAndVerdict } from '../output.js';
import { hasTrust, type TrustCommandOptions, trustFrom } from './sign.js';

/** `pedigree lineage [PATH]`: the graph of datasets, runs and models, or one model's or dataset's part of it. */

export const LINEAGE_FORMATS = ['text', 'json', 'mermaid', 'dot'] as const;
/** Deepest tree printed as text: each level indents, so a chain of thousands of runs would print megabytes per line. */
export const MAX_TREE_DEPTH = 64;
/** Schema version of `lineage --format json`. */
export const LINEAGE_JSON_SCHEMA_VERSION = '1.0.0';

export interface LineageCommandOptions extends TrustCommandOptions {
  readonly producedBy?: string;
  readonly used?: string;
  readonly format: string;
  readonly output?: string;
  readonly workers?: string;
  readonly quiet: boolean;
}

type Colors = {
  green: (s: string) => string;
  red: (s: string) => string;
  bold: (s: string) => string;
  dim: (s: string) => string;
};
const plain: Colors = { green: (s) => s, red: (s) => s, bold: (s) => s, dim: (s) => s };

function shortDigest(node: ArtifactNode): string {
  return node.digest ? `sha256:${node.digest.sha256.slice(0, 16)}…` : safe(node.uri ?? '');
}

function artifactText(node: ArtifactNode): string {
  const names = node.names.length > 0 ? safe(node.names.join(', ')) : '(unnamed)';
  const size =
    node.files !== undefined && node.form === 'folder'
      ? ` (${node.files} file${node.files === 1 ? '' : 's'}${node.bytes !== undefined ? `, ${node.bytes} bytes` : ''})`
      : '';
  const snaps = node.snapshots.length > 0 ? ` [snapshot ${safe(node.snapshots.join(', '))}]` : '';
  return `${node.kind}${node.derived && node.kind !== 'model' ? ' (derived)' : ''} ${names}  ${shortDigest(node)}${size}${snaps}`;
}

function signatureText(run: RunNode): string {
  return run.records
    .map((r) => {
      const file = safe(r.file);
      if (!r.signed) return `${file} (unsigned)`;
      if (!r.signature) return `${file} (signed, signature not checked)`;
      return `${file} (signed, ${r.signature.ok ? `verified: ${safe(r.signature.signer ?? 'ok')}` : `NOT verified: ${safe(r.signature.reason ?? '')}`})`;
    })
    .join('; ');
}

/** The first characters of a run's invocation id, as runs are named in text. */
function shortRun(run: RunNode): string {
  return safe(run.invocationId.slice(0, 8));
}

function runText(run: RunNode, c: Colors): string {
  const status = run.status === 'succeeded' ? c.green('succeeded') : c.red('FAILED');
  return `run ${shortRun(run)} ${status}${run.exitCode !== undefined && run.exitCode !== null && run.exitCode !== 0 ? ` (exit ${run.exitCode})` : ''} ${safe(run.startedOn)}: ${safe(run.command.join(' '))}`;
}

function metricsText(metrics: Readonly<Record<string, number>>): string {
  const entries = Object.entries(metrics).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = entries.slice(0, 8).map(([k, v]) => `${safe(k)}=${v}`);
  return `${shown.join(', ')}${entries.length > 8 ? `, … ${entries.length - 8} more` : ''}`;
}

/** The whole graph, run by run in time order, then artifacts no run touches. */
export function renderLineageText(graph: LineageGraph, root: string, color: boolean): string {
  const c = color ? { ...pc, dim: pc.dim } : plain;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const { out, into } = edgeIndex(graph);
  const runs = graph.nodes
    .filter((n): n is RunNode => n.kind === 'run')
    .sort((a, b) => (a.startedOn < b.startedOn ? -1 : a.startedOn > b.startedOn ? 1 : a.id < b.id ? -1 : 1));
  const artifacts = graph.nodes.filter((n): n is ArtifactNode => n.kind !== 'run');
  const count = (k: string) => artifacts.filter((a) => a.kind === k).length;
  const records = runs.flatMap((r) => r.records);
  const snapshots = new Set(artifacts.flatMap((a) => a.snapshots)).size;
  const failed = runs.filter((r) => r.status === 'failed').length;
  const lines = [
    `${c.bold('lineage')}  ${root}: ${runs.length} run${runs.length === 1 ? '' : 's'}${failed > 0 ? ` (${failed} failed)` : ''}, ${count('dataset')} dataset${count('dataset') === 1 ? '' : 's'}, ${count('file')} file${count('file') === 1 ? '' : 's'}, ${count('model')} model${count('model') === 1 ? '' : 's'}; ${records.length} record${records.length === 1 ? '' : 's'} (${records.filter((r) => r.signed).length} signed), ${snapshots} snapshot${snapshots === 1 ? '' : 's'}`,
  ];
  for (const run of runs) {
    lines.push('', runText(run, c));
    lines.push(`  record   ${signatureText(run)}`);
    if (run.workingDirectory !== '.') lines.push(`  folder   ${safe(run.workingDirectory)}`);
    if (run.code)
      lines.push(
        `  code     ${run.code.commit ? `commit ${run.code.commit.slice(0, 12)}` : 'no commit'}${run.code.dirty ? ', uncommitted changes' : ', clean'}`,
      );
    if (run.seed !== undefined) lines.push(`  seed     ${safe(String(run.seed))}`);
    if (run.reproductionOf) lines.push(`  re-runs  run ${safe(run.reproductionOf.slice(0, 8))}`);
    for (const e of (into.get(run.id) ?? []).filter((e) => e.relation !== 'reproduces')) {
      const a = byId.get(e.from) as ArtifactNode;
      const producers = (into.get(a.id) ?? [])
        .filter((x) => x.relation === 'output')
        .map((x) => `run ${shortRun(byId.get(x.from) as RunNode)}`);
      lines.push(
        `  ${e.relation === 'input' ? 'input   ' : 'base    '} ${artifactText(a)}${producers.length > 0 ? `  ← output of ${producers.join(', ')}` : ''}`,
      );
    }
    for (const e of (out.get(run.id) ?? []).filter((e) => e.relation === 'output')) {
      const a = byId.get(e.to) as ArtifactNode;
      const users = (out.get(a.id) ?? [])
        .filter((x) => x.relation !== 'reproduces')
        .map((x) => `run ${shortRun(byId.get(x.to) as RunNode)}`);
      lines.push(`  output   ${artifactText(a)}${users.length > 0 ? `  → read by ${users.join(', ')}` : ''}`);
    }
    if (Object.keys(run.metrics).length > 0) lines.push(`  metrics  ${metricsText(run.metrics)}`);
  }
  const loose = artifacts.filter((a) => !into.has(a.id) && !out.has(a.id));
  if (loose.length > 0) {
    lines.push('', c.bold('not used by any recorded run'));
    for (const a of loose) lines.push(`  ${artifactText(a)}`);
  }
  lines.push(...problemLines(graph, c));
  return `${lines.join('\n')}\n`;
}

/** Edges by the node they leave and by the node they enter. */
function edgeIndex(graph: LineageGraph): {
  out: Map<string, LineageEdge[]>;
  into: Map<string, LineageEdge[]>;
} {
  const out = new Map<string, LineageEdge[]>();
  const into = new Map<string, LineageEdge[]>();
  for (const e of graph.edges) {
    const from = out.get(e.from) ?? [];
    from.push(e);
    out.set(e.from, from);
    const to = into.get(e.to) ?? [];
    to.push(e);
    into.set(e.to, to);
  }
  return { out, into };
}

function problemLines(graph: LineageGraph, c: Colors): string[] {
  if (graph.problems.length === 0) return [];
  return [
    '',
    c.bold(`problems (${graph.problems.length})`),
    ...graph.problems.map((p) => `  ${safe(p.file)}: ${safe(p.message)}`),
  ];
}

/** A query's answer as a tree: from the artifacts asked about, up to what made them or down to what used them. */
export function renderQueryText(
  graph: LineageGraph,
  matched: readonly string[],
  direction: 'upstream' | 'downstream',
  heading: string,
  color: boolean,
): string {
  const c = color ? { ...pc, dim: pc.dim } : plain;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const { out, into } = edgeIndex(graph);
  const lines = [heading];
  const seen = new Set<string>();
  const label = (node: LineageNode): string => (node.kind === 'run' ? runText(node, c) : artifactText(node));
  const children = (id: string): { id: string; how: string }[] => {
    const node = byId.get(id);
    if (!node) return [];
    if (direction === 'upstream')
      return (into.get(id) ?? [])
        .filter((e) => e.relation !== 'reproduces')
        .map((e) => ({
          id: e.from,
          how: node.kind === 'run' ? e.relation : 'produced by',
        }));
    return (out.get(id) ?? [])
      .filter((e) => e.relation !== 'reproduces')
      .map((e) => ({
        id: e.to,
        how: node.kind === 'run' ? 'output' : `${e.relation} of`,
      }));
  };
  const visit = (id: string, how: string, prefix: string, last: boolean, depth: number): void => {
    const node = byId.get(id);
    if (!node) return;
    const top = depth === 0;
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const again = seen.has(id);
    lines.push(
      `${prefix}${branch}${how ? `${how} ` : ''}${label(node)}${again ? c.dim(' (shown above)') : ''}`,
    );
    if (again) return;
    seen.add(id);
    const next = children(id);
    const childPrefix = top ? prefix : `${prefix}${last ? '   ' : '│  '}`;
    if (next.length > 0 && depth >= MAX_TREE_DEPTH) {
      lines.push(`${childPrefix}└─ … deeper than ${MAX_TREE_DEPTH} levels: see -f json`);
      return;
    }
    next.forEach((child, i) => {
      visit(child.id, child.how, childPrefix, i === next.length - 1, depth + 1);
    });
  };
  for (const id of matched) visit(id, '', '', true, 0);
  lines.push(...problemLines(graph, c));
  return `${lines.join('\n')}\n`;
}

function targetText(target: LineageTarget): string {
  if (target.by === 'name') return `name ${safe(JSON.stringify(target.name))}`;
  return `${target.path !== undefined ? `${safe(target.path)} ` : ''}sha256:${target.sha256}`;
}

export async function runLineage(path: string, options: LineageCommandOptions, io: CliIo): Promise<number> {
  if (!(LINEAGE_FORMATS as readonly string[]).includes(options.format))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--format must be one of ${LINEAGE_FORMATS.join(', ')}, got '${options.format}'`,
    );
  if (options.producedBy !== undefined && options.used !== undefined)
    throw new UsageError('BAD_ARGUMENT', 'give --produced-by or --used, not both');
  const workers = positiveIntegerOption(options.workers, '--workers');
  let checkSignature: RecordSignatureCheck | undefined;
  if (hasTrust(options)) {
    const trust = trustFrom(options);
    checkSignature = (bundle, file) => checkBundleSignature(bundle, trust, { file });
  }
  const sources = readLineageSources(path, checkSignature ? { checkSignature } : {});
  // A record whose signature does not verify says nothing trustworthy: it is left out of the graph.
  const rejected = sources.records.filter((r) => r.signature !== undefined && !r.signature.ok);
  const graph = buildLineage(
    sources.records.filter((r) => !rejected.includes(r)),
    sources.snapshots,
    [
      ...sources.problems,
      ...rejected.map((r) => ({
        file: r.file,
        message: `the signature does not verify (${r.signature?.reason ?? 'invalid'}); left out`,
      })),
    ],
  );

  const query = options.producedBy ?? options.used;
  let shown = graph;
  let answered = true;
  let queryJson: Record<string, unknown> | undefined;
  let text: string | undefined;
  const color = options.output === undefined && io.stdoutIsTTY && !io.noColor;
  if (query !== undefined) {
    const direction = options.producedBy !== undefined ? 'upstream' : 'downstream';
    const target = await resolveLineageTarget(query, workers !== undefined ? { workers } : {});
    const matched = matchArtifacts(graph, target);
    shown = traceLineage(graph, matched, direction);
    // A set: a digest found in many folders times a graph of millions of edges must not be a product.
    const matchedSet = new Set(matched);
    const runs = graph.edges
      .filter((e) =>
        direction === 'upstream'
          ? matchedSet.has(e.to) && e.relation === 'output'
          : matchedSet.has(e.from) && (e.relation === 'input' || e.relation === 'base-model'),
      )
      .map((e) => (direction === 'upstream' ? e.from : e.to));
    answered = runs.length > 0;
    queryJson = {
      [options.producedBy !== undefined ? 'producedBy' : 'used']: query,
      target,
      matched,
      runs: [...new Set(runs)].sort(),
    };
    if (options.format === 'text') {
      const heading =
        matched.length === 0
          ? `${direction === 'upstream' ? 'produced by' : 'used by'}: nothing recorded has ${targetText(target)}${
              target.by === 'digest' && target.path !== undefined
                ? ' (the content as it is now; a changed file or folder has another digest)'
                : ''
            }`
          : !answered
            ? `${targetText(target)}: ${direction === 'upstream' ? 'no recorded run produced it' : 'no recorded run used it'}`
            : `${direction === 'upstream' ? 'what produced' : 'what used'} ${targetText(target)}`;
      text = renderQueryText(shown, matched, direction, heading, color);
    }
  }
  const rejectedAny = rejected.length > 0;
  const rendered =
    options.format === 'json'
      ? `${JSON.stringify(
          {
            schemaVersion: LINEAGE_JSON_SCHEMA_VERSION,
            tool: { name: 'pedigree', version: io.version },
            path,
            ...(queryJson ? { query: queryJson } : {}),
            ...lineageToJson(shown),
          },
          null,
          2,
        )}\n`
      : options.format === 'mermaid'
        ? lineageToMermaid(shown)
        : options.format === 'dot'
          ? lineageToDot(shown)
          : (text ?? renderLineageText(shown, path, color));
  await deliverReportAndVerdict(
    rendered,
    options,
    `pedigree lineage: ${path}: ${graph.nodes.filter((n) => n.kind === 'run').length} runs${query !== undefined ? (answered ? '; found' : '; NOT found') : ''}${graph.problems.length > 0 ? `; ${graph.problems.length} problems` : ''}`,
    io,
  );
  // Only when no verdict line was printed (not --quiet text), so the order is as before.
  if (options.format !== 'text' && !options.quiet && graph.problems.length > 0)
    for (const p of graph.problems) io.stderr(`pedigree lineage: ${safe(p.file)}: ${safe(p.message)}\n`);
  return answered && !rejectedAny ? 0 : 1;
}
