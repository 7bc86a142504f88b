import { describe, expect, it } from 'vitest';
import { readCard } from './read.js';
import { normalizeTitle } from './sections.js';

function sections(text: string) {
  return readCard('README.md', text).sections.map((s) => ({
    level: s.level,
    title: s.title,
    style: s.style,
  }));
}

describe('normalizeTitle', () => {
  it.each([
    ['## Model Details.', 'model details'],
    ['Intended uses & limitations', 'intended uses and limitations'],
    ['[Dataset Description](#dataset-description)', 'dataset description'],
    ['Downstream Use [optional]', 'downstream use'],
    ['<span style="x">Cyber Security </span>', 'cyber security'],
    ['1.2 Training Data:', 'training data'],
    ['**Training**', 'training'],
  ])('%s → %s', (title, normalized) => {
    expect(normalizeTitle(title)).toBe(normalized);
  });
});

describe('sections', () => {
  it('reads ATX headings with closing hashes, setext headings and HTML headings', () => {
    expect(
      sections(
        'Title\n=====\n\nintro\n\nSub\n---\n\n<h2 align="center">HTML <b>one</b></h2>\n\n### Deep ###\n',
      ),
    ).toEqual([
      { level: 1, title: 'Title', style: 'setext' },
      { level: 2, title: 'Sub', style: 'setext' },
      { level: 2, title: 'HTML <b>one</b>', style: 'html' },
      { level: 3, title: 'Deep', style: 'atx' },
    ]);
  });

  it('ignores headings inside fenced code (``` and ~~~) and HTML comments', () => {
    expect(
      sections(
        '# A\n```python\n# comment\n```\n~~~~\n## B\n~~~\n## still code\n~~~~\n<!--\n# hidden\n-->\n#hashtag\n## C\n',
      ),
    ).toEqual([
      { level: 1, title: 'A', style: 'atx' },
      { level: 2, title: 'C', style: 'atx' },
    ]);
  });

  it('does not take a rule after a list item or a blank line for a setext underline', () => {
    expect(sections('- item\n---\n\n---\ntext\n')).toEqual([]);
  });

  it('finds Mitchell et al. sections in a prose-only card', () => {
    const doc = readCard(
      'MODEL_CARD.txt',
      'A model.\n\nModel Details\nBuilt by us.\n\n**Intended Use**\nResearch.\n\nFactors:\nNone known.\n\nCaveats and Recommendations\n\n[More Information Needed]\n',
    );
    expect(doc.sections.map((s) => [s.normalizedTitle, s.style, s.state])).toEqual([
      ['model details', 'plain', 'content'],
      ['intended use', 'plain', 'content'],
      ['factors', 'plain', 'content'],
      ['caveats and recommendations', 'plain', 'placeholder'],
    ]);
    expect(doc.preamble.state).toBe('content');
  });

  it('gives each section its parent, extent and a state rolled up from subsections', () => {
    const doc = readCard('README.md', '# A\n## B\n\n[More Information Needed]\n## C\ntext\n# D\n');
    expect(doc.sections.map((s) => [s.title, s.parent, s.endLine, s.state, s.subtreeState])).toEqual([
      ['A', undefined, 6, 'empty', 'content'],
      ['B', 0, 4, 'placeholder', 'placeholder'],
      ['C', 0, 6, 'content', 'content'],
      ['D', undefined, 7, 'empty', 'empty'],
    ]);
  });

  it('bounds the body kept per section', () => {
    const doc = readCard('README.md', `# A\n${'word '.repeat(100)}\n${'more '.repeat(100)}\n`, {
      maxSectionBodyChars: 600,
    });
    expect(doc.sections[0]!.bodyTruncated).toBe(true);
    expect(doc.sections[0]!.body.length).toBeLessThanOrEqual(600);
  });
});
