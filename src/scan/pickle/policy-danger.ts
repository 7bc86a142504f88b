/**
 * The severity table for globals that are NOT on the allowlist. It only grades: anything missing here is still
 * reported as an unknown import (medium), so a gadget nobody listed is never silently clean.
 *
 * A pattern matches the global itself and everything below it (`os` matches `os.system` and `os.path.join`).
 * Sources: picklescan's and ModelScan's denylists and the picklescan bypass advisories (GHSA list linked
 * below), fickling's unsafe-imports table, ModelAudit's rules, and the FIELD-NOTES gadget list.
 */

/** pathlib's path classes (module `pathlib`, or `pathlib._local` from Python 3.13): building one touches no file. */
export const PATHLIB_CLASSES: readonly string[] = ['pathlib', 'pathlib._local'].flatMap((m) =>
  ['Path', 'PosixPath', 'WindowsPath', 'PurePath', 'PurePosixPath', 'PureWindowsPath'].map(
    (c) => `${m}.${c}`,
  ),
);

export type DangerCategory =
  | 'code-execution'
  | 'nested-deserialization'
  | 'attribute-access'
  | 'file-access'
  | 'network'
  | 'introspection';

export interface DangerEntry {
  readonly pattern: string;
  readonly severity: 'critical' | 'high' | 'medium';
  readonly category: DangerCategory;
  readonly reason: string;
  readonly references: readonly string[];
  /** Exact canonical globals under `pattern` that are not dangerous (they are on the allowlist). */
  readonly except?: readonly string[];
}

const PICKLESCAN_ADVISORIES = 'https://github.com/mmaitre314/picklescan/security/advisories';
const PICKLE_DOCS = 'https://docs.python.org/3/library/pickle.html#restricting-globals';
const TORCH_LOAD_CVE = 'https://nvd.nist.gov/vuln/detail/CVE-2025-32434';

type Row = readonly [pattern: string, reason: string, ...extraRefs: string[]];

function group(
  severity: DangerEntry['severity'],
  category: DangerCategory,
  rows: readonly Row[],
  references: readonly string[] = [PICKLE_DOCS],
): DangerEntry[] {
  return rows.map(([pattern, reason, ...extra]) => ({
    pattern,
    severity,
    category,
    reason,
    references: [...references, ...extra],
  }));
}

