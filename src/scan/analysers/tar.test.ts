import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/finding.js';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import * as T from '../../formats/tar/test-support.js';
import { analyseBytes, ruleList } from '../test-support.js';
import { MAX_DIVERGENCE_FINDINGS } from './tar.js';

const scan = (bytes: Uint8Array, path = 'old.pt') => analyseBytes(bytes, path);

const rules = ruleList;
const critical = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'critical');

/** posix.system('id'): what `os.system` pickles as on Linux. */
const payload = () =>
  pickle().proto(2).global('posix', 'system').unicode('id').op(OP.TUPLE1).op(OP.REDUCE).stop().build();
const count = (n: number) => pickle().proto(2).int(n).stop().build();
const emptyList = () => pickle().proto(2).op(OP.EMPTY_LIST).stop().build();
const sysInfo = () => pickle().proto(2).op(OP.EMPTY_DICT).stop().build();

/** The legacy checkpoint members torch.load extracts by name, with an empty object pickle. */
const legacyMembers = () =>
  T.concat(
    T.member({ name: 'sys_info' }, sysInfo()),
    T.member({ name: 'storages' }, T.concat(count(0), emptyList())),
    T.member({ name: 'tensors' }, count(0)),
  );

describe('tar analyser: members tarfile reads where other readers do not', () => {
  it("finds a 'pickle' member hidden in a directory's data (tarfile reads the next header right after it)", async () => {
    const hidden = T.member({ name: 'pickle' }, payload());
    const bytes = T.concat(
      legacyMembers(),
      T.rawHeader({ name: 'models', type: '5', size: hidden.length }),
      hidden,
      T.END,
    );
    const result = await scan(bytes);
    expect(result.format).toBe('pytorch-legacy-tar');
    expect(critical(result.findings).map((f) => [f.location.member, f.evidence])).toEqual([
      ['pickle', "posix.system('id')"],
    ]);
    const structure = result.findings.find((f) => f.ruleId === 'ZIP-STRUCTURE');
    expect(structure?.severity).toBe('high');
    expect(structure?.message).toContain('directory header says it has 1024 bytes');
  });

  it("finds a member behind a v7 header whose name ends in '/' (a directory to tarfile)", async () => {
    const hidden = T.member({ name: 'pickle' }, payload());
    const bytes = T.concat(
      legacyMembers(),
      T.rawHeader({ name: 'old/', type: '\0', magic: 'v7', size: hidden.length }),
      hidden,
    );
    expect(critical((await scan(bytes)).findings)).toHaveLength(1);
  });

  it('finds a member only readers that skip a sized directory see', async () => {
    const junk = new Uint8Array(T.BLOCK).fill(0x41);
    const bytes = T.concat(
      T.rawHeader({ name: 'd', type: '5', size: junk.length }),
      junk,
      T.member({ name: 'model.pkl' }, payload()),
      T.END,
    );
    const result = await scan(bytes, 'bundle.tar');
    expect(critical(result.findings).map((f) => f.location.member)).toEqual(['model.pkl']);
  });

  it('finds a member a pax size tarfile reads as 0 hides inside the data of the one it names', async () => {
    const pax = T.paxRecords([['size', 'not-a-number']]);
    const hidden = T.member({ name: 'pickle' }, payload());
    const bytes = T.concat(
      legacyMembers(),
      T.rawHeader({ name: 'PaxHeader', type: 'x', size: pax.length }),
      T.padded(pax),
      T.rawHeader({ name: 'padding', size: hidden.length }),
      hidden,
      T.END,
    );
    const result = await scan(bytes);
    expect(critical(result.findings).map((f) => f.location.member)).toEqual(['pickle']);
  });

  it('finds a payload in a GNU sparse member only when the holes are rebuilt as tarfile does', async () => {
    // The logical content is PROTO 2, BINUNICODE of 8 bytes ('abcd' and 4 bytes of hole), POP, then GLOBAL
    // posix system, MARK, STRING 'id', TUPLE, REDUCE, STOP. Read as stored (no hole), the string swallows
    // the opcodes after it and nothing is imported.
    const head = Uint8Array.from([0x80, 0x02, 0x58, 0x08, 0x00, 0x00, 0x00, ...Buffer.from('abcd')]);
    const tail = new Uint8Array(Buffer.from("0cposix\nsystem\n(S'id'\ntR.", 'latin1'));
    const logicalSize = head.length + 4 + tail.length;
    const bytes = T.concat(
      legacyMembers(),
      T.rawHeader({
        name: 'pickle',
        type: 'S',
        magic: 'gnu',
        size: head.length + tail.length,
        sparse: {
          regions: [
            [0, head.length],
            [head.length + 4, tail.length],
          ],
          isextended: false,
          realSize: logicalSize,
        },
      }),
      T.padded(T.concat(head, tail)),
      T.END,
    );
    const result = await scan(bytes);
    expect(critical(result.findings).map((f) => [f.location.member, f.evidence])).toEqual([
      ['pickle', "posix.system('id')"],
    ]);
  });
});

