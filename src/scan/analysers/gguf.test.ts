import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bufferSource } from '../../core/byte-reader.js';
import { parseGguf } from '../../formats/gguf/reader.js';
import { buildGguf, buildGgufHeader, type GgufSpec, gv } from '../../formats/gguf/test-support.js';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import { analyseBytes, ruleList } from '../test-support.js';
import { MAX_HIDDEN_RANGES_ANALYSED } from './hidden-bytes.js';

const scan = (bytes: Uint8Array | ByteSource, path = 'model.gguf') => analyseBytes(bytes, path);

const rules = ruleList;

const evil = pickle()
  .proto(2)
  .global('posix', 'system')
  .unicode('id')
  .op(OP.TUPLE1)
  .op(OP.REDUCE)
  .stop()
  .build();

/** CVE-2024-34359's shape: a Jinja global's __init__.__globals__ reaching os. */
const EVIL = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const TEMPLATE =
  "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] }}{% endfor %}".repeat(
    5,
  );

const model = (spec: GgufSpec = {}) =>
  buildGguf({
    metadata: [
      ['general.architecture', gv.str('llama')],
      ['tokenizer.ggml.tokens', gv.arr('string', [gv.str('<s>'), gv.str('</s>')])],
      ...(spec.metadata ?? []),
    ],
    tensors: [
      { name: 'token_embd.weight', dims: [64, 2], type: 2 },
      { name: 'output.weight', dims: [8] },
    ],
    ...(spec.trailing ? { trailing: spec.trailing } : {}),
    ...(spec.version ? { version: spec.version } : {}),
    ...(spec.bigEndian ? { bigEndian: spec.bigEndian } : {}),
  });

