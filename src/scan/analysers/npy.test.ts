import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import type { Finding } from '../../core/finding.js';
import { parseNpyHeader } from '../../formats/npy/header.js';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import { analyseSource } from '../engine.js';
import { createImportPolicy } from '../pickle/policy.js';
import { DEFAULT_ANALYSERS } from './index.js';

const npyFixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../formats/npy/fixtures/${name}`, import.meta.url)));

async function scan(bytes: Uint8Array, path = 'array.npy') {
  return analyseSource(bufferSource(bytes), path, {
    analysers: DEFAULT_ANALYSERS,
    policy: createImportPolicy(),
  });
}

const rules = (findings: readonly Finding[]) => findings.map((f) => `${f.ruleId}:${f.severity}`).sort();

const payload = () =>
  pickle().proto(2).global('posix', 'system').unicode('id').op(OP.TUPLE1).op(OP.REDUCE).stop().build();

/** A version 1.0 .npy file: magic, header dict padded to 64 bytes, then the data. */
function npy(header: string, data: Uint8Array): Uint8Array {
  const pad = (64 - ((10 + header.length + 1) % 64)) % 64;
  const text = Buffer.from(`${header}${' '.repeat(pad)}\n`, 'latin1');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(text.length);
  return new Uint8Array(Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, text, data]));
}

describe('npy analyser', () => {
  it('finds a payload in the pickle of an object array, at its offset in the file', async () => {
    const bytes = npy("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", payload());
    const dataOffset = parseNpyHeader(bufferSource(bytes)).dataOffset;
    const result = await scan(bytes);
    expect(result.format).toBe('npy-object');
    expect(rules(result.findings)).toEqual(['NUMPY-OBJECT-ARRAY:low', 'PICKLE-IMPORT-DANGEROUS:critical']);
    const hit = result.findings.find((f) => f.ruleId === 'PICKLE-IMPORT-DANGEROUS')!;
    expect(hit.location).toEqual({ path: 'array.npy', offset: dataOffset + 2 });
    expect(hit.evidence).toBe("posix.system('id')");
    const object = result.findings.find((f) => f.ruleId === 'NUMPY-OBJECT-ARRAY')!;
    expect(object.location.offset).toBe(dataOffset);
    expect(result.notAnalysed).toBe(0);
  });

  it('finds a payload in a structured array with an object field', async () => {
    const bytes = npy(
      "{'descr': [('x', '<f4'), ('o', 'O')], 'fortran_order': False, 'shape': (1,), }",
      payload(),
    );
    expect(rules((await scan(bytes)).findings)).toContain('PICKLE-IMPORT-DANGEROUS:critical');
  });

  it('finds a payload behind headers numpy reads as object arrays but a second reading would not', async () => {
    for (const header of [
      "{'descr': 'object', 'fortran_order': False, 'shape': (1,), }",
      "{'descr': '<f8', 'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
      "{# 'descr': '<f8',\n'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
      "{'descr': '\\x4f', 'fortran_order': False, 'shape': (1,), }",
      "{'descr': ['aO'], 'fortran_order': False, 'shape': (1,), }",
    ]) {
      const result = await scan(npy(header, payload()));
      expect(rules(result.findings), header).toContain('PICKLE-IMPORT-DANGEROUS:critical');
    }
  });

  it('reports only the object array for an object array numpy wrote', async () => {
    const result = await scan(npyFixture('structured-object-v1.npy'));
    expect(result.format).toBe('npy-object');
    expect(rules(result.findings)).toEqual(['NUMPY-OBJECT-ARRAY:low']);
  });

  it('reports nothing for numeric arrays', async () => {
    for (const name of ['f4-v1.npy', 'i8-v2.npy', 'u1-v3.npy', 'fortran-v1.npy', 'scalar-v1.npy']) {
      const result = await scan(npyFixture(name));
      expect(result.format, name).toBe('npy');
      expect(result.kind).toBe('data');
      expect(result.findings, name).toEqual([]);
      expect(result.notAnalysed).toBe(0);
    }
  });

  it('does not read numeric array data as a pickle, even when it looks like one', async () => {
    const result = await scan(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (40,), }", payload()));
    expect(result.findings).toEqual([]);
  });

  it('reports a header it cannot read as not analysed', async () => {
    const result = await scan(npy("{'descr': '<f8', 'shape': (1,), }", payload()));
    expect(rules(result.findings)).toEqual(['ARCHIVE-MALFORMED:medium']);
    expect(result.notAnalysed).toBe(1);
  });
});
