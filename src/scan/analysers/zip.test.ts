import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bufferSource } from '../../core/byte-reader.js';
import type { Finding } from '../../core/finding.js';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import {
  buildZip,
  buildZipWithLayout,
  FLAG_ENCRYPTED,
  type ZipMemberSpec,
} from '../../formats/zip/test-support/zip-builder.js';
import type { ScanLimits } from '../context.js';
import { analyseSource } from '../engine.js';
import { createImportPolicy } from '../pickle/policy.js';
import { analyseBytes } from '../test-support.js';
import { DEFAULT_ANALYSERS } from './index.js';
import { MAX_TORCHSCRIPT_SOURCE_BYTES } from './zip.js';
import { classifyZipLayout, isTensorStorageMember } from './zip-layout.js';

const scan = (bytes: Uint8Array, path = 'model.pt', limits?: Partial<ScanLimits>) =>
  analyseBytes(bytes, path, limits);

const rules = (findings: readonly Finding[]) => findings.map((f) => `${f.ruleId}:${f.severity}`).sort();
const byRule = (findings: readonly Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);

/** posix.system('id'): what `os.system` pickles as on Linux. */
const payload = () =>
  pickle().proto(2).global('posix', 'system').unicode('id').op(OP.TUPLE1).op(OP.REDUCE).stop().build();

/** A state dict as torch.save writes it: {'w': _rebuild_tensor_v2(storage '0', 0, (4,), (1,), False, {})}. */
const benignStateDict = () =>
  pickle()
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

const FLOATS = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);

/** The members torch.save (2.x) writes under `prefix/`, with `dataPkl` overriding data.pkl's spec. */
function torchZip(
  prefix: string,
  dataPkl: Partial<ZipMemberSpec> = {},
  extra: ZipMemberSpec[] = [],
): Uint8Array {
  return buildZip([
    { name: `${prefix}/data.pkl`, data: payload(), ...dataPkl },
    { name: `${prefix}/byteorder`, data: 'little' },
    { name: `${prefix}/data/0`, data: FLOATS },
    { name: `${prefix}/version`, data: '3\n' },
    { name: `${prefix}/.data/serialization_id`, data: '1234567890123456789012345678901234567890' },
    ...extra,
  ]);
}

function expectPayloadAt(findings: readonly Finding[], member: string, path = 'model.pt'): void {
  const hits = byRule(findings, 'PICKLE-IMPORT-DANGEROUS');
  expect(hits, JSON.stringify(rules(findings))).toHaveLength(1);
  expect(hits[0]).toMatchObject({ severity: 'critical', evidence: "posix.system('id')" });
  expect(hits[0]!.location).toEqual({ path, member, offset: 2 });
}