describe('gguf analyser', () => {
  it('reports nothing for a well-formed model, in any version and byte order', async () => {
    for (const spec of [{}, { version: 1 as const }, { version: 2 as const }, { bigEndian: true }]) {
      const result = await scan(model(spec));
      expect(result.format).toBe('gguf');
      expect(result.kind).toBe('model');
      expect(result.findings).toEqual([]);
      expect(result.notAnalysed).toBe(0);
    }
  });

  it('analyses every chat template: a benign one is clean, an injection is critical at its key', async () => {
    const result = await scan(
      model({
        metadata: [
          ['tokenizer.chat_template', gv.str(TEMPLATE)],
          ['tokenizer.chat_template.tool_use', gv.str(EVIL)],
        ],
      }),
    );
    expect(rules(result.findings)).toEqual(['TEMPLATE-INJECTION:critical']);
    expect(result.notAnalysed).toBe(0);
    expect(result.findings[0]?.message).toContain("'tokenizer.chat_template.tool_use'");
    expect(result.findings[0]?.location.offset).toBeGreaterThan(0);
  });

  it('reports the default and named templates of files gguf-py wrote, not the list of names', async () => {
    for (const name of ['gguf-py-le.gguf', 'gguf-py-be.gguf']) {
      const bytes = new Uint8Array(
        readFileSync(new URL(`../../formats/gguf/fixtures/${name}`, import.meta.url)),
      );
      const result = await scan(bytes);
      expect(result.format).toBe('gguf');
      expect(result.findings, name).toEqual([]); // both templates are benign
    }
  });

  it('finds the template in big-endian and v1 files, and under a value that is not a string', async () => {
    for (const spec of [{ bigEndian: true }, { version: 1 as const }]) {
      const r = await scan(model({ ...spec, metadata: [['tokenizer.chat_template', gv.str(EVIL)]] }));
      expect(rules(r.findings)).toEqual(['TEMPLATE-INJECTION:critical']);
    }
    const odd = await scan(
      model({ metadata: [['tokenizer.chat_template', gv.arr('string', [gv.str('x')])]] }),
    );
    expect(rules(odd.findings)).toEqual(['GGUF-CHAT-TEMPLATE:medium']);
    expect(odd.findings[0]?.evidence).toContain('string array');
  });

  it('keeps the template when the header breaks after it', async () => {
    const bytes = buildGguf({
      metadata: [
        ['tokenizer.chat_template', gv.str(EVIL)],
        ['general.architecture', gv.str('llama')],
      ],
    });
    const next = parseGguf(bufferSource(bytes)).metadata[1]?.offset as number;
    const result = await scan(bytes.subarray(0, next + 5)); // inside the entry after the template
    expect(rules(result.findings)).toEqual(['GGUF-MALFORMED:medium', 'TEMPLATE-INJECTION:critical']);
    expect(result.notAnalysed).toBe(1);
  });

  it('analyses bytes after the last tensor by content: a pickle polyglot is critical', async () => {
    const result = await scan(model({ trailing: evil }));
    expect(rules(result.findings)).toEqual(['GGUF-STRUCTURE:high', 'PICKLE-IMPORT-DANGEROUS:critical']);
    const hit = result.findings.find((f) => f.ruleId === 'PICKLE-IMPORT-DANGEROUS');
    expect(hit?.location.member).toMatch(/^\(bytes \d+-\d+ outside every tensor\)$/);
  });

  it('analyses a gap between tensors after its zero padding', async () => {
    const spec = {
      tensors: [
        { name: 'a', dims: [8] },
        { name: 'b', dims: [8], offset: 256 },
      ],
    };
    const bytes = buildGguf(spec);
    bytes.set(evil, buildGgufHeader(spec).dataStart + 40); // 8 bytes into the gap after a's data
    const result = await scan(bytes);
    // (The zeros after the pickle, up to tensor b, are its trailing data.)
    expect(rules(result.findings)).toEqual([
      'GGUF-STRUCTURE:high',
      'PICKLE-IMPORT-DANGEROUS:critical',
      'PICKLE-TRAILING-DATA:low',
    ]);
  });

  it('leaves an appended zip to the appended-zip pass (analysed once)', async () => {
    const zip = buildZip([{ name: 'archive/data.pkl', data: evil }]);
    const result = await scan(model({ trailing: zip }));
    expect(result.findings.filter((f) => f.ruleId === 'PICKLE-IMPORT-DANGEROUS')).toHaveLength(1);
    expect(rules(result.findings)).toContain('GGUF-STRUCTURE:high');
  });

  it('bounds the hidden ranges it analyses', async () => {
    const n = MAX_HIDDEN_RANGES_ANALYSED + 2;
    const tensors = Array.from({ length: n }, (_, i) => ({
      name: `t${i}`,
      dims: [8],
      offset: i * 64,
      data: new Uint8Array(32),
    }));
    const bytes = buildGguf({ tensors, trailing: new Uint8Array(64) });
    // Fill every gap (the 32 bytes after each tensor's data and padding) with non-zero bytes.
    const start = buildGgufHeader({ tensors }).dataStart;
    for (let i = 0; i < n; i++) bytes.fill(0x41, start + i * 64 + 32, start + i * 64 + 64);
    const result = await scan(bytes);
    const notAnalysed = result.findings.filter((f) => f.message.includes('the rest were not analysed'));
    expect(notAnalysed).toHaveLength(1);
    expect(result.notAnalysed).toBe(1);
  });

  it('grades overlaps, misalignment and duplicates medium, unknown tensor types not analysed', async () => {
    const overlap = await scan(
      buildGguf({
        tensors: [
          { name: 'a', dims: [8] },
          { name: 'b', dims: [8], offset: 0 },
        ],
      }),
    );
    expect(rules(overlap.findings)).toEqual(['GGUF-STRUCTURE:medium']);
    const dup = await scan(
      buildGguf({
        metadata: [
          ['general.name', gv.str('a')],
          ['general.name', gv.str('b')],
        ],
      }),
    );
    expect(rules(dup.findings)).toEqual(['GGUF-STRUCTURE:medium']);
    expect(dup.findings[0]?.evidence).toContain("'general.name' is given more than once");
    const unknown = await scan(
      buildGguf({ tensors: [{ name: 'u', dims: [8], type: 77, data: new Uint8Array(32) }] }),
    );
    expect(rules(unknown.findings)).toEqual(['GGUF-MALFORMED:medium']);
    expect(unknown.notAnalysed).toBe(1);
  });

  it('reports a file it cannot read as not analysed', async () => {
    const bytes = model();
    const result = await scan(bytes.subarray(0, 40));
    expect(result.format).toBe('gguf');
    expect(rules(result.findings)).toEqual(['GGUF-MALFORMED:medium']);
    expect(result.notAnalysed).toBe(1);
    const version = bytes.slice();
    version[4] = 9;
    expect((await scan(version)).findings[0]?.message).toContain('unsupported GGUF version 9');
  });

  it('scans a 5 GB model from its header alone', async () => {
    const tensors = Array.from({ length: 5 }, (_, i) => ({ name: `blk.${i}.weight`, dims: [16384, 16384] }));
    const built = buildGgufHeader({ metadata: [['tokenizer.chat_template', gv.str(EVIL)]], tensors });
    const attempts: number[] = [];
    const source: ByteSource = {
      size: built.size,
      readAt(position, length) {
        if (position >= built.header.length) {
          attempts.push(position);
          throw new Error(`read past the header at ${position}`);
        }
        return built.header.subarray(position, Math.min(built.header.length, position + length));
      },
    };
    const result = await scan(source);
    expect(result.format).toBe('gguf');
    expect(rules(result.findings)).toEqual(['TEMPLATE-INJECTION:critical']);
    // The only read past the header is the engine's look for a zip end record in the file's last 64 KiB,
    // which it makes for every file (and which fails here without harm).
    expect(attempts.every((p) => p >= built.size - 128 * 1024)).toBe(true);
  });
});
