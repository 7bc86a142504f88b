/**
 * The import policy for pickles: allowlist first, a severity table only to grade what is not allowed.
 *
 * Denylist scanners keep losing to callables nobody listed (picklescan has 60+ bypass advisories, a 2025
 * study counts 133 exploitable gadgets; FIELD-NOTES). Here a global is `allowed` only if real PyTorch,
 * NumPy, scikit-learn, joblib, collections or transformers checkpoints need it; anything else is at least
 * `unknown` (medium), and the dangerous table raises known-bad callables to critical or high.
 */
import { PICKLE_ALLOW_RULES, PICKLE_ALLOWLIST } from './policy-allow.js';
import { type DangerCategory, type DangerEntry, PICKLE_DANGEROUS } from './policy-danger.js';

export { PICKLE_ALLOWLIST } from './policy-allow.js';
export type { DangerCategory } from './policy-danger.js';
export { PICKLE_DANGEROUS } from './policy-danger.js';

export type ImportVerdict =
  | { kind: 'allowed'; canonical: string; reason: string }
  | {
      kind: 'dangerous';
      canonical: string;
      severity: 'critical' | 'high' | 'medium';
      category: DangerCategory;
      reason: string;
      references: readonly string[];
    }
  | { kind: 'unknown'; canonical: string };

export interface ImportPolicy {
  classify(module: string, name: string): ImportVerdict;
}

/**
 * Python 2 module names mapped the way CPython's unpickler does for protocols < 3 with fix_imports
 * (Lib/_compat_pickle.py IMPORT_MAPPING). Applied whatever the protocol: it only makes matching stricter.
 */
const IMPORT_MAPPING: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  exceptions: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  tkFileDialog: 'tkinter.filedialog',
  tkSimpleDialog: 'tkinter.simpledialog',
  tkColorChooser: 'tkinter.colorchooser',
  tkCommonDialog: 'tkinter.commondialog',
  Dialog: 'tkinter.dialog',
  Tkdnd: 'tkinter.dnd',
  tkFont: 'tkinter.font',
  tkMessageBox: 'tkinter.messagebox',
  ScrolledText: 'tkinter.scrolledtext',
  Tkconstants: 'tkinter.constants',
  Tix: 'tkinter.tix',
  ttk: 'tkinter.ttk',
  Tkinter: 'tkinter',
  markupbase: '_markupbase',
  _winreg: 'winreg',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb',
  dbm: 'dbm.ndbm',
  gdbm: 'dbm.gnu',
  xmlrpclib: 'xmlrpc.client',
  SimpleXMLRPCServer: 'xmlrpc.server',
  httplib: 'http.client',
  htmlentitydefs: 'html.entities',
  HTMLParser: 'html.parser',
  Cookie: 'http.cookies',
  cookielib: 'http.cookiejar',
  BaseHTTPServer: 'http.server',
  test_support: 'test.support',
  commands: 'subprocess',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  urllib2: 'urllib.request',
  anydbm: 'dbm',
  _abcoll: 'collections.abc',
  cPickle: 'pickle',
  _elementtree: 'xml.etree.ElementTree',
  FileDialog: 'tkinter.filedialog',
  SimpleDialog: 'tkinter.simpledialog',
  DocXMLRPCServer: 'xmlrpc.server',
  SimpleHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  whichdb: 'dbm',
  StringIO: 'io',
  cStringIO: 'io',
};

