import { describe, expect, it } from 'vitest';
import { isTodoComment } from './placeholders.js';
import { readCard } from './read.js';

function kinds(text: string) {
  return readCard('README.md', text).placeholders.map((p) => [p.kind, p.line, p.inFrontMatter]);
}

describe('placeholders', () => {
  it.each([
    '[More Information Needed]',
    '[More Information needed]',
    'More information needed',
    '[More Information Needed](https://github.com/huggingface/datasets/blob/master/CONTRIBUTING.md#x)',
  ])('recognises %s', (text) => {
    const doc = readCard('README.md', `# Licensing\n\n${text}\n`);
    expect(doc.placeholders.map((p) => p.kind)).toEqual(['more-information-needed']);
    expect(doc.sections[0]!.state).toBe('placeholder');
  });

  it('recognises template fields, [optional] markers, template comments and template sentences', () => {
    expect(
      kinds(
        '# Model Card for {{ model_id }}\n\n<!-- Provide a quick summary of what the model is/does. -->\n\nThis modelcard aims to be a base template for new models.\n\n## Demo [optional]\n\n- **Paper [optional]:** [More Information Needed]\n',
      ),
    ).toEqual([
      ['template-field', 1, false],
      ['template-comment', 3, false],
      ['template-text', 5, false],
      ['optional-marker', 7, false],
      ['more-information-needed', 9, false],
      ['optional-marker', 9, false],
    ]);
  });

  it('tells Trainer boilerplate apart only in Trainer cards', () => {
    const trainer = readCard(
      'README.md',
      '# run\n\nThis model is a fine-tuned version of [x](https://hf.co/x) on the None dataset.\n- Loss: nan\n\n## Intended uses & limitations\n\nMore information needed\n',
    );
    expect(trainer.templates).toEqual(['trainer']);
    expect(trainer.placeholders.map((p) => [p.kind, p.line])).toEqual([
      ['trainer-boilerplate', 3],
      ['trainer-boilerplate', 4],
      ['trainer-boilerplate', 8],
    ]);
    const plain = readCard('README.md', '## Intended uses & limitations\n\nMore information needed\n');
    expect(plain.placeholders.map((p) => p.kind)).toEqual(['more-information-needed']);
  });

  it('finds template leftovers in metadata: hints in YAML comments, `{field}` values, HTML comments', () => {
    expect(
      kinds(
        '---\nlanguage:\n- {lang_0}  # Example: fr\nlicense: mit  # a real comment\nname: "# Example: quoted"\ntags: <!-- add tags -->\n---\n',
      ),
    ).toEqual([
      ['metadata-comment', 3, true],
      ['template-field', 3, true],
      ['metadata-comment', 6, true],
    ]);
  });

  describe('to-do markers', () => {
    it.each([
      'TODO: say who trained the model.',
      'TODO (legal): pick a licence',
      '[TODO]',
      '[TODO: describe the data]',
      '[tbd]',
      'TBD',
      '- **Developed by:** TODO: name the people or organisation',
      '- **Hours used:** TBD',
    ])('counts %s as a placeholder, not content', (text) => {
      const doc = readCard('README.md', `## Training Data\n\n${text}\n`);
      expect(doc.placeholders.map((p) => p.kind)).toEqual(['todo']);
      expect(doc.sections[0]!.state).toBe('placeholder');
    });

    it('keeps the rest of a line that says something', () => {
      const doc = readCard('README.md', '## Training Data\n\nTrained on IMDB. TODO: add the split sizes.\n');
      expect(doc.placeholders.map((p) => [p.kind, p.text])).toEqual([['todo', 'TODO: add the split sizes.']]);
      expect(doc.sections[0]!.state).toBe('content');
    });

    it('does not take words that contain or resemble a marker for one', () => {
      for (const text of [
        'A todo list app.',
        'TODOS are tracked elsewhere.',
        'Built on TBD-Net.',
        'Mastodon',
      ]) {
        const doc = readCard('README.md', `## Uses\n\n${text}\n`);
        expect(doc.placeholders, text).toEqual([]);
        expect(doc.sections[0]!.state, text).toBe('content');
      }
    });

    it('finds metadata values that are only a marker, and leaves other values alone', () => {
      expect(
        kinds(
          '---\nlicense: TODO\nlanguage:\n- tbd\nmodel_name: "TBD-Net"\ndescription: a todo app\nbase_model: "[TODO]"\npipeline_tag: text-generation\n---\n',
        ),
      ).toEqual([
        ['todo', 2, true],
        ['todo', 4, true],
        ['todo', 7, true],
      ]);
    });

    it('keeps a YAML `# TODO` comment a metadata hint, as before', () => {
      expect(
        kinds(
          '---\n# TODO: choose a licence (https://huggingface.co/docs/hub/repositories-licenses)\ntags: []\n---\n',
        ),
      ).toEqual([['metadata-comment', 2, true]]);
    });

    it('ignores markers inside fenced code', () => {
      expect(kinds('# Usage\n\n```\n# TODO: remove\nx = 1  # TBD\n```\n')).toEqual([]);
    });

    it('recognises to-do HTML comments', () => {
      expect(isTodoComment('<!-- TODO -->')).toBe(true);
      expect(isTodoComment('<!--  todo: cite the paper -->')).toBe(true);
      expect(isTodoComment('<!-- TBD -->')).toBe(true);
      expect(isTodoComment('<!-- Provide a quick summary of what the model is/does. -->')).toBe(false);
      expect(isTodoComment('<!-- todolist -->')).toBe(false);
    });
  });

  it('ignores placeholder text inside fenced code', () => {
    expect(kinds('# Usage\n\n```\n[More Information Needed]\n{{ x }}\n```\n')).toEqual([]);
  });
});

describe('template sentence pre-filter', () => {
  it('TEMPLATE_HINT matches every template sentence, so none is skipped', async () => {
    const { TEMPLATE_HINT, TEMPLATE_SENTENCES_FOR_TEST } = await import('./placeholders.js');
    for (const sentence of TEMPLATE_SENTENCES_FOR_TEST)
      expect(TEMPLATE_HINT.test(sentence), sentence).toBe(true);
  });
});

describe('[Needs More Information]', () => {
  it('is the older datasets template’s placeholder (82 cards of huggingface/datasets use it)', () => {
    const doc = readCard('README.md', '# D\n\n## Discussion of Biases\n\n[Needs More Information]\n');
    expect(doc.sections[1]?.state).toBe('placeholder');
    expect(doc.placeholders.map((p) => p.kind)).toEqual(['more-information-needed']);
  });
});