const CODE_EXECUTION: readonly Row[] = [
  ['builtins.eval', 'evaluates a Python expression'],
  ['builtins.exec', 'executes Python source'],
  ['builtins.execfile', 'executes a Python file (Python 2)'],
  ['builtins.compile', 'compiles source into a code object'],
  ['builtins.__import__', 'imports any module by name'],
  ['builtins.getattr', 'fetches any attribute, turning any imported object into a path to code execution'],
  ['builtins.setattr', 'overwrites attributes of modules and classes'],
  ['builtins.delattr', 'deletes attributes of modules and classes'],
  ['builtins.globals', "returns the loader's global namespace"],
  ['builtins.locals', 'returns a namespace dictionary'],
  ['builtins.vars', "returns an object's namespace dictionary"],
  ['builtins.breakpoint', 'starts a debugger that reads commands'],
  ['builtins.input', 'reads from standard input (can block or be used with a debugger)'],
  ['builtins.apply', 'calls any callable (Python 2)'],
  ['builtins.help', 'starts the interactive help system, which can run a pager'],
  ['os', 'runs commands and manipulates processes and files (os.system, os.popen, os.exec*)'],
  ['posix', 'is os on POSIX: system, popen, exec*, spawn*'],
  ['nt', 'is os on Windows: system, startfile, spawn*'],
  ['_posixsubprocess', 'forks and executes programs'],
  ['subprocess', 'starts processes'],
  ['pty', 'spawns processes on a pseudo-terminal'],
  ['runpy', 'runs Python modules and files'],
  ['importlib', 'imports arbitrary modules and loads source'],
  ['imp', 'imports arbitrary modules and loads source (deprecated)'],
  ['zipimport', 'imports code from zip files'],
  ['pkgutil', 'resolves and imports any dotted name (pkgutil.resolve_name)', PICKLESCAN_ADVISORIES],
  ['code', 'runs an interactive interpreter or arbitrary source', PICKLESCAN_ADVISORIES],
  ['codeop', 'compiles Python source'],
  ['timeit', 'executes a statement given as a string', PICKLESCAN_ADVISORIES],
  ['cProfile', 'profiles a statement given as a string by executing it', PICKLESCAN_ADVISORIES],
  ['profile', 'profiles a statement given as a string by executing it'],
  ['pdb', 'runs code under the debugger'],
  ['bdb', 'runs code under the debugger framework'],
  ['trace', 'runs code under tracing'],
  ['ctypes', 'calls native functions and writes memory'],
  ['_ctypes', 'calls native functions and writes memory'],
  ['cffi', 'calls native functions'],
  ['marshal', 'loads Python bytecode'],
  ['types.CodeType', 'builds a code object from bytecode'],
  ['types.FunctionType', 'builds a function from a code object'],
  ['types.MethodType', 'binds arbitrary callables'],
  ['types.ModuleType', 'creates modules'],
  ['pip', 'installs packages, running their setup code', PICKLESCAN_ADVISORIES],
  ['setuptools', 'builds and installs packages, running code'],
  ['distutils', 'builds packages, running code and commands'],
  ['ensurepip', 'installs pip'],
  ['venv', 'creates environments and runs commands'],
  ['site', 'executes .pth files and changes the import path'],
  ['sys', 'changes the interpreter (sys.modules, sys.path, audit hooks, settrace)'],
  ['builtins.exit', 'terminates the loading process'],
  ['builtins.quit', 'terminates the loading process'],
  ['multiprocessing', 'starts processes and unpickles data from them'],
  ['concurrent.futures', 'runs callables in worker threads or processes'],
  ['asyncio.subprocess', 'starts processes'],
  ['asyncio.unix_events', 'starts processes (asyncio subprocess internals)'],
  ['asyncio.windows_events', 'starts processes (asyncio subprocess internals)'],
  ['asyncio.base_events', 'starts processes (asyncio subprocess internals)'],
  ['asyncio.base_subprocess', 'starts processes (asyncio subprocess internals)'],
  ['asyncio.events', 'runs callables on an event loop'],
  ['asyncio.runners', 'runs coroutines'],
  ['threading', 'runs callables in new threads'],
  ['_thread', 'runs callables in new threads'],
  ['signal', 'installs signal handlers that run callables'],
  ['atexit', 'registers callables to run at exit'],
  ['operator.attrgetter', 'fetches any attribute: a gadget for reaching dangerous functions'],
  ['operator.itemgetter', 'fetches items from containers such as sys.modules: a gadget'],
  ['operator.methodcaller', 'calls any method by name: a gadget'],
  ['operator.call', 'calls any callable: a gadget'],
  ['operator.getitem', 'fetches items from containers such as sys.modules: a gadget'],
  ['operator.setitem', 'writes into containers such as sys.modules: a gadget'],
  ['operator.delitem', 'deletes from containers such as sys.modules: a gadget'],
  ['_operator', 'is the C implementation of operator, whose getters and callers are gadgets'],
  ['functools.partial', 'binds arguments to any callable: a gadget'],
  ['functools.partialmethod', 'binds arguments to any callable: a gadget'],
  ['functools.reduce', 'calls any callable repeatedly: a gadget'],
  ['functools.singledispatch', 'wraps callables: a gadget'],
  ['_functools', 'is the C implementation of functools partial/reduce: a gadget'],
  ['itertools.starmap', 'calls any callable over argument tuples: a gadget'],
  ['copyreg', 'registers reducers and extension codes', PICKLESCAN_ADVISORIES],
  ['numpy.testing._private.utils.runstring', 'executes a string of Python code'],
  ['numpy.testing', 'contains helpers that execute code (runstring)'],
  ['numpy.core._ufunc_reconstruct', 'imports any module and fetches any attribute by name'],
  ['numpy._core._ufunc_reconstruct', 'imports any module and fetches any attribute by name'],
  ['numpy.f2py', 'compiles and runs Fortran/C extension builds'],
  ['numpy.ctypeslib', 'loads native libraries'],
  ['numpy.distutils', 'builds extensions, running commands'],
  ['torch.hub', 'downloads and runs code from repositories', TORCH_LOAD_CVE],
  ['torch.jit', 'compiles and runs TorchScript', TORCH_LOAD_CVE],
  ['torch._inductor', 'compiles and runs generated code'],
  ['torch._dynamo', 'compiles and runs generated code'],
  [
    'torch.utils.bottleneck',
    'profiles a Python statement given as a string by executing it',
    PICKLESCAN_ADVISORIES,
  ],
  ['torch.utils.collect_env', 'runs shell commands (collect_env.run)', PICKLESCAN_ADVISORIES],
  ['torch.utils.cpp_extension', 'compiles and loads native code'],
  ['torch.utils.data.datapipes', 'contains callables that run user functions'],
  ['torch.package', 'imports code from packages'],
  ['torch.distributed', 'starts processes and remote calls (rpc)'],
  ['torch.fx', 'generates and executes Python code'],
  ['torch.classes', 'loads custom native classes'],
  ['torch.library', 'registers native operators'],
  ['torch.ops', 'calls native operators'],
  ['torch._C', 'calls native internals'],
  ['torch._ops', 'calls native operators'],
  ['torch.autograd.profiler', 'runs profiling callables'],
  ['torch.testing', 'contains helpers that run code'],
  ['torch.compile', 'compiles and runs generated code'],
  ['idlelib', 'contains editor helpers that run code and commands', PICKLESCAN_ADVISORIES],
  ['doctest', 'executes code found in docstrings'],
  ['pydoc', 'imports modules by name and runs a pager command'],
  ['webbrowser', 'launches external programs'],
  ['uuid._get_command_stdout', 'runs a shell command', PICKLESCAN_ADVISORIES],
  ['_xxsubinterpreters', 'runs Python source in a subinterpreter (run_string)'],
  ['_interpreters', 'runs Python source in a subinterpreter (run_string, exec)'],
  ['_xxinterpchannels', 'passes objects between subinterpreters'],
  ['interpreters', 'runs Python source in a subinterpreter'],
  ['concurrent.interpreters', 'runs Python source in a subinterpreter'],
  ['antigravity', 'opens a web browser process when imported'],
  ['py_compile', 'compiles and writes bytecode files'],
  ['compileall', 'compiles and writes bytecode files'],
  ['modulefinder', 'reads and compiles Python files'],
  [
    'uuid',
    'its private helpers run commands found on PATH with caller arguments (_find_mac_near_keyword, _find_mac_under_heading, env -S ...)',
    PICKLESCAN_ADVISORIES,
  ],
  [
    'asyncio',
    'runs coroutines and starts processes (asyncio.run, create_subprocess_shell, create_subprocess_exec)',
  ],
  ['_osx_support', 'runs compiler commands'],
  ['_aix_support', 'runs system commands'],
  ['_pyrepl', 'runs an interactive interpreter'],
  ['pyrepl', 'runs an interactive interpreter'],
  ['rlcompleter', 'evaluates expressions for completion'],
  ['test', "is CPython's test package, full of helpers that run code"],
  ['lib2to3', 'rewrites and can run source'],
  ['logging.config', 'imports and calls callables named in configuration (listen() executes received code)'],
  ['jinja2', 'renders templates, which can run code'],
  ['mako', 'renders templates, which run Python'],
  ['IPython', 'runs code and shell commands'],
  ['ipykernel', 'runs code'],
  ['dill', 'unpickles data and rebuilds arbitrary code objects'],
  ['cloudpickle', 'unpickles data and rebuilds arbitrary code objects'],
  ['keras.src.saving', 'loads models that can contain code (Lambda layers)'],
  ['paramiko', 'runs commands on remote hosts'],
  ['fabric', 'runs commands on remote hosts'],
  ['invoke', 'runs shell commands'],
  ['sh', 'runs shell commands'],
  ['plumbum', 'runs shell commands'],
  ['pexpect', 'spawns processes'],
  ['commands', 'runs shell commands (Python 2)'],
  ['popen2', 'runs shell commands (Python 2)'],
  ['platform.popen', 'runs shell commands'],
  ['platform._syscmd_file', 'runs shell commands'],
  ['platform._syscmd_ver', 'runs shell commands'],
  ['ctypes.util', 'runs external tools to locate libraries'],
  ['_winapi', 'creates processes on Windows'],
  ['winreg', 'reads and writes the Windows registry'],
  ['msvcrt', 'calls the C runtime on Windows'],
];