/** (module, name) pairs renamed in Python 3 (Lib/_compat_pickle.py NAME_MAPPING), the ones that matter here. */
const NAME_MAPPING: Readonly<Record<string, string>> = {
  '__builtin__.xrange': 'builtins.range',
  '__builtin__.reduce': 'functools.reduce',
  '__builtin__.intern': 'sys.intern',
  '__builtin__.unichr': 'builtins.chr',
  '__builtin__.unicode': 'builtins.str',
  '__builtin__.long': 'builtins.int',
  'itertools.izip': 'builtins.zip',
  'itertools.imap': 'builtins.map',
  'itertools.ifilter': 'builtins.filter',
  'itertools.ifilterfalse': 'itertools.filterfalse',
  'itertools.izip_longest': 'itertools.zip_longest',
  'UserDict.IterableUserDict': 'collections.UserDict',
  'UserList.UserList': 'collections.UserList',
  'UserString.UserString': 'collections.UserString',
  'whichdb.whichdb': 'dbm.whichdb',
  '_socket.fromfd': 'socket.fromfd',
  '_multiprocessing.Connection': 'multiprocessing.connection.Connection',
  'multiprocessing.process.Process': 'multiprocessing.context.Process',
  'multiprocessing.forking.Popen': 'multiprocessing.popen_fork.Popen',
  'urllib.ContentTooShortError': 'urllib.error.ContentTooShortError',
  'urllib.getproxies': 'urllib.request.getproxies',
  'urllib.pathname2url': 'urllib.request.pathname2url',
  'urllib.quote_plus': 'urllib.parse.quote_plus',
  'urllib.quote': 'urllib.parse.quote',
  'urllib.unquote_plus': 'urllib.parse.unquote_plus',
  'urllib.unquote': 'urllib.parse.unquote',
  'urllib.url2pathname': 'urllib.request.url2pathname',
  'urllib.urlcleanup': 'urllib.request.urlcleanup',
  'urllib.urlencode': 'urllib.parse.urlencode',
  'urllib.urlopen': 'urllib.request.urlopen',
  'urllib.urlretrieve': 'urllib.request.urlretrieve',
  'urllib2.HTTPError': 'urllib.error.HTTPError',
  'urllib2.URLError': 'urllib.error.URLError',
};

/** Attribute names that reach interpreter internals: any global path through them is code execution. */
const DUNDER_ESCAPES = new Set([
  '__globals__',
  '__builtins__',
  '__subclasses__',
  '__code__',
  '__closure__',
  '__func__',
  '__self__',
  '__reduce__',
  '__reduce_ex__',
  '__getattribute__',
  '__getattr__',
  '__setattr__',
  '__delattr__',
  '__class__',
  '__dict__',
  '__init__',
  '__new__',
  '__call__',
  '__import__',
  '__loader__',
  '__spec__',
  '__mro__',
  '__bases__',
  '__base__',
  '__module__',
  '__setstate__',
  '__getstate__',
  '__init_subclass__',
  '__class_getitem__',
  '__get__',
  '__set__',
  '__wrapped__',
]);

/** Normalises a pickled (module, name) to the Python 3 dotted path CPython would import. */
export function canonicalGlobal(module: string, name: string): string {
  const mapped = NAME_MAPPING[`${module}.${name}`];
  if (mapped !== undefined) return mapped;
  const mod = IMPORT_MAPPING[module] ?? module;
  return `${mod}.${name}`;
}

/** Function names that deserialize their argument in pickle, joblib, dill, cloudpickle and their re-exports. */
const LOADER_NAMES = new Set([
  'loads',
  'load',
  'load_pickle',
  'unpickle',
  'Unpickler',
  'load_compatibility',
  'read_zfile',
  '_load_from_bytes',
]);

function matchesPath(path: string, pattern: string): boolean {
  return path === pattern || path.startsWith(`${pattern}.`);
}

const SEVERITY_ORDER = { critical: 3, high: 2, medium: 1 } as const;

/**
 * The paths a global can really reach. CPython (protocol >= 4) resolves dotted names by getattr chains, so
 * `torch` + `os.system` is os.system (torch imports os), and `x` + `a.b.c` may be module `a`'s `b.c` if
 * `x.a` is a module: every suffix of the dotted name with two or more parts is a candidate.
 */
function candidatePaths(module: string, name: string): string[] {
  const full = canonicalGlobal(module, name);
  const parts = name.split('.');
  const out = [full, `${module}.${name}`];
  for (let i = 0; i < parts.length - 1; i++) {
    const suffix = parts.slice(i).join('.');
    out.push(suffix);
    const [head, ...rest] = parts.slice(i);
    const mappedHead = head !== undefined ? IMPORT_MAPPING[head] : undefined;
    if (mappedHead !== undefined) out.push([mappedHead, ...rest].join('.'));
  }
  return out;
}

