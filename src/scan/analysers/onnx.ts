import { truncateText } from '../../core/byte-reader.js';
import { describeError, ParseError } from '../../core/errors.js';
import { compareStrings, type Severity } from '../../core/finding.js';
import {
  isOnnxModel,
  type OnnxEntry,
  type OnnxIssue,
  type OnnxModel,
  type OnnxNode,
  parseOnnxModel,
} from '../../formats/onnx/model.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { findMetadataIndicator } from '../indicators.js';
import {
  type ExternalReference,
  externalReferences,
  overlappingRanges,
  unsafeLocation,
} from '../onnx/external-data.js';
import { classifyOperator, functionKey } from '../onnx/operators.js';
import { ONNX_RULES } from '../onnx/rules.js';
import { analyseHiddenRanges } from './hidden-bytes.js';

/** Nodes, tensors or problems listed in one finding's evidence; the message gives the total. */
const MAX_LISTED = 20;

/**
 * ONNX models (`.onnx`, recognised by content: a ModelProto with `ir_version` then `graph` or
 * `opset_import`). The protobuf is decoded with tensor payloads left unread, so a 2 GB model with inline
 * weights costs what its graph costs. Every graph is analysed, nested ones (`If`/`Loop`/`Scan` bodies, any
 * graph attribute), model-local functions and training graphs included: operators that run Python or need
 * native code, external data that reaches outside the model's folder, tensor sizes that do not fit their
 * data, and metadata that carries code. Where external data leads on disk is checked by the scanner
 * afterwards (onnx/external-data.ts `externalDataOnDisk`), since only it knows the model's folder.
 */
export const onnxAnalyser: FormatAnalyser = {
  id: 'onnx',
  detect(head, source, name) {
    return isOnnxModel(head, source, name);
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    let model: OnnxModel;
    try {
      model = parseOnnxModel(source);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      const why = describeError(error);
      ctx.notAnalysed({
        ruleId: ONNX_RULES.malformed.id,
        severity: 'medium',
        title: ONNX_RULES.malformed.title,
        message: `The ONNX model could not be read: ${why}. Nothing in it was analysed.`,
        offset: error.offset ?? 0,
        evidence: why,
        remediation: ONNX_RULES.malformed.help,
        references: ONNX_RULES.malformed.references,
      });
      return { format: 'onnx', kind: 'model' };
    }
    reportOperators(ctx, model);
    const external = externalReferences(model.tensors);
    reportExternalLocations(ctx, external);
    reportIssues(ctx, model, external);
    reportMetadata(ctx, model);
    // What loaders skip is where a polyglot keeps its payload: a second model, a pickle, an archive whose
    // end of central directory is the file's end (torch.load and zip readers find it there).
    await analyseHiddenRanges(source, ctx, head, model.hidden, ONNX_RULES.structure);
    return { format: 'onnx', kind: 'model' };
  },
};

/** `domain::op_type`, with the default domain spelled out. */
function operatorName(node: OnnxNode): string {
  return `${node.domain === '' ? 'ai.onnx' : node.domain}::${node.opType}`;
}

function describeNode(node: OnnxNode): string {
  const name = node.name === '' ? 'unnamed node' : `node '${truncateText(node.name, 80)}'`;
  return `${name} (${truncateText(operatorName(node), 120)}) at ${node.path}`;
}

function attribute(node: OnnxNode, name: string): string | undefined {
  return node.attributes.find((a) => a.name === name)?.s;
}

interface NodeGroup {
  readonly key: string;
  readonly nodes: OnnxNode[];
  severity: Severity;
  why: string;
  callable?: string;
}

