/**
 * Which modules and names a Keras configuration may refer to, and which ones are dangerous even there.
 * Allowlist first (Keras' own packages), the pickle analysis' dangerous table only to grade what is
 * outside (FIELD-NOTES: denylists keep losing).
 */
import { PICKLE_DANGEROUS } from '../pickle/policy.js';
import { KNOWN_KERAS_NAMES } from './known-names.js';

/**
 * Packages Keras itself resolves classes from: keras-team/keras serialization_lib `_retrieve_class_or_fn`
 * imports only `keras`, `keras_hub`, `keras_cv` and `keras_nlp` since 3.9 (the fix of CVE-2025-1550);
 * tf-keras and TensorFlow write their own module paths (`tf_keras.src...`, `tensorflow.python.keras...`).
 */
export const KERAS_PACKAGES: readonly string[] = [
  'keras',
  'keras_hub',
  'keras_cv',
  'keras_nlp',
  'keras_rs',
  'tf_keras',
  'tensorflow',
];

/**
 * Modules a Lambda layer's named function may come from without concern: the model's own math. Anything
 * else is a function Keras imports or looks up by name for the layer to call.
 */
export const LAMBDA_FUNCTION_PACKAGES: readonly string[] = [...KERAS_PACKAGES, 'numpy', 'math'];

/** Whether `module` is one of `packages` or inside one of them (and a well-formed module path at all). */
export function isInPackages(module: string, packages: readonly string[]): boolean {
  return isModuleName(module) && packages.some((p) => module === p || module.startsWith(`${p}.`));
}

/**
 * Functions inside the Keras and TensorFlow namespaces that touch files or the network, load further
 * models or switch safe mode off: keras-team/keras serialization_lib `NON_MODELING_APIS` (the fix of
 * CVE-2025-8747 and CVE-2025-9906), the `global_state.set_global_attribute` call those exploits used, and
 * TensorFlow's file and Python-calling operations (`tf.io.write_file`, `tf.py_function`, ...). Names that
 * are also ordinary tensor operations (`keras.ops.copy`) count only under the module that makes them
 * file operations (`within`, matched against the dotted module and name).
 */
/** Module scopes where copy/rename/remove/... are file operations, not tensor operations. */
const FILE_MODULE = /(?:^|\.)(?:gfile|file_utils|file_io)(?:\.|$)/;

