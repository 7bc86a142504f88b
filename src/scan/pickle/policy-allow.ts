/**
 * The allowlist: globals that real checkpoints written by PyTorch, NumPy, SciPy, scikit-learn, joblib, the
 * standard library, transformers, accelerate, Lightning and OmegaConf import, each with why it is harmless
 * to load. Everything else is at least an unknown import (medium).
 *
 * Membership needs two things: real files use it (test/fixtures/real and the benign half of the shared
 * corpus are scanned in tests), and loading it with attacker-chosen arguments cannot run code, touch files or
 * the network, or import more names. Functions that take a callable or a module name never qualify.
 */

import { PATHLIB_CLASSES } from './policy-danger.js';

export interface AllowEntry {
  readonly global: string;
  readonly reason: string;
}

export interface AllowRule {
  readonly description: string;
  readonly reason: string;
  readonly test: (canonical: string) => boolean;
}

function entries(reason: string, globals: readonly string[]): AllowEntry[] {
  return globals.map((g) => ({ global: g, reason }));
}

const TORCH_REBUILD = [
  '_rebuild_tensor',
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_parameter',
  '_rebuild_parameter_with_state',
  '_rebuild_sparse_tensor',
  '_rebuild_sparse_csr_tensor',
  '_rebuild_nested_tensor',
  '_rebuild_device_tensor_from_numpy',
  '_rebuild_device_tensor_from_cpu_tensor',
  '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass',
  '_rebuild_qtensor',
  '_rebuild_xla_tensor',
  '_rebuild_mtia_tensor',
].map((n) => `torch._utils.${n}`);

const TORCH_STORAGES = [
  'Double',
  'Float',
  'Half',
  'BFloat16',
  'Long',
  'Int',
  'Short',
  'Char',
  'Byte',
  'Bool',
  'ComplexFloat',
  'ComplexDouble',
  'QInt8',
  'QUInt8',
  'QInt32',
  'QUInt4x2',
  'QUInt2x4',
  'Untyped',
].flatMap((t) => [`torch.${t}Storage`, `torch.cuda.${t}Storage`]);

// torch.dtype objects are pickled by name (torch/_tensor.py, torch/csrc/Dtype.cpp __reduce__).
const TORCH_DTYPES = [
  'float32',
  'float',
  'float64',
  'double',
  'float16',
  'half',
  'bfloat16',
  'float8_e4m3fn',
  'float8_e4m3fnuz',
  'float8_e5m2',
  'float8_e5m2fnuz',
  'float8_e8m0fnu',
  'complex32',
  'chalf',
  'complex64',
  'cfloat',
  'complex128',
  'cdouble',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'short',
  'int32',
  'int',
  'int64',
  'long',
  'bool',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
  'quint2x4',
  'bits8',
  'bits16',
  'strided',
  'sparse_coo',
  'sparse_csr',
  'sparse_csc',
  'sparse_bsr',
  'sparse_bsc',
  '_mkldnn',
  'jagged',
  'contiguous_format',
  'channels_last',
  'channels_last_3d',
  'preserve_format',
  'per_tensor_affine',
  'per_channel_affine',
  'per_tensor_symmetric',
  'per_channel_symmetric',
  'per_channel_affine_float_qparams',
].map((n) => `torch.${n}`);

// NumPy scalar types appear when a dtype's type object is pickled (for example inside sklearn estimators).
const NUMPY_SCALARS = [
  'bool_',
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'intc',
  'uintc',
  'intp',
  'uintp',
  'int_',
  'uint',
  'longlong',
  'ulonglong',
  'short',
  'ushort',
  'byte',
  'ubyte',
  'float16',
  'float32',
  'float64',
  'float96',
  'float128',
  'half',
  'single',
  'double',
  'longdouble',
  'complex64',
  'complex128',
  'complex256',
  'csingle',
  'cdouble',
  'clongdouble',
  'str_',
  'bytes_',
  'void',
  'object_',
  'datetime64',
  'timedelta64',
  'float_',
  'complex_',
  'unicode_',
  'string_',
  'number',
  'integer',
  'floating',
  'generic',
];

