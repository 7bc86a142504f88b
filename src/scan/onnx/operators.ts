/**
 * How an ONNX node's operator is resolved at load, from its (domain, op_type): standard operators are
 * implemented by every runtime; a model-local function is expanded from the model itself; onnxruntime
 * implements its vendor domains itself; anything else needs code registered by the application, native
 * (`SessionOptions.register_custom_ops_library`) or Python.
 */
import type { OnnxFunctionId, OnnxNode } from '../../formats/onnx/model.js';
import { STANDARD_OPS } from './standard-ops.js';

/** Domains of the ONNX standard (onnx/defs: `ONNX_DOMAIN`, `AI_ONNX_ML_DOMAIN`, training domains). */
export const STANDARD_DOMAINS: ReadonlySet<string> = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
]);

/**
 * Domains onnxruntime implements itself (onnxruntime/core/graph/constants.h: contrib ops, internal layout
 * domains, the ATen fallback, execution-provider domains): no library is registered for them.
 */
export const RUNTIME_DOMAINS: ReadonlySet<string> = new Set([
  'com.microsoft',
  'com.microsoft.experimental',
  'com.microsoft.nchwc',
  'com.ms.internal.nhwc',
  'com.microsoft.dml',
  'org.pytorch.aten',
  'com.intel.ai',
  'com.xilinx',
]);

/**
 * onnxruntime-extensions' domains (include/ocos.h `c_OpDomain`, `c_ComMsExtOpDomain`): its native library
 * implements the operators below; any other op_type there is bound to a Python function the application
 * registered with `@onnx_op` (PyCustomOpDef).
 */
export const EXTENSIONS_DOMAINS: ReadonlySet<string> = new Set([
  'ai.onnx.contrib',
  'com.microsoft.extensions',
]);

/** onnxruntime-extensions' native operators (operators/**: `CustomCpuStructV2("...")` and friends). */
export const EXTENSIONS_NATIVE_OPS: ReadonlySet<string> = new Set([
  'AddSharedInput',
  'AudioDecoder',
  'BasicTokenizer',
  'BertTokenizer',
  'BertTokenizerDecoder',
  'BlingFireSentenceBreaker',
  'BpeDecoder',
  'CLIPTokenizer',
  'DecodeImage',
  'DrawBoundingBoxes',
  'EncodeImage',
  'FastGelu',
  'GPT2Tokenizer',
  'GaussianBlur',
  'HfBertTokenizer',
  'HfJsonTokenizer',
  'ImageDecoder',
  'ImageReader',
  'Inverse',
  'MaskedFill',
  'MaskedScatterNDOfShape',
  'MergeSignalSegments',
  'MulMulSigmoid',
  'MulSharedInput',
  'MulSigmoid',
  'NegPos',
  'NegXPlus1',
  'RaggedTensorToDense',
  'RaggedTensorToSparse',
  'ReplaceZero',
  'RobertaTokenizer',
  'ScatterNDOfShape',
  'SegmentExtraction',
  'SegmentSum',
  'SentencepieceDecoder',
  'SentencepieceTokenizer',
  'SplitSignalSegments',
  'SpmTokenizer',
  'StftNorm',
  'StringConcat',
  'StringECMARegexReplace',
  'StringECMARegexSplitWithOffsets',
  'StringEqual',
  'StringJoin',
  'StringLength',
  'StringLower',
  'StringMapping',
  'StringRaggedTensorToDense',
  'StringRegexReplace',
  'StringRegexSplitWithOffsets',
  'StringSplit',
  'StringStrip',
  'StringToHashBucket',
  'StringToHashBucketFast',
  'StringToVector',
  'StringUpper',
  'Transpose2DCastFP16',
  'Transpose2DCastFP32',
  'TrieDetokenizer',
  'TrieTokenizer',
  'VectorToString',
  'WordpieceTokenizer',
]);

/**
 * Operators that run Python whatever their domain: onnxruntime's language-interop `PyOp`, onnxruntime
 * training's `PythonOp`/`PythonOpGrad` (torch.autograd.Function), TensorFlow's `PyFunc` family as
 * converters keep them, and names built the same way.
 */
const PYTHON_OP_TYPE = /^(?:Eager)?Py(?:thon)?(?:Op|Func|Function|Call)(?:Grad|Stateless)?$/i;

export type OperatorKind =
  | { readonly kind: 'standard' }
  /** A function defined in the model: its body is analysed as a graph. */
  | { readonly kind: 'function' }
  /** Implemented by onnxruntime itself. */
  | { readonly kind: 'runtime' }
  /** Needs native code registered by the application. */
  | { readonly kind: 'custom'; readonly why: string }
  /** Runs Python. */
  | { readonly kind: 'python'; readonly why: string };

/** What runs a node's operator at load. */
export function classifyOperator(node: OnnxNode, functions: ReadonlySet<string>): OperatorKind {
  if (PYTHON_OP_TYPE.test(node.opType)) {
    return { kind: 'python', why: `op_type '${node.opType}' names a Python operator` };
  }
  if (functions.has(functionKey(node))) return { kind: 'function' };
  if (STANDARD_DOMAINS.has(node.domain)) {
    const known = STANDARD_OPS.get(node.domain);
    if (known === undefined || known.has(node.opType)) return { kind: 'standard' };
    // An unknown op_type in a standard domain loads only if the application registered a kernel (or a
    // custom-op library) under that name: custom code, however standard the domain looks.
    return {
      kind: 'custom',
      why: `'${node.opType}' is not an operator of the ONNX standard: only code the application registers under that name runs it`,
    };
  }
  if (RUNTIME_DOMAINS.has(node.domain)) return { kind: 'runtime' };
  if (EXTENSIONS_DOMAINS.has(node.domain)) {
    return EXTENSIONS_NATIVE_OPS.has(node.opType)
      ? { kind: 'custom', why: "onnxruntime-extensions' native library implements it" }
      : {
          kind: 'python',
          why: `onnxruntime-extensions has no native '${node.opType}': it runs the Python function registered for it with @onnx_op`,
        };
  }
  return { kind: 'custom', why: 'a shared library the application loads with register_custom_ops_library' };
}

/** The key a node and a model-local function share when the node calls the function. */
export function functionKey(id: OnnxFunctionId | OnnxNode): string {
  const name = 'opType' in id ? id.opType : id.name;
  // onnxruntime resolves '' and 'ai.onnx' alike (Node::Init).
  const domain = id.domain === 'ai.onnx' ? '' : id.domain;
  return `${domain}\u0000${name}`;
}
