import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseBytes, ruleList } from '../test-support.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../formats/hdf5/fixtures/${name}`, import.meta.url)));

const scan = (name: string) => analyseBytes(fixture(name), name);

describe('Keras HDF5 files', () => {
  it('report nothing for a model of Keras layers with its training configuration', async () => {
    const result = await scan('dense-safe.h5');
    expect(result.format).toBe('keras-h5');
    expect(ruleList(result.findings)).toEqual([]);
  });

  it('report a top-level Lambda with its bytecode names, and that HDF5 loading ignores safe_mode', async () => {
    const { findings } = await scan('lambda-top.h5');
    expect(ruleList(findings)).toEqual(['KERAS-LAMBDA:critical']);
    expect(findings[0]?.evidence).toContain("names: __import__, system; consts: 'os', 'id'");
    expect(findings[0]?.message).toContain('CVE-2025-9905');
  });

  it('find a Lambda in a Sequential inside a Functional model', async () => {
    const { findings } = await scan('lambda-nested.h5');
    expect(ruleList(findings)).toEqual(['KERAS-LAMBDA:high']);
    expect(findings[0]?.message).toContain(
      'Functional "outer" → Sequential "inner" → Lambda "lambda_nested"',
    );
  });

  it('find Lambdas inside TimeDistributed and Bidirectional', async () => {
    const { findings } = await scan('lambda-wrappers.h5');
    expect(ruleList(findings)).toEqual(['KERAS-LAMBDA:critical', 'KERAS-LAMBDA:critical']);
  });

  it('report custom layers, activations and losses', async () => {
    expect(ruleList((await scan('custom-object.h5')).findings)).toEqual([
      'KERAS-CUSTOM-OBJECT:medium',
      'KERAS-CUSTOM-OBJECT:medium',
      'KERAS-CUSTOM-OBJECT:medium',
    ]);
  });

  it('report module references and gadgets in Keras 3 legacy files', async () => {
    expect(ruleList((await scan('keras3-module-reference.h5')).findings)).toEqual([
      'KERAS-GADGET:high',
      'KERAS-MODULE-REFERENCE:critical',
      'KERAS-MODULE-REFERENCE:critical',
    ]);
  });

  it('report links to other files', async () => {
    expect(ruleList((await scan('external-link.h5')).findings)).toEqual(['HDF5-STRUCTURE:medium']);
  });

  it('report configurations and code in attributes Keras does not read', async () => {
    expect(ruleList((await scan('weights-with-code.h5')).findings)).toEqual([
      'HDF5-STRUCTURE:critical',
      'HDF5-STRUCTURE:medium',
      'KERAS-LAMBDA:critical',
    ]);
  });

  it('analyse both readings of a file with a user block', async () => {
    const result = await scan('user-block.h5');
    const rules = ruleList(result.findings);
    expect(rules).toContain('PICKLE-IMPORT-DANGEROUS:critical');
    expect(rules).toContain('HDF5-STRUCTURE:medium');
  });

  it('read the HDF5 file behind a user block no other format claims', async () => {
    const bytes = fixture('user-block.h5');
    // Not a pickle any more: no analyser claims the first bytes, and the HDF5 reading is still analysed.
    bytes[0] = 0x00;
    const result = await analyseBytes(bytes, 'x.h5');
    expect(result.format).toBe('keras-h5');
    expect(ruleList(result.findings)).toContain('HDF5-STRUCTURE:medium');
  });

  describe('on malformed input', () => {
    it('report a model_config that is not a string as not analysed', async () => {
      const result = await scan('bogus-attr-type.h5');
      expect(ruleList(result.findings)).toEqual(['HDF5-MALFORMED:medium']);
      expect(result.notAnalysed).toBe(1);
    });

    it('report a model_config that is not JSON as not analysed', async () => {
      expect(ruleList((await scan('non-json-config.h5')).findings)).toEqual([
        'KERAS-CONFIG-MALFORMED:medium',
      ]);
    });

    it('report a configuration nested past the limit as not analysed', async () => {
      expect(ruleList((await scan('deep-config.h5')).findings)).toEqual(['KERAS-CONFIG-MALFORMED:medium']);
    });

    it('search a file the library cannot open for configurations, and still find the Lambda', async () => {
      const bytes = fixture('lambda-top.h5').subarray(0, 6000);
      const result = await analyseBytes(bytes, 'truncated.h5');
      expect(ruleList(result.findings)).toEqual(['HDF5-MALFORMED:medium', 'KERAS-LAMBDA:critical']);
      expect(result.notAnalysed).toBe(1);
    });

    it('report a corrupt file as not analysed, never as clean', async () => {
      const bytes = fixture('dense-safe.h5').slice();
      bytes.fill(0xff, 8, 120);
      const result = await analyseBytes(bytes, 'corrupt.h5');
      expect(ruleList(result.findings)).toContain('HDF5-MALFORMED:medium');
      expect(result.notAnalysed).toBe(1);
    });
  });
});