describe('zip analyser: PyTorch archives', () => {
  it('finds a payload in data.pkl under any archive prefix', async () => {
    for (const prefix of ['archive', 'my_model-v2', 'résumé']) {
      const result = await scan(torchZip(prefix));
      expect(result.format).toBe('pytorch-zip');
      expect(result.kind).toBe('model');
      expectPayloadAt(result.findings, `${prefix}/data.pkl`);
      expect(rules(result.findings)).toEqual(['PICKLE-IMPORT-DANGEROUS:critical']);
      expect(result.notAnalysed).toBe(0);
    }
  });

  it('reports nothing for a benign checkpoint of allowlisted globals', async () => {
    const result = await scan(torchZip('archive', { data: benignStateDict() }));
    expect(result.format).toBe('pytorch-zip');
    expect(result.findings).toEqual([]);
    expect(result.notAnalysed).toBe(0);
  });

  it('reports nothing for a benign checkpoint with deflated members', async () => {
    const bytes = buildZip([
      { name: 'ckpt/data.pkl', data: benignStateDict(), method: 8 },
      { name: 'ckpt/data/0', data: FLOATS, method: 8 },
      { name: 'ckpt/version', data: '3\n', method: 8 },
    ]);
    const result = await scan(bytes);
    expect(result.findings).toEqual([]);
    expect(result.notAnalysed).toBe(0);
  });

  it('uses the central directory name when the local header names another file (CVE-2025-1944)', async () => {
    const result = await scan(torchZip('archive', { localName: 'archive/notes.txt' }));
    expect(byRule(result.findings, 'ZIP-NAME-MISMATCH')).toMatchObject([
      { severity: 'high', location: { path: 'model.pt', offset: 0 } },
    ]);
    expectPayloadAt(result.findings, 'archive/data.pkl');
  });

  it('reads members flagged as encrypted, as PyTorch does', async () => {
    const result = await scan(torchZip('archive', { flags: FLAG_ENCRYPTED }));
    expect(rules(byRule(result.findings, 'ZIP-FLAGS'))).toEqual(['ZIP-FLAGS:medium']);
    expectPayloadAt(result.findings, 'archive/data.pkl');
  });

  it('reads members with a wrong CRC, as PyTorch does', async () => {
    const result = await scan(torchZip('archive', { crc: 0x12345678 }));
    expect(rules(byRule(result.findings, 'ZIP-CRC-MISMATCH'))).toEqual(['ZIP-CRC-MISMATCH:medium']);
    expect(byRule(result.findings, 'ZIP-CRC-MISMATCH')[0]!.evidence).toContain('0x12345678');
    expectPayloadAt(result.findings, 'archive/data.pkl');
  });

  it('reads deflated members with a wrong CRC', async () => {
    const result = await scan(torchZip('archive', { crc: 1, method: 8 }));
    expect(rules(byRule(result.findings, 'ZIP-CRC-MISMATCH'))).toEqual(['ZIP-CRC-MISMATCH:medium']);
    expectPayloadAt(result.findings, 'archive/data.pkl');
  });

  it('finds a payload when every evasion is combined', async () => {
    const result = await scan(
      torchZip('archive', { localName: 'x', flags: FLAG_ENCRYPTED, crc: 0, method: 8 }),
    );
    expect(new Set(result.findings.map((f) => f.ruleId))).toEqual(
      new Set(['ZIP-NAME-MISMATCH', 'ZIP-FLAGS', 'ZIP-CRC-MISMATCH', 'PICKLE-IMPORT-DANGEROUS']),
    );
    expectPayloadAt(result.findings, 'archive/data.pkl');
  });

  it('finds a payload in a zip whose central directory is missing', async () => {
    const bytes = buildZip(
      [
        { name: 'archive/data.pkl', data: payload() },
        { name: 'archive/version', data: '3\n' },
      ],
      {
        centralDirectory: false,
      },
    );
    const result = await scan(bytes);
    expectPayloadAt(result.findings, 'archive/data.pkl');
    expect(result.notAnalysed).toBeGreaterThan(0);
  });

  it('finds a payload behind prepended data with offsets not fixed', async () => {
    const bytes = buildZip(
      [
        { name: 'archive/data.pkl', data: payload() },
        { name: 'archive/version', data: '3\n' },
      ],
      { prefix: 'GIF89a\x01\x00\x01\x00', fixOffsets: false },
    );
    const result = await scan(bytes, 'model.gif');
    expect(byRule(result.findings, 'ZIP-STRUCTURE')).toHaveLength(1);
    expectPayloadAt(result.findings, 'archive/data.pkl', 'model.gif');
  });

  it('finds a pickle hidden in a member named like a tensor storage', async () => {
    for (const method of [0, 8]) {
      const result = await scan(
        torchZip('archive', { data: benignStateDict() }, [
          { name: 'archive/data/1', data: payload(), method },
        ]),
      );
      expectPayloadAt(result.findings, 'archive/data/1');
    }
  });

  it('replaces a storage member with a pickle and still finds it', async () => {
    const bytes = buildZip([
      { name: 'archive/data.pkl', data: benignStateDict() },
      { name: 'archive/data/0', data: payload() },
      { name: 'archive/version', data: '3\n' },
    ]);
    const result = await scan(bytes);
    expectPayloadAt(result.findings, 'archive/data/0');
  });

  it('finds a payload at the start of a storage member that only starts like a pickle', async () => {
    // Tensor-looking bytes after the payload make the member fail to parse to the end; the call decides.
    const bytes = torchZip('archive', { data: benignStateDict() }, [
      { name: 'archive/data/7', data: Uint8Array.from([...payload(), ...FLOATS, 0xff, 0xfe]) },
    ]);
    const result = await scan(bytes);
    expect(byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS')[0]?.location.member).toBe('archive/data/7');
  });

  it('does not report tensor bytes that happen to start like a pickle', async () => {
    const tensor = Uint8Array.from([0x80, 0x02, ...FLOATS, 0x00, 0x11, 0x22]);
    const bytes = torchZip('archive', { data: benignStateDict() }, [
      { name: 'archive/data/3', data: tensor },
    ]);
    const result = await scan(bytes);
    expect(result.findings).toEqual([]);
  });
});

/** posix.system('id') as protocol 0 writes it (no PROTO; text opcodes), or protocol 1 behind PROTO 1. */
const oldPayload = (protocol: 0 | 1, pad = '') => {
  const b = pickle();
  if (protocol === 1) b.proto(1);
  if (pad !== '') b.string0(pad).op(OP.POP);
  return b
    .global('posix', 'system')
    .op(OP.MARK)
    .op(OP.UNICODE)
    .raw('id\n')
    .op(OP.TUPLE)
    .op(OP.REDUCE)
    .stop()
    .build();
};

function expectCriticalAt(findings: readonly Finding[], member: string): void {
  const hits = byRule(findings, 'PICKLE-IMPORT-DANGEROUS');
  expect(hits, JSON.stringify(rules(findings))).toHaveLength(1);
  expect(hits[0]).toMatchObject({ severity: 'critical', evidence: "posix.system('id')" });
  expect(hits[0]!.location.member).toBe(member);
}

describe('zip analyser: the archive folder PyTorch reads (inline_container.cc PyTorchStreamReader::init)', () => {
  // B9: entry 0 names the folder (`data`), a decoy `data.pkl` sits at the root, and torch unpickles
  // `data/data.pkl`, which a folder taken from the decoy would have left to the storage sniff.
  const b9 = (evil: Uint8Array, method: number) =>
    buildZip([
      { name: 'data/version', data: '3\n', method },
      { name: 'data.pkl', data: pickle().proto(2).op(OP.EMPTY_DICT).stop().build(), method },
      { name: 'data/data.pkl', data: evil, method },
      { name: 'data/byteorder', data: 'little', method },
    ]);

  for (const protocol of [0, 1] as const) {
    for (const method of [0, 8]) {
      it(`finds a protocol ${protocol} payload in <entry 0 folder>/data.pkl behind a root decoy (method ${method})`, async () => {
        const result = await scan(b9(oldPayload(protocol), method));
        expect(result.format).toBe('pytorch-zip');
        expectCriticalAt(result.findings, 'data/data.pkl');
      });
    }
  }

  it('takes the folder from entry 0 and finds data.pkl in it in any letter case', () => {
    expect(classifyZipLayout(['data/version', 'data.pkl', 'data/data.pkl'])).toEqual({
      kind: 'pytorch',
      base: 'data/',
    });
    expect(classifyZipLayout(['Ckpt/version', 'other/data.pkl', 'CKPT/Data.PKL'])).toEqual({
      kind: 'pytorch',
      base: 'Ckpt/',
    });
    // A directory entry names the folder too; a name starting with '/' gives torch an empty folder name.
    expect(classifyZipLayout(['m/', 'x/data.pkl', 'm/data.pkl'])).toEqual({ kind: 'pytorch', base: 'm/' });
    expect(classifyZipLayout(['/version', 'data.pkl', '/data.pkl'])).toEqual({ kind: 'pytorch', base: '/' });
    expect(classifyZipLayout(['t/version', 't/code/m.py', 't/data.pkl'])).toEqual({
      kind: 'torchscript',
      base: 't/',
    });
  });

  it('falls back to the first data.pkl for archives PyTorch cannot open', () => {
    // Entry 0 outside any folder ("file in archive is not in a subdirectory"), or no data.pkl in its folder.
    expect(classifyZipLayout(['data.pkl', 'data/data.pkl'])).toEqual({ kind: 'pytorch', base: '' });
    expect(classifyZipLayout(['a/version', 'b/data.pkl'])).toEqual({ kind: 'pytorch', base: 'b/' });
    expect(classifyZipLayout(['a/version', 'a/notes.txt'])).toEqual({ kind: 'zip' });
  });

  it('never takes a .pkl member for tensor bytes', () => {
    const layout = classifyZipLayout(['data/version', 'data/data.pkl']);
    expect(isTensorStorageMember(layout, 'data/data/0')).toBe(true);
    expect(isTensorStorageMember(layout, 'data/.data/serialization_id')).toBe(true);
    expect(isTensorStorageMember(layout, 'data/data.pkl')).toBe(false);
    expect(isTensorStorageMember(layout, 'data/data/0.PKL')).toBe(false);
    expect(isTensorStorageMember(layout, 'data/version')).toBe(false);
  });
});

describe('zip analyser: protocol 0 and 1 pickles in tensor storage members', () => {
  for (const protocol of [0, 1] as const) {
    for (const method of [0, 8]) {
      it(`finds a protocol ${protocol} payload in a storage member (method ${method})`, async () => {
        const result = await scan(
          torchZip('archive', { data: benignStateDict() }, [
            { name: 'archive/data/1', data: oldPayload(protocol), method },
          ]),
        );
        expectCriticalAt(result.findings, 'archive/data/1');
      });
    }
  }

  it('finds a stored protocol 0 payload padded past the first window', async () => {
    const result = await scan(
      torchZip('archive', { data: benignStateDict() }, [
        { name: 'archive/data/1', data: oldPayload(0, 'A'.repeat(10_000)) },
      ]),
    );
    expectCriticalAt(result.findings, 'archive/data/1');
  });

  it('does not report tensor bytes that parse as a harmless or garbage protocol 0/1 pickle', async () => {
    const tensors = [
      Uint8Array.from([0x4e, 0x2e, ...FLOATS]), // NONE STOP: a clean, harmless pickle
      Uint8Array.from([0x80, 0x01, 0x4e, 0x2e, ...FLOATS]), // the same behind PROTO 1
      Uint8Array.from([0x63, 0xff, 0x20, 0x0a, 0x01, 0x0a, ...FLOATS]), // GLOBAL of garbage names
      new Uint8Array(64 * 1024).fill(0x4e), // NONE repeated past the opcode bound
    ];
    for (const method of [0, 8]) {
      const result = await scan(
        torchZip(
          'archive',
          { data: benignStateDict() },
          tensors.map((data, i) => ({ name: `archive/data/${i + 1}`, data, method })),
        ),
      );
      expect(result.findings).toEqual([]);
      expect(result.notAnalysed).toBe(0);
    }
  });

  it('reads only a window of a large stored storage member, whatever its first bytes', async () => {
    const size = 32 * 1024 * 1024;
    const random = new Uint8Array(new Float32Array(size / 4).map(() => Math.random() - 0.5).buffer);
    random[0] = 0x58; // BINUNICODE: its length field claims a string of random size
    const built = buildZipWithLayout([
      { name: 'archive/data.pkl', data: benignStateDict() },
      { name: 'archive/data/0', data: random },
      { name: 'archive/data/1', data: new Uint8Array(size).fill(0x4e) },
      { name: 'archive/version', data: '3\n' },
    ]);
    const inner = bufferSource(built.bytes);
    let read = 0;
    const counting: ByteSource = {
      size: inner.size,
      readAt(position, length) {
        const out = inner.readAt(position, length);
        const [start0, start1] = [built.dataOffsets[1]!, built.dataOffsets[2]!];
        for (const start of [start0, start1]) {
          const from = Math.max(position, start);
          const to = Math.min(position + out.length, start + size);
          if (to > from) read += to - from;
        }
        return out;
      },
    };
    const result = await analyseSource(counting, 'model.pt', {
      analysers: DEFAULT_ANALYSERS,
      policy: createImportPolicy(),
    });
    expect(result.findings).toEqual([]);
    expect(read).toBeLessThan(1024 * 1024);
  });
});

describe('zip analyser: plain zips and content sniffing', () => {
  it('decides by content, not by name: pickles named .txt or without extension are analysed', async () => {
    for (const name of ['weights.txt', 'payload', 'docs/README.md', 'model.safetensors']) {
      const result = await scan(buildZip([{ name, data: payload(), method: 8 }]), 'bundle.zip');
      expect(result.format).toBe('zip');
      expectPayloadAt(result.findings, name, 'bundle.zip');
    }
  });

  it('finds a payload in a zip nested in a zip, located at outer!/inner', async () => {
    const inner = torchZip('archive');
    const outer = buildZip([
      { name: 'README.md', data: '# model' },
      { name: 'models/inner.pt', data: inner, method: 8 },
    ]);
    const result = await scan(outer, 'bundle.zip');
    expectPayloadAt(result.findings, 'models/inner.pt!/archive/data.pkl', 'bundle.zip');
  });

  it('stops at the nesting limit and says what it did not analyse', async () => {
    let bytes = torchZip('archive');
    for (let level = 0; level < 6; level++) bytes = buildZip([{ name: `level${level}.zip`, data: bytes }]);
    const result = await scan(bytes, 'deep.zip');
    const limit = byRule(result.findings, 'SCAN-NESTING-LIMIT');
    expect(limit).toHaveLength(1);
    // The top file is depth 0; members down to depth 4 (level2.zip) are opened, level1.zip is not.
    expect(limit[0]!.location.member).toBe('level5.zip!/level4.zip!/level3.zip!/level2.zip!/level1.zip');
    expect(result.notAnalysed).toBeGreaterThan(0);
    expect(byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS')).toEqual([]);
  });

  it('honours a lower nesting limit', async () => {
    const outer = buildZip([{ name: 'inner.zip', data: torchZip('archive') }]);
    expectPayloadAt(
      (await scan(outer, 'o.zip', { maxNestingDepth: 2 })).findings,
      'inner.zip!/archive/data.pkl',
      'o.zip',
    );
    const limited = await scan(outer, 'o.zip', { maxNestingDepth: 1 });
    // One finding per member of inner.zip that would have been analysed (tensor storages are only sniffed).
    expect(limited.findings.map((f) => f.location.member)).toEqual([
      'inner.zip!/archive/data.pkl',
      'inner.zip!/archive/byteorder',
      'inner.zip!/archive/version',
    ]);
    expect(new Set(rules(limited.findings))).toEqual(new Set(['SCAN-NESTING-LIMIT:medium']));
    expect(limited.notAnalysed).toBe(3);
  });

  it('stops decompressing a bomb and analyses what it decompressed', async () => {
    // 200 MB: the payload, then zeros. Deflated to about 200 KB.
    const content = Buffer.alloc(200 * 2 ** 20);
    content.set(payload());
    const compressed = new Uint8Array(deflateRawSync(content, { level: 9 }));
    const bytes = buildZip([
      { name: 'archive/data.pkl', method: 8, compressed, uncompressedSize: content.length, crc: 0 },
      { name: 'archive/version', data: '3\n' },
    ]);
    const result = await scan(bytes);
    const bomb = byRule(result.findings, 'ARCHIVE-BOMB');
    expect(bomb).toHaveLength(1);
    expect(bomb[0]!.severity).toBe('high');
    expect(bomb[0]!.location.member).toBeUndefined();
    expect(result.notAnalysed).toBeGreaterThan(0);
    expectPayloadAt(result.findings, 'archive/data.pkl');
  });

  it('stops at the member size limit', async () => {
    const bytes = buildZip([{ name: 'big.dat', data: Buffer.alloc(4 << 20), method: 8 }]);
    const result = await scan(bytes, 'b.zip', { maxMemberBytes: 1 << 20 });
    expect(rules(result.findings)).toEqual(['ARCHIVE-BOMB:high']);
    expect(result.notAnalysed).toBe(1);
  });

  it('reports members escaping the extraction folder and links', async () => {
    const result = await scan(
      buildZip([
        { name: '../../home/user/.bashrc', data: 'echo pwned' },
        { name: '/etc/cron.d/job', data: '* * * * * root id' },
        { name: 'model.bin', data: '/etc/passwd', symlink: true },
      ]),
      'bundle.zip',
    );
    expect(rules(result.findings)).toEqual([
      'ARCHIVE-LINK:high',
      'ARCHIVE-PATH-TRAVERSAL:high',
      'ARCHIVE-PATH-TRAVERSAL:high',
    ]);
  });

  it('reports members it cannot decompress as not analysed', async () => {
    const result = await scan(buildZip([{ name: 'archive/data.pkl', data: payload(), method: 12 }]), 'm.zip');
    expect(rules(result.findings)).toEqual(['ARCHIVE-MALFORMED:medium']);
    expect(result.notAnalysed).toBe(1);
  });

  it('reports corrupt deflate data, analysing what came out', async () => {
    const compressed = new Uint8Array(deflateRawSync(Buffer.from(payload())));
    const bytes = buildZip([
      {
        name: 'a.pkl',
        method: 8,
        compressed: Uint8Array.from([...compressed.subarray(0, -2), 0xff, 0xff, 0xff]),
      },
    ]);
    const result = await scan(bytes, 'm.zip');
    expect(byRule(result.findings, 'ARCHIVE-MALFORMED').length).toBeGreaterThan(0);
    expect(result.notAnalysed).toBeGreaterThan(0);
  });

  it('lists members sharing data and duplicate names', async () => {
    const result = await scan(
      buildZip([
        { name: 'a/data.pkl', data: payload() },
        { name: 'a/data.pkl', data: payload(), sameLocalAs: 0 },
      ]),
      'm.zip',
    );
    expect(
      byRule(result.findings, 'ZIP-STRUCTURE')
        .map((f) => f.severity)
        .sort(),
    ).toEqual(['high', 'medium']);
    expect(byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS').length).toBeGreaterThan(0);
  });

  it('keeps scanning the other members when one has an impossible zip64 size', async () => {
    const result = await scan(
      torchZip('archive', {}, [{ name: 'bogus', data: 'x', uncompressedSize: 2 ** 60 }]),
    );
    expectPayloadAt(result.findings, 'archive/data.pkl');
  });
});

describe('zip analyser: TorchScript', () => {
  /** data.pkl of torch.jit.save: an instance of a class compiled from code/, built with NEWOBJ and BUILD. */
  const scriptPickle = () =>
    pickle()
      .proto(2)
      .global('__torch__.model', 'MyModule')
      .op(OP.EMPTY_TUPLE)
      .op(OP.NEWOBJ)
      .op(OP.EMPTY_DICT)
      .unicode('training')
      .op(OP.NEWTRUE)
      .op(OP.SETITEM)
      .op(OP.BUILD)
      .stop()
      .build();

  function torchScript(code: string, dataPkl = scriptPickle()): Uint8Array {
    return buildZip([
      { name: 'model/data.pkl', data: dataPkl },
      { name: 'model/code/__torch__/model.py', data: code, method: 8 },
      { name: 'model/constants.pkl', data: pickle().proto(2).op(OP.EMPTY_TUPLE).stop().build() },
      { name: 'model/version', data: '6\n' },
    ]);
  }

  it('reports code that loads more data, and does not call __torch__ globals unknown', async () => {
    const code =
      'class MyModule(Module):\n  def forward(self, x):\n    w = torch.load("/tmp/w.pt")\n    return x\n';
    const result = await scan(torchScript(code));
    expect(result.format).toBe('torchscript');
    const high = byRule(result.findings, 'TORCHSCRIPT-CODE').filter((f) => f.severity === 'high');
    expect(high).toHaveLength(1);
    expect(high[0]!.evidence).toContain('torch.load(');
    expect(high[0]!.message).toContain('model/code/__torch__/model.py');
    expect(byRule(result.findings, 'PICKLE-IMPORT-UNKNOWN')).toEqual([]);
    expect(rules(result.findings)).toEqual(['TORCHSCRIPT-CODE:high', 'TORCHSCRIPT-CODE:low']);
  });

  it('reports harmless code at low only', async () => {
    const result = await scan(
      torchScript('class MyModule(Module):\n  def forward(self, x):\n    return x * 2\n'),
    );
    expect(rules(result.findings)).toEqual(['TORCHSCRIPT-CODE:low']);
  });

  it('finds risky calls however Python spacing, continuation or the operator schema spells them', async () => {
    for (const call of [
      'torch . save(x, "/tmp/p")',
      'torch.\\\n    load("/tmp/w.pt")',
      'ops.aten.save(x, "/tmp/p")',
      'ops . aten . save(x, "/tmp/p")',
      '# aten::save\n',
      'torch.ops.load_library("/tmp/x.so")',
    ]) {
      const result = await scan(
        torchScript(`class MyModule(Module):\n  def forward(self, x):\n    ${call}\n`),
      );
      expect(rules(result.findings), call).toContain('TORCHSCRIPT-CODE:high');
    }
  });

  it('searches the whole of a long code file, not only its first window', async () => {
    const padding = `# ${'x'.repeat(100)}\n`.repeat(Math.ceil((MAX_TORCHSCRIPT_SOURCE_BYTES * 1.5) / 103));
    const result = await scan(
      torchScript(`class MyModule(Module):\n${padding}  w = torch.load("/tmp/w.pt")\n`),
    );
    expect(rules(result.findings)).toContain('TORCHSCRIPT-CODE:high');
  });

  it('recognises code and records in any letter case (miniz looks them up case-insensitively)', async () => {
    const bytes = buildZip([
      { name: 'model/DATA.PKL', data: scriptPickle() },
      { name: 'model/CODE/__torch__/model.PY', data: 'x = torch.load("/tmp/w.pt")\n', method: 8 },
      { name: 'model/version', data: '6\n' },
    ]);
    const result = await scan(bytes);
    expect(result.format).toBe('torchscript');
    expect(rules(result.findings)).toContain('TORCHSCRIPT-CODE:high');
  });

  it('still reports dangerous globals in a TorchScript pickle', async () => {
    const result = await scan(torchScript('class MyModule(Module):\n  pass\n', payload()));
    expectPayloadAt(result.findings, 'model/data.pkl');
  });
});

describe('zip analyser: npz', () => {
  function npyBytes(descr: string, data: Uint8Array): Uint8Array {
    const header = `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`;
    const pad = 64 - ((10 + header.length + 1) % 64);
    const text = Buffer.from(`${header}${' '.repeat(pad % 64)}\n`, 'latin1');
    const len = Buffer.alloc(2);
    len.writeUInt16LE(text.length);
    return new Uint8Array(Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, text, data]));
  }

  it('finds a pickle payload in an object array member', async () => {
    const bytes = buildZip([
      { name: 'weights.npy', data: npyBytes("'<f4'", FLOATS), method: 8 },
      { name: 'meta.npy', data: npyBytes("'|O'", payload()), method: 8 },
    ]);
    const result = await scan(bytes, 'arrays.npz');
    expect(result.format).toBe('npz');
    const hits = byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      severity: 'critical',
      location: { path: 'arrays.npz', member: 'meta.npy' },
    });
    expect(rules(result.findings)).toEqual(['NUMPY-OBJECT-ARRAY:low', 'PICKLE-IMPORT-DANGEROUS:critical']);
  });

  it('reports nothing for numeric arrays', async () => {
    const bytes = buildZip([
      { name: 'a.npy', data: npyBytes("'<f4'", FLOATS) },
      { name: 'b.npy', data: npyBytes("'<f4'", FLOATS), method: 8 },
    ]);
    const result = await scan(bytes, 'arrays.npz');
    expect(result.format).toBe('npz');
    expect(result.findings).toEqual([]);
  });
});

