import { describe, expect, it } from 'vitest';
import { MAX_DVC_FILE_CHARS, readDvcFile } from './dvc.js';

describe('readDvcFile', () => {
  it('reads a DVC 3 file tracking a directory', () => {
    // As `dvc add data/images` writes it (DVC 3.x: `hash: md5`, `.dir` MD5 for directories).
    const text = [
      'outs:',
      '- md5: b6923e1e4ad16ea1a7e2b328842d56a2.dir',
      '  size: 1500',
      '  nfiles: 3',
      '  hash: md5',
      '  path: images',
      '  desc: Training images',
    ].join('\n');
    expect(readDvcFile('data/images.dvc', text)).toEqual({
      outs: [
        {
          path: 'images',
          md5: 'b6923e1e4ad16ea1a7e2b328842d56a2',
          directory: true,
          size: 1500,
          files: 3,
          description: 'Training images',
        },
      ],
      problems: [],
    });
  });

  it('reads a DVC 2 file tracking one file', () => {
    const text = 'outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 14445097\n  path: data.xml\n';
    expect(readDvcFile('data.xml.dvc', text).outs).toEqual([
      { path: 'data.xml', md5: 'a304afb96060aad90176268345e10355', directory: false, size: 14445097 },
    ]);
  });

  it('reports malformed input without throwing', () => {
    expect(readDvcFile('a.dvc', 'outs: [').problems[0]).toMatch(/not valid YAML/);
    expect(readDvcFile('a.dvc', '- 1\n- 2').problems).toEqual(['a.dvc: not a mapping']);
    expect(readDvcFile('a.dvc', 'wdir: .').problems).toEqual(['a.dvc: no outs list']);
    expect(readDvcFile('a.dvc', 'outs:\n- size: 1\n').problems).toEqual(['a.dvc: outs[0] has no path']);
    const bad = readDvcFile('a.dvc', 'outs:\n- md5: nothex\n  path: x\n');
    expect(bad.outs).toEqual([{ path: 'x', directory: false }]);
    expect(bad.problems[0]).toMatch(/not an MD5/);
    expect(readDvcFile('a.dvc', 'outs:\n- path: ../../etc/passwd\n').problems[0]).toMatch(
      /leaves the project/,
    );
    expect(readDvcFile('a.dvc', 'x'.repeat(MAX_DVC_FILE_CHARS + 1)).problems[0]).toMatch(/larger than/);
    const bomb = `a: &a [1,1,1,1,1,1,1,1,1]\n${Array.from({ length: 200 }, (_, i) => `k${i}: [*a,*a,*a]`).join('\n')}\nouts: []`;
    expect(readDvcFile('a.dvc', bomb).problems[0]).toMatch(/could not be read|alias/i);
  });
});