const NESTED_DESERIALIZATION: readonly Row[] = [
  ['pickle', 'unpickles more data, which can run code'],
  ['_pickle', 'unpickles more data, which can run code'],
  ['pickletools', 'can be combined with loaders to unpickle data'],
  ['shelve', 'opens a pickle-backed database, unpickling its values'],
  ['joblib.load', 'unpickles a joblib file'],
  ['joblib.numpy_pickle', 'unpickles joblib data'],
  ['numpy.load', 'loads .npy/.npz data, which can contain pickles'],
  ['numpy.lib.npyio', 'loads .npy/.npz data, which can contain pickles'],
  ['numpy.lib._npyio_impl.load', 'loads .npy/.npz data, which can contain pickles (NumPy 2)'],
  ['numpy.lib._format_impl.read_array', 'loads .npy data, which can contain pickles (NumPy 2)'],
  ['numpy.lib.format.read_array', 'loads .npy data, which can contain pickles'],
  ['torch.load', 'unpickles a checkpoint, which can run code', TORCH_LOAD_CVE],
  ['torch.serialization', 'unpickles checkpoints', TORCH_LOAD_CVE],
  [
    'torch.utils._config_module',
    'loads configuration by unpickling bytes (ConfigModule.load_config)',
    PICKLESCAN_ADVISORIES,
  ],
  ['joblib.externals.loky.backend.reduction', 'is a pickle re-export (from pickle import loads, dumps)'],
  ['joblib._memmapping_reducer', 'unpickles data (re-exports pickle.loads)'],
  ['joblib.externals.cloudpickle', 'unpickles data and rebuilds arbitrary code objects'],
  ['joblib.externals.loky', 'starts worker processes and unpickles their results'],
  ['torch.utils.model_zoo', 'downloads a checkpoint and unpickles it with torch.load'],
  ['torch.multiprocessing', 'starts processes (re-exports multiprocessing)'],
  ['pandas.read_pickle', 'unpickles data'],
  ['pandas.io.pickle', 'unpickles data'],
  ['yaml.load', 'can construct arbitrary Python objects with the default loaders'],
  ['yaml.unsafe_load', 'constructs arbitrary Python objects'],
  ['yaml.full_load', 'constructs Python objects'],
  ['yaml.load_all', 'can construct arbitrary Python objects'],
  ['yaml.unsafe_load_all', 'constructs arbitrary Python objects'],
  ['jsonpickle', 'decodes JSON into arbitrary Python objects'],
  ['xmlrpc', 'unmarshals data and makes network calls'],
];

