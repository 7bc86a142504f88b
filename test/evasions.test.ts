/**
 * Evasion techniques from public advisories, crossed with the callables they deliver, built here rather than
 * taken from any one sample: every combination must be reported at high or critical. Techniques: how the
 * global is named (GLOBAL, INST, STACK_GLOBAL from text, from the memo after decoys, from protocol-0 STRING
 * opcodes, a dotted path under an innocent module, Python 2 names), how it is called (REDUCE, OBJ, INST,
 * NEWOBJ_EX), and where the payload hides (after valid data, after a frame, in a second pickle, before junk
 * that makes parsers give up, nested in bytes handed to pickle.loads).
 */
import { describe, expect, it } from 'vitest';
import { severityRank } from '../src/core/finding.js';
import { OP } from '../src/formats/pickle/opcodes.js';
import { type PickleBuilder, pickle } from '../src/formats/pickle/test-support/builder.js';
import { dtype, padded, state, stream } from '../src/formats/pickle/test-support/joblib-builder.js';
import { analyseBytes } from '../src/scan/test-support.js';

/** Callables from picklescan bypass advisories and the FIELD-NOTES gadget list, with a string argument. */
const CALLABLES: readonly [string, string][] = [
  ['posix', 'system'],
  ['nt', 'system'],
  ['os', 'popen'],
  ['builtins', 'exec'],
  ['__builtin__', 'eval'],
  ['subprocess', 'getoutput'],
  ['commands', 'getoutput'],
  ['runpy', 'run_path'],
  ['timeit', 'timeit'],
  ['pkgutil', 'resolve_name'],
  ['pip._internal.cli.main', 'main'],
  ['cProfile', 'run'],
  ['code', 'interact'],
  ['uuid', '_get_command_stdout'],
  ['idlelib.calltip', 'get_entity'],
  ['torch.utils.collect_env', 'run'],
  ['torch.hub', 'load'],
  ['numpy.testing._private.utils', 'runstring'],
  ['importlib', 'import_module'],
  ['ctypes', 'CDLL'],
  ['_pickle', 'loads'],
  ['asyncio.unix_events', '_UnixSubprocessTransport'],
  ['operator', 'methodcaller'],
  ['functools', 'partial'],
  ['profile', 'run'],
  ['pty', 'spawn'],
  ['bdb', 'Bdb'],
  ['trace', 'Trace'],
  ['doctest', 'debug_script'],
  ['webbrowser', 'open'],
];

type Naming = (b: PickleBuilder, module: string, name: string) => PickleBuilder;

const NAMINGS: Record<string, Naming> = {
  GLOBAL: (b, m, n) => b.global(m, n),
  STACK_GLOBAL: (b, m, n) => b.stackGlobal(m, n),
  'STACK_GLOBAL from the memo after decoys': (b, m, n) =>
    b
      .unicode(m)
      .binput(7)
      .op(OP.POP)
      .unicode(n)
      .binput(8)
      .op(OP.POP)
      .unicode('collections')
      .unicode('OrderedDict')
      .op(OP.POP)
      .op(OP.POP)
      .binget(7)
      .binget(8)
      .op(OP.STACK_GLOBAL),
  'STACK_GLOBAL from STRING opcodes': (b, m, n) => b.string0(m).string0(n).op(OP.STACK_GLOBAL),
  'dotted path under an allowed module': (b, m, n) => b.stackGlobal('collections', `${m}.${n}`),
};

type Calling = (b: PickleBuilder, name: Naming, module: string, fn: string) => PickleBuilder;

const CALLINGS: Record<string, Calling> = {
  REDUCE: (b, name, m, n) => name(b, m, n).unicode('id').op(OP.TUPLE1).op(OP.REDUCE),
  OBJ: (b, name, m, n) => name(b.op(OP.MARK), m, n).unicode('id').op(OP.OBJ),
  NEWOBJ_EX: (b, name, m, n) => name(b, m, n).unicode('id').op(OP.TUPLE1).op(OP.EMPTY_DICT).op(OP.NEWOBJ_EX),
};

async function worst(bytes: Uint8Array, path = 'model.bin'): Promise<{ severity: number; rules: string[] }> {
  const result = await analyseBytes(bytes, path);
  return {
    severity: Math.max(-1, ...result.findings.map((f) => severityRank(f.severity))),
    rules: result.findings.map((f) => `${f.ruleId}:${f.severity}`),
  };
}

