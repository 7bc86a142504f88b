import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { parseNpyHeader, readNpyPreamble } from '../../formats/npy/header.js';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import { analyseBytes, ruleList } from '../test-support.js';

const npyFixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../formats/npy/fixtures/${name}`, import.meta.url)));

const scan = (bytes: Uint8Array, path = 'array.npy') => analyseBytes(bytes, path);

const rules = ruleList;

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

/** A version 3.0 .npy file (4-byte header length, UTF-8 header). */
function npyV3(header: string, data: Uint8Array): Uint8Array {
  const raw = Buffer.from(header, 'utf8');
  const pad = (64 - ((12 + raw.length + 1) % 64)) % 64;
  const text = Buffer.concat([raw, Buffer.alloc(pad, 0x20), Buffer.from('\n')]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(text.length);
  return new Uint8Array(Buffer.concat([Buffer.from('\x93NUMPY\x03\x00', 'latin1'), len, text, data]));
}

/** Float64 array bytes that are not a pickle. */
const FLOATS = new Uint8Array(new Float64Array([1.5, -2.25, 3]).buffer);

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

  it('reports a header it cannot read as not analysed when no pickle follows it', async () => {
    const result = await scan(npy("{'descr': '<f8', 'shape': (1,), }", FLOATS));
    expect(rules(result.findings)).toEqual(['ARCHIVE-MALFORMED:medium']);
    expect(result.notAnalysed).toBe(1);
  });

  // numpy 2.x reads 'T' as StringDType, whose dtype.hasobject is True, so read_array pickle.loads the data
  // (checked with numpy 2.4.6's _read_array_header on each of these headers).
  it('finds a payload behind NumPy 2 StringDType descrs', async () => {
    for (const descr of [
      "'T'",
      "'<T'",
      "'|T'",
      "'>T'",
      "'=T'",
      "'f4,T'",
      "'(2,)T'",
      "('T', (2,))",
      "[('b', 'T')]",
      "[('a', '<f4'), ('b', 'T')]",
    ]) {
      const result = await scan(
        npy(`{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`, payload()),
      );
      expect(rules(result.findings), descr).toEqual([
        'NUMPY-OBJECT-ARRAY:low',
        'PICKLE-IMPORT-DANGEROUS:critical',
      ]);
      expect(result.format).toBe('npy-object');
    }
  });

  it('analyses the pickle after a header it cannot read, at the offset the length field gives', async () => {
    // numpy reads '\N{LATIN CAPITAL LETTER O}' as 'O' (ast.literal_eval resolves the name); pedigree has no
    // Unicode name table, so it cannot read the header, but the pickle numpy would run is still analysed.
    const header = "{'descr': '\\N{LATIN CAPITAL LETTER O}', 'fortran_order': False, 'shape': (1,), }";
    for (const bytes of [npy(header, payload()), npyV3(header, payload())]) {
      const result = await scan(bytes);
      expect(rules(result.findings)).toEqual([
        'NUMPY-OBJECT-ARRAY:medium',
        'PICKLE-IMPORT-DANGEROUS:critical',
      ]);
      const dataOffset = readNpyPreamble(bufferSource(bytes)).dataOffset;
      const hit = result.findings.find((f) => f.ruleId === 'PICKLE-IMPORT-DANGEROUS')!;
      expect(hit.location.offset).toBe(dataOffset + 2);
      expect(result.notAnalysed).toBe(0);
    }
  });

  it('analyses the pickle after a dtype it cannot classify, and reports it not analysed otherwise', async () => {
    for (const descr of ["'bfloat16'", "'f 4'", "{'names': ['a'], 'formats': ['O']}", 'None']) {
      const header = `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`;
      const withPickle = await scan(npy(header, payload()));
      expect(rules(withPickle.findings), descr).toEqual([
        'NUMPY-OBJECT-ARRAY:medium',
        'PICKLE-IMPORT-DANGEROUS:critical',
      ]);
      const withFloats = await scan(npy(header, FLOATS));
      expect(rules(withFloats.findings), descr).toEqual(['ARCHIVE-MALFORMED:medium']);
      expect(withFloats.notAnalysed).toBe(1);
    }
  });

  it('finds a payload behind headers over numpy’s default size limit and with negative shapes', async () => {
    // allow_pickle=True lifts numpy's 10,000-byte header limit; the header check accepts any int in shape.
    const long = `{'descr': '|O',${' '.repeat(20_000)}'fortran_order': False, 'shape': (1,), }`;
    const negative = "{'descr': '|O', 'fortran_order': False, 'shape': (-1,), }";
    for (const bytes of [npyV3(long, payload()), npy(negative, payload())]) {
      const result = await scan(bytes);
      expect(rules(result.findings)).toEqual(['NUMPY-OBJECT-ARRAY:low', 'PICKLE-IMPORT-DANGEROUS:critical']);
    }
  });

  it('finds a StringDType payload in an .npz member', async () => {
    const member = npy("{'descr': 'T', 'fortran_order': False, 'shape': (1,), }", payload());
    const result = await scan(buildZip([{ name: 'weights.npy', data: member }]), 'arrays.npz');
    expect(rules(result.findings)).toContain('PICKLE-IMPORT-DANGEROUS:critical');
  });
});