const FILE_ACCESS: readonly Row[] = [
  ['builtins.open', 'opens files for reading or writing'],
  ['builtins.file', 'opens files (Python 2)'],
  ['io.open', 'opens files'],
  ['io.FileIO', 'opens files'],
  ['io.open_code', 'opens files'],
  ['_io', 'is the C implementation of io, which opens files'],
  ['shutil', 'copies, moves and deletes files and trees'],
  ['scipy._lib._tmpdirs', 'creates and deletes directories (re-exports shutil.rmtree)'],
  ['numpy.lib.format.open_memmap', 'creates and maps files'],
  ['numpy.lib._format_impl.open_memmap', 'creates and maps files (NumPy 2)'],
  ['numpy.core.memmap', 'maps files into memory'],
  ['numpy._core.memmap', 'maps files into memory'],
  ['numpy.core.multiarray.fromfile', 'reads files'],
  ['numpy._core.multiarray.fromfile', 'reads files'],
  ['numpy.core.records.fromfile', 'reads files'],
  ['numpy._core.records.fromfile', 'reads files'],
  ['numpy.rec.fromfile', 'reads files'],
  ['numpy.fromregex', 'reads files'],
  ['_pyio', 'is the pure-Python io, which opens, creates and truncates files'],
  ['wave.open', 'opens (and creates) files'],
  ['wave.Wave_write', 'creates files'],
  ['sunau.open', 'opens (and creates) files'],
  ['aifc.open', 'opens (and creates) files'],
  ['readline', 'reads and writes history and init files at any path'],
  ['numpy.lib._npyio_impl', 'reads and writes files and URLs (NumPy 2 home of loadtxt, savetxt, genfromtxt)'],
  ['sklearn.utils._joblib', 're-exports joblib: Memory creates directories, load unpickles files'],
  ['tempfile', 'creates files'],
  ['glob', 'lists files'],
  ['fileinput', 'reads files'],
  ['linecache', 'reads files'],
  ['pathlib', 'opens, writes and deletes files through Path methods'],
  ['codecs.open', 'opens files'],
  ['tarfile', 'reads and extracts archives'],
  ['zipfile', 'reads and extracts archives'],
  ['gzip.open', 'opens files'],
  ['bz2.open', 'opens files'],
  ['bz2.BZ2File', 'opens files'],
  ['lzma.open', 'opens files'],
  ['lzma.LZMAFile', 'opens files'],
  ['gzip.GzipFile', 'opens files'],
  ['dbm', 'opens database files'],
  ['sqlite3', 'opens databases and can load extensions'],
  ['mmap', 'maps files into memory'],
  ['mailbox', 'reads and writes mailbox files'],
  ['logging.FileHandler', 'writes files'],
  ['logging.handlers', 'writes files and sends over the network'],
  ['numpy.fromfile', 'reads files'],
  ['numpy.memmap', 'maps files into memory'],
  ['numpy.loadtxt', 'reads files'],
  ['numpy.genfromtxt', 'reads files'],
  ['numpy.save', 'writes files'],
  ['numpy.savez', 'writes files'],
  ['numpy.savetxt', 'writes files'],
  ['numpy.tofile', 'writes files'],
  ['numpy.DataSource', 'reads files and URLs'],
  ['torch.save', 'writes files'],
  ['torch.from_file', 'reads files'],
  ['pandas.read_csv', 'reads files and URLs'],
  ['pandas.read_parquet', 'reads files and URLs'],
  ['filecmp', 'reads files'],
  ['netrc', 'reads credential files'],
  ['pwd', 'reads account information'],
  ['grp', 'reads account information'],
  ['resource', 'changes process limits'],
];