function reportOperators(ctx: AnalysisContext, model: OnnxModel): void {
  const functions = new Set(model.functions.map(functionKey));
  const python = new Map<string, NodeGroup>();
  const custom = new Map<string, NodeGroup>();
  const runtime = new Map<string, number>();
  for (const graph of model.graphs) {
    for (const node of graph.nodes) {
      const kind = classifyOperator(node, functions);
      if (kind.kind === 'python') {
        // onnxruntime's PyOp imports `module`, takes `class_name` from it and instantiates it with the
        // node's other attributes when the session is created (core/language_interop_ops/pyop).
        const module = attribute(node, 'module');
        const className = attribute(node, 'class_name') ?? attribute(node, 'function');
        const callable =
          module !== undefined && className !== undefined ? `${module}.${className}` : undefined;
        const key = `${operatorName(node)}\u0000${callable ?? ''}`;
        const group = python.get(key) ?? { key, nodes: [], severity: 'high', why: kind.why };
        if (callable !== undefined && module !== undefined && className !== undefined) {
          group.callable = callable;
          const verdict = ctx.policy.classify(module, className);
          if (verdict.kind === 'dangerous' && verdict.severity === 'critical') group.severity = 'critical';
        }
        group.nodes.push(node);
        python.set(key, group);
      } else if (kind.kind === 'custom') {
        const key = operatorName(node);
        const group = custom.get(key) ?? { key, nodes: [], severity: 'medium', why: kind.why };
        group.nodes.push(node);
        custom.set(key, group);
      } else if (kind.kind === 'runtime') {
        const key = operatorName(node);
        runtime.set(key, (runtime.get(key) ?? 0) + 1);
      }
    }
  }
  for (const group of sortedGroups(python)) {
    const first = group.nodes[0] as OnnxNode;
    const calls =
      group.callable === undefined
        ? ''
        : ` It imports and instantiates the Python callable ${truncateText(group.callable, 160)} when the session is created.`;
    ctx.report({
      ruleId: ONNX_RULES.pythonOp.id,
      severity: group.severity,
      title: ONNX_RULES.pythonOp.title,
      message: `${count(group.nodes.length, 'node')} ${group.nodes.length === 1 ? 'runs' : 'run'} Python: ${describeNode(first)}; ${group.why}.${calls}`,
      offset: first.offset,
      evidence: listNodes(group.nodes, group.callable),
      remediation: ONNX_RULES.pythonOp.help,
      references: ONNX_RULES.pythonOp.references,
    });
  }
  for (const group of sortedGroups(custom)) {
    const first = group.nodes[0] as OnnxNode;
    ctx.report({
      ruleId: ONNX_RULES.customOp.id,
      severity: 'medium',
      title: ONNX_RULES.customOp.title,
      message: `${count(group.nodes.length, 'node')} ${group.nodes.length === 1 ? 'uses' : 'use'} the custom operator ${truncateText(group.key, 160)}, e.g. ${describeNode(first)}: the model loads only with native code registered for domain '${truncateText(first.domain, 120)}' (${group.why}), and that code runs with the model.`,
      offset: first.offset,
      evidence: listNodes(group.nodes),
      remediation: ONNX_RULES.customOp.help,
      references: ONNX_RULES.customOp.references,
    });
  }
  if (runtime.size > 0) {
    const used = [...runtime].sort(([a], [b]) => compareStrings(a, b)).map(([op, n]) => `${op} ×${n}`);
    ctx.report({
      ruleId: ONNX_RULES.customOp.id,
      severity: 'info',
      title: ONNX_RULES.customOp.title,
      message: `The model uses ${used.length} operator(s) from onnxruntime's own vendor domains (no extra library is loaded): ${truncateText(used.slice(0, 5).join(', '), 300)}${used.length > 5 ? ', …' : ''}.`,
      offset: 0,
      evidence: truncateText(used.join('\n'), 4000),
      remediation: ONNX_RULES.customOp.help,
      references: ONNX_RULES.customOp.references,
    });
  }
}

function sortedGroups(groups: ReadonlyMap<string, NodeGroup>): NodeGroup[] {
  return [...groups.values()].sort((a, b) => compareStrings(a.key, b.key));
}

function listNodes(nodes: readonly OnnxNode[], callable?: string): string {
  const shown = nodes.slice(0, MAX_LISTED).map((n) => `${n.path}: ${operatorName(n)} '${n.name}'`);
  if (callable !== undefined) shown.unshift(`callable: ${callable}`);
  if (nodes.length > MAX_LISTED) shown.push(`… ${nodes.length - MAX_LISTED} more`);
  return truncateText(shown.join('\n'), 4000);
}

function count(n: number, what: string): string {
  return n === 1 ? `1 ${what}` : `${n} ${what}s`;
}

