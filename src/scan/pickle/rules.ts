import type { RuleDescriptor } from '../../core/rules.js';

const PICKLE_DOCS = 'https://docs.python.org/3/library/pickle.html#restricting-globals';
const SAFETENSORS = 'https://huggingface.co/docs/safetensors';

/** Rules raised by the pickle analysis. */
export const PICKLE_RULES = {
  importDangerous: {
    id: 'PICKLE-IMPORT-DANGEROUS',
    title: 'Dangerous import in pickle',
    description:
      'The pickle imports a callable that runs code, spawns processes, loads more untrusted data, or reaches files or the network. Loading the file with pickle, torch.load, joblib.load or numpy.load(allow_pickle=True) can run it.',
    help: 'Do not load this file. Obtain the weights in a format that cannot run code (safetensors), or re-export them in an isolated sandbox from a source you trust.',
    defaultSeverity: 'critical',
    references: [PICKLE_DOCS, SAFETENSORS],
    tags: ['security', 'pickle', 'code-execution'],
  },
  importUnknown: {
    id: 'PICKLE-IMPORT-UNKNOWN',
    title: 'Import not on the allowlist',
    description:
      'The pickle imports a global that is not on the allowlist of classes and functions real PyTorch, NumPy, scikit-learn, joblib and transformers checkpoints use. Unknown globals are how new gadgets bypass denylist scanners.',
    help: 'Check the named class. If you trust its publisher and the class, add it to `pickle.allow` in `pedigree.yaml`; better, re-save the weights as safetensors.',
    defaultSeverity: 'medium',
    references: [PICKLE_DOCS],
    tags: ['security', 'pickle'],
  },
  importDynamic: {
    id: 'PICKLE-IMPORT-DYNAMIC',
    title: 'Import name computed at load time',
    description:
      'A STACK_GLOBAL takes its module or name from a value computed while loading (for example an attribute of a module the pickle just modified), so the imported global cannot be known without running the pickle. Legitimate pickles never do this.',
    help: 'Treat the file as malicious: do not load it.',
    defaultSeverity: 'critical',
    references: [PICKLE_DOCS],
    tags: ['security', 'pickle', 'evasion'],
  },
  callIndirect: {
    id: 'PICKLE-CALL-INDIRECT',
    title: 'Call of a computed callable',
    description:
      'The pickle calls the result of another call (for example getattr(module, name)(...) or attrgetter(...)(...)). Legitimate checkpoints do not; it is how gadgets chain harmless-looking imports into code execution.',
    help: 'Treat the file as malicious unless you can account for every call in the evidence.',
    defaultSeverity: 'high',
    references: [PICKLE_DOCS],
    tags: ['security', 'pickle', 'gadget'],
  },
  stateTampering: {
    id: 'PICKLE-STATE-TAMPERING',
    title: 'Pickle modifies an imported module, class or function',
    description:
      'BUILD, SETITEM or APPEND is applied to an imported global itself, changing a module, class or function for the rest of the load (for example overriding a function the loader calls later, or sys.modules).',
    help: 'Treat the file as malicious: legitimate pickles only fill in objects they create.',
    defaultSeverity: 'critical',
    references: ['https://github.com/advisories?query=picklescan'],
    tags: ['security', 'pickle', 'evasion'],
  },
  extension: {
    id: 'PICKLE-EXTENSION-CODE',
    title: 'Pickle uses an extension code',
    description:
      'EXT1/EXT2/EXT4 name a global through copyreg extension codes registered by the loading program, so it cannot be resolved statically.',
    help: 'Find out which program registers the extension code; treat the file as untrusted until then.',
    defaultSeverity: 'medium',
    references: ['https://docs.python.org/3/library/copyreg.html'],
    tags: ['security', 'pickle'],
  },
  nestedOpaque: {
    id: 'PICKLE-NESTED-OPAQUE',
    title: 'Loader handed data built at load time',
    description:
      'A deserializer (pickle.loads, torch.load, a re-export of them ...) is called with data the pickle computes while loading, such as bytes built from a list, returned by another call or encoded with a codec pedigree does not model, or the deserializer is handed to other code as a value, which calls it with arguments the pickle does not show. Whatever that data holds is unpickled, and it cannot be reconstructed for analysis.',
    help: 'Treat the file as malicious: legitimate checkpoints hand loaders constant bytes, if anything.',
    defaultSeverity: 'high',
    references: ['https://docs.python.org/3/library/pickle.html#restricting-globals'],
    tags: ['security', 'pickle', 'evasion'],
  },
  malformed: {
    id: 'PICKLE-MALFORMED',
    title: 'Pickle could not be fully analysed',
    description:
      'The pickle stream is corrupt, truncated or exceeds an analysis limit. Everything before the problem was analysed and is reported; what follows was not. A loader may still run the part before the error.',
    help: 'Do not treat this file as clean. Re-download it from its source and scan again; if it stays malformed, do not load it.',
    defaultSeverity: 'medium',
    references: [PICKLE_DOCS],
    tags: ['pickle', 'not-analysed'],
  },
  trailingData: {
    id: 'PICKLE-TRAILING-DATA',
    title: 'Data after the last pickle',
    description:
      'Bytes follow the last complete pickle and do not parse as another one. pickle.load ignores them, but a program that reads further, or a polyglot reader, may use them.',
    help: 'Check why the file carries extra data; legitimate files end with their last STOP opcode.',
    defaultSeverity: 'low',
    references: [],
    tags: ['pickle', 'anomaly'],
  },
  anomaly: {
    id: 'PICKLE-ANOMALY',
    title: 'Unusual pickle structure',
    description:
      'The pickle uses structure real picklers do not produce (frames that straddle opcodes, non-ASCII protocol-0 strings, arguments that are not tuples, out-of-band buffers). Such tricks make scanners and loaders disagree.',
    help: 'Treat the file with suspicion; re-create it with a standard pickler if it is yours.',
    defaultSeverity: 'low',
    references: ['https://github.com/trailofbits/fickling'],
    tags: ['pickle', 'anomaly'],
  },
  torchscriptCode: {
    id: 'TORCHSCRIPT-CODE',
    title: 'TorchScript archive carries code',
    description:
      'A TorchScript archive holds Python-like code that torch.jit.load compiles and runs. It is restricted, but it is code from the file, not data, and torch.load on it was a weights_only bypass (CVE-2025-32434).',
    help: 'Load TorchScript only from publishers you trust; review the code listed in the evidence.',
    defaultSeverity: 'low',
    references: ['https://nvd.nist.gov/vuln/detail/CVE-2025-32434'],
    tags: ['security', 'pytorch', 'torchscript'],
  },
} as const satisfies Record<string, RuleDescriptor>;