const GADGETS: readonly { name: string; reason: string; within?: RegExp }[] = [
  { name: 'get_file', reason: 'downloads a file from a URL and can extract archives' },
  {
    name: 'load_model',
    reason: 'loads another model, whose own code then runs (and can pass safe_mode=False)',
  },
  { name: 'load_weights', reason: 'reads weights from a path' },
  { name: 'save_model', reason: 'writes a model file' },
  { name: 'save_weights', reason: 'writes a weights file' },
  { name: 'model_from_json', reason: 'deserializes another model configuration' },
  { name: 'model_from_config', reason: 'deserializes another model configuration' },
  { name: 'model_from_yaml', reason: 'deserializes another model configuration' },
  { name: 'deserialize_keras_object', reason: 'deserializes another configuration' },
  { name: 'register_keras_serializable', reason: 'registers objects for deserialization' },
  { name: 'enable_unsafe_deserialization', reason: 'turns safe mode off for everything loaded afterwards' },
  { name: 'set_global_attribute', reason: 'changes Keras global state, including the safe mode flag' },
  { name: 'clear_session', reason: 'resets Keras global state' },
  { name: 'load_img', reason: 'reads an image file from a path' },
  { name: 'save_img', reason: 'writes an image file' },
  { name: 'image_dataset_from_directory', reason: 'reads files from a directory' },
  { name: 'text_dataset_from_directory', reason: 'reads files from a directory' },
  { name: 'audio_dataset_from_directory', reason: 'reads files from a directory' },
  { name: 'py_function', reason: 'runs a Python function' },
  { name: 'numpy_function', reason: 'runs a Python function' },
  { name: 'py_func', reason: 'runs a Python function' },
  { name: 'eager_py_func', reason: 'runs a Python function' },
  { name: 'load_library', reason: 'loads a native library' },
  { name: 'load_op_library', reason: 'loads a native library' },
  // tf.raw_ops spellings, as TFOpLambda layers may name them.
  { name: 'ReadFile', reason: 'reads a file from a path' },
  { name: 'WriteFile', reason: 'writes a file to a path' },
  { name: 'PyFunc', reason: 'runs a Python function' },
  { name: 'PyFuncStateless', reason: 'runs a Python function' },
  { name: 'EagerPyFunc', reason: 'runs a Python function' },
  { name: 'read_file', reason: 'reads a file from a path', within: /(?:^|\.)(?:io|gfile|raw_ops)(?:\.|$)/ },
  { name: 'write_file', reason: 'writes a file to a path', within: /(?:^|\.)(?:io|gfile|raw_ops)(?:\.|$)/ },
  {
    name: 'matching_files',
    reason: 'lists files matching a pattern',
    within: /(?:^|\.)(?:io|gfile)(?:\.|$)/,
  },
  { name: 'GFile', reason: 'opens a file for reading or writing', within: /(?:^|\.)gfile(?:\.|$)/ },
  { name: 'File', reason: 'opens a file for reading or writing', within: FILE_MODULE },
  { name: 'copy', reason: 'copies files', within: FILE_MODULE },
  { name: 'rename', reason: 'renames files', within: FILE_MODULE },
  { name: 'remove', reason: 'deletes files', within: FILE_MODULE },
  { name: 'rmtree', reason: 'deletes a directory tree', within: FILE_MODULE },
  { name: 'makedirs', reason: 'creates directories', within: FILE_MODULE },
  // keras/src/utils/file_utils.py: the archive extraction behind get_file (members may point outside the
  // target), callable on its own with a path argument.
  { name: 'extract_archive', reason: 'extracts an archive to a path' },
  { name: 'validate_file', reason: 'reads a file from a path' },
  // keras/src/legacy/saving/legacy_h5_format.py and saving_lib.py: loaders reachable by module path.
  { name: 'load_model_from_hdf5', reason: 'loads another model, whose own code then runs' },
  { name: 'load_weights_from_hdf5_group', reason: 'reads weights from a file' },
  { name: 'load_weights_from_hdf5_group_by_name', reason: 'reads weights from a file' },
  { name: 'load_weights_only', reason: 'reads weights from a path' },
  { name: 'save_weights_only', reason: 'writes a weights file' },
  // TensorFlow: tensorflow/python/lib/io/file_io.py, tf.saved_model.load, tf.compat.v1.train.
  { name: 'write_string_to_file', reason: 'writes a file to a path' },
  { name: 'atomic_write_string_to_file', reason: 'writes a file to a path' },
  { name: 'read_file_to_string', reason: 'reads a file from a path' },
  { name: 'delete_file', reason: 'deletes a file' },
  { name: 'delete_recursively', reason: 'deletes a directory tree' },
  { name: 'recursive_create_dir', reason: 'creates directories' },
  { name: 'import_meta_graph', reason: 'loads another TensorFlow graph from a path' },
  { name: 'load', reason: 'loads a SavedModel from a path', within: /(?:^|\.)saved_model(?:\.|$)/ },
  { name: 'load_v2', reason: 'loads a SavedModel from a path', within: /(?:^|\.)saved_model(?:\.|$)/ },
];

/**
 * Modules Keras 3 functions of a model come from (what `serialize_keras_object` writes for activations,
 * losses, metrics, initializers, regularizers, constraints and ops: their public API path, or the
 * `keras.src` module behind it). A function from elsewhere in `keras`/`tf_keras` (utils, saving, config,
 * models, export, ...) is not modeling code: Keras 3.11 refuses such "non-modeling" functions during
 * deserialization because CVE-2025-8747 and CVE-2025-9906 used them.
 */
const KERAS_MODELING_MODULE =
  /^(?:keras|tf_keras)(?:\.src)?(?:\.(?:activations|losses|metrics|ops|initializers|regularizers|constraints|backend|random|layers|optimizers|applications|quantizers|dtype_policies|mixed_precision|tree|engine)(?:\..*)?)?$/;

/**
 * TensorFlow modules whose functions touch files, load graphs or call Python: a function named from one is
 * never part of a model's math (tensorflow/python/lib/io, platform/gfile, saved_model, summary, debugging,
 * ops/script_ops).
 */