const NETWORK: readonly Row[] = [
  ['socket', 'opens network connections'],
  ['_socket', 'opens network connections'],
  ['ssl', 'opens network connections'],
  ['select', 'waits on sockets'],
  ['selectors', 'waits on sockets'],
  ['http', 'sends and serves HTTP'],
  ['urllib', 'fetches URLs'],
  ['urllib2', 'fetches URLs (Python 2)'],
  ['urllib3', 'fetches URLs'],
  ['requests', 'fetches URLs'],
  ['httpx', 'fetches URLs'],
  ['aiohttp', 'fetches URLs'],
  ['ftplib', 'transfers files over FTP'],
  ['smtplib', 'sends email'],
  ['poplib', 'reads email'],
  ['imaplib', 'reads email and can run a command (IMAP4_stream)'],
  ['nntplib', 'talks to news servers'],
  ['telnetlib', 'opens telnet sessions'],
  ['socketserver', 'serves network connections'],
  ['asyncio.streams', 'opens network connections'],
  ['numpy.lib._datasource', 'fetches URLs and saves them to disk'],
  ['xml.sax', 'fetches and parses documents from URLs and files'],
  ['xml.dom', 'fetches and parses documents from URLs and files'],
  ['xml.etree.ElementTree.parse', 'reads documents from files'],
  ['xml.etree.ElementTree.iterparse', 'reads documents from files'],
  ['xml.etree.ElementInclude', 'reads included files'],
  ['xml.etree.cElementTree.parse', 'reads documents from files'],
  ['wsgiref', 'serves HTTP'],
  ['huggingface_hub', 'downloads files and code'],
  ['boto3', 'talks to cloud services'],
  ['botocore', 'talks to cloud services'],
];

