import { type ByteSource, truncateText } from '../../core/byte-reader.js';
import { describeError, ParseError } from '../../core/errors.js';
import type { Severity } from '../../core/finding.js';
import { findEncodedOpNames } from '../../formats/savedmodel/byte-scan.js';
import type { TfGraph, TfMetaGraph } from '../../formats/savedmodel/model.js';
import { parseGraphDef, parseKerasMetadata, parseSavedModel } from '../../formats/savedmodel/parse.js';
import {
  classifyTensorflowProto,
  isFingerprint,
  type TensorflowProtoKind,
} from '../../formats/savedmodel/recognise.js';
import { findTextOps, isGraphText, MAX_TEXT_SCAN_CHARS } from '../../formats/savedmodel/text-scan.js';
import type { AnalysisContext } from '../context.js';
import type { AnalysisResult, FormatAnalyser } from '../engine.js';
import { analyseGraph, escapesDirectory, type GraphContext, type GraphHit } from '../savedmodel/graph.js';
import {
  findKerasMetadataIndicators,
  type KerasMetadataIndicator,
  parseKerasMetadataJson,
} from '../savedmodel/keras-metadata.js';
import { isPythonOp, isRegisteredOp, OP_SPECS, REPORTED_OP_NAMES } from '../savedmodel/ops.js';
import { SAVEDMODEL_RULES as RULES } from '../savedmodel/rules.js';

/**
 * Largest TensorFlow protobuf decoded whole. SavedModel graphs are small (weights live in variables/), but
 * frozen graphs carry their weights as Const tensors; protobufjs keeps those as views, so the cost is the
 * file itself. Larger files are searched byte by byte for the op names that matter and reported as not
 * analysed.
 */
export const MAX_SAVEDMODEL_DECODE_BYTES = 512 * 1024 * 1024;

type TensorflowFileKind = TensorflowProtoKind | 'keras-metadata' | 'fingerprint' | 'text';

const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);

/**
 * What a file is, by name and first bytes. The parts of a SavedModel directory are recognised by their
 * fixed names (TensorFlow opens them by name) on any valid protobuf; other `.pb` files only when their
 * first fields are a SavedModel's or a GraphDef's (recognise.ts); `.pbtxt` when the text looks like one.
 */
function fileKinds(head: Uint8Array, source: ByteSource, name: string): TensorflowFileKind[] {
  if (source.size === 0) return [];
  const base = baseName(name);
  if (base === 'saved_model.pb') return ['saved-model'];
  if (base === 'keras_metadata.pb') return ['keras-metadata'];
  if (base === 'fingerprint.pb' && isFingerprint(head, source.size)) return ['fingerprint'];
  if (/\.pbtxt$/i.test(base)) {
    if (head.includes(0)) return [];
    return base === 'saved_model.pbtxt' || isGraphText(Buffer.from(head).toString('latin1')) ? ['text'] : [];
  }
  if (/\.pb$/i.test(base)) return classifyTensorflowProto(head, source.size, { cutOff: true });
  return [];
}

/**
 * TensorFlow SavedModels (`saved_model.pb`, `saved_model.pbtxt`), bare and frozen GraphDefs (`*.pb`) and
 * Keras' `keras_metadata.pb`, analysed without TensorFlow: ops that run Python, touch files or the network,
 * or need a custom kernel, in the main graph and every library function; Keras Lambda layers and custom
 * code in the metadata. Recognised by name, so registered after every analyser that recognises by content.
 */