const HIGH = severityRank('high');

/** `module.name(arg)` as a protocol-2 pickle: GLOBAL, the argument, TUPLE1, REDUCE. */
const callPickle = (module: string, name: string, arg = 'x') =>
  pickle().proto(2).global(module, name).unicode(arg).op(OP.TUPLE1).op(OP.REDUCE).stop().build();

/** Each `module.name(arg)` must be reported at high or above. */
async function expectEachAtLeastHigh(
  callables: readonly (readonly [string, string])[],
  arg = 'x',
): Promise<void> {
  for (const [m, n] of callables) {
    expect((await worst(callPickle(m, n, arg))).severity, `${m}.${n}`).toBeGreaterThanOrEqual(HIGH);
  }
}

describe('evasion matrix: naming × calling × callable', () => {
  for (const [namingName, naming] of Object.entries(NAMINGS)) {
    for (const [callingName, calling] of Object.entries(CALLINGS)) {
      it(`${namingName} + ${callingName}`, async () => {
        const missed: string[] = [];
        for (const [m, n] of CALLABLES) {
          const bytes = calling(pickle().proto(4), naming, m, n).stop().build();
          const { severity, rules } = await worst(bytes);
          if (severity < HIGH) missed.push(`${m}.${n} -> ${rules.join(', ') || 'nothing'}`);
        }
        expect(missed).toEqual([]);
      });
    }
  }

  it('INST names and calls in one opcode (protocol 0)', async () => {
    for (const [m, n] of CALLABLES) {
      const bytes = pickle().op(OP.MARK).string0('id').inst(m, n).stop().build();
      expect((await worst(bytes)).severity, `${m}.${n}`).toBeGreaterThanOrEqual(HIGH);
    }
  });
});

const payload = (b: PickleBuilder) => b.global('posix', 'system').unicode('id').op(OP.TUPLE1).op(OP.REDUCE);

describe('where the payload hides', () => {
  it('before junk that makes other parsers give up (ModelScan drops findings on error)', async () => {
    const bytes = payload(pickle().proto(2)).raw([0xff, 0xfe, 0x00, 0x13]).build();
    const r = await worst(bytes);
    expect(r.severity).toBe(severityRank('critical'));
    expect(r.rules).toContain('PICKLE-MALFORMED:medium');
  });

  it('in a second pickle after a benign one', async () => {
    const first = pickle().proto(2).int(1).stop().build();
    const second = payload(pickle().proto(2)).stop().build();
    expect((await worst(Buffer.concat([first, second]))).severity).toBe(severityRank('critical'));
  });

  it('after an opcode that straddles a frame boundary', async () => {
    const bytes = payload(pickle().proto(4).frame(3).unicode('decoy').op(OP.POP)).stop().build();
    const r = await worst(bytes);
    expect(r.severity).toBe(severityRank('critical'));
  });

  it('inside bytes handed to pickle.loads, and base64 text handed to anything', async () => {
    const inner = payload(pickle().proto(2)).stop().build();
    const viaLoads = pickle()
      .proto(2)
      .global('pickle', 'loads')
      .bytes(inner)
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    expect((await worst(viaLoads)).severity).toBe(severityRank('critical'));
    const b64 = Buffer.from(inner).toString('base64');
    const viaText = pickle()
      .proto(2)
      .global('mypkg', 'Decoder')
      .unicode(b64)
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const r = await worst(viaText);
    expect(r.severity).toBe(severityRank('critical'));
  });

  it('in a raw pickle named like weights or text (content decides, not the name)', async () => {
    const bytes = payload(pickle().proto(2)).stop().build();
    for (const name of ['pytorch_model.bin', 'model.safetensors', 'README.txt', 'noextension']) {
      expect((await worst(bytes, name)).severity, name).toBe(severityRank('critical'));
    }
  });

  it('behind a computed PyTorch legacy magic number', async () => {
    const magic = pickle()
      .proto(2)
      .global('builtins', 'int')
      .unicode('0x1950a86a20f9469cfc6c')
      .int(16)
      .op(OP.TUPLE2)
      .op(OP.REDUCE)
      .stop()
      .build();
    const rest = [1, 2, 3].map(() => pickle().proto(2).op(OP.NONE).stop().build());
    const evil = payload(pickle().proto(2)).stop().build();
    expect((await worst(Buffer.concat([magic, ...rest, evil]))).severity).toBe(severityRank('critical'));
  });

  it('in an unknown callable handed Python source (a gadget nobody listed)', async () => {
    const bytes = pickle()
      .proto(2)
      .global('somelib.profiling', 'run_statement')
      .unicode("__import__('os').system('id')")
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });

  it('by tampering with an allowed global (BUILD on collections.OrderedDict)', async () => {
    const bytes = pickle()
      .proto(2)
      .global('collections', 'OrderedDict')
      .op(OP.EMPTY_DICT)
      .unicode('__reduce__')
      .global('posix', 'system')
      .op(OP.SETITEM)
      .op(OP.BUILD)
      .stop()
      .build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });
});

