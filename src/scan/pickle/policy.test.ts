import { describe, expect, it } from 'vitest';
import {
  canonicalGlobal,
  createImportPolicy,
  isNestedLoader,
  PICKLE_ALLOWLIST,
  PICKLE_DANGEROUS,
} from './policy.js';

const policy = createImportPolicy();
const kind = (m: string, n: string) => policy.classify(m, n).kind;
const severity = (m: string, n: string) => {
  const v = policy.classify(m, n);
  return v.kind === 'dangerous' ? v.severity : v.kind;
};

describe('import policy', () => {
  it('allows what real PyTorch, NumPy, sklearn and joblib files import', () => {
    for (const [m, n] of [
      ['torch._utils', '_rebuild_tensor_v2'],
      ['torch', 'FloatStorage'],
      ['torch', 'bfloat16'],
      ['collections', 'OrderedDict'],
      ['numpy.core.multiarray', '_reconstruct'],
      ['numpy._core.multiarray', '_reconstruct'],
      ['numpy', 'dtype'],
      ['joblib.numpy_pickle', 'NumpyArrayWrapper'],
      ['sklearn.linear_model._logistic', 'LogisticRegression'],
      ['sklearn.tree._tree', 'Tree'],
      ['scipy.sparse._csr', 'csr_matrix'],
      ['torch.serialization', '_get_layout'],
      ['__builtin__', 'set'],
      ['copy_reg', '_reconstructor'],
      ['torch.nn.modules.linear', 'Linear'],
      ['transformers.training_args', 'TrainingArguments'],
    ] as const) {
      expect(kind(m, n), `${m}.${n}`).toBe('allowed');
    }
  });

  it('grades code execution critical, including Python 2 and platform names', () => {
    expect(severity('posix', 'system')).toBe('critical');
    expect(severity('nt', 'system')).toBe('critical');
    expect(severity('os', 'system')).toBe('critical');
    expect(severity('__builtin__', 'eval')).toBe('critical');
    expect(severity('builtins', 'getattr')).toBe('critical');
    expect(severity('subprocess', 'Popen')).toBe('critical');
    expect(severity('commands', 'getoutput')).toBe('critical');
    expect(severity('runpy', '_run_code')).toBe('critical');
    expect(severity('pip._internal.cli.main', 'main')).toBe('critical');
    expect(severity('timeit', 'timeit')).toBe('critical');
    expect(severity('pkgutil', 'resolve_name')).toBe('critical');
    expect(severity('uuid', '_get_command_stdout')).toBe('critical');
    expect(severity('torch.utils.collect_env', 'run')).toBe('critical');
    expect(severity('idlelib.pyshell', 'ModifiedInterpreter')).toBe('critical');
    expect(severity('operator', 'attrgetter')).toBe('critical');
    expect(severity('functools', 'partial')).toBe('critical');
    expect(severity('numpy.core', '_ufunc_reconstruct')).toBe('critical');
    expect(severity('asyncio.unix_events', '_UnixSubprocessTransport')).toBe('critical');
  });

  it('grades nested loaders critical and marks them as loaders', () => {
    const v = policy.classify('torch', 'load');
    expect(v.kind === 'dangerous' && v.category).toBe('nested-deserialization');
    expect(isNestedLoader(v)).toBe(true);
    expect(isNestedLoader(policy.classify('_pickle', 'loads'))).toBe(true);
    expect(isNestedLoader(policy.classify('torch.storage', '_load_from_bytes'))).toBe(true);
    expect(isNestedLoader(policy.classify('collections', 'OrderedDict'))).toBe(false);
  });

  it('grades file and network access high', () => {
    expect(severity('builtins', 'open')).toBe('high');
    expect(severity('shutil', 'rmtree')).toBe('high');
    expect(severity('socket', 'create_connection')).toBe('high');
    expect(severity('urllib.request', 'urlopen')).toBe('high');
    expect(severity('urllib', 'urlopen')).toBe('high');
    expect(severity('pathlib', 'Path.write_text')).toBe('high');
  });

  it('catches dangerous paths reached through dotted names under harmless modules', () => {
    // Protocol 4 resolves dotted names by getattr: torch imports os, so torch + "os.system" is os.system.
    expect(severity('torch', 'os.system')).toBe('critical');
    expect(severity('collections', 'os.system')).toBe('critical');
    expect(severity('numpy', 'testing._private.utils.runstring')).toBe('critical');
    expect(severity('torch._utils', '_rebuild_tensor_v2.__globals__')).toBe('critical');
    expect(severity('builtins', 'object.__subclasses__')).toBe('critical');
  });

  it('allows only exact names, never a dotted path below an allowed global', () => {
    expect(kind('collections', 'OrderedDict.fromkeys')).toBe('unknown');
    expect(kind('torch', 'FloatStorage.from_file')).toBe('unknown');
    expect(kind('sklearn.utils._testing', 'TempMemmap')).toBe('unknown');
    expect(kind('sklearn.linear_model', 'load_something')).toBe('unknown');
  });

  it('reports names nobody listed as unknown, not clean', () => {
    expect(kind('mypackage.models', 'Net')).toBe('unknown');
    expect(kind('builtins', 'print')).toBe('unknown');
  });

  it('lets users allow their own classes but never a dangerous global', () => {
    const custom = createImportPolicy({
      allow: ['mypackage.models.*', 'other.Thing', 'os.*', 'builtins.eval'],
    });
    expect(custom.classify('mypackage.models', 'Net').kind).toBe('allowed');
    expect(custom.classify('mypackage.models', 'Net.sub').kind).toBe('unknown');
    expect(custom.classify('other', 'Thing').kind).toBe('allowed');
    expect(custom.classify('os', 'system').kind).toBe('dangerous');
    expect(custom.classify('builtins', 'eval').kind).toBe('dangerous');
  });

  it('maps Python 2 names the way CPython does', () => {
    expect(canonicalGlobal('__builtin__', 'long')).toBe('builtins.int');
    expect(canonicalGlobal('copy_reg', '_reconstructor')).toBe('copyreg._reconstructor');
    expect(canonicalGlobal('__builtin__', 'reduce')).toBe('functools.reduce');
    expect(severity('__builtin__', 'reduce')).toBe('critical');
  });

  it('has no allowlisted global that the dangerous table also matches', () => {
    for (const entry of PICKLE_ALLOWLIST) {
      const dot = entry.global.lastIndexOf('.');
      const v = policy.classify(entry.global.slice(0, dot), entry.global.slice(dot + 1));
      expect(v.kind, entry.global).toBe('allowed');
    }
  });

  it('documents every dangerous entry with a reason and a reference', () => {
    for (const e of PICKLE_DANGEROUS) {
      expect(e.reason.length, e.pattern).toBeGreaterThan(5);
      expect(e.references.length, e.pattern).toBeGreaterThan(0);
    }
  });
});