const TENSORFLOW_SIDE_EFFECT_MODULE =
  /(?:^|\.)(?:gfile|file_io|lib\.io|saved_model|summary|debugging|script_ops|platform|sysconfig|load_library)(?:\.|$)/;

/**
 * Why a function in the Keras or TensorFlow namespaces is not modeling code, or undefined. Used after
 * `gadgetReason` (whose named functions are graded higher): the allowlist half of the check.
 */
export function nonModelingReason(name: string, module: string): string | undefined {
  const qualified = `${module}.${name}`;
  const scope = qualified.slice(0, qualified.lastIndexOf('.'));
  const top = scope.split('.', 1)[0];
  if (top === 'keras' || top === 'tf_keras') {
    return KERAS_MODELING_MODULE.test(scope)
      ? undefined
      : `is a Keras function outside the modeling modules (activations, losses, metrics, ops, initializers, ...): a utility, saving or configuration function no model needs`;
  }
  if (top === 'tensorflow' && TENSORFLOW_SIDE_EFFECT_MODULE.test(scope)) {
    return 'comes from a TensorFlow module that reads or writes files, loads graphs or calls Python';
  }
  return undefined;
}

/**
 * A Python module path as `importlib.import_module` takes it: dot-separated identifiers. Anything else
 * (`keras.utils\u0000`, `keras.utils `, `keras..layers`) is not a Keras module, whatever it starts with.
 */
const MODULE_NAME =
  /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*(?:\.[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)*$/u;

/** Whether `module` is a well-formed Python module path. */
export function isModuleName(module: string): boolean {
  return MODULE_NAME.test(module);
}

/**
 * The reason a Keras/TensorFlow function is a gadget, or undefined. `name` may be dotted
 * (`io.write_file`, as TFOpLambda writes it); `module` is the module it is looked up in, when known.
 */
export function gadgetReason(name: string, module?: string): string | undefined {
  const qualified = module !== undefined ? `${module}.${name}` : name;
  const last = qualified.slice(qualified.lastIndexOf('.') + 1);
  const dot = qualified.lastIndexOf('.');
  const scope = dot > 0 ? qualified.slice(0, dot) : '';
  const gadget = GADGETS.find((g) => g.name === last && (g.within === undefined || g.within.test(scope)));
  return gadget?.reason;
}

const KNOWN_LOWER = new Set([...KNOWN_KERAS_NAMES].map((n) => n.toLowerCase()));

/**
 * Whether Keras resolves `name` on its own (a built-in class, loss, metric, optimizer, ...). Optimizer and
 * loss strings are matched case-insensitively as `keras.optimizers.get` and `losses.get` do.
 */
export function isKnownKerasName(name: string): boolean {
  return KNOWN_KERAS_NAMES.has(name) || KNOWN_LOWER.has(name.toLowerCase());
}

/**
 * Identifiers that make a Lambda's bytecode critical when its `co_names` hold them: the modules and
 * built-ins on the pickle analysis' critical list (`os`, `subprocess`, `builtins.eval`, ...), and the
 * attribute names through which code reaches them (`system`, `popen`, `check_output`, ...).
 */
export const DANGEROUS_CODE_NAMES: ReadonlySet<string> = new Set([
  ...PICKLE_DANGEROUS.filter((e) => e.severity === 'critical' && !e.pattern.includes('.')).map(
    (e) => e.pattern,
  ),
  ...PICKLE_DANGEROUS.filter((e) => e.pattern.startsWith('builtins.')).map((e) => e.pattern.slice(9)),
  'builtins',
  '__builtins__',
  'open',
  'socket',
  'shutil',
  'urllib',
  'requests',
  'system',
  'popen',
  'Popen',
  'spawnl',
  'spawnv',
  'spawnve',
  'execv',
  'execve',
  'execl',
  'execvp',
  'fork',
  'check_output',
  'check_call',
  'getoutput',
  'getstatusoutput',
  'import_module',
  'urlopen',
  'urlretrieve',
  'create_connection',
  'rmtree',
  'remove',
  'unlink',
  'load_library',
  'CDLL',
  '__subclasses__',
  '__globals__',
  '__code__',
]);