describe('compressed payloads inside a pickle', () => {
  it('analyses a zlib-compressed pickle constant', async () => {
    const { deflateSync } = await import('node:zlib');
    const inner = payload(pickle().proto(2)).stop().build();
    const bytes = pickle()
      .proto(2)
      .global('mypkg', 'Loader')
      .bytes(deflateSync(inner))
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const r = await worst(bytes);
    expect(r.severity).toBe(severityRank('critical'));
  });
});

/** Bypasses found by red-teaming this scanner (each reported below high before the fix). */
describe('red-team regressions', () => {
  const evil = payload(pickle().proto(2)).stop().build();
  const allFindings = async (bytes: Uint8Array, path = 'model.pkl') =>
    (await analyseBytes(bytes, path)).findings;

  it('a pickle with a zip appended is analysed as both (loaders decide by the first bytes)', async () => {
    const { buildZip } = await import('../src/formats/zip/test-support/zip-builder.js');
    for (const fixOffsets of [true, false]) {
      const bytes = buildZip([{ name: 'readme.txt', data: 'hello' }], { prefix: evil, fixOffsets });
      const found = await allFindings(bytes);
      const rules = found.map((f) => `${f.ruleId}:${f.severity}`);
      expect(rules).toContain('PICKLE-IMPORT-DANGEROUS:critical');
      expect(rules).toContain('ZIP-STRUCTURE:high');
    }
  });

  it('a nested loader handed bytes built from a list of ints, or computed bytes', async () => {
    const list = pickle()
      .proto(2)
      .global('torch.storage', '_load_from_bytes')
      .global('builtins', 'bytes')
      .op(OP.EMPTY_LIST)
      .op(OP.MARK);
    for (const b of evil) list.int(b);
    const bytes = list.op(OP.APPENDS).op(OP.TUPLE1).op(OP.REDUCE).op(OP.TUPLE1).op(OP.REDUCE).stop().build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
    const computed = pickle()
      .proto(2)
      .global('torch.storage', '_load_from_bytes')
      .global('mypkg', 'fetch')
      .unicode('blob')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    expect((await worst(computed)).rules).toContain('PICKLE-NESTED-OPAQUE:high');
  });

  it("joblib's legacy ZF compressed format", async () => {
    const { deflateSync } = await import('node:zlib');
    const header = Buffer.from(`ZF${`0x${evil.length.toString(16)}`.padEnd(19, ' ')}`, 'latin1');
    const r = await worst(Buffer.concat([header, deflateSync(evil)]), 'model.joblib');
    expect(r.severity).toBe(severityRank('critical'));
  });

  it('dotted names through module aliases (random._os.system, enum.bltns.exec)', async () => {
    for (const [m, n] of [
      ['random', '_os.system'],
      ['argparse', '_os.system'],
      ['enum', 'bltns.exec'],
      ['sklearn.base', 'np.Thing'],
    ]) {
      const bytes = pickle()
        .proto(4)
        .stackGlobal(m as string, n as string)
        .unicode('id')
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .stop()
        .build();
      expect((await worst(bytes)).severity, `${m}.${n}`).toBeGreaterThanOrEqual(HIGH);
    }
  });

  it('re-exported loaders, with an inner pickle that does not start with PROTO', async () => {
    const inner = Buffer.concat([Uint8Array.from([OP.NONE, OP.POP]), evil]);
    for (const [m, n] of [
      ['joblib.externals.loky.backend.reduction', 'loads'],
      ['somepkg.serialization', 'loads'],
    ]) {
      const bytes = pickle()
        .proto(2)
        .global(m as string, n as string)
        .bytes(inner)
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .stop()
        .build();
      expect((await worst(bytes)).severity, `${m}.${n}`).toBe(severityRank('critical'));
    }
  });

  it('unlisted re-exports of downloads, deletes and processes', async () => {
    await expectEachAtLeastHigh(
      [
        ['torch.utils.model_zoo', 'load_url'],
        ['scipy._lib._tmpdirs', 'rmtree'],
        ['torch.multiprocessing', 'Pool'],
        ['sklearn.utils._joblib', 'Memory'],
      ],
      '/x',
    );
  });
});