function worstDanger(paths: readonly string[]): DangerEntry | undefined {
  let worst: DangerEntry | undefined;
  for (const entry of PICKLE_DANGEROUS) {
    if (!paths.some((p) => matchesPath(p, entry.pattern))) continue;
    if (entry.except?.some((e) => paths[0] === e)) continue;
    if (worst === undefined || SEVERITY_ORDER[entry.severity] > SEVERITY_ORDER[worst.severity]) worst = entry;
  }
  return worst;
}

const ALLOWED = new Map(PICKLE_ALLOWLIST.map((e) => [e.global, e.reason]));

function userAllows(patterns: readonly string[], canonical: string, raw: string): boolean {
  for (const p of patterns) {
    if (p.endsWith('.*')) {
      const mod = p.slice(0, -2);
      // `module.*` covers the module's top-level names only, never a dotted path deeper into them.
      for (const c of [canonical, raw]) {
        if (c.startsWith(`${mod}.`) && !c.slice(mod.length + 1).includes('.')) return true;
      }
    } else if (p === canonical || p === raw) return true;
  }
  return false;
}

/**
 * Creates the policy. `allow` adds the user's own classes (`module.Name` or `module.*`); it lifts only the
 * "unknown" verdict and can never un-flag a dangerous global.
 */
export function createImportPolicy(options: { allow?: readonly string[] } = {}): ImportPolicy {
  const userAllow = options.allow ?? [];
  return {
    classify(module: string, name: string): ImportVerdict {
      const canonical = canonicalGlobal(module, name);
      const raw = `${module}.${name}`;
      const nameParts = name.split('.');
      const dunder = nameParts.find((p, i) => (i > 0 || nameParts.length > 1) && DUNDER_ESCAPES.has(p));
      if (dunder !== undefined) {
        return {
          kind: 'dangerous',
          canonical,
          severity: 'critical',
          category: 'attribute-access',
          reason: `the dotted name walks through ${dunder}, which reaches interpreter internals (functions' globals, builtins, subclasses)`,
          references: ['https://docs.python.org/3/library/pickle.html#restricting-globals'],
        };
      }
      // `pkg.__main__` is a package's command-line entry point (torch.utils.bottleneck.__main__ runs
      // statements under a profiler); plain `__main__` is where scripts define their classes and stays unknown.
      if (/\.__main__(\.|$)/.test(`${module}.${name}`)) {
        return {
          kind: 'dangerous',
          canonical,
          severity: 'critical',
          category: 'code-execution',
          reason: "it is a package's command-line entry point, whose functions run scripts and statements",
          references: ['https://docs.python.org/3/library/__main__.html'],
        };
      }
      const danger = worstDanger(candidatePaths(module, name));
      if (danger !== undefined) {
        return {
          kind: 'dangerous',
          canonical,
          severity: danger.severity,
          category: danger.category,
          reason: danger.reason,
          references: danger.references,
        };
      }
      // Only an exact match of the whole (dotted) path is allowed; rules cover top-level names only, so
      // `sklearn.base` + `np.Thing` cannot borrow the sklearn rule for a NumPy attribute.
      const exact = ALLOWED.get(canonical) ?? ALLOWED.get(raw);
      if (exact !== undefined) return { kind: 'allowed', canonical, reason: exact };
      if (nameParts.length === 1) {
        for (const rule of PICKLE_ALLOW_RULES) {
          if (rule.test(canonical)) return { kind: 'allowed', canonical, reason: rule.reason };
        }
      }
      if (userAllows(userAllow, canonical, raw)) {
        return { kind: 'allowed', canonical, reason: 'allowed by pickle.allow in pedigree.yaml' };
      }
      // Protocol 4 resolves `a.b.c` by getattr from the module, so a lower-case or private step is a module
      // attribute, very often another module imported under an alias (`random._os.system` is os.system,
      // `enum.bltns.exec` is builtins.exec). Real pickles only walk through classes (`Outer.Inner`).
      const step = nameParts.slice(0, -1).find((part) => !/^[A-Z]/.test(part));
      if (step !== undefined) {
        return {
          kind: 'dangerous',
          canonical,
          severity: 'high',
          category: 'attribute-access',
          reason: `the dotted name walks through the module attribute '${step}', which may be another module imported under an alias; real pickles only walk through classes`,
          references: ['https://docs.python.org/3/library/pickle.html#restricting-globals'],
        };
      }
      // A re-exported loader (`from pickle import loads` in some helper module) is still a loader.
      if (LOADER_NAMES.has(nameParts[nameParts.length - 1] as string)) {
        return {
          kind: 'dangerous',
          canonical,
          severity: 'high',
          category: 'nested-deserialization',
          reason:
            'an unlisted function named like a deserializer, often a re-export of pickle.loads; its argument is analysed as a nested pickle',
          references: ['https://docs.python.org/3/library/pickle.html#restricting-globals'],
        };
      }
      // Likewise a re-exported process launcher or file helper (`from tempfile import NamedTemporaryFile` in
      // a test module of an allowed package) does what the original does.
      const reexport = REEXPORTED_DANGER.get(nameParts[nameParts.length - 1] as string);
      if (reexport !== undefined) {
        return {
          kind: 'dangerous',
          canonical,
          severity: reexport.severity,
          category: reexport.category,
          reason: `${reexport.reason} (usually the standard library's, re-exported by this module)`,
          references: ['https://docs.python.org/3/library/pickle.html#restricting-globals'],
        };
      }
      return { kind: 'unknown', canonical };
    },
  };
}

