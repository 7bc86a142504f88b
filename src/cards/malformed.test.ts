import { describe, expect, it } from 'vitest';
import type { CardDocument, CardProblemCode } from './card-document.js';
import { readCard } from './read.js';

function codes(doc: CardDocument): CardProblemCode[] {
  return doc.problems.map((p) => p.code);
}

describe('readCard on malformed input', () => {
  it('when the front matter is never closed > reports it at the opening line and reads no metadata', () => {
    const doc = readCard('README.md', '---\nlicense: mit\ntags:\n- a\n\n# Title\n\ntext\n');
    expect(doc.frontMatter).toBeUndefined();
    expect(doc.problems).toEqual([expect.objectContaining({ code: 'front-matter-unterminated', line: 1 })]);
  });

  it('when the opening `---` is missing > finds the block, parses it and reports it', () => {
    const doc = readCard('README.md', 'license: mit\nlanguage:\n- en\n---\n\n# Model\n\nWords.\n');
    expect(doc.frontMatter).toMatchObject({ delimiting: 'missing-opening', startLine: 1, endLine: 4 });
    expect(doc.frontMatter!.data).toEqual({ license: 'mit', language: ['en'] });
    expect(doc.frontMatter!.keyLines.get('language')).toBe(2);
    expect(codes(doc)).toEqual(['front-matter-missing-opening']);
    // Not a setext heading "license: mit ..." but the card's sections.
    expect(doc.sections.map((s) => s.title)).toEqual(['Model']);
  });

  it('when prose merely ends a line with a colon before a rule > it stays prose', () => {
    const doc = readCard('README.md', 'Note: this is prose\n---\n\ntext\n');
    expect(doc.frontMatter).toBeUndefined();
    expect(doc.problems).toEqual([]);
    expect(doc.sections.map((s) => [s.style, s.level, s.title])).toEqual([
      ['setext', 2, 'Note: this is prose'],
    ]);
  });

  it.each([
    ['a list', '---\n- a\n- b\n---\n', 'a list'],
    ['a scalar', '---\njust text\n---\n', 'a string'],
    ['a number', '---\n42\n---\n', 'a number'],
  ])('when the front matter is %s > reports front-matter-not-mapping and gives no data', (_, text, what) => {
    const doc = readCard('README.md', text);
    expect(doc.frontMatter!.data).toBeUndefined();
    expect(doc.problems).toEqual([expect.objectContaining({ code: 'front-matter-not-mapping', line: 1 })]);
    expect(doc.problems[0]!.message).toContain(what);
  });

  it('when the YAML is invalid > reports the error with the card line and gives no data', () => {
    const doc = readCard('README.md', '---\nlicense: mit\ntags: [a, b\nbad: "x\n---\n');
    expect(doc.frontMatter!.data).toBeUndefined();
    expect(codes(doc).every((c) => c === 'front-matter-yaml-error')).toBe(true);
    expect(doc.problems[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('reads YAML 1.1 scalars as PyYAML does (`no` is false, `y` stays a string)', () => {
    const doc = readCard(
      'README.md',
      '---\nlanguage:\n- no\n- en\ninference: off\nflag: y\nmode: 0777\n---\n',
    );
    expect(doc.frontMatter!.data).toEqual({
      language: [false, 'en'],
      inference: false,
      flag: 'y',
      mode: 511,
    });
  });

  it('when a key repeats > keeps the last value as PyYAML does and reports the repeat', () => {
    const doc = readCard('README.md', '---\nlicense: mit\ntags: [a]\nlicense: apache-2.0\n---\n');
    expect(doc.frontMatter!.data!.license).toBe('apache-2.0');
    expect(doc.frontMatter!.keyLines.get('license')).toBe(4);
    expect(doc.problems).toEqual([expect.objectContaining({ code: 'front-matter-duplicate-key', line: 4 })]);
  });

  it('when a tag needs a Python constructor > refuses the metadata as safe_load does', () => {
    const doc = readCard('README.md', '---\nx: !!python/object/apply:os.system ["ls"]\n---\n');
    expect(doc.frontMatter!.data).toBeUndefined();
    expect(codes(doc)).toContain('front-matter-yaml-warning');
  });

  it('keeps `__proto__` as data', () => {
    const doc = readCard('README.md', '---\n__proto__:\n  polluted: 1\n---\n');
    const data = doc.frontMatter!.data!;
    expect(Object.getPrototypeOf(data)).toBeNull();
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('when aliases expand exponentially ("billion laughs") > stops at the alias limit', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const doc = readCard('README.md', `---\n${levels.join('\n')}\n---\n`);
    expect(doc.frontMatter!.data).toBeUndefined();
    expect(codes(doc)).toEqual(['front-matter-too-many-aliases']);
  });

  it.each([
    ['flow brackets', `x: ${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['compact sequences on one line', `x:\n  ${'- '.repeat(20_000)}y`],
    ['indentation', `x:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}`],
  ])('when the YAML nests too deep through %s > refuses it before parsing', (_, yaml) => {
    const doc = readCard('README.md', `---\n${yaml}\n---\n# T\n`);
    expect(doc.frontMatter!.data).toBeUndefined();
    expect(codes(doc)).toEqual(['front-matter-too-deep']);
    expect(doc.sections.map((s) => s.title)).toEqual(['T']);
  });

  it('when the front matter is over the size limit > does not parse it', () => {
    const doc = readCard('README.md', `---\nwidget: "${'a'.repeat(2000)}"\n---\n`, {
      maxFrontMatterChars: 1000,
    });
    expect(doc.frontMatter!.data).toBeUndefined();
    expect(codes(doc)).toEqual(['front-matter-too-large']);
  });

  it('when the text is binary garbage > reports binary-content and reads nothing', () => {
    const bytes = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    const doc = readCard('README.md', bytes);
    expect(codes(doc)).toEqual(['binary-content']);
    expect(doc.sections).toEqual([]);
  });

  it('when lines end in CRLF or CR > reads metadata and headings the same', () => {
    for (const eol of ['\r\n', '\r']) {
      const doc = readCard('README.md', ['---', 'license: mit', '---', '# Title', '', 'Text'].join(eol));
      expect(doc.frontMatter!.data).toEqual({ license: 'mit' });
      expect(doc.sections.map((s) => [s.title, s.headingLine, s.body])).toEqual([['Title', 4, 'Text']]);
    }
  });

  it('when the card starts with a byte order mark > reads it and warns that huggingface_hub will not', () => {
    const doc = readCard('README.md', '\uFEFF---\nlicense: mit\n---\n# T\n');
    expect(doc.frontMatter!.data).toEqual({ license: 'mit' });
    expect(codes(doc)).toEqual(['byte-order-mark']);
  });

  it('when given a megabyte of headings > records up to the section limit and says so', () => {
    const text = '# h\n'.repeat(262_144);
    const doc = readCard('README.md', text);
    expect(doc.sections).toHaveLength(5000);
    expect(codes(doc)).toEqual(['too-many-sections']);
    expect(doc.problems[0]!.line).toBe(5001);
  });

  it('when the card is over the size limit > reads the first part and reports the rest', () => {
    const doc = readCard('README.md', `# A\n${'x'.repeat(100)}\n# B\n`, { maxCardChars: 50 });
    expect(codes(doc)).toEqual(['card-too-large']);
    expect(doc.sections.map((s) => s.title)).toEqual(['A']);
  });

  it('when a code fence or a comment never closes > reports where it opened', () => {
    expect(readCard('a.md', '# A\n```\n# not a heading\n').problems).toEqual([
      expect.objectContaining({ code: 'unclosed-code-fence', line: 2 }),
    ]);
    const hidden = readCard('a.md', '# A\n<!-- never closed\n# hidden\n');
    expect(hidden.sections.map((s) => s.title)).toEqual(['A']);
    expect(codes(hidden)).toEqual(['unclosed-html-comment']);
  });

  it('when the front matter is `---` directly followed by `---` > notes the Hub does not see it', () => {
    const doc = readCard('README.md', '---\n---\n# T\n');
    expect(doc.frontMatter!.data).toEqual({});
    expect(codes(doc)).toEqual(['front-matter-empty']);
  });

  it('never throws on arbitrary text', () => {
    const pieces = [
      '---',
      '\n',
      '# ',
      '<!--',
      '-->',
      '```',
      '~~~',
      '[',
      '{',
      '&a ',
      '*a',
      '- ',
      '===',
      '<h2>',
      ': ',
      '\r',
    ];
    let seed = 12345;
    for (let n = 0; n < 300; n++) {
      let text = '';
      for (let k = 0; k < 60; k++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        text += pieces[seed % pieces.length];
      }
      const doc = readCard('fuzz.md', text);
      expect(doc.lineCount).toBeGreaterThan(0);
    }
  });
});

describe('front matter PyYAML reads but strict YAML refuses', () => {
  it('multi-line quoted widget texts (bigscience/T0pp): metadata read, one warning', () => {
    const text =
      '---\nlicense: apache-2.0\nwidget:\n- text: "Task: copy but say the opposite.\\n\nPSG won its match against Barca."\n- text: "Question A: How is air traffic controlled?\n\\nQuestion B: How do you become one?"\n  example_title: "Paraphrase"\n---\n# T0pp\n';
    const doc = readCard('README.md', text);
    expect(doc.frontMatter?.data?.license).toBe('apache-2.0');
    expect(doc.problems.map((p) => p.code)).toEqual(['front-matter-yaml-warning']);
    expect(doc.problems[0]?.message).toMatch(/strict YAML readers refuse this block/);
  });

  it('a block with anchors is not retried (js-yaml has no alias limit)', () => {
    const text = '---\na: &x "one\ntwo"\nb: *x\n  bad: [\n---\n# M\n';
    const doc = readCard('README.md', text);
    expect(doc.frontMatter?.data).toBeUndefined();
    expect(doc.problems.some((p) => p.code === 'front-matter-yaml-error')).toBe(true);
  });
});