describe('red-team round 2: joblib array bytes', () => {
  it('a payload after array bytes whose size only the dtype state tells is critical', async () => {
    const bytes = stream(padded(3 * 64), { state: state({ dtype: dtype('|S8', { elsize: 64 }) }) });
    expect((await worst(bytes, 'model.joblib')).severity).toBe(severityRank('critical'));
  });

  it('a wrapper whose layout cannot be followed is high, not a medium parse error', async () => {
    const bytes = stream(padded(24), { state: state({ dtype: dtype('<f8', { flags: 1 }) }) });
    expect((await worst(bytes, 'model.joblib')).rules).toContain('PICKLE-MALFORMED:high');
  });

  it("joblib's legacy NDArrayWrapper, which makes joblib.load open a named file, is high", async () => {
    for (const cls of ['NDArrayWrapper', 'ZNDArrayWrapper']) {
      const bytes = pickle()
        .proto(2)
        .global('joblib.numpy_pickle', cls)
        .op(OP.EMPTY_TUPLE)
        .op(OP.NEWOBJ)
        .op(OP.EMPTY_DICT)
        .unicode('filename')
        .unicode('/tmp/x.npy')
        .op(OP.SETITEM)
        .op(OP.BUILD)
        .stop()
        .build();
      expect((await worst(bytes, 'model.joblib')).rules).toContain('PICKLE-IMPORT-DANGEROUS:high');
    }
  });
});

describe('red-team round 2: zip members only one loader sees', () => {
  const evil = payload(pickle().proto(2)).stop().build();

  it('a stored data.pkl whose declared size covers more than its compressed size (miniz reads it all)', async () => {
    const { buildZip } = await import('../src/formats/zip/test-support/zip-builder.js');
    const bytes = buildZip([
      { name: 'archive/data.pkl', data: evil, compressedSize: 4, uncompressedSize: evil.length },
      { name: 'archive/version', data: '3\n' },
    ]);
    const r = await worst(bytes, 'model.pt');
    expect(r.severity).toBe(severityRank('critical'));
    expect(r.rules.some((rule) => rule.startsWith('ZIP-STRUCTURE:'))).toBe(true);
  });

  it('members past the end record count (zipfile and numpy.load read them)', async () => {
    const { buildZip } = await import('../src/formats/zip/test-support/zip-builder.js');
    const bytes = buildZip(
      [
        { name: 'weights.npy', data: '\x93NUMPY' },
        { name: 'hidden.pkl', data: evil },
      ],
      { declaredEntries: 1 },
    );
    expect((await worst(bytes, 'model.npz')).severity).toBe(severityRank('critical'));
  });
});