describe('tar analyser: reporting disagreements', () => {
  it(`reports the first ${MAX_DIVERGENCE_FINDINGS} places readers disagree one by one, then counts the rest`, async () => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < MAX_DIVERGENCE_FINDINGS + 5; i++) {
      parts.push(T.rawHeader({ name: `d${i}`, type: '5', size: T.BLOCK }));
    }
    const result = await scan(T.concat(...parts, T.END), 'dirs.tar');
    const structure = result.findings.filter((f) => f.ruleId === 'ZIP-STRUCTURE');
    expect(structure).toHaveLength(MAX_DIVERGENCE_FINDINGS + 1);
    expect(structure.at(-1)?.message).toContain('5 more place(s)');
  });
});

describe("tar analyser: torch.load's fallback to unpickling the file from byte 0", () => {
  /** A header whose name field is a protocol 0 pickle, padded with NULs, checksum valid. */
  const polyglot = (name: string) => T.concat(T.member({ name }, 'x'), T.END);

  it('finds a pickle in the first header name (torch/serialization.py _legacy_load: except TarError)', async () => {
    const bytes = polyglot("cposix\nsystem\n(S'id'\ntR.");
    const result = await scan(bytes);
    expect(result.format).toBe('tar');
    const hits = critical(result.findings);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      evidence: "posix.system('id')",
      location: { path: 'old.pt', offset: 0 },
    });
    expect(hits[0]?.location.member).toBeUndefined();
    const structure = result.findings.find((f) => f.ruleId === 'ZIP-STRUCTURE');
    expect(structure?.message).toContain('both a tar archive and a pickle');
  });

  it('says when the tar reading fails, as it must for torch to fall back', async () => {
    const data = T.paxRecords([['path', 'p']]);
    const bad = T.rawHeader({ name: 'f' });
    bad[0] = (bad[0] as number) ^ 1; // checksum no longer matches
    const bytes = T.concat(
      T.member({ name: "cposix\nsystem\n(S'id'\ntR." }, 'x'),
      T.rawHeader({ name: 'PaxHeader', type: 'x', size: data.length }),
      T.padded(data),
      bad,
    );
    const result = await scan(bytes);
    expect(critical(result.findings)).toHaveLength(1);
    const structure = result.findings.find((f) => f.evidence === 'tar + pickle polyglot');
    expect(structure?.message).toContain('which it does for this file');
  });

  it('adds nothing for a legacy checkpoint or for a plain tar whose first name starts like a pickle', async () => {
    const legacy = T.concat(legacyMembers(), T.member({ name: 'pickle' }, emptyList()), T.END);
    const legacyResult = await scan(legacy);
    expect(legacyResult.format).toBe('pytorch-legacy-tar');
    expect(legacyResult.findings).toEqual([]);
    // 'c' is GLOBAL: pickle reads "onfig.json\0\0..." as a module name, which no Python can import.
    for (const name of ['config.json', 'checkpoint/notes.txt', 'sys_info', 'pickle', '(lp0\n']) {
      const bytes = T.concat(T.member({ name }, '{\n "a": 1\n}\n'), T.END);
      const result = await scan(bytes, 'bundle.tar');
      expect(rules(result.findings), name).toEqual([]);
    }
  });
});