const PROCESS_NAMES = [
  'Popen',
  'getoutput',
  'getstatusoutput',
  'check_output',
  'check_call',
  'system',
  'popen',
  'startfile',
];
const SPAWN_NAMES = [
  'execl',
  'execle',
  'execlp',
  'execlpe',
  'execv',
  'execve',
  'execvp',
  'execvpe',
  'spawnl',
  'spawnle',
  'spawnlp',
  'spawnlpe',
  'spawnv',
  'spawnve',
  'spawnvp',
  'spawnvpe',
  'posix_spawn',
  'posix_spawnp',
];
const FILE_NAMES = [
  'NamedTemporaryFile',
  'TemporaryFile',
  'SpooledTemporaryFile',
  'TemporaryDirectory',
  'mkstemp',
  'mkdtemp',
  'rmtree',
  'copyfile',
  'copytree',
  'urlopen',
  'urlretrieve',
];

/** Names that run processes or reach files and URLs wherever they are imported from. */
const REEXPORTED_DANGER = new Map<
  string,
  { severity: 'critical' | 'high'; category: DangerCategory; reason: string }
>([
  ...[...PROCESS_NAMES, ...SPAWN_NAMES].map(
    (n) =>
      [
        n,
        {
          severity: 'critical',
          category: 'code-execution',
          reason: `is named like the process launcher ${n}`,
        },
      ] as const,
  ),
  ...FILE_NAMES.map(
    (n) =>
      [
        n,
        { severity: 'high', category: 'file-access', reason: `is named like the file or URL helper ${n}` },
      ] as const,
  ),
]);

/** Globals whose first argument is more serialized data to analyse (the call loads it). */
export function isNestedLoader(verdict: ImportVerdict): boolean {
  return (
    (verdict.kind === 'dangerous' && verdict.category === 'nested-deserialization') ||
    (verdict.kind === 'allowed' && verdict.canonical === 'torch.storage._load_from_bytes')
  );
}

/** The policy tables as Markdown, for documentation. */
export function describePolicyMarkdown(): string {
  const lines = [
    '## Dangerous globals',
    '',
    '| pattern | severity | category | why |',
    '| --- | --- | --- | --- |',
  ];
  for (const e of PICKLE_DANGEROUS)
    lines.push(`| \`${e.pattern}\` | ${e.severity} | ${e.category} | ${e.reason} |`);
  lines.push('', '## Allowed globals', '', '| global | why |', '| --- | --- |');
  for (const e of PICKLE_ALLOWLIST) lines.push(`| \`${e.global}\` | ${e.reason} |`);
  for (const r of PICKLE_ALLOW_RULES) lines.push(`| ${r.description} | ${r.reason} |`);
  return `${lines.join('\n')}\n`;
}