describe('red-team round 3: loaders reached indirectly', () => {
  const evil = payload(pickle().proto(2)).stop().build();
  /** `(1` then the payload: MARK, POP_MARK; starts like no pickle a content sniffer knows. */
  const hidden = Uint8Array.from([0x28, 0x31, ...evil]);
  const loadFromBytes = (b: PickleBuilder, data: Uint8Array) =>
    b.global('torch.storage', '_load_from_bytes').bytes(data).op(OP.TUPLE1).op(OP.REDUCE);

  it('a loader handed to an allowed function that calls it (numpy.random._pickle.__generator_ctor)', async () => {
    const bytes = pickle()
      .proto(2)
      .global('numpy.random._pickle', '__generator_ctor')
      .bytes(hidden)
      .global('torch.storage', '_load_from_bytes')
      .op(OP.TUPLE2)
      .op(OP.REDUCE)
      .stop()
      .build();
    expect((await worst(bytes)).rules).toContain('PICKLE-NESTED-OPAQUE:high');
  });

  it('every call of a loader is analysed, not only the first (a harmless decoy first)', async () => {
    const harmless = pickle().proto(2).op(OP.NONE).stop().build();
    const b = pickle().proto(2).op(OP.MARK);
    loadFromBytes(b, harmless);
    loadFromBytes(b, hidden);
    const bytes = b.op(OP.LIST).stop().build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });

  it('a long loader argument is analysed whole, not only the prefix the simulator keeps', async () => {
    const padded = pickle().proto(2).op(OP.MARK).raw(new Uint8Array(8000).fill(0x4e)).op(OP.POP_MARK).build();
    const data = Uint8Array.from([0x28, 0x31, ...padded.subarray(2), ...evil.subarray(2)]);
    const bytes = loadFromBytes(pickle().proto(2), data).stop().build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });

  it('bytes encoded with a codec other than latin-1 (utf-16-be exactly, cp037 as unknown)', async () => {
    // Characters whose UTF-16-BE encoding is the payload: pairs of payload bytes as code units.
    const units: number[] = [];
    const even = hidden.length % 2 === 0 ? hidden : Uint8Array.from([...hidden, 0x2e]);
    for (let i = 0; i < even.length; i += 2) units.push(((even[i] as number) << 8) | (even[i + 1] as number));
    const encoded = (enc: string, s: string) =>
      pickle()
        .proto(2)
        .global('torch.storage', '_load_from_bytes')
        .global('_codecs', 'encode')
        .unicode(s)
        .unicode(enc)
        .op(OP.TUPLE2)
        .op(OP.REDUCE)
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .stop()
        .build();
    const asUtf16 = String.fromCharCode(...units);
    expect((await worst(encoded('utf-16-be', asUtf16))).severity).toBe(severityRank('critical'));
    expect((await worst(encoded('cp037', 'abcdefgh'))).rules).toContain('PICKLE-NESTED-OPAQUE:high');
  });

  it('a zip checkpoint handed to a loader is analysed as a checkpoint', async () => {
    const { buildZip } = await import('../src/formats/zip/test-support/zip-builder.js');
    const zip = buildZip([
      { name: 'archive/data.pkl', data: evil },
      { name: 'archive/version', data: '3\n' },
    ]);
    const bytes = loadFromBytes(pickle().proto(2), zip).stop().build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });

  it('callables that run commands, fetch URLs or write files that were missing from the table', async () => {
    await expectEachAtLeastHigh([
      ['uuid', '_find_mac_near_keyword'],
      ['uuid', '_find_mac_under_heading'],
      ['asyncio', 'run'],
      ['asyncio', 'create_subprocess_shell'],
      ['numpy.lib._npyio_impl', 'savetxt'],
      ['numpy.lib._npyio_impl', 'load'],
      ['numpy.lib._datasource', 'open'],
      ['xml.sax', 'parse'],
      ['_pyio', 'open'],
    ]);
  });

  it("CPython's own type(None) is not reported; type with three arguments still is", async () => {
    const typeOf = (push: (b: PickleBuilder) => PickleBuilder) =>
      push(pickle().proto(2).global('builtins', 'type')).op(OP.REDUCE).stop().build();
    expect((await worst(typeOf((b) => b.op(OP.NONE).op(OP.TUPLE1)))).severity).toBeLessThan(HIGH);
    expect(
      (await worst(typeOf((b) => b.global('builtins', 'NotImplemented').op(OP.TUPLE1)))).severity,
    ).toBeLessThan(HIGH);
    const three = typeOf((b) => b.unicode('X').op(OP.EMPTY_TUPLE).op(OP.EMPTY_DICT).op(OP.TUPLE3));
    expect((await worst(three)).severity).toBeGreaterThanOrEqual(HIGH);
  });
});

