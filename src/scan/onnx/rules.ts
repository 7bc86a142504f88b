import type { RuleDescriptor } from '../../core/rules.js';

const IR = 'https://onnx.ai/onnx/repo-docs/IR.html';
const EXTERNAL_DATA = 'https://onnx.ai/onnx/repo-docs/ExternalData.html';
const CUSTOM_OPS = 'https://onnxruntime.ai/docs/reference/operators/add-custom-op.html';

/** Rules raised by the ONNX analysis. */
export const ONNX_RULES = {
  malformed: {
    id: 'ONNX-MALFORMED',
    title: 'ONNX model could not be fully read',
    description:
      "The file is recognised as an ONNX model but its protobuf is malformed (a bad varint, a length past its message, a truncated field) or over one of pedigree's limits (nesting depth, number of fields): it was not analysed. onnx and onnxruntime refuse malformed protobuf, but a file nobody can check is not reported clean.",
    help: 'Re-download the model from its source. If it stays unreadable, do not load it; if it is valid, report it to pedigree.',
    defaultSeverity: 'medium',
    references: [IR],
    tags: ['onnx', 'not-analysed'],
  },
  pythonOp: {
    id: 'ONNX-PYTHON-OP',
    title: 'ONNX node runs Python code',
    description:
      "A node calls an operator that runs Python: onnxruntime's `PyOp` (language interop ops: it imports the `module` and `class_name` its attributes name, when the session is created), onnxruntime training's `PythonOp`, onnxruntime-extensions' Python operators (`@onnx_op` functions in the `ai.onnx.contrib` or `com.microsoft.extensions` domains), or an op named like TensorFlow's `PyFunc`. Critical when the Python callable a `PyOp` names is on the dangerous list.",
    help: 'Do not load the model in a runtime that has Python operators enabled until you have read which Python callable each node runs. Prefer a model made only of standard ONNX operators.',
    defaultSeverity: 'high',
    references: [
      'https://github.com/microsoft/onnxruntime/blob/main/docs/PyOp.md',
      'https://github.com/microsoft/onnxruntime-extensions/blob/main/docs/pyop.md',
    ],
    tags: ['security', 'onnx', 'code-execution'],
  },
  customOp: {
    id: 'ONNX-CUSTOM-OP',
    title: 'ONNX node uses a non-standard operator domain',
    description:
      "A node's operator comes from a domain outside the ONNX standard (`ai.onnx`, `ai.onnx.ml`, `ai.onnx.training`, `ai.onnx.preview.training`) and is not a function defined in the model. Medium for a custom domain: the model only runs once native code is registered for it (a shared library loaded with `register_custom_ops_library`), and that code runs with the model. Info for onnxruntime's built-in vendor domains (`com.microsoft`, ...): no extra library, listed for inventory.",
    help: 'Find out which library implements the operator and where it comes from before loading the model with it; never load a custom-op library shipped with the model from an untrusted source.',
    defaultSeverity: 'medium',
    references: [CUSTOM_OPS],
    tags: ['security', 'onnx', 'native-code'],
  },
  externalData: {
    id: 'ONNX-EXTERNAL-DATA',
    title: 'ONNX external data reaches outside the model folder',
    description:
      "A tensor stored as external data names a `location` that is absolute, contains `..`, is a URL, a drive or UNC path, or holds a NUL byte, or (checked on disk) resolves through symbolic links outside the model's folder: loading the model reads that file into a tensor (CVE-2022-25882, CVE-2024-27318). High for these; medium when the external file is missing or the declared `offset`/`length` lie beyond its end.",
    help: 'Do not load the model. External data must be plain relative file names inside the model folder; re-export the model or rewrite its external_data entries.',
    defaultSeverity: 'high',
    references: [
      EXTERNAL_DATA,
      'https://nvd.nist.gov/vuln/detail/CVE-2022-25882',
      'https://nvd.nist.gov/vuln/detail/CVE-2024-27318',
    ],
    tags: ['security', 'onnx', 'path-traversal'],
  },
  tensorSize: {
    id: 'ONNX-TENSOR-SIZE',
    title: 'ONNX tensor sizes do not fit their data',
    description:
      "A tensor's shape and type do not match the data it carries: a `raw_data` length other than elements × element size, typed data with the wrong count or field, negative dimensions, data given twice, or external data whose `length` does not fit or whose byte ranges overlap another tensor's. onnx's checker refuses such models; runtimes that do not check read past or short of the data. A sign of tampering or corruption.",
    help: 'Do not trust the model: obtain it again from its source and run `onnx.checker.check_model(path, full_check=True)` on it.',
    defaultSeverity: 'medium',
    references: [IR, 'https://github.com/onnx/onnx/blob/main/onnx/checker.cc'],
    tags: ['security', 'onnx', 'tampering'],
  },
  metadata: {
    id: 'ONNX-METADATA',
    title: 'ONNX metadata holds code, commands or URLs',
    description:
      'A `metadata_props` value or a doc string (of the model, a graph or a function) holds Python code (high), shell commands, script markup or URLs (medium), or file paths (low). ONNX never runs metadata, but tools and hubs that display or act on it may.',
    help: 'Read the metadata before using the model or showing it in a web page; a model has no reason to carry code or commands.',
    defaultSeverity: 'medium',
    references: [IR],
    tags: ['security', 'onnx', 'metadata'],
  },
  structure: {
    id: 'ONNX-STRUCTURE',
    title: 'Unusual ONNX protobuf structure',
    description:
      'The model holds protobuf fields ONNX does not define (loaders skip them: room for hidden data), or gives a singular field such as `graph` more than once (loaders merge the copies, so a reader that takes the first sees a different graph).',
    help: 'Re-export the model with onnx (`onnx.save`) and compare; ONNX writers never produce these.',
    defaultSeverity: 'low',
    references: [IR],
    tags: ['onnx', 'evasion'],
  },
} as const satisfies Record<string, RuleDescriptor>;