/** External data locations that are unsafe as written (where they lead on disk is checked later). */
function reportExternalLocations(ctx: AnalysisContext, external: readonly ExternalReference[]): void {
  const byLocation = new Map<string, { why: string; tensors: string[]; offset: number }>();
  for (const ref of external) {
    // Every location the tensor gives, not only the last one onnx reads (see ExternalReference.locations).
    for (const location of ref.locations.length === 0 ? [''] : new Set(ref.locations)) {
      const why = location === '' ? 'is missing' : unsafeLocation(location);
      if (why === undefined) continue;
      const entry = byLocation.get(location) ?? { why, tensors: [], offset: ref.tensor.offset };
      entry.tensors.push(ref.tensor.where);
      byLocation.set(location, entry);
    }
  }
  for (const [location, entry] of [...byLocation].sort(([a], [b]) => compareStrings(a, b))) {
    const missing = location === '';
    const shown = truncateText(location, 200);
    const first = entry.tensors[0] as string;
    ctx.report({
      ruleId: ONNX_RULES.externalData.id,
      severity: missing ? 'medium' : 'high',
      title: ONNX_RULES.externalData.title,
      message: missing
        ? `${count(entry.tensors.length, 'tensor')} stored as external data ${entry.tensors.length === 1 ? 'names' : 'name'} no location, e.g. ${first}: loaders read the model's folder itself or fail.`
        : `${count(entry.tensors.length, 'tensor')} ${entry.tensors.length === 1 ? 'reads its' : 'read their'} data from '${shown}', which ${entry.why}: loading the model reads that file into a tensor, e.g. ${first}.`,
      offset: entry.offset,
      evidence: truncateText(
        [
          `location: ${shown}`,
          ...entry.tensors.slice(0, MAX_LISTED),
          ...(entry.tensors.length > MAX_LISTED ? [`… ${entry.tensors.length - MAX_LISTED} more`] : []),
        ].join('\n'),
        4000,
      ),
      remediation: ONNX_RULES.externalData.help,
      references: ONNX_RULES.externalData.references,
    });
  }
}

function reportIssues(ctx: AnalysisContext, model: OnnxModel, external: readonly ExternalReference[]): void {
  const overlaps = overlappingRanges(external);
  const size: { message: string; offset: number }[] = [
    ...model.issues.filter((i) => i.kind === 'size'),
    ...overlaps.map((message) => ({ message, offset: 0 })),
  ];
  const structure = model.issues.filter((i) => i.kind === 'structure');
  for (const [rule, severity, issues, what] of [
    [ONNX_RULES.tensorSize, 'medium', size, 'tensor(s) whose declared size does not fit their data'],
    [ONNX_RULES.structure, 'low', structure, 'protobuf structure ONNX writers never produce'],
  ] as const) {
    if (issues.length === 0) continue;
    const first = issues[0] as OnnxIssue | { message: string; offset: number };
    ctx.report({
      ruleId: rule.id,
      severity,
      title: rule.title,
      message: `${issues.length} problem(s) with ${what}: ${truncateText(
        issues
          .slice(0, 3)
          .map((i) => i.message)
          .join('; '),
        600,
      )}${issues.length > 3 ? '; …' : ''}.`,
      offset: first.offset,
      evidence: truncateText(
        [
          ...issues.slice(0, MAX_LISTED).map((i) => i.message),
          ...(issues.length > MAX_LISTED ? [`… ${issues.length - MAX_LISTED} more`] : []),
        ].join('\n'),
        4000,
      ),
      remediation: rule.help,
      references: rule.references,
    });
  }
}

function reportMetadata(ctx: AnalysisContext, model: OnnxModel): void {
  const texts: { where: string; text: string; offset: number }[] = [
    { where: 'the model doc_string', text: model.docString, offset: 0 },
    ...entriesOf('model metadata_props', model.metadataProps),
  ];
  for (const graph of model.graphs) {
    texts.push({ where: `the doc_string of ${graph.path}`, text: graph.docString, offset: graph.offset });
    texts.push(...entriesOf(`${graph.path} metadata_props`, graph.metadataProps));
  }
  for (const { where, text, offset } of texts) {
    const hit = findMetadataIndicator(text);
    if (hit === undefined) continue;
    ctx.report({
      ruleId: ONNX_RULES.metadata.id,
      severity: hit.indicator.severity,
      title: ONNX_RULES.metadata.title,
      message: `${where[0]?.toUpperCase()}${where.slice(1)} holds ${hit.indicator.what}: ${truncateText(hit.match.trim(), 160)}.`,
      offset,
      evidence: truncateText(text, 500),
      remediation: ONNX_RULES.metadata.help,
      references: ONNX_RULES.metadata.references,
    });
  }
}

function entriesOf(
  where: string,
  entries: readonly OnnxEntry[],
): { where: string; text: string; offset: number }[] {
  return entries.map((e) => ({
    where: `the ${where} value '${truncateText(e.key, 80)}'`,
    text: e.value,
    offset: e.offset,
  }));
}
