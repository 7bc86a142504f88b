import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { BYTE_SCAN_WINDOW, scanForImports } from './byte-scan.js';

const scan = (text: string | Uint8Array, start = 0) =>
  scanForImports(bufferSource(typeof text === 'string' ? Buffer.from(text, 'latin1') : text), start).map(
    (i) => `${i.opcode} ${i.module}.${i.name}@${i.offset}`,
  );

describe('scanForImports', () => {
  it('finds GLOBAL, INST and STACK_GLOBAL over SHORT_BINUNICODE names', () => {
    expect(scan('NNcposix\nsystem\n')).toEqual(['GLOBAL posix.system@2']);
    expect(scan('(ios\npopen\n')).toEqual(['INST os.popen@1']);
    expect(scan('\x8c\x05posix\x94\x8c\x06system\x94\x93')).toEqual(['STACK_GLOBAL posix.system@0']);
  });

  it('finds STACK_GLOBAL over every string push: BINUNICODE, SHORT_BINSTRING, BINSTRING, UNICODE lines, memo stores', () => {
    expect(scan('X\x05\0\0\0posixX\x06\0\0\0system\x93')).toEqual(['STACK_GLOBAL posix.system@0']);
    expect(scan('U\x05posixq\x01U\x06systemq\x02\x93')).toEqual(['STACK_GLOBAL posix.system@0']);
    expect(scan("T\x02\0\0\0osS'system'\n\x93")).toEqual(['STACK_GLOBAL os.system@0']);
    // (the `i` of posix followed by x\n... also reads as an INST line: a byte scan over-reports, never under)
    expect(scan('Vposix\nVsystem\nr\0\0\0\0\x93')).toContain('STACK_GLOBAL posix.system@0');
  });

  it('ignores string pushes whose length bytes do not match, and names that are not identifiers', () => {
    expect(scan('\x8c\x09posix\x8c\x06system\x93')).toEqual([]);
    expect(scan('c9bad\nname\n')).toEqual([]);
  });

  it('starts where it is told and sees names across window boundaries', () => {
    expect(scan('cos\nsystem\n', 1)).toEqual([]);
    const bytes = Buffer.alloc(BYTE_SCAN_WINDOW + 100, 0x4e);
    bytes.write('cposix\nsystem\n', BYTE_SCAN_WINDOW - 5, 'latin1');
    expect(scan(bytes)).toEqual([`GLOBAL posix.system@${BYTE_SCAN_WINDOW - 5}`]);
  });

  it('reports each name once, sorted by offset, and survives random bytes', () => {
    expect(scan('cos\nsystem\nNcos\nsystem\n')).toEqual(['GLOBAL os.system@0']);
    const random = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 2654435761) >>> 24);
    expect(() => scan(random)).not.toThrow();
  });
});
