import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { OP } from './opcodes.js';
import { decodeEscapes, decodeLong, decodeRawUnicodeEscape, simulatePickle } from './simulate.js';
import { pickle, u32, u64 } from './test-support/builder.js';
import { renderValue } from './values.js';

const names = (bytes: Uint8Array) => simulatePickle(bytes).imports.map((i) => `${i.module}.${i.name}`);
const calls = (bytes: Uint8Array) => simulatePickle(bytes).calls.map((c) => renderValue(c.call));

describe('simulatePickle', () => {
  describe('constants and numbers', () => {
    it('decodes every integer opcode', () => {
      const p = pickle()
        .proto(2)
        .op(OP.MARK)
        .op(OP.BININT1, [7])
        .op(OP.BININT2, [0x34, 0x12])
        .op(OP.BININT, u32(0xfffffffe))
        .op(OP.LONG1, [2, 0xff, 0x7f])
        .op(OP.LONG4, u32(1), [0x80])
        .op(OP.INT)
        .raw('-42\n')
        .op(OP.INT)
        .raw('01\n')
        .op(OP.LONG)
        .raw('123456789012345678901234567890L\n')
        .op(OP.TUPLE)
        .stop()
        .build();
      const run = simulatePickle(p);
      expect(run.error).toBeUndefined();
      expect(renderValue(run.result!)).toBe(
        '(7, 4660, -2, 32767, -128, -42, True, 123456789012345678901234567890)',
      );
    });

    it('decodes floats, None and booleans', () => {
      const p = pickle()
        .op(OP.MARK)
        .op(OP.FLOAT)
        .raw('1.5\n')
        .op(OP.BINFLOAT, [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18])
        .op(OP.NONE)
        .op(OP.NEWTRUE)
        .op(OP.NEWFALSE)
        .op(OP.TUPLE)
        .stop()
        .build();
      expect(renderValue(simulatePickle(p).result!)).toBe('(1.5, 3.141592653589793, None, True, False)');
    });

    it('decodes every string and bytes opcode', () => {
      const p = pickle()
        .op(OP.MARK)
        .string0('a\\nb')
        .op(OP.BINSTRING, u32(2))
        .raw('cd')
        .op(OP.SHORT_BINSTRING, [1])
        .raw('e')
        .op(OP.UNICODE)
        .raw('caf\\u00e9\n')
        .op(OP.BINUNICODE, u32(2))
        .raw('fg')
        .unicode('h')
        .op(OP.BINUNICODE8, u64(1))
        .raw('i')
        .bytes([1, 2])
        .op(OP.BINBYTES8, u64(1), [3])
        .op(OP.BYTEARRAY8, u64(1), [4])
        .op(OP.TUPLE)
        .stop()
        .build();
      const result = simulatePickle(p).result as { items: Parameters<typeof renderValue>[0][] };
      expect(result.items.map((v) => renderValue(v))).toEqual([
        "'a\\nb'",
        "'cd'",
        "'e'",
        "'café'",
        "'fg'",
        "'h'",
        "'i'",
        "b'\\x01\\x02'",
        "b'\\x03'",
        "bytearray(b'\\x04')",
      ]);
    });
  });

  describe("protocol-0 lines read by CPython's two unpicklers", () => {
    const line = (op: number, text: string) => pickle().op(op).raw(`${text}\n`).stop().build();
    const value = (bytes: Uint8Array, dialect?: 'c' | 'python') => {
      const run = simulatePickle(bytes, 0, dialect ? { dialect } : {});
      return { value: run.error ? run.error.code : renderValue(run.result!), divergent: run.divergent };
    };

    it('reads INT as C strtol(s, 0) does, and as int(s, 0) for the pure-Python unpickler', () => {
      // [text, C reading, Python reading] from _pickle.c load_int and pickle.py load_int
      const cases: [string, string, string][] = [
        ['42', '42', '42'],
        ['0143', '99', 'BAD_VALUE'],
        ['0x1f', '31', '31'],
        ['0o17', '15', '15'],
        ['1_0', '10', '10'],
        ['01', 'True', 'True'],
        ['+1', 'True', '1'],
        ['7\0junk', '7', 'BAD_VALUE'],
        ['\0x', 'False', 'BAD_VALUE'], // strtol parses nothing and stops at the NUL; len == 3 makes it a bool
        ['\0xy', '0', 'BAD_VALUE'],
        ['99999999999999999999', '99999999999999999999', '99999999999999999999'],
      ];
      for (const [text, c, py] of cases) {
        const bytes = line(OP.INT, text);
        expect(value(bytes).value, `C ${text}`).toBe(c);
        expect(value(bytes, 'python').value, `Python ${text}`).toBe(py);
        expect(value(bytes).divergent, text).toBe(c !== py);
      }
    });

    it('reads LONG, FLOAT and memo indexes each way', () => {
      expect(value(line(OP.LONG, '0x10L')).value).toBe('16');
      expect(value(line(OP.LONG, '5\0L')).value).toBe('5');
      expect(value(line(OP.LONG, '5\0L'), 'python').value).toBe('BAD_VALUE');
      expect(value(line(OP.FLOAT, '1_0')).value).toBe('BAD_VALUE');
      expect(value(line(OP.FLOAT, '1_0'), 'python').value).toBe('10.0');
      const memo = pickle().op(OP.NONE).op(OP.PUT).raw('1_0\n').op(OP.GET).raw('10\n').stop().build();
      expect(value(memo).value).toBe('None');
    });

    it('takes LONG_BINPUT indexes as unsigned', () => {
      const bytes = pickle()
        .int(1)
        .op(OP.LONG_BINPUT, [0, 0, 0, 0x80])
        .op(OP.LONG_BINGET, [0, 0, 0, 0x80])
        .stop()
        .build();
      expect(value(bytes).value).toBe('1');
    });
  });

  describe('containers', () => {
    it('builds lists, tuples, dicts, sets and frozensets', () => {
      const p = pickle()
        .op(OP.MARK)
        .op(OP.EMPTY_LIST)
        .int(1)
        .op(OP.APPEND)
        .op(OP.MARK)
        .int(2)
        .int(3)
        .op(OP.APPENDS)
        .op(OP.EMPTY_DICT)
        .unicode('k')
        .int(1)
        .op(OP.SETITEM)
        .op(OP.MARK)
        .op(OP.EMPTY_TUPLE)
        .int(1)
        .op(OP.TUPLE1)
        .int(1)
        .int(2)
        .op(OP.TUPLE2)
        .int(1)
        .int(2)
        .int(3)
        .op(OP.TUPLE3)
        .op(OP.EMPTY_SET)
        .op(OP.MARK)
        .int(9)
        .op(OP.ADDITEMS)
        .op(OP.MARK)
        .int(8)
        .op(OP.FROZENSET)
        .op(OP.MARK)
        .unicode('x')
        .int(5)
        .op(OP.DICT)
        .op(OP.MARK)
        .int(4)
        .op(OP.LIST)
        .op(OP.TUPLE)
        .op(OP.TUPLE)
        .stop()
        .build();
      const run = simulatePickle(p);
      expect(run.error).toBeUndefined();
      expect(renderValue(run.result!)).toBe(
        "([1, 2, 3], {'k': 1}, ((), (1,), (1, 2), (1, 2, 3), {9}, frozenset({8}), {'x': 5}, [4]))",
      );
    });

    it('keeps only a bounded number of items but counts them all', () => {
      const b = pickle().proto(2).op(OP.EMPTY_LIST);
      for (let i = 0; i < 10; i++) {
        b.op(OP.MARK);
        for (let j = 0; j < 1000; j++) b.int(j & 0xff);
        b.op(OP.APPENDS);
      }
      const run = simulatePickle(b.stop().build());
      const list = run.result as { items: unknown[]; count: number };
      expect(list.count).toBe(10_000);
      expect(list.items.length).toBeLessThanOrEqual(64);
    });
  });

  describe('stack, marks and memo', () => {
    it('implements DUP, POP, POP_MARK and MARK as CPython does', () => {
      const p = pickle()
        .int(1)
        .op(OP.DUP)
        .op(OP.POP)
        .op(OP.MARK)
        .int(2)
        .int(3)
        .op(OP.POP_MARK)
        .op(OP.MARK)
        .op(OP.POP) // empty stack after MARK: POP pops the mark
        .stop()
        .build();
      const run = simulatePickle(p);
      expect(run.error).toBeUndefined();
      expect(run.result).toBe(1);
    });

    it('resolves PUT/GET in all three widths and MEMOIZE as len(memo)', () => {
      const p = pickle()
        .proto(4)
        .op(OP.MARK)
        .unicode('a')
        .op(OP.PUT)
        .raw('5\n')
        .unicode('b')
        .op(OP.LONG_BINPUT, u32(70000))
        .unicode('c')
        .op(OP.MEMOIZE) // memo has 2 entries, so this is index 2
        .op(OP.GET)
        .raw('5\n')
        .op(OP.LONG_BINGET, u32(70000))
        .binget(2)
        .op(OP.TUPLE)
        .stop()
        .build();
      expect(renderValue(simulatePickle(p).result!)).toBe("('a', 'b', 'c', 'a', 'b', 'c')");
    });
  });

  describe('imports', () => {
    it('resolves GLOBAL, INST and STACK_GLOBAL', () => {
      const p = pickle()
        .proto(4)
        .global('posix', 'system')
        .op(OP.POP)
        .op(OP.MARK)
        .inst('subprocess', 'Popen')
        .op(OP.POP)
        .stackGlobal('builtins', 'eval')
        .stop()
        .build();
      expect(names(p)).toEqual(['posix.system', 'subprocess.Popen', 'builtins.eval']);
    });

    it('resolves STACK_GLOBAL names that come from the memo, long after they were pushed', () => {
      // The names are memoised early, popped, and fetched later: readers that look only at the two
      // preceding opcodes are fooled (FIELD-NOTES, memo tricks).
      const p = pickle()
        .proto(4)
        .unicode('os')
        .binput(0)
        .op(OP.POP)
        .unicode('decoy')
        .binput(1)
        .op(OP.POP)
        .unicode('system')
        .binput(2)
        .op(OP.POP)
        .int(1)
        .op(OP.POP)
        .binget(0)
        .binget(2)
        .op(OP.STACK_GLOBAL)
        .unicode('id')
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .stop()
        .build();
      expect(names(p)).toEqual(['os.system']);
      expect(calls(p)).toEqual(["os.system('id')"]);
    });

    it('resolves STACK_GLOBAL names pushed by protocol-0 STRING opcodes', () => {
      const p = pickle().string0('posix').string0('system').op(OP.STACK_GLOBAL).stop().build();
      expect(names(p)).toEqual(['posix.system']);
    });

    it('records a STACK_GLOBAL whose operands are computed as a dynamic import', () => {
      const p = pickle()
        .proto(4)
        .stackGlobal('torch', '_utils')
        .unicode('x')
        .op(OP.STACK_GLOBAL)
        .stop()
        .build();
      const run = simulatePickle(p);
      expect(run.error).toBeUndefined();
      expect(run.dynamicImports).toHaveLength(1);
      expect(run.dynamicImports[0]!.module).toBe('torch._utils');
    });

    it('counts repeated imports of the same global once, with a count', () => {
      const p = pickle().global('a', 'b').op(OP.POP).global('a', 'b').stop().build();
      const run = simulatePickle(p);
      expect(run.imports).toHaveLength(1);
      expect(run.imports[0]!.count).toBe(2);
    });

    it('records EXT codes, which only a runtime registry can resolve', () => {
      const p = pickle().proto(2).op(OP.EXT1, [1]).op(OP.EXT2, [0, 1]).op(OP.TUPLE2).stop().build();
      expect(simulatePickle(p).extensions.map((e) => e.code)).toEqual([1, 256]);
    });
  });

  describe('calls', () => {
    it('records REDUCE, NEWOBJ, NEWOBJ_EX, OBJ and INST with their arguments', () => {
      const p = pickle()
        .proto(4)
        .op(OP.MARK)
        .global('m', 'f')
        .unicode('x')
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .global('m', 'C')
        .op(OP.EMPTY_TUPLE)
        .op(OP.NEWOBJ)
        .global('m', 'D')
        .op(OP.EMPTY_TUPLE)
        .op(OP.EMPTY_DICT)
        .unicode('k')
        .int(1)
        .op(OP.SETITEM)
        .op(OP.NEWOBJ_EX)
        .op(OP.MARK)
        .global('m', 'E')
        .int(2)
        .op(OP.OBJ)
        .op(OP.MARK)
        .int(3)
        .inst('m', 'G')
        .op(OP.TUPLE)
        .stop()
        .build();
      expect(calls(p)).toEqual(["m.f('x')", 'm.C.__new__(m.C)', 'm.D.__new__(m.D, k=1)', 'm.E(2)', 'm.G(3)']);
    });

    it('renders chained gadget calls', () => {
      // operator.attrgetter('system')(__import__('os'))('id')
      const p = pickle()
        .proto(4)
        .stackGlobal('operator', 'attrgetter')
        .unicode('system')
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .stackGlobal('builtins', '__import__')
        .unicode('os')
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .unicode('id')
        .op(OP.TUPLE1)
        .op(OP.REDUCE)
        .stop()
        .build();
      expect(calls(p)).toContain("operator.attrgetter('system')(builtins.__import__('os'))('id')");
    });
  });

  describe('state changes', () => {
    it('records BUILD on an imported global as tampering', () => {
      const p = pickle()
        .proto(4)
        .stackGlobal('torch', '_utils')
        .op(OP.EMPTY_DICT)
        .unicode('_rebuild_tensor')
        .unicode('builtins')
        .op(OP.SETITEM)
        .op(OP.BUILD)
        .stop()
        .build();
      const change = simulatePickle(p).stateChanges[0]!;
      expect(change.opcode).toBe('BUILD');
      expect(change.targetKind).toBe('global');
    });

    it('does not record BUILD on an object the pickle made', () => {
      const p = pickle()
        .proto(2)
        .global('collections', 'OrderedDict')
        .op(OP.EMPTY_TUPLE)
        .op(OP.REDUCE)
        .op(OP.EMPTY_DICT)
        .op(OP.BUILD)
        .stop()
        .build();
      expect(simulatePickle(p).stateChanges).toEqual([]);
    });

    it('records SETITEM on a non-mapping value', () => {
      const p = pickle().unicode('s').unicode('k').int(1).op(OP.SETITEM).stop().build();
      expect(simulatePickle(p).stateChanges[0]!.targetKind).toBe('primitive');
    });
  });

  describe('persistent ids', () => {
    it('records PERSID and BINPERSID (PyTorch storages)', () => {
      const p = pickle()
        .proto(2)
        .op(OP.MARK)
        .op(OP.PERSID)
        .raw('abc\n')
        .unicode('storage')
        .global('torch', 'FloatStorage')
        .unicode('0')
        .op(OP.TUPLE3)
        .op(OP.BINPERSID)
        .op(OP.TUPLE)
        .stop()
        .build();
      const run = simulatePickle(p);
      expect(run.persistentIds).toHaveLength(2);
      expect(renderValue(run.result!)).toBe(
        "(persistent_load('abc'), persistent_load(('storage', torch.FloatStorage, '0')))",
      );
    });
  });

  describe('frames', () => {
    it('reads opcodes inside and across frames linearly, as the C unpickler does', () => {
      const body = pickle().global('posix', 'system').build();
      const p = pickle().proto(4).frame(body.length).raw(body).stop().build();
      const run = simulatePickle(p);
      expect(run.error).toBeUndefined();
      expect(names(p)).toEqual(['posix.system']);
      expect(run.anomalies).toEqual([]);
    });

    it('notices an opcode that straddles the end of its frame and keeps going', () => {
      const body = pickle().global('posix', 'system').build();
      const p = pickle().proto(4).frame(3).raw(body).stop().build();
      const run = simulatePickle(p);
      expect(run.anomalies.map((a) => a.code)).toContain('FRAME_MISALIGNED');
      expect(names(p)).toEqual(['posix.system']);
    });

    it('notices a frame that claims more bytes than remain and keeps going', () => {
      const p = pickle().proto(4).frame(1_000_000).global('posix', 'system').stop().build();
      const run = simulatePickle(p);
      expect(run.anomalies.map((a) => a.code)).toContain('FRAME_OVERRUN');
      expect(names(p)).toEqual(['posix.system']);
    });
  });

  describe('embedded payloads', () => {
    it('notices a pickle inside bytes, inside base64 text and inside latin-1 text', () => {
      const inner = pickle().proto(2).global('posix', 'system').stop().build();
      const b64 = Buffer.from(inner).toString('base64');
      const p = pickle()
        .proto(4)
        .op(OP.MARK)
        .bytes(inner)
        .unicode(b64)
        .op(OP.BINSTRING, u32(inner.length))
        .raw(inner)
        .op(OP.TUPLE)
        .stop()
        .build();
      const run = simulatePickle(p);
      expect(run.embedded.map((e) => e.encoding)).toEqual(['raw', 'base64', 'latin1']);
      expect(Buffer.from(run.embedded[1]!.data)).toEqual(Buffer.from(inner));
    });
  });

  describe('malformed input', () => {
    const cases: [string, Uint8Array, ParseError['code']][] = [
      ['empty input', new Uint8Array(0), 'TRUNCATED'],
      ['no STOP', pickle().int(1).build(), 'TRUNCATED'],
      ['truncated BININT', pickle().op(OP.BININT, [1, 2]).build(), 'TRUNCATED'],
      ['oversized BINUNICODE length', pickle().op(OP.BINUNICODE, u32(0xffffffff)).build(), 'TRUNCATED'],
      [
        'oversized BINBYTES8 length',
        pickle()
          .op(OP.BINBYTES8, u64(2 ** 52))
          .build(),
        'TRUNCATED',
      ],
      ['negative BINSTRING length', pickle().op(OP.BINSTRING, [0xff, 0xff, 0xff, 0xff]).build(), 'BAD_VALUE'],
      ['negative LONG4 length', pickle().op(OP.LONG4, [0xff, 0xff, 0xff, 0xff]).build(), 'BAD_VALUE'],
      ['unknown opcode', Uint8Array.from([0xff]), 'BAD_VALUE'],
      ['protocol 6', pickle().proto(6).build(), 'UNSUPPORTED'],
      ['stack underflow on REDUCE', pickle().op(OP.REDUCE).build(), 'BAD_STRUCTURE'],
      ['POP_MARK without MARK', pickle().op(OP.POP_MARK).build(), 'BAD_STRUCTURE'],
      ['GET of a missing memo entry', pickle().binget(3).build(), 'BAD_VALUE'],
      ['GLOBAL without newline', pickle().op(OP.GLOBAL).raw('os').build(), 'TRUNCATED'],
      ['GLOBAL name not UTF-8', pickle().op(OP.GLOBAL).raw('mod\n\xf8\n').build(), 'BAD_VALUE'],
      ['unquoted STRING', pickle().op(OP.STRING).raw('abc\n').build(), 'BAD_VALUE'],
      ['bad INT literal', pickle().op(OP.INT).raw('12a\n').build(), 'BAD_VALUE'],
      ['odd DICT items', pickle().op(OP.MARK).int(1).op(OP.DICT).build(), 'BAD_STRUCTURE'],
      ['EXT code 0', pickle().op(OP.EXT1, [0]).build(), 'BAD_VALUE'],
    ];
    for (const [name, bytes, code] of cases) {
      it(`reports ${name} as ${code}`, () => {
        const run = simulatePickle(bytes);
        expect(run.error).toBeInstanceOf(ParseError);
        expect(run.error!.code).toBe(code);
      });
    }

    it('keeps what it found before the error (a payload runs before the parse error)', () => {
      const p = pickle()
        .global('builtins', 'exec')
        .op(OP.BINUNICODE, u32(1 << 30))
        .build();
      const run = simulatePickle(p);
      expect(run.error?.code).toBe('TRUNCATED');
      expect(run.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['builtins.exec']);
    });

    it('stops at the opcode limit with LIMIT_EXCEEDED, never with a verdict', () => {
      const b = pickle().op(OP.EMPTY_LIST);
      for (let i = 0; i < 100; i++) b.int(1).op(OP.APPEND);
      const run = simulatePickle(b.stop().build(), 0, { limits: { maxOpcodes: 50 } });
      expect(run.error?.code).toBe('LIMIT_EXCEEDED');
    });

    it('stops at the mark-depth limit', () => {
      const b = pickle();
      for (let i = 0; i < 20; i++) b.op(OP.MARK);
      expect(simulatePickle(b.build(), 0, { limits: { maxMarkDepth: 10 } }).error?.code).toBe(
        'LIMIT_EXCEEDED',
      );
    });

    it('never throws on arbitrary bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
          const run = simulatePickle(bytes);
          expect(run.end).toBeGreaterThanOrEqual(0);
        }),
        { numRuns: 2000 },
      );
    });

    it('never throws on mutated valid pickles', () => {
      const base = pickle()
        .proto(4)
        .frame(40)
        .stackGlobal('collections', 'OrderedDict')
        .op(OP.EMPTY_TUPLE)
        .op(OP.REDUCE)
        .op(OP.MARK)
        .unicode('w')
        .bytes([1, 2, 3])
        .op(OP.SETITEMS)
        .stop()
        .build();
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: base.length - 1 }),
          fc.integer({ min: 0, max: 255 }),
          (i, v) => {
            const copy = base.slice();
            copy[i] = v;
            simulatePickle(copy);
          },
        ),
        { numRuns: 2000 },
      );
    });
  });
});

describe('codecs', () => {
  it('decodeLong matches pickle.decode_long', () => {
    expect(decodeLong(Uint8Array.from([]))).toBe(0);
    expect(decodeLong(Uint8Array.from([0xff]))).toBe(-1);
    expect(decodeLong(Uint8Array.from([0x00, 0x80]))).toBe(-32768);
    expect(decodeLong(Uint8Array.from([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]))).toBe(
      0x1950a86a20f9469cfc6cn,
    );
  });

  it('decodeEscapes handles Python bytes escapes', () => {
    expect(Buffer.from(decodeEscapes(Buffer.from('a\\x41\\101\\n\\\\\\q'))).toString('latin1')).toBe(
      'aAA\n\\\\q',
    );
  });

  it('decodeRawUnicodeEscape handles \\u and \\U only', () => {
    expect(decodeRawUnicodeEscape(Buffer.from('\\u0041\\U0001F600\\n'))).toBe('A😀\\n');
  });
});