describe("tar analyser: legacy 'storages'/'tensors' record walk (torch/serialization.py legacy_load)", () => {
  const le64 = (n: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
    return b;
  };
  const le32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n, true);
    return b;
  };
  /** A (key, location, storage_type) record pickle; `type` pushes the storage type. */
  const storageRecord = (key: string, type: (b: ReturnType<typeof pickle>) => void) => {
    const b = pickle().proto(2).unicode(key).unicode('cpu');
    type(b);
    return b.op(OP.TUPLE3).stop().build();
  };
  const floatRecord = (key: string) => storageRecord(key, (b) => b.global('torch', 'FloatStorage'));
  /** A storage: its record, the int64 element count, the raw elements. */
  const storage = (record: Uint8Array, numel: bigint, bytes = 0) =>
    T.concat(record, le64(numel), new Uint8Array(bytes));
  /** A (key, storage_id, type) tensor record, then ndim, padding, sizes, strides and offset. */
  const tensor = (ndim: number) =>
    T.concat(
      pickle().proto(2).unicode('t').unicode('0').global('torch', 'FloatTensor').op(OP.TUPLE3).stop().build(),
      le32(ndim),
      new Uint8Array(4 + 16 * Math.max(0, ndim) + 8),
    );
  const countOf = (...ops: number[]) =>
    pickle()
      .proto(2)
      .op(ops[0] as number, ops.slice(1))
      .stop()
      .build();
  /** builtins.int('1'): a count whose value is only known when the pickle runs. */
  const callCount = () =>
    pickle()
      .proto(2)
      .global('builtins', 'int')
      .call((b) => b.unicode('1'))
      .stop()
      .build();
  const checkpoint = (storages: Uint8Array, tensors: Uint8Array = count(0)) =>
    T.concat(
      T.member({ name: 'sys_info' }, sysInfo()),
      T.member({ name: 'pickle' }, emptyList()),
      T.member({ name: 'storages' }, storages),
      T.member({ name: 'tensors' }, tensors),
      T.END,
    );
  /** Critical findings as [member, evidence, offset of the payload pickle (its GLOBAL is 2 bytes in)]. */
  const hits = (findings: readonly Finding[]) =>
    critical(findings).map((f) => [f.location.member, f.evidence, (f.location.offset ?? 0) - 2]);

  it('reads nothing new from a legitimate checkpoint with storages and tensors', async () => {
    const storages = T.concat(
      count(2),
      storage(floatRecord('0'), 3n, 12),
      storage(floatRecord('1'), 0n),
      emptyList(),
    );
    const result = await scan(checkpoint(storages, T.concat(count(2), tensor(2), tensor(0))));
    expect(result.format).toBe('pytorch-legacy-tar');
    expect(result.findings).toEqual([]);
  });

  it('reads a True count as range(True) == range(1): the next pickle is a storage record', async () => {
    const head = countOf(OP.NEWTRUE);
    const result = await scan(checkpoint(T.concat(head, payload())));
    expect(hits(result.findings)).toEqual([['storages', "posix.system('id')", head.length]]);
    expect(result.findings.some((f) => f.ruleId === 'ARCHIVE-MALFORMED')).toBe(false);
  });

  it('walks every record after a count only known at run time, and reports the count as high', async () => {
    const head = callCount();
    const first = storage(floatRecord('0'), 2n, 8);
    const result = await scan(checkpoint(T.concat(head, first, payload())));
    expect(hits(result.findings)).toEqual([['storages', "posix.system('id')", head.length + first.length]]);
    const unknown = result.findings.find((f) => f.ruleId === 'ZIP-STRUCTURE');
    expect(unknown?.severity).toBe('high');
    expect(unknown?.location.member).toBe('storages');
    expect(unknown?.message).toContain('range()');
  });

  it("walks the 'tensors' records after an unknown count too", async () => {
    const result = await scan(
      checkpoint(T.concat(count(0), emptyList()), T.concat(callCount(), tensor(1), payload())),
    );
    expect(hits(result.findings).map((h) => h[0])).toEqual(['tensors']);
    expect(result.findings.find((f) => f.ruleId === 'ZIP-STRUCTURE')?.severity).toBe('high');
  });

  it('walks a count too large for the records that follow until they end (pickle.load raises EOFError there)', async () => {
    // LONG1 of 5 bytes: 2**32.
    const head = countOf(OP.LONG1, 5, 0, 0, 0, 0, 1);
    const result = await scan(checkpoint(T.concat(head, storage(floatRecord('0'), 1n, 4), payload())));
    expect(hits(result.findings).map((h) => h[0])).toEqual(['storages']);
    // The payload's value, a call result, is what torch would unpack as the second record.
    expect(rules(result.findings)).toEqual(['PICKLE-IMPORT-DANGEROUS:critical', 'ZIP-STRUCTURE:high']);
  });

  it('reads no record after a negative count: range(-1) is empty, so the next pickle is storage_views', async () => {
    const neg = pickle().proto(2).int(-1).stop().build();
    const views = await scan(checkpoint(T.concat(neg, payload())));
    expect(hits(views.findings)).toEqual([['storages', "posix.system('id')", neg.length]]);
    // In 'tensors' nothing follows the loop: torch never unpickles what comes after a negative count.
    const tensors = await scan(checkpoint(T.concat(count(0), emptyList()), T.concat(neg, payload())));
    expect(tensors.findings).toEqual([]);
  });

  it('stops at a float count as range() does (TypeError), saying what was not read', async () => {
    const head = pickle().proto(2).op(OP.BINFLOAT, [0x3f, 0xf0, 0, 0, 0, 0, 0, 0]).stop().build();
    const result = await scan(checkpoint(T.concat(head, payload())));
    expect(critical(result.findings)).toEqual([]);
    expect(rules(result.findings)).toEqual(['ARCHIVE-MALFORMED:medium']);
    expect(result.findings[0]?.message).toContain('float');
  });

  it('skips storage bytes as torch does: element count times element size, modulo 2**64', async () => {
    // 2**62 FloatStorage elements: int64 4 * 2**62 wraps to 0 bytes in THPStorage_readFileRaw's size_t.
    const record = storage(floatRecord('0'), 1n << 62n);
    const result = await scan(checkpoint(T.concat(count(2), record, payload())));
    expect(hits(result.findings)).toEqual([
      ['storages', "posix.system('id')", count(2).length + record.length],
    ]);
  });

  it('follows every element size torch could use when the storage type is not known statically', async () => {
    // storage_type is a call result: its _dtype, hence the element size, is only known at run time.
    const record = storageRecord('0', (b) => b.global('collections', 'OrderedDict').call(() => {}));
    const at = count(2).length + record.length + 8 + 2 * 8; // 2 elements of 8 bytes (a DoubleStorage-like dtype)
    const bytes = T.concat(count(2), record, le64(2n), new Uint8Array(16), payload());
    const result = await scan(checkpoint(bytes));
    expect(hits(result.findings)).toEqual([['storages', "posix.system('id')", at]]);
    const structure = result.findings.filter((f) => f.ruleId === 'ZIP-STRUCTURE');
    expect(structure.map((f) => f.severity)).toEqual(['high']);
    expect(structure[0]?.message).toContain('element size');
  });

  it("follows a storage type from outside torch's namespace as unknown, whatever its name", async () => {
    const record = storageRecord('0', (b) => b.global('collections', 'constructor'));
    const result = await scan(checkpoint(T.concat(count(2), record, le64(1n), new Uint8Array(2), payload())));
    // Guessed element sizes may also land inside the payload's own text (`ix\nsystem\n`): all in storages.
    expect(hits(result.findings).map((h) => h[1])).toContain("posix.system('id')");
    expect(new Set(hits(result.findings).map((h) => h[0]))).toEqual(new Set(['storages']));
  });

  it("stops where torch stops on a name of torch's that is no storage class (even an Object.prototype key)", async () => {
    const record = storageRecord('0', (b) => b.global('torch', 'constructor'));
    const result = await scan(checkpoint(T.concat(count(2), record, le64(1n), new Uint8Array(2), payload())));
    expect(rules(result.findings)).toEqual(['ARCHIVE-MALFORMED:medium', 'PICKLE-IMPORT-UNKNOWN:medium']);
    expect(critical(result.findings)).toEqual([]);
    const stop = result.findings.find((f) => f.ruleId === 'ARCHIVE-MALFORMED');
    expect(stop?.evidence).toContain('torch.constructor is not a storage class');
  });

  it('walks tensors with more than 64 dimensions: struct.unpack has no such limit', async () => {
    const result = await scan(
      checkpoint(T.concat(count(0), emptyList()), T.concat(count(2), tensor(100), payload())),
    );
    expect(hits(result.findings).map((h) => h[0])).toEqual(['tensors']);
  });
});
