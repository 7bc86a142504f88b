import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import type { Finding } from '../../core/finding.js';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import * as T from '../../formats/tar/test-support.js';
import { analyseSource } from '../engine.js';
import { createImportPolicy } from '../pickle/policy.js';
import { DEFAULT_ANALYSERS } from './index.js';
import { MAX_DIVERGENCE_FINDINGS } from './tar.js';

async function scan(bytes: Uint8Array, path = 'old.pt') {
  return analyseSource(bufferSource(bytes), path, {
    analysers: DEFAULT_ANALYSERS,
    policy: createImportPolicy(),
  });
}

const rules = (findings: readonly Finding[]) => findings.map((f) => `${f.ruleId}:${f.severity}`).sort();
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