export const savedModelAnalyser: FormatAnalyser = {
  id: 'savedmodel',
  detect(head, source, name) {
    // A saved_model.pb or keras_metadata.pb that is not protobuf at all is claimed too, to say so.
    return fileKinds(head, source, name).length > 0;
  },
  async analyse(source, ctx, head): Promise<AnalysisResult> {
    const kinds = fileKinds(head, source, ctx.member ?? ctx.path);
    const first = kinds[0];
    if (first === 'fingerprint') return { format: 'tf-savedmodel-fingerprint', kind: 'other' };
    if (first === 'text') {
      analyseText(source, ctx);
      return { format: 'tf-savedmodel-text', kind: 'model' };
    }
    const format =
      first === 'keras-metadata' ? 'keras-metadata' : first === 'graph-def' ? 'tf-graphdef' : 'tf-savedmodel';
    const kind = first === 'keras-metadata' ? 'config' : 'model';
    if (source.size > MAX_SAVEDMODEL_DECODE_BYTES) {
      notAnalysed(
        ctx,
        `The file is ${source.size} bytes, more than the ${MAX_SAVEDMODEL_DECODE_BYTES} pedigree decodes`,
        0,
      );
      reportByteScan(source, ctx);
      return { format, kind };
    }
    const bytes = source.readAt(0, source.size);
    let failure: ParseError | undefined;
    for (const candidate of kinds) {
      try {
        if (candidate === 'keras-metadata') {
          const document = parseKerasMetadata(bytes);
          for (const node of document.nodes) {
            const label = `keras_metadata node ${node.nodeId} '${truncateText(node.nodePath, 120)}' (${truncateText(node.identifier, 60)})`;
            reportKerasMetadata(ctx, node.metadata, label);
          }
          return { format, kind };
        }
        if (candidate === 'saved-model') {
          const document = parseSavedModel(bytes);
          const graphs = document.metaGraphs.some((m) => hasGraph(m.graph));
          // A generic .pb that starts like both: a SavedModel without graphs is read as a GraphDef instead.
          if (kinds.length > 1 && !graphs) continue;
          for (const metaGraph of document.metaGraphs) analyseMetaGraph(ctx, metaGraph);
          if (!graphs) {
            // No meta graph, or its fields given with the wrong wire type (which TensorFlow and protobufjs
            // skip as unknown): there was no graph to analyse, which is not the same as a clean one.
            notAnalysed(
              ctx,
              `The SavedModel holds no graph (${document.metaGraphs.length} meta graph(s), none with nodes or functions)`,
              0,
            );
            reportByteScan(source, ctx);
          }
          return { format: 'tf-savedmodel', kind };
        }
        if (candidate === 'graph-def') {
          const document = parseGraphDef(bytes);
          reportHits(ctx, analyseGraph(document.graph), 'the GraphDef');
          return { format: 'tf-graphdef', kind };
        }
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
        failure ??= error;
      }
    }
    notAnalysed(
      ctx,
      failure === undefined
        ? 'The file has no graph to analyse'
        : `The file is not a valid ${first === 'keras-metadata' ? 'Keras SavedMetadata' : first === 'graph-def' ? 'GraphDef' : 'SavedModel'} protobuf: ${describeError(failure)}`,
      failure?.offset ?? 0,
    );
    reportByteScan(source, ctx);
    return { format, kind };
  },
};

const hasGraph = (graph: TfGraph) => graph.nodes.length > 0 || graph.functions.length > 0;

function metaGraphLabel(metaGraph: TfMetaGraph): string {
  const tags = metaGraph.tags.map((t) => truncateText(t, 40)).join(', ');
  return `meta graph ${metaGraph.index} [${tags === '' ? 'no tags' : tags}]`;
}

function analyseMetaGraph(ctx: AnalysisContext, metaGraph: TfMetaGraph): void {
  const label = metaGraphLabel(metaGraph);
  const context: GraphContext = {
    saver: metaGraph.saver,
    assets: metaGraph.assets,
    objects: metaGraph.objects,
  };
  reportHits(ctx, analyseGraph(metaGraph.graph, context), label);
  for (const asset of metaGraph.assets) {
    if (!escapesDirectory(asset.filename)) continue;
    ctx.report({
      ruleId: RULES.fileOp.id,
      severity: 'high',
      title: RULES.fileOp.title,
      message: `The asset file name '${truncateText(asset.filename, 200)}' in ${label} points outside the SavedModel's assets folder: the loader joins it to assets/ and hands the result to the graph, which then reads that file.`,
      evidence: `asset_file_def filename '${truncateText(asset.filename, 200)}' (tensor '${truncateText(asset.tensorName, 120)}')`,
      remediation: RULES.fileOp.help,
      references: RULES.fileOp.references,
    });
  }
  for (const object of metaGraph.objects) {
    if (object.metadata === '') continue;
    const what = `the metadata of object graph node ${object.id} (${truncateText(object.identifier, 60)}) in ${label}`;
    reportKerasMetadata(ctx, object.metadata, what);
  }
}

function reportHits(ctx: AnalysisContext, hits: readonly GraphHit[], where: string): void {
  for (const hit of hits) {
    const rule =
      hit.kind === 'python'
        ? RULES.pythonOp
        : hit.kind === 'file'
          ? RULES.fileOp
          : hit.kind === 'custom'
            ? RULES.customOp
            : RULES.externalOp;
    const reached = hit.reachedBy === '' ? '' : ` (${hit.reachedBy})`;
    const more =
      hit.more === 0
        ? ''
        : hit.kind === 'custom'
          ? ` ${hit.more} more node(s) use this op.`
          : ` ${hit.more} more node(s) with this op are not listed separately.`;
    ctx.report({
      ruleId: rule.id,
      severity: hit.severity,
      title: rule.title,
      message: `Op '${truncateText(hit.op, 120)}' in node '${truncateText(hit.node, 160)}' of the ${hit.scope}${reached} in ${where} ${hit.detail}.${more}`,
      evidence: `${hit.evidence} [${where}]`,
      remediation: rule.help,
      references: rule.references,
    });
  }
}