const IMPORTLIB_SHADOW: readonly Row[] = [
  ['_frozen_importlib', 'imports arbitrary modules'],
  ['_frozen_importlib_external', 'loads code from files'],
  ['_imp', 'imports and executes modules'],
  ['builtins.__build_class__', 'builds classes from a function body'],
  ['tkinter', 'embeds a Tcl interpreter whose eval runs commands'],
  ['_tkinter', 'embeds a Tcl interpreter whose eval runs commands'],
  ['turtle', 'embeds a Tcl interpreter through tkinter'],
  ['numpy.frompyfunc', 'wraps any callable as a ufunc: a gadget'],
  ['numpy.vectorize', 'wraps any callable: a gadget'],
];

/** Builtins that call or wrap a callable they are given: gadgets that chain harmless imports into calls. */
const GADGETS: readonly Row[] = [
  ['builtins.map', 'calls any callable lazily: a gadget when consumed'],
  ['builtins.filter', 'calls any callable lazily: a gadget when consumed'],
  ['builtins.sorted', 'calls a key function: a gadget'],
  ['builtins.max', 'calls a key function: a gadget'],
  ['builtins.min', 'calls a key function: a gadget'],
  ['builtins.next', 'drives iterators that call functions: a gadget'],
  ['builtins.iter', 'builds callable-driven iterators: a gadget'],
  ['builtins.classmethod', 'wraps callables: a gadget'],
  ['builtins.staticmethod', 'wraps callables: a gadget'],
  ['builtins.property', 'wraps callables: a gadget'],
  ['builtins.super', 'reaches parent-class methods: a gadget'],
  ['builtins.type', 'creates classes with arbitrary methods'],
  ...[
    'joblib.numpy_pickle.NDArrayWrapper',
    'joblib.numpy_pickle.ZNDArrayWrapper',
    'joblib.numpy_pickle_compat',
    'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper',
    'sklearn.externals.joblib.numpy_pickle.ZNDArrayWrapper',
    'sklearn.externals.joblib.numpy_pickle_compat',
  ].map(
    (pattern): Row => [
      pattern,
      'makes joblib.load open the file the pickle names and load it (numpy.load with allow_pickle=True, or zlib-inflated) (joblib/numpy_pickle_compat.py)',
    ],
  ),
];

/** Objects that reach the interpreter's objects or frames without running code by themselves. */
const INTROSPECTION: readonly Row[] = [
  ['gc', 'reaches every object in the interpreter (gc.get_objects)'],
  ['inspect', 'reaches frames and source of the loading program'],
];

/**
 * Names under a dangerous pattern that real checkpoints use and that are harmless as pickled: copyreg's
 * object reconstructors (what `object.__reduce_ex__` emits for protocols < 2) and pathlib's path classes
 * (constructing a path touches no file; the methods that do stay dangerous).
 */
const EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  'torch.serialization': ['torch.serialization._get_layout'],
  'joblib.numpy_pickle': [
    'joblib.numpy_pickle.NumpyArrayWrapper',
    'joblib.numpy_pickle.NDArrayWrapper',
    'joblib.numpy_pickle.ZNDArrayWrapper',
  ],
  copyreg: ['copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__'],
  uuid: ['uuid.UUID', 'uuid.SafeUUID'],
  pathlib: PATHLIB_CLASSES,
};

export const PICKLE_DANGEROUS: readonly DangerEntry[] = [
  ...group('critical', 'code-execution', [...CODE_EXECUTION, ...IMPORTLIB_SHADOW]),
  ...group('critical', 'nested-deserialization', NESTED_DESERIALIZATION),
  ...group('high', 'file-access', FILE_ACCESS),
  ...group('high', 'code-execution', GADGETS),
  ...group('high', 'introspection', INTROSPECTION),
  ...group('high', 'network', NETWORK),
].map((e) => {
  const except = EXCEPTIONS[e.pattern];
  return except === undefined ? e : { ...e, except };
});