export const PICKLE_ALLOWLIST: readonly AllowEntry[] = [
  ...entries(
    'PyTorch rebuilds tensors and parameters from storages with it (torch/_utils.py)',
    TORCH_REBUILD,
  ),
  ...entries(
    'PyTorch rebuilds tensor subclasses with it; the class and function it applies are imports of their own',
    ['torch._tensor._rebuild_from_type', 'torch._tensor._rebuild_from_type_v2'],
  ),
  ...entries('a PyTorch storage class named in persistent ids of every checkpoint', TORCH_STORAGES),
  ...entries(
    'a legacy PyTorch tensor type, named in the tensors record of legacy tar checkpoints (torch/serialization.py legacy_load)',
    ['Double', 'Float', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool'].flatMap((t) => [
      `torch.${t}Tensor`,
      `torch.cuda.${t}Tensor`,
    ]),
  ),
  ...entries('a PyTorch storage class', [
    'torch.storage.UntypedStorage',
    'torch.storage.TypedStorage',
    'torch.storage._LegacyStorage',
  ]),
  ...entries(
    'rebuilds a storage from bytes by unpickling them with torch.load; the bytes are analysed as a nested pickle',
    ['torch.storage._load_from_bytes'],
  ),
  ...entries('a PyTorch dtype, layout, memory format or quantization scheme, pickled by name', TORCH_DTYPES),
  ...entries('a PyTorch value type', [
    'torch.Size',
    'torch.device',
    'torch.Tensor',
    'torch._tensor.Tensor',
    'torch.nn.parameter.Parameter',
    'torch.nn.parameter.Buffer',
    'torch.nn.parameter.UninitializedParameter',
    'torch.nn.parameter.UninitializedBuffer',
    'torch.serialization._get_layout',
    'torch.nn.utils.parametrize.ParametrizationList',
    'torch.distributions.constraints._Real',
  ]),
  ...entries('NumPy rebuilds arrays, scalars and dtypes with it (numpy/_core/multiarray)', [
    'numpy.core.multiarray._reconstruct',
    'numpy._core.multiarray._reconstruct',
    'numpy.core.multiarray.scalar',
    'numpy._core.multiarray.scalar',
    'numpy.core.numeric._frombuffer',
    'numpy._core.numeric._frombuffer',
    'numpy.ndarray',
    'numpy.dtype',
    'numpy.ma.core._mareconstruct',
    'numpy.ma.core.MaskedArray',
    'numpy.matrix',
    'numpy.matrixlib.defmatrix.matrix',
    'numpy.recarray',
    'numpy.record',
    'numpy.rec.recarray',
    'numpy.core.records.recarray',
    'numpy._core.records.recarray',
  ]),
  ...entries(
    'NumPy 2 pickles its variable-width StringDType as this call, which only builds the dtype from its coerce and na_object options (numpy/_core/_internal.py)',
    ['numpy._core._internal._convert_to_stringdtype_kwargs'],
  ),
  ...entries(
    'a NumPy scalar type',
    NUMPY_SCALARS.map((n) => `numpy.${n}`),
  ),
  ...entries('NumPy rebuilds random generators and bit generators with it (numpy/random/_pickle.py)', [
    'numpy.random._pickle.__randomstate_ctor',
    'numpy.random._pickle.__generator_ctor',
    'numpy.random._pickle.__bit_generator_ctor',
    'numpy.random.__RandomState_ctor',
    'numpy.random.mtrand.RandomState',
    'numpy.random._generator.Generator',
    'numpy.random._mt19937.MT19937',
    'numpy.random._pcg64.PCG64',
    'numpy.random._pcg64.PCG64DXSM',
    'numpy.random._philox.Philox',
    'numpy.random._sfc64.SFC64',
    'numpy.random.bit_generator.SeedSequence',
  ]),
  // Not its predecessors NDArrayWrapper/ZNDArrayWrapper (joblib < 0.10): those make joblib.load open the
  // file they name, so they are graded in policy-danger.ts.
  ...entries('joblib writes large arrays out of the pickle behind this wrapper (joblib/numpy_pickle.py)', [
    'joblib.numpy_pickle.NumpyArrayWrapper',
    'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  ]),
  ...entries(
    "scikit-learn's Cython trees and distance metrics rebuild themselves with `newObj(cls)`, which is `cls.__new__(cls)` for a class the policy checks separately (sklearn/neighbors/_binary_tree.pxi, sklearn/metrics/_dist_metrics.pyx)",
    [
      'sklearn.neighbors._kd_tree.newObj',
      'sklearn.neighbors._ball_tree.newObj',
      'sklearn.neighbors._binary_tree.newObj',
      'sklearn.metrics._dist_metrics.newObj',
    ],
  ),
  ...entries('a standard container type', [
    'collections.OrderedDict',
    'collections.defaultdict',
    'collections.Counter',
    'collections.deque',
    'collections.ChainMap',
    'collections.UserDict',
    'collections.UserList',
    'collections.UserString',
    'builtins.set',
    'builtins.frozenset',
    'builtins.bytearray',
    'builtins.bytes',
    'builtins.str',
    'builtins.int',
    'builtins.float',
    'builtins.complex',
    'builtins.bool',
    'builtins.list',
    'builtins.dict',
    'builtins.tuple',
    'builtins.slice',
    'builtins.range',
    'builtins.object',
    'builtins.Ellipsis',
    'builtins.NotImplemented',
    'types.SimpleNamespace',
    'argparse.Namespace',
  ]),
  ...entries('the standard reconstructor object.__reduce_ex__ emits for protocols 0 and 1 (Lib/copyreg.py)', [
    'copyreg._reconstructor',
    'copyreg.__newobj__',
    'copyreg.__newobj_ex__',
  ]),
  ...entries('pickle protocols 0-2 encode bytes objects as latin-1 text passed to it', [
    '_codecs.encode',
    'codecs.encode',
  ]),
  ...entries('a standard value type', [
    'datetime.datetime',
    'datetime.date',
    'datetime.time',
    'datetime.timedelta',
    'datetime.timezone',
    'decimal.Decimal',
    'fractions.Fraction',
    'uuid.UUID',
    'uuid.SafeUUID',
    'typing.Any',
    're._compile',
    'enum.Enum',
    ...PATHLIB_CLASSES,
  ]),
  ...entries('a PyTorch Lightning hyper-parameter container saved in every Lightning checkpoint', [
    'pytorch_lightning.utilities.parsing.AttributeDict',
    'lightning.pytorch.utilities.parsing.AttributeDict',
    'lightning.fabric.utilities.data.AttributeDict',
    'lightning_fabric.utilities.data.AttributeDict',
  ]),
  ...entries('the decision-tree structure of scikit-learn tree models (a Cython class rebuilt from arrays)', [
    'sklearn.tree._tree.Tree',
  ]),
  ...entries('a tokenizer token type saved by transformers', ['tokenizers.AddedToken']),
];

/**
 * Capitalised names scikit-learn modules import from elsewhere that reach files, processes or code (red
 * team round 4): found under `sklearn.<module>`, they are not sklearn classes and get no free pass.
 */
const SKLEARN_REEXPORTS = new Set([
  'NamedTemporaryFile',
  'TemporaryFile',
  'SpooledTemporaryFile',
  'TemporaryDirectory',
  'Mock',
  'MagicMock',
  'NonCallableMock',
  'AsyncMock',
  'ThreadPoolExecutor',
  'ProcessPoolExecutor',
  'MethodType',
  'FunctionType',
  'CodeType',
  'LambdaType',
  'Popen',
  'Path',
  'PosixPath',
  'WindowsPath',
  'Parallel',
  'Memory',
  'NumpyPickler',
  'NumpyUnpickler',
  'Pickler',
  'Unpickler',
  'ZipFile',
  'TarFile',
  'Thread',
  'Process',
  'Pool',
]);

/** `module.Class` where the last part starts with a capital letter: classes, not functions. */
function isClassUnder(canonical: string, prefix: RegExp): boolean {
  const dot = canonical.lastIndexOf('.');
  if (dot < 0) return false;
  const name = canonical.slice(dot + 1);
  return prefix.test(canonical.slice(0, dot)) && /^[A-Z][A-Za-z0-9_]*$/.test(name);
}

export const PICKLE_ALLOW_RULES: readonly AllowRule[] = [
  {
    description:
      '`sklearn.<module>.<Class>` (not under `sklearn.utils._testing`, `sklearn.utils._joblib`, `sklearn.externals`, `sklearn.datasets`)',
    reason:
      'scikit-learn estimators, transformers and their Cython helpers are pickled by class; rebuilding them sets attributes only',
    test: (c) =>
      isClassUnder(c, /^sklearn(\.[A-Za-z_][A-Za-z0-9_]*)+$/) &&
      !/^sklearn\.(utils\._testing|utils\._joblib|externals|datasets)(\.|$)/.test(c) &&
      // Test modules import whatever they test with (sklearn/utils/tests/test_validation.py imports
      // tempfile.NamedTemporaryFile), and a capitalised name is not always sklearn's own class.
      !/\.(tests?|conftest|test_[A-Za-z0-9_]*)(\.|$)/.test(c) &&
      !SKLEARN_REEXPORTS.has(c.slice(c.lastIndexOf('.') + 1)),
  },
  {
    description: '`scipy.sparse.<module>.<format>_matrix|_array`',
    reason: 'SciPy sparse matrices are rebuilt from arrays; they run no code',
    test: (c) => /^scipy\.sparse(\.[a-z_]+)?\.[a-z]{3}_(matrix|array)$/.test(c),
  },
  {
    description: '`torch.nn.modules.<module>.<Class>`',
    reason: 'PyTorch modules saved whole (torch.save(model)) are rebuilt by setting their state dict',
    test: (c) => isClassUnder(c, /^torch\.nn\.modules(\.[a-z_][a-z0-9_]*)+$/),
  },
  {
    description: '`torch.optim.<module>.<Class>`, `torch.return_types.<name>`',
    reason: 'PyTorch optimizers saved whole and the named tuples PyTorch functions return',
    test: (c) =>
      isClassUnder(c, /^torch\.optim(\.[a-z_][a-z0-9_]*)+$/) || /^torch\.return_types\.[a-z_]+$/.test(c),
  },
  {
    description:
      '`transformers.{training_args,training_args_seq2seq,trainer_utils,debug_utils,trainer_pt_utils}.<Class>`',
    reason: 'the training arguments and enums transformers saves as training_args.bin',
    test: (c) =>
      isClassUnder(
        c,
        /^transformers\.(training_args|training_args_seq2seq|trainer_utils|debug_utils|trainer_pt_utils|utils\.generic)$/,
      ),
  },
  {
    description: '`accelerate.utils.dataclasses.<Class>`',
    reason: 'configuration dataclasses and enums accelerate stores in training arguments',
    test: (c) => isClassUnder(c, /^accelerate\.utils\.dataclasses$/),
  },
  {
    description: '`omegaconf.<module>.<Class>`',
    reason: 'OmegaConf configuration containers saved in Lightning and Hydra checkpoints',
    test: (c) => isClassUnder(c, /^omegaconf(\.[a-z_]+)*$/),
  },
];