function reportKerasMetadata(ctx: AnalysisContext, text: string, where: string): void {
  let document: unknown;
  try {
    document = parseKerasMetadataJson(text);
  } catch (error) {
    notAnalysed(
      ctx,
      `The Keras metadata of ${where} could not be read as JSON: ${describeError(error)}`,
      undefined,
    );
    return;
  }
  const result = findKerasMetadataIndicators(document);
  const seen = new Set<string>();
  for (const indicator of result.indicators) {
    const key = indicatorKey(indicator);
    if (seen.has(key)) continue; // a model's config repeats each layer's own metadata
    seen.add(key);
    const rule = indicator.kind === 'lambda' ? RULES.kerasLambda : RULES.kerasCustom;
    ctx.report({
      ruleId: rule.id,
      severity: indicator.severity,
      title: rule.title,
      message: `The Keras metadata of ${where} holds ${indicator.detail} at ${truncateText(indicator.path, 200)}.`,
      evidence: indicator.evidence,
      remediation: rule.help,
      references: rule.references,
    });
  }
  if (result.incomplete !== undefined) {
    notAnalysed(
      ctx,
      `The Keras metadata of ${where} was not fully analysed: ${result.incomplete}`,
      undefined,
    );
  }
}

const indicatorKey = (i: KerasMetadataIndicator) =>
  `${i.kind}\u0000${i.className}\u0000${i.module}\u0000${i.detail}\u0000${i.evidence.replace(/ at \$[^;]*/, '')}`;

function notAnalysed(ctx: AnalysisContext, reason: string, offset: number | undefined): void {
  ctx.notAnalysed({
    ruleId: RULES.malformed.id,
    severity: 'medium',
    title: RULES.malformed.title,
    message: `${reason}. It was not analysed as a graph; its bytes were searched for the names of ops that run Python or touch files.`,
    ...(offset !== undefined ? { offset } : {}),
    evidence: truncateText(reason, 400),
    remediation: RULES.malformed.help,
    references: RULES.malformed.references,
  });
}

/** Reports the op names found in the raw bytes of a file that could not be decoded (unconfirmed: high at most). */
function reportByteScan(source: ByteSource, ctx: AnalysisContext): void {
  for (const hit of findEncodedOpNames(source, REPORTED_OP_NAMES)) {
    const python = isPythonOp(hit.op);
    const spec = OP_SPECS.get(hit.op);
    const rule = python ? RULES.pythonOp : spec?.category === 'file' ? RULES.fileOp : RULES.externalOp;
    const severity: Severity = python ? 'high' : 'medium';
    const what = python ? 'calls a Python function' : (spec?.what ?? 'reaches outside the graph');
    ctx.report({
      ruleId: rule.id,
      severity,
      title: rule.title,
      message: `The bytes of this file name the op '${hit.op}' (which ${what}) ${hit.count} time(s) as a node's op, first at offset ${hit.offset}; the graph could not be decoded to confirm where it is used.`,
      offset: hit.offset,
      evidence: `NodeDef.op '${hit.op}' at offset ${hit.offset}${hit.count > 1 ? ` (${hit.count} occurrences)` : ''}`,
      remediation: rule.help,
      references: rule.references,
    });
  }
}

/** Text format: a scan of the `op` fields (text-scan.ts), reported as not fully analysed. */
function analyseText(source: ByteSource, ctx: AnalysisContext): void {
  const length = Math.min(source.size, MAX_TEXT_SCAN_CHARS);
  const text = Buffer.from(source.readAt(0, length)).toString('utf8');
  const ops = findTextOps(text);
  const reported = new Map<string, number>();
  for (const found of ops) {
    const python = isPythonOp(found.op);
    const spec = OP_SPECS.get(found.op);
    const custom = !python && spec === undefined && !isRegisteredOp(found.op);
    // Paths are not resolved here: checkpoint ops (in every text SavedModel's saver), vocabulary tables and
    // ops that touch files only for some attribute values are left out rather than reported blindly.
    const quiet =
      spec === undefined || spec.checkpoint || spec.quietWhenNotConstant || spec.attrValue !== undefined;
    if (!python && !custom && quiet) continue;
    const count = (reported.get(found.op) ?? 0) + 1;
    reported.set(found.op, count);
    if (count > 1) continue;
    const rule = python
      ? RULES.pythonOp
      : spec === undefined
        ? RULES.customOp
        : spec.category === 'file'
          ? RULES.fileOp
          : RULES.externalOp;
    const what = python
      ? 'calls a Python function in the loading process'
      : spec === undefined
        ? 'is not a TensorFlow op: it needs a kernel library loaded with tf.load_op_library'
        : spec.what;
    ctx.report({
      ruleId: rule.id,
      severity: python ? 'critical' : 'medium',
      title: rule.title,
      message: `Op '${truncateText(found.op, 120)}' in node '${truncateText(found.node, 160)}' of this text-format graph ${what}.`,
      evidence: `op: "${truncateText(found.op, 120)}" at character ${found.offset}${found.node ? ` (node '${truncateText(found.node, 120)}')` : ''}`,
      remediation: rule.help,
      references: rule.references,
    });
  }
  ctx.notAnalysed({
    ruleId: RULES.malformed.id,
    severity: 'medium',
    title: RULES.malformed.title,
    message: `This is a text-format TensorFlow graph, which pedigree scans for op names only (${ops.length} op fields found${source.size > length ? `, in the first ${length} of ${source.size} bytes` : ''}); constant paths, the saver and function calls were not resolved.`,
    evidence: `text format, ${ops.length} op fields`,
    remediation: RULES.malformed.help,
    references: RULES.malformed.references,
  });
}
