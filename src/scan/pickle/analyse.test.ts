import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle, u32 } from '../../formats/pickle/test-support/builder.js';
import type { FindingDraft } from '../context.js';
import { analysePickleStream } from './analyse.js';
import { createImportPolicy } from './policy.js';

const policy = createImportPolicy();

function analyse(bytes: Uint8Array, allow: string[] = []) {
  const findings: FindingDraft[] = [];
  const result = analysePickleStream(bufferSource(bytes), (d) => findings.push(d), {
    policy: allow.length ? createImportPolicy({ allow }) : policy,
  });
  return { findings, result, rules: findings.map((f) => `${f.ruleId}:${f.severity}`) };
}

const osSystem = () => pickle().proto(2).global('posix', 'system').unicode('id').op(OP.TUPLE1).op(OP.REDUCE);

describe('analysePickleStream', () => {
  it('reports what would run, with the call as evidence', () => {
    const { findings } = analyse(osSystem().stop().build());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'PICKLE-IMPORT-DANGEROUS', severity: 'critical', offset: 2 });
    expect(findings[0]!.evidence).toBe("posix.system('id')");
    expect(findings[0]!.message).toContain("Loading this file calls posix.system('id')");
  });

  it('reports nothing for an allowlisted PyTorch-style pickle', () => {
    const p = pickle()
      .proto(2)
      .global('collections', 'OrderedDict')
      .op(OP.EMPTY_TUPLE)
      .op(OP.REDUCE)
      .unicode('w')
      .global('torch._utils', '_rebuild_tensor_v2')
      .op(OP.MARK)
      .op(OP.MARK)
      .unicode('storage')
      .global('torch', 'FloatStorage')
      .unicode('0')
      .unicode('cpu')
      .int(4)
      .op(OP.TUPLE)
      .op(OP.BINPERSID)
      .int(0)
      .int(4)
      .op(OP.TUPLE1)
      .int(1)
      .op(OP.TUPLE1)
      .op(OP.NEWFALSE)
      .global('collections', 'OrderedDict')
      .op(OP.EMPTY_TUPLE)
      .op(OP.REDUCE)
      .op(OP.TUPLE)
      .op(OP.REDUCE)
      .op(OP.SETITEM)
      .stop()
      .build();
    expect(analyse(p).findings).toEqual([]);
  });

  it('reports unknown imports at medium and lets the user allow them', () => {
    const p = pickle().proto(2).global('__main__', 'MyNet').op(OP.EMPTY_TUPLE).op(OP.REDUCE).stop().build();
    expect(analyse(p).rules).toEqual(['PICKLE-IMPORT-UNKNOWN:medium']);
    expect(analyse(p, ['__main__.MyNet']).rules).toEqual([]);
  });

  it('does not let the user allowlist un-flag a dangerous global', () => {
    expect(analyse(osSystem().stop().build(), ['posix.system']).rules).toEqual([
      'PICKLE-IMPORT-DANGEROUS:critical',
    ]);
  });

  it('analyses every stacked pickle (a payload in the second one)', () => {
    const first = pickle().proto(2).op(OP.EMPTY_LIST).stop().build();
    const second = osSystem().stop().build();
    const { findings, result } = analyse(Uint8Array.from([...first, ...second]));
    expect(result.runs).toHaveLength(2);
    expect(findings[0]!.offset).toBe(first.length + 2);
  });

  it('keeps the payload of a truncated pickle and reports it as not fully analysed', () => {
    const p = osSystem()
      .op(OP.BINUNICODE, u32(1 << 30))
      .build();
    const { rules, result } = analyse(p);
    expect(rules).toEqual(['PICKLE-IMPORT-DANGEROUS:critical', 'PICKLE-MALFORMED:medium']);
    expect(result.complete).toBe(false);
  });

  it('reports junk after STOP as trailing data, keeping the payload', () => {
    const p = Uint8Array.from([...osSystem().stop().build(), 0x0a, 0xff, 0xfe]);
    expect(analyse(p).rules).toEqual(['PICKLE-IMPORT-DANGEROUS:critical', 'PICKLE-TRAILING-DATA:low']);
  });

  it('analyses pickles nested in bytes handed to pickle.loads', () => {
    const inner = osSystem().stop().build();
    const p = pickle()
      .proto(4)
      .stackGlobal('pickle', 'loads')
      .bytes(inner)
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const { findings } = analyse(p);
    const nested = findings.find((f) => f.message.startsWith('In a pickle nested'));
    expect(nested?.evidence).toBe("posix.system('id')");
    expect(findings.some((f) => f.evidence.startsWith('pickle.loads('))).toBe(true);
  });

  it('analyses base64-encoded pickles whatever they are handed to', () => {
    const inner = Buffer.from(osSystem().stop().build()).toString('base64');
    const p = pickle()
      .proto(4)
      .op(OP.EMPTY_DICT)
      .unicode('blob')
      .unicode(inner)
      .op(OP.SETITEM)
      .stop()
      .build();
    const { findings } = analyse(p);
    expect(findings.map((f) => f.evidence)).toContain("posix.system('id')");
    expect(findings[0]!.message).toContain('base64');
  });

  it('reports a dynamic STACK_GLOBAL and tampering with an imported module', () => {
    const p = pickle()
      .proto(4)
      .stackGlobal('torch', '_utils')
      .op(OP.EMPTY_DICT)
      .unicode('_rebuild_tensor')
      .unicode('builtins')
      .op(OP.SETITEM)
      .op(OP.BUILD)
      .stackGlobal('torch._utils', '_rebuild_tensor')
      .unicode('eval')
      .op(OP.STACK_GLOBAL)
      .unicode('1+1')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const { rules } = analyse(p);
    expect(rules).toContain('PICKLE-STATE-TAMPERING:critical');
    expect(rules).toContain('PICKLE-IMPORT-DYNAMIC:critical');
  });

  it('reports calls of computed callables (gadget chains)', () => {
    const p = pickle()
      .proto(4)
      .stackGlobal('builtins', 'getattr')
      .stackGlobal('builtins', '__import__')
      .unicode('os')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .unicode('system')
      .op(OP.TUPLE2)
      .op(OP.REDUCE)
      .unicode('id')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const { findings } = analyse(p);
    const indirect = findings.find((f) => f.ruleId === 'PICKLE-CALL-INDIRECT');
    expect(indirect?.evidence).toBe("builtins.getattr(builtins.__import__('os'), 'system')('id')");
  });

  it('recognises a PyTorch legacy file and stops before its raw storages', () => {
    const magic = pickle()
      .proto(2)
      .op(OP.LONG1, [10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19])
      .stop()
      .build();
    const small = pickle().proto(2).int(1001).stop().build();
    const storage = Uint8Array.from([0x80, 0x02, 0xff, 0x00, 0x01]); // raw bytes that are not a pickle
    const p = Uint8Array.from([...magic, ...small, ...small, ...small, ...small, ...storage]);
    const { result, rules } = analyse(p);
    expect(result.torchLegacy).toBe(true);
    expect(result.runs).toHaveLength(5);
    expect(rules).toEqual([]);
  });
});