/** A ustar archive of regular files (POSIX ustar header; the legacy torch.save used tarfile). */
function tar(members: readonly [string, Uint8Array][]): Uint8Array {
  const parts: Buffer[] = [];
  for (const [name, data] of members) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('0', 156);
    h.write('ustar\x0000', 257, 'latin1');
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    parts.push(h, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return new Uint8Array(Buffer.concat(parts));
}

function i64(n: number): number[] {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return [...b];
}

function i32(n: number): number[] {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return [...b];
}

describe('tar analyser: legacy PyTorch tar checkpoints (torch/serialization.py legacy_load)', () => {
  const sysInfo = () =>
    pickle()
      .proto(2)
      .op(OP.EMPTY_DICT)
      .op(OP.MARK)
      .unicode('protocol_version')
      .int(1001)
      .unicode('little_endian')
      .op(OP.NEWTRUE)
      .unicode('type_sizes')
      .op(OP.EMPTY_DICT)
      .op(OP.MARK)
      .unicode('short')
      .int(2)
      .unicode('int')
      .int(4)
      .unicode('long')
      .int(8)
      .op(OP.SETITEMS)
      .op(OP.SETITEMS)
      .stop()
      .build();

  /** The object: {'w': <tensor 't0'>}, tensors referenced by persistent id. */
  const objectPickle = () =>
    pickle()
      .proto(2)
      .global('collections', 'OrderedDict')
      .op(OP.EMPTY_TUPLE)
      .op(OP.REDUCE)
      .unicode('w')
      .unicode('t0')
      .op(OP.BINPERSID)
      .op(OP.SETITEM)
      .stop()
      .build();

  const count = (n: number) => pickle().proto(2).int(n).stop().build();
  /** (key, location, storage_type), then int64 element count and the raw elements. */
  const storageRecord = (key: string, floats: number) => [
    ...pickle()
      .proto(2)
      .unicode(key)
      .unicode('cpu')
      .global('torch', 'FloatStorage')
      .op(OP.TUPLE3)
      .stop()
      .build(),
    ...i64(floats),
    ...new Uint8Array(new Float32Array(floats).fill(1.5).buffer),
  ];
  const emptyViews = () => pickle().proto(2).op(OP.EMPTY_LIST).stop().build();
  /** (key, storage_id, tensor type), then int32 ndim, 4 padding bytes, sizes, strides and the offset. */
  const tensorRecord = (key: string, storage: string, numel: number) => [
    ...pickle().proto(2).unicode(key).unicode(storage).global('torch', 'Tensor').op(OP.TUPLE3).stop().build(),
    ...i32(1),
    0,
    0,
    0,
    0,
    ...i64(numel),
    ...i64(1),
    ...i64(0),
  ];

  function legacyTar(storages: number[]): Uint8Array {
    return tar([
      ['sys_info', sysInfo()],
      ['pickle', objectPickle()],
      ['storages', Uint8Array.from(storages)],
      ['tensors', Uint8Array.from([...count(1), ...tensorRecord('t0', '0', 4)])],
    ]);
  }

  it('reports nothing for a benign legacy checkpoint', async () => {
    const result = await scan(legacyTar([...count(1), ...storageRecord('0', 4), ...emptyViews()]), 'old.pt');
    expect(result.format).toBe('pytorch-legacy-tar');
    expect(result.kind).toBe('model');
    expect(result.findings).toEqual([]);
    expect(result.notAnalysed).toBe(0);
  });

  it('finds a payload placed as a storage record after a legitimate one', async () => {
    const storages = [...count(2), ...storageRecord('0', 4), ...payload()];
    const offset = count(2).length + storageRecord('0', 4).length + 2;
    const result = await scan(legacyTar(storages), 'old.pt');
    const hits = byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      severity: 'critical',
      location: { path: 'old.pt', member: 'storages', offset },
    });
  });

  it('finds a payload placed as the storage views pickle after the records', async () => {
    const storages = [...count(1), ...storageRecord('0', 4), ...payload()];
    const result = await scan(legacyTar(storages), 'old.pt');
    const hits = byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.location.member).toBe('storages');
  });

  it('finds a payload in a tensor record', async () => {
    const bytes = tar([
      ['sys_info', sysInfo()],
      ['pickle', objectPickle()],
      ['storages', Uint8Array.from([...count(1), ...storageRecord('0', 4), ...emptyViews()])],
      ['tensors', Uint8Array.from([...count(2), ...tensorRecord('t0', '0', 4), ...payload()])],
    ]);
    const result = await scan(bytes, 'old.pt');
    expect(byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS')[0]?.location.member).toBe('tensors');
  });

  it('finds a payload in the object pickle', async () => {
    const bytes = tar([
      ['sys_info', sysInfo()],
      ['pickle', payload()],
      ['storages', Uint8Array.from([...count(0), ...emptyViews()])],
      ['tensors', Uint8Array.from(count(0))],
    ]);
    const result = await scan(bytes, 'old.pt');
    expect(byRule(result.findings, 'PICKLE-IMPORT-DANGEROUS')[0]?.location).toEqual({
      path: 'old.pt',
      member: 'pickle',
      offset: 2,
    });
  });

  it('reads the next record where torch reads it when a storage is shorter than it says', async () => {
    // torch skips 16 bytes of elements and lands inside the payload, which it then fails to unpickle.
    const storages = [...count(2), ...storageRecord('0', 4).slice(0, -4), ...payload()];
    const result = await scan(legacyTar(storages), 'old.pt');
    expect(rules(result.findings)).toEqual(['PICKLE-MALFORMED:medium']);
    expect(result.findings[0]!.location.member).toBe('storages');
    expect(result.notAnalysed).toBe(1);
  });

  it('says what it could not walk when a storage claims more elements than the member holds', async () => {
    const record = storageRecord('0', 4);
    const header = record.length - 16 - 8;
    const lying = [...record.slice(0, header), ...i64(1e12), ...record.slice(header + 8)];
    const result = await scan(legacyTar([...count(2), ...lying, ...payload()]), 'old.pt');
    expect(rules(result.findings)).toEqual(['ARCHIVE-MALFORMED:medium']);
    expect(result.findings[0]!.location.member).toBe('storages');
    expect(result.notAnalysed).toBe(1);
  });

  it('reports a storage record that names no storage type', async () => {
    const record = pickle()
      .proto(2)
      .unicode('0')
      .unicode('cpu')
      .global('torch', 'Nothing')
      .op(OP.TUPLE3)
      .stop();
    const result = await scan(legacyTar([...count(1), ...record.build(), ...i64(0)]), 'old.pt');
    expect(byRule(result.findings, 'ARCHIVE-MALFORMED')[0]?.location.member).toBe('storages');
    expect(result.notAnalysed).toBeGreaterThan(0);
  });
});
