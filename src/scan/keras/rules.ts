import type { RuleDescriptor } from '../../core/rules.js';

const SAFE_MODE = 'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/';
const CVE_2024_3660 = 'https://nvd.nist.gov/vuln/detail/CVE-2024-3660';
const CVE_2025_1550 = 'https://nvd.nist.gov/vuln/detail/CVE-2025-1550';
const CVE_2025_8747 = 'https://nvd.nist.gov/vuln/detail/CVE-2025-8747';
const CVE_2025_9905 = 'https://nvd.nist.gov/vuln/detail/CVE-2025-9905';
const CVE_2025_9906 = 'https://nvd.nist.gov/vuln/detail/CVE-2025-9906';
const CVE_2025_49655 = 'https://nvd.nist.gov/vuln/detail/CVE-2025-49655';
const HDF5_SPEC = 'https://support.hdfgroup.org/documentation/hdf5/latest/_f_m_t3.html';
const SAVING_LIB = 'https://github.com/keras-team/keras/blob/master/keras/src/saving/saving_lib.py';

/** Rules raised by the Keras analysis (HDF5 and `.keras` files share one configuration walk). */
export const KERAS_RULES = {
  lambda: {
    id: 'KERAS-LAMBDA',
    title: 'Keras Lambda layer carries Python code',
    description:
      'A Lambda layer (or a `__lambda__` object anywhere in the configuration) holds a marshalled Python code object or Python source: loading the model rebuilds it with `marshal.loads` and runs it when the layer is called. Keras 3 refuses it unless `safe_mode=False`, but legacy HDF5 loading ignored `safe_mode` (CVE-2025-9905) and tf-keras never applies it there. Critical when the bytecode names dangerous functions (os, subprocess, eval, exec, `__import__`, open, socket, ...). A Lambda calling a named function outside Keras, TensorFlow, NumPy and math is high.',
    help: 'Do not load this model from an untrusted source. Read the names and constants in the evidence; rebuild the model in code with a named, reviewed function instead of a lambda, and load only weights.',
    defaultSeverity: 'high',
    references: [SAFE_MODE, CVE_2024_3660, CVE_2025_9905],
    tags: ['security', 'keras', 'code-execution'],
  },
  moduleReference: {
    id: 'KERAS-MODULE-REFERENCE',
    title: 'Keras configuration imports a module outside Keras',
    description:
      'An object in the configuration names a `module` (or a dotted function) outside the Keras and TensorFlow namespaces. Keras 3 before 3.9 imported any such module and fetched the class or function from it even with `safe_mode=True` (CVE-2025-1550), and legacy loaders still resolve functions by name. Critical or high when the name is on the dangerous list shared with the pickle analysis (os.system, builtins.eval, subprocess, ...).',
    help: 'Do not load this model. A real model only references Keras classes, or custom classes you register yourself; upgrade Keras to 3.9 or later and keep `safe_mode=True`.',
    defaultSeverity: 'high',
    references: [CVE_2025_1550],
    tags: ['security', 'keras', 'code-execution'],
  },
  customObject: {
    id: 'KERAS-CUSTOM-OBJECT',
    title: 'Keras configuration needs custom code',
    description:
      'A layer, loss, metric, optimizer, initializer, regularizer, constraint or activation is a custom object (a registered name such as `MyPackage>MyLayer`, or a class or function name Keras does not define). Loading needs that code, and it is not in the file: whoever supplies it decides what runs.',
    help: 'Load the model only with custom objects you have reviewed (`custom_objects=` or `register_keras_serializable`), never with code that came with the model.',
    defaultSeverity: 'medium',
    references: [SAFE_MODE],
    tags: ['security', 'keras'],
  },
  gadget: {
    id: 'KERAS-GADGET',
    title: 'Keras configuration uses a file, network or loader function',
    description:
      'The configuration calls a Keras or TensorFlow function that downloads or writes files, loads another model, or turns safe mode off (`keras.utils.get_file`, `keras.models.load_model`, `enable_unsafe_deserialization`, `tf.io.write_file`, ...), or sets `safe_mode` to false. These pass the Keras namespace checks (CVE-2025-8747, CVE-2025-9906).',
    help: 'Do not load this model. Upgrade Keras (3.11 or later refuses these functions during deserialization) and report the file to its host.',
    defaultSeverity: 'high',
    references: [CVE_2025_8747, CVE_2025_9906],
    tags: ['security', 'keras', 'code-execution'],
  },
  torchModule: {
    id: 'KERAS-TORCH-MODULE',
    title: 'Keras TorchModuleWrapper carries a pickle',
    description:
      'A `TorchModuleWrapper` layer stores a `torch.save` checkpoint as base64 in its configuration; loading runs `torch.load(..., weights_only=False)` on it (CVE-2025-49655), which unpickles arbitrary objects. The decoded checkpoint is analysed as a member of the file; its own findings follow this one.',
    help: 'Do not load this model with `safe_mode=False` or an old Keras. Rebuild the wrapped torch module in code and load its weights from safetensors.',
    defaultSeverity: 'high',
    references: [CVE_2025_49655],
    tags: ['security', 'keras', 'pickle', 'code-execution'],
  },
  malformed: {
    id: 'KERAS-CONFIG-MALFORMED',
    title: 'Keras configuration could not be fully analysed',
    description:
      "A Keras configuration that is not valid JSON, is over one of pedigree's limits (size, nesting, number of objects), or whose Lambda bytecode could not be read as a code object. What could not be read was not analysed.",
    help: 'Do not load the model until it can be analysed: Keras may still read what pedigree could not.',
    defaultSeverity: 'medium',
    references: [SAVING_LIB],
    tags: ['keras', 'not-analysed'],
  },
  archiveCode: {
    id: 'KERAS-ARCHIVE-CODE',
    title: 'Python file inside a Keras archive',
    description:
      'A `.keras` archive holds Python source files. Keras never loads them (it reads `config.json`, `metadata.json`, the weights and `assets/`), so they are there for someone to run: instructions that come with a model are a classic way to get code run.',
    help: 'Do not run code shipped inside a model archive; review it, or take the model without it.',
    defaultSeverity: 'medium',
    references: [SAVING_LIB],
    tags: ['security', 'keras'],
  },
  hdf5Malformed: {
    id: 'HDF5-MALFORMED',
    title: 'HDF5 file could not be fully read',
    description:
      "The HDF5 file (a Keras `.h5`/`.hdf5` model or weights file) could not be opened by the HDF5 library, or an attribute or group could not be read or was over one of pedigree's limits. What was not read was not analysed.",
    help: 'Re-download the file from its source. h5py may still open a file pedigree could not read: do not load it until it can be analysed.',
    defaultSeverity: 'medium',
    references: [HDF5_SPEC],
    tags: ['hdf5', 'not-analysed'],
  },
  hdf5Structure: {
    id: 'HDF5-STRUCTURE',
    title: 'Unusual HDF5 content',
    description:
      'The HDF5 file has content Keras does not write: a user block before the superblock (another file can hide there; it is analysed by content), links to other files, or attributes away from the root that hold a Keras configuration or code (a weights file is only read for its arrays).',
    help: 'Find out why the file carries this: obtain the model again from a trusted source, or re-save it with Keras and compare.',
    defaultSeverity: 'medium',
    references: [HDF5_SPEC],
    tags: ['security', 'hdf5', 'evasion'],
  },
} as const satisfies Record<string, RuleDescriptor>;