describe("red-team round 4: lines CPython's unpicklers read their own way", () => {
  const payload0 = 'cposix\nsystem\n(Vid\ntR.';
  const p0 = (prefix: string) => Buffer.from(`${prefix}${payload0}`, 'latin1');

  it('protocol-0 numbers only the C unpickler accepts (hex, octal, binary INT; NUL-cut LONG, FLOAT, GET)', async () => {
    for (const prefix of [
      'I0x1\n0',
      'I0o7\n0',
      'I0b1\n0',
      'I0777\n0',
      'L0x10L\n0',
      'L5\0L\n0',
      'F1.5\0x\n0',
      'Np1_0\ng10\n0',
    ]) {
      expect((await worst(p0(prefix))).severity, JSON.stringify(prefix)).toBe(severityRank('critical'));
      const proto2 = Buffer.concat([Buffer.from([0x80, 2]), p0(prefix)]);
      expect((await worst(proto2)).severity, `PROTO 2 ${JSON.stringify(prefix)}`).toBe(
        severityRank('critical'),
      );
    }
  });

  it('lines only the pure-Python unpickler accepts, which joblib.load uses on any pickle', async () => {
    for (const prefix of ['F1_0\n0']) {
      expect((await worst(p0(prefix), 'model.joblib')).severity, prefix).toBe(severityRank('critical'));
    }
  });

  it('bytes rebuilt from C-octal INT lines are the bytes the C unpickler builds', async () => {
    const evil = pickle()
      .proto(2)
      .global('posix', 'system')
      .unicode('id')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const b = pickle()
      .proto(2)
      .global('torch.storage', '_load_from_bytes')
      .global('builtins', 'bytes')
      .op(OP.MARK)
      .op(OP.LIST);
    for (const byte of evil)
      b.op(OP.INT)
        .raw(`0${byte.toString(8)}\n`)
        .op(OP.APPEND);
    const bytes = b.op(OP.TUPLE1).op(OP.REDUCE).op(OP.TUPLE1).op(OP.REDUCE).stop().build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });
});

describe('red-team round 4: payloads after an analysis limit', () => {
  const payload = Buffer.from('cposix\nsystem\n(Vid\ntR.', 'latin1');

  it('more nested MARKs than the simulator keeps, then a payload CPython reaches', async () => {
    const marks = Buffer.alloc(1_000_001, 0x28);
    const r = await worst(Buffer.concat([marks, payload]));
    expect(r.rules).toContain('PICKLE-MALFORMED:medium');
    expect(r.severity).toBe(severityRank('critical'));
  });

  it('a STACK_GLOBAL payload after the limit is found too', async () => {
    const marks = Buffer.alloc(1_000_001, 0x28);
    const stack = pickle()
      .unicode('posix')
      .op(OP.MEMOIZE)
      .unicode('system')
      .op(OP.MEMOIZE)
      .op(OP.STACK_GLOBAL)
      .build();
    expect((await worst(Buffer.concat([Buffer.from([0x80, 4]), marks, stack]))).severity).toBe(
      severityRank('critical'),
    );
  });
});

describe('red-team round 4: names an allowed package only re-exports', () => {
  it('tempfile, subprocess and friends under an allowed package are graded as what they are', async () => {
    await expectEachAtLeastHigh([
      ['sklearn.utils.tests.test_validation', 'NamedTemporaryFile'],
      ['sklearn.utils.fixes', 'Popen'],
      ['somepkg.helpers', 'check_output'],
    ]);
  });
});

