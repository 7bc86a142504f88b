import type { RuleDescriptor } from '../../core/rules.js';

const SECURITY_GUIDE = 'https://github.com/tensorflow/tensorflow/blob/master/SECURITY.md';
const SAVED_MODEL = 'https://www.tensorflow.org/guide/saved_model';
const RAW_OPS = 'https://www.tensorflow.org/api_docs/python/tf/raw_ops';

/** Rules raised by the TensorFlow SavedModel / GraphDef / keras_metadata.pb analysis. */
export const SAVEDMODEL_RULES = {
  pythonOp: {
    id: 'SAVEDMODEL-PYTHON-OP',
    title: 'TensorFlow graph calls back into Python',
    description:
      "An op that runs a Python function (`PyFunc`, `PyFuncStateless`, `EagerPyFunc` from tf.numpy_function / tf.py_function, or any op named like them) is in the graph or in a function of its library. The Python code is not in the file: the op calls whatever the loading process registered under the op's token, so the model only works in a process prepared for it, and ModelScan passes such graphs because every tf.raw_ops name counts as known.",
    help: 'Do not load or serve this model outside a sandbox. A model meant for serving should not call Python; ask the author for an export without tf.py_function / tf.numpy_function.',
    defaultSeverity: 'critical',
    references: [RAW_OPS, 'https://www.tensorflow.org/api_docs/python/tf/py_function', SECURITY_GUIDE],
    tags: ['security', 'tensorflow', 'code-execution'],
  },
  fileOp: {
    id: 'SAVEDMODEL-FILE-OP',
    title: 'TensorFlow graph reads or writes files',
    description:
      "An op that reads, writes, lists or memory-maps files (`ReadFile`, `WriteFile`, `MatchingFiles`, save/restore ops, dataset and reader ops, summary writers, `ImmutableConst`, debug dumps, `PrintV2` to a file, proto descriptors from a file) runs when the graph or function runs. High when the path is a constant in the graph (a Const node the op's input resolves to, or an attribute): the model itself decides which file; medium when the path is computed or given at run time. A SavedModel's own checkpoint saver (the functions or `save/` subgraph its saver_def names, writing to the path the loader gives it) is normal and not reported. Asset file names that are absolute or contain `..` are reported too: the loader resolves them outside the model's folder.",
    help: 'Read the path and the function it is in: a serving model has no reason to read /etc/passwd or write outside its folder. Serve untrusted models in a sandbox without access to secrets, and prefer formats that cannot carry ops (safetensors weights plus code you review).',
    defaultSeverity: 'high',
    references: [RAW_OPS, SECURITY_GUIDE],
    tags: ['security', 'tensorflow', 'filesystem'],
  },
  externalOp: {
    id: 'SAVEDMODEL-EXTERNAL-OP',
    title: 'TensorFlow graph reaches outside the model',
    description:
      'An op that talks to the network (tf.data service, RPC ops), changes file-system configuration, or stops or stalls the process (`Abort`, sleep ops). High when the address is a constant in the graph, medium otherwise.',
    help: 'Check why a model would need the network or process control; serve it in a sandbox without network access.',
    defaultSeverity: 'medium',
    references: [RAW_OPS, SECURITY_GUIDE],
    tags: ['security', 'tensorflow', 'network'],
  },
  customOp: {
    id: 'SAVEDMODEL-CUSTOM-OP',
    title: 'TensorFlow graph uses an op TensorFlow does not define',
    description:
      "An op that is not in TensorFlow's op registry (checked against TensorFlow's own list) and not a function of the graph's library. It needs a native kernel library (`tf.load_op_library`) loaded by the user; that library is native code of unknown origin, and pedigree cannot say what the op does.",
    help: 'Find out which library provides the op and review it before loading it; never load an op library shipped with an untrusted model.',
    defaultSeverity: 'medium',
    references: ['https://www.tensorflow.org/guide/create_op', SECURITY_GUIDE],
    tags: ['security', 'tensorflow', 'native-code'],
  },
  kerasLambda: {
    id: 'SAVEDMODEL-KERAS-LAMBDA',
    title: 'Keras metadata holds a Lambda layer',
    description:
      'The Keras metadata of a SavedModel (`keras_metadata.pb`, or the metadata of saved Keras objects in saved_model.pb) declares a `Lambda` layer, whose function is marshalled Python bytecode (or a reference to Python code). Keras (tf-keras) rebuilds it when it loads the SavedModel as a Keras model and runs it when the model is called.',
    help: 'Load the model with tf.saved_model.load (the graph only) rather than keras.models.load_model, or re-create the Lambda in code you control. Read the names in the marshalled code shown as evidence.',
    defaultSeverity: 'high',
    references: [
      'https://keras.io/api/layers/core_layers/lambda/',
      'https://github.com/keras-team/tf-keras/blob/master/tf_keras/protobuf/saved_metadata.proto',
    ],
    tags: ['security', 'keras', 'tensorflow', 'code-execution'],
  },
  kerasCustom: {
    id: 'SAVEDMODEL-KERAS-CUSTOM',
    title: 'Keras metadata refers to code outside Keras',
    description:
      'The Keras metadata names a function (`class_name: function`) or a class (`module`, `registered_name`) outside the Keras and TensorFlow namespaces. Loading the model as a Keras model imports it: a function reference is high (the CVE-2025-1550 class), a custom class medium.',
    help: 'Check that every module named is code you trust and have installed yourself; load untrusted models with tf.saved_model.load or in a sandbox.',
    defaultSeverity: 'medium',
    references: ['https://nvd.nist.gov/vuln/detail/CVE-2025-1550'],
    tags: ['security', 'keras', 'tensorflow'],
  },
  malformed: {
    id: 'SAVEDMODEL-MALFORMED',
    title: 'TensorFlow model file could not be fully analysed',
    description:
      "The file (saved_model.pb, a GraphDef .pb, keras_metadata.pb or a text-format .pbtxt) is not valid protobuf, nests or counts past pedigree's limits, is larger than pedigree decodes, or is text format, which is scanned for op names only. It was searched byte by byte for the op names that run Python or touch files, and any found are reported, but the graph was not analysed.",
    help: 'Re-export the model with TensorFlow, or inspect it with `saved_model_cli show --all` in a sandbox. Do not load a model that pedigree could not analyse from an untrusted source.',
    defaultSeverity: 'medium',
    references: [SAVED_MODEL],
    tags: ['tensorflow', 'not-analysed'],
  },
} as const satisfies Record<string, RuleDescriptor>;