describe('red-team round 5', () => {
  const evil = payload(pickle().proto(2)).stop().build();

  it('a loader passed as a value in the 65th call of a call site (beyond the kept calls)', async () => {
    const b = pickle().proto(2).op(OP.MARK);
    for (let i = 0; i < 64; i++)
      b.global('numpy.random._pickle', '__generator_ctor').unicode('MT19937').op(OP.TUPLE1).op(OP.REDUCE);
    b.global('numpy.random._pickle', '__generator_ctor')
      .bytes(Uint8Array.from([0x4e, 0x30, ...evil]))
      .global('torch.storage', '_load_from_bytes')
      .op(OP.TUPLE2)
      .op(OP.REDUCE);
    expect((await worst(b.op(OP.LIST).stop().build())).rules).toContain('PICKLE-NESTED-OPAQUE:high');
  });

  it('an INT line padded with whitespace (valid to both unpicklers) does not stop the analysis', async () => {
    const bytes = pickle()
      .proto(2)
      .op(OP.INT)
      .raw(`${' '.repeat(5000)}1\n`)
      .op(OP.POP)
      .op(0x58, [5, 0, 0, 0])
      .raw('posix')
      .op(0x58, [6, 0, 0, 0])
      .raw('system')
      .op(OP.STACK_GLOBAL)
      .unicode('id')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });

  it("byte strings torch.load reads as UTF-8 (encoding='utf-8'), re-encoded to the payload", async () => {
    const text = Buffer.from(Buffer.from(evil).toString('latin1'), 'utf8');
    const bytes = pickle()
      .proto(2)
      .global('torch.storage', '_load_from_bytes')
      .global('_codecs', 'encode')
      .op(OP.BINSTRING, [text.length & 0xff, text.length >> 8, 0, 0])
      .raw(text)
      .unicode('latin1')
      .op(OP.TUPLE2)
      .op(OP.REDUCE)
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    expect((await worst(bytes, 'model.pt')).severity).toBe(severityRank('critical'));
  });

  it('subinterpreters, file writers and import-time side effects missing from the table', async () => {
    await expectEachAtLeastHigh([
      ['_xxsubinterpreters', 'run_string'],
      ['_interpreters', 'exec'],
      ['wave', 'open'],
      ['readline', 'write_history_file'],
      ['antigravity', 'geohash'],
    ]);
  });

  it('numpy.memmap named only as the subtype of _reconstruct (a pickled memmap slice) is not high', async () => {
    const reconstruct = (subtype: (b: PickleBuilder) => PickleBuilder) =>
      subtype(pickle().proto(2).global('numpy.core.multiarray', '_reconstruct'))
        .int(0)
        .op(OP.TUPLE1)
        .bytes([0x62])
        .op(OP.TUPLE3)
        .op(OP.REDUCE)
        .stop()
        .build();
    const asSubtype = (b: PickleBuilder) => b.global('numpy', 'memmap');
    expect((await worst(reconstruct(asSubtype))).severity).toBeLessThan(HIGH);
    const called = pickle()
      .proto(2)
      .global('numpy', 'memmap')
      .unicode('/etc/passwd')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    expect((await worst(called)).severity).toBeGreaterThanOrEqual(HIGH);
  });
});

describe('red-team round 6', () => {
  const evil = payload(pickle().proto(2)).stop().build();

  it('allowed decoy imports after an analysis limit do not use up the byte scan', async () => {
    const decoys = Array.from({ length: 1200 }, (_, i) => `csklearn.a\nC${i}\n`).join('');
    const bytes = Buffer.concat([
      Buffer.alloc(1_000_001, 0x28),
      Buffer.from('B', 'latin1'),
      Buffer.from(Uint32Array.of(decoys.length).buffer),
      Buffer.from(decoys, 'latin1'),
      Buffer.from('0cposix\nsystem\n(Vid\ntR.', 'latin1'),
    ]);
    expect((await worst(bytes)).severity).toBe(severityRank('critical'));
  });

  it('loaders nested deeper than analysed are high, not a medium limit', async () => {
    let inner = evil;
    for (let i = 0; i < 4; i++) {
      inner = pickle()
        .proto(2)
        .global('torch.storage', '_load_from_bytes')
        .bytes(inner)
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .stop()
        .build();
    }
    expect((await worst(inner)).rules).toContain('PICKLE-NESTED-OPAQUE:high');
  });

  it('memo-shared argument trees called many times stay cheap to render and search', async () => {
    // 8 levels of lists, each holding the previous one 16 times: 16^8 paths, a few hundred bytes.
    const b = pickle().proto(2).op(OP.EMPTY_LIST).op(OP.MARK);
    for (let i = 0; i < 16; i++) b.int(1);
    b.op(OP.APPENDS).op(OP.BINPUT, [0]).op(OP.POP);
    for (let level = 1; level < 8; level++) {
      b.op(OP.EMPTY_LIST).op(OP.MARK);
      for (let i = 0; i < 16; i++) b.binget(level - 1);
      b.op(OP.APPENDS).op(OP.BINPUT, [level]).op(OP.POP);
    }
    b.global('somelib', 'helper').op(OP.BINPUT, [20]).op(OP.POP);
    for (let i = 0; i < 200; i++) b.binget(20).binget(7).op(OP.TUPLE1).op(OP.REDUCE).op(OP.REDUCE).op(OP.POP);
    const r = await worst(b.op(OP.NONE).stop().build());
    expect(r.rules).toContain('PICKLE-IMPORT-UNKNOWN:medium');
  });
});
