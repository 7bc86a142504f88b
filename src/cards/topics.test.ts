import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCard } from './read.js';
import { normalizeTitle } from './sections.js';
import {
  coverage,
  DATASET_TOPICS,
  indexTopics,
  MODEL_TOPICS,
  type TopicIndex,
  topicsOfTitle,
} from './topics.js';

const CARDS = '/work/shared/data/cards';
const haveCards = existsSync(join(CARDS, 'INDEX.md'));

/** Topics of a heading as written in a card. */
function topicsOf(heading: string): string[] {
  return topicsOfTitle(normalizeTitle(heading)).sort();
}

/** The topic index of a card, with its lines (as the audit context builds it). */
function topicsIn(text: string): TopicIndex {
  return indexTopics(readCard('README.md', text), text.replace(/\r\n?/g, '\n').split('\n'));
}

describe('topicsOfTitle: heading variants of real cards', () => {
  it.each([
    // Hub model card template and cards derived from it.
    ['Bias, Risks, and Limitations', ['bias-risks', 'limitations']],
    ['Out-of-Scope Use Cases', ['out-of-scope']],
    ['Out-of-Scope Use', ['out-of-scope']],
    ['Intended uses & limitations', ['intended-use', 'limitations', 'uses']],
    ['Where to send questions or comments about the model', ['contact']],
    ['Model Card Contact', ['contact']],
    ['Citation Information', ['citation']],
    ['Model Details', ['model-description']],
    ['Downstream Use [optional]', ['intended-use']],
    ['Direct Use', ['intended-use', 'uses']],
    ['How to Get Started with the Model', ['how-to-use']],
    ['Technical Specifications [optional]', ['technical-specs']],
    ['Environmental Impact', ['environmental-impact']],
    ['Training Data', ['training-data']],
    ['Training Procedure', ['training-procedure']],
    ['Evaluation Results', ['evaluation-results']],
    // Mitchell et al. section names (CLIP, Whisper, GPT-2 cards), numbered as some cards do.
    ['1. Intended Uses:', ['intended-use', 'uses']],
    ['Quantitative Analyses', ['evaluation-results']],
    ['Caveats and Recommendations', ['limitations', 'recommendations']],
    ['Ethical Considerations', ['ethical-considerations']],
    ['Factors', ['factors']],
    ['Metrics', ['metrics']],
    ['Evaluation Data', ['evaluation-data']],
    // Dataset card template (huggingface/datasets) and Gebru et al.
    ['Curation Rationale', ['motivation']],
    ['Who are the annotators?', ['annotations']],
    ['Personal and Sensitive Information', ['personal-data']],
    ['Dataset Summary', ['dataset-summary']],
    ['Dataset Structure', ['composition']],
    ['Source Data', ['collection']],
    ['Discussion of Biases', ['bias-risks']],
    ['Other Known Limitations', ['limitations']],
    ['Licensing Information', ['distribution', 'license']],
    ['Dataset Curators', ['maintenance']],
    ['Supported Tasks and Leaderboards', ['uses']],
    ['Languages', ['languages']],
  ])('%s', (heading, topics) => {
    expect(topicsOf(heading)).toEqual(topics);
  });

  it('headings about nothing the rubric asks name no topic', () => {
    for (const heading of [
      'Acknowledgements',
      'Table of Contents',
      'Framework versions',
      'Sentiment Classifier',
    ])
      expect(topicsOf(heading), heading).toEqual([]);
  });

  it('every topic named is one of the model or dataset topics', () => {
    const known = new Set<string>([...MODEL_TOPICS, ...DATASET_TOPICS]);
    for (const heading of ['Bias, Risks, and Limitations', 'Licensing Information', 'Uses'])
      for (const t of topicsOf(heading)) expect(known.has(t), t).toBe(true);
  });
});

describe('indexTopics: headings', () => {
  it('records the state, the sections and the heading line of each topic', () => {
    const topics = topicsIn(
      [
        '# Model',
        '',
        '## Limitations',
        '',
        'Fails on sarcasm.',
        '',
        '## Citation',
        '',
        '[More Information Needed]',
        '',
        '## Contact',
        '',
      ].join('\n'),
    );
    expect(coverage(topics, 'limitations')).toEqual({
      topic: 'limitations',
      state: 'content',
      sections: [1],
      line: 3,
      via: 'heading',
    });
    expect(coverage(topics, 'citation')).toMatchObject({ state: 'placeholder', sections: [2], line: 7 });
    expect(coverage(topics, 'contact')).toMatchObject({ state: 'empty', sections: [3], line: 11 });
    expect(coverage(topics, 'factors')).toEqual({
      topic: 'factors',
      state: 'absent',
      sections: [],
      line: undefined,
      via: undefined,
    });
  });

  it('keeps the best state over several sections, and the first line', () => {
    const topics = topicsIn(
      ['# M', '## Limitations', '[More Information Needed]', '## Known Limitations', 'Slow on CPU.'].join(
        '\n',
      ),
    );
    expect(coverage(topics, 'limitations')).toMatchObject({ state: 'content', sections: [1, 2], line: 2 });
  });

  it('a parent heading whose only content is an out-of-scope child does not state intended use', () => {
    const topics = topicsIn(
      [
        '# M',
        '',
        '## Intended Use',
        '',
        '### Out-of-Scope Use',
        '',
        'Do not use it for medical advice.',
      ].join('\n'),
    );
    expect(coverage(topics, 'intended-use')).toMatchObject({ state: 'empty', line: 3, via: 'heading' });
    expect(coverage(topics, 'out-of-scope')).toMatchObject({ state: 'content', line: 5 });
  });

  it('nor does a grandchild under the out-of-scope child', () => {
    const topics = topicsIn(
      ['# M', '## Intended Use', '### Out-of-Scope Use', '#### Examples', 'Medical advice.'].join('\n'),
    );
    expect(coverage(topics, 'intended-use').state).toBe('empty');
    expect(coverage(topics, 'out-of-scope').state).toBe('content');
  });

  it('a subsection about no topic, or the same topic, counts for its parent', () => {
    const plain = topicsIn(['# M', '## Intended Use', '### In practice', 'News summaries.'].join('\n'));
    expect(coverage(plain, 'intended-use').state).toBe('content');
    const same = topicsIn(['# M', '## Uses', '### Direct Use', 'News summaries.'].join('\n'));
    expect(coverage(same, 'intended-use')).toMatchObject({ state: 'content', sections: [1, 2], line: 2 });
  });

  it('a parent with its own content keeps it whatever its children are about', () => {
    const topics = topicsIn(
      ['# M', '## Intended Use', 'Summarising news.', '### Out-of-Scope Use', 'Medical advice.'].join('\n'),
    );
    expect(coverage(topics, 'intended-use').state).toBe('content');
  });
});

describe('indexTopics: labels', () => {
  it('`- **Developed by:** Meta` and `- **Model type:** ...` in a section body, at their lines', () => {
    const topics = topicsIn(
      [
        '# M',
        '',
        '## Model Details',
        '',
        'A model.',
        '',
        '- **Developed by:** Meta',
        '- **Model type:** transformer',
      ].join('\n'),
    );
    expect(coverage(topics, 'developers')).toEqual({
      topic: 'developers',
      state: 'content',
      sections: [],
      line: 7,
      via: 'label',
    });
    expect(coverage(topics, 'model-type')).toMatchObject({ state: 'content', line: 8, via: 'label' });
  });

  it('`**Model developers** Meta`: a bold label with its value on the same line (Llama cards)', () => {
    const topics = topicsIn(['# Llama', '', '## Model Details', '', '**Model developers** Meta'].join('\n'));
    expect(coverage(topics, 'developers')).toMatchObject({ state: 'content', line: 5, via: 'label' });
  });

  it('`License: MIT` in the text before the first heading', () => {
    const topics = topicsIn(['Some words.', '', 'License: MIT', '', '# Title', '', 'Body.'].join('\n'));
    expect(coverage(topics, 'license')).toMatchObject({ state: 'content', line: 3, via: 'label' });
  });

  it('the preamble after front matter keeps file line numbers', () => {
    const topics = topicsIn(
      ['---', 'tags: [x]', '---', 'Intro.', '- **Developed by:** ACME', '# T', 'B.'].join('\n'),
    );
    expect(coverage(topics, 'developers')).toMatchObject({ state: 'content', line: 5, via: 'label' });
  });

  it('a label whose value is `[More Information Needed]` is a placeholder, an empty one is empty', () => {
    const topics = topicsIn(
      ['# M', '## Model Details', '- **License:** [More Information Needed]', '- **Developed by:**', ''].join(
        '\n',
      ),
    );
    expect(coverage(topics, 'license')).toMatchObject({ state: 'placeholder', line: 3, via: 'label' });
    expect(coverage(topics, 'developers')).toMatchObject({ state: 'empty', line: 4, via: 'label' });
  });

  it('`[optional]` in a label is ignored, as in headings', () => {
    const topics = topicsIn(
      ['# M', '## Model Details', '- **Shared by [optional]:** Example Lab'].join('\n'),
    );
    expect(coverage(topics, 'developers')).toMatchObject({ state: 'content', line: 3 });
  });

  it('a bold label with its value on the next line (LLaMA 1 card)', () => {
    const topics = topicsIn(
      [
        '# LLaMA Model Card',
        '## Model details',
        '**Organization developing the model**',
        'The FAIR team of Meta AI.',
        '',
        '**License**',
        'Non-commercial bespoke license',
      ].join('\n'),
    );
    expect(coverage(topics, 'developers')).toMatchObject({ state: 'content', line: 3, via: 'label' });
    expect(coverage(topics, 'license')).toMatchObject({ state: 'content', line: 6, via: 'label' });
  });

  it('a label followed by another label has no value', () => {
    const topics = topicsIn(['# M', '## Details', '**Developed by:**', '- **Model type:** BERT'].join('\n'));
    expect(coverage(topics, 'developers').state).toBe('empty');
    expect(coverage(topics, 'model-type').state).toBe('content');
  });

  it('a plain line without a colon or bold is not a label', () => {
    const topics = topicsIn(['# M', '## Details', 'Developers', 'Meta.'].join('\n'));
    expect(coverage(topics, 'developers').state).toBe('absent');
  });

  it('`Where to send questions or comments about the model` as a label is contact', () => {
    const topics = topicsIn(
      [
        '# M',
        '## Model details',
        '**Where to send questions or comments about the model**',
        'Open an issue.',
      ].join('\n'),
    );
    expect(coverage(topics, 'contact')).toMatchObject({ state: 'content', line: 3, via: 'label' });
  });
});

describe('indexTopics: prose sentences', () => {
  it('intended users, out-of-scope use and licence stated in sentences, at their lines', () => {
    const topics = topicsIn(
      [
        '# Model',
        '',
        'The primary intended users of these models are AI researchers.',
        '',
        'The model should not be used for surveillance.',
        '',
        'This model is released under the Apache 2.0 license.',
      ].join('\n'),
    );
    expect(coverage(topics, 'users')).toEqual({
      topic: 'users',
      state: 'content',
      sections: [],
      line: 3,
      via: 'prose',
    });
    expect(coverage(topics, 'out-of-scope')).toMatchObject({ state: 'content', line: 5, via: 'prose' });
    expect(coverage(topics, 'license')).toMatchObject({ state: 'content', line: 7, via: 'prose' });
  });

  it('a heading is not a sentence: an out-of-scope section holding only a placeholder stays a placeholder', () => {
    const topics = topicsIn(
      [
        '# M',
        '',
        '### Out-of-Scope Use',
        '',
        '<!-- This section addresses misuse, malicious use, and uses that the model will not work well for. -->',
        '',
        '[More Information Needed]',
      ].join('\n'),
    );
    expect(coverage(topics, 'out-of-scope')).toMatchObject({ state: 'placeholder', line: 3, via: 'heading' });
  });

  it('a prose answer upgrades a placeholder section, keeping the heading line', () => {
    const topics = topicsIn(
      [
        '# M',
        '## Out-of-Scope Use',
        '[More Information Needed]',
        '## Notes',
        'It is not intended for medical use.',
      ].join('\n'),
    );
    expect(coverage(topics, 'out-of-scope')).toMatchObject({ state: 'content', line: 2, via: 'heading' });
  });

  it('a card refused as binary states nothing, not even in sentences', () => {
    const text = '# M\n\nThe model should not be used for surveillance.\n\u0000\n';
    expect(topicsIn(text).size).toBe(0);
  });

  it('sentences in the front matter are not read as prose', () => {
    const topics = topicsIn(
      ['---', 'description: released under the MIT license', '---', '# M', 'Text.'].join('\n'),
    );
    expect(coverage(topics, 'license').state).toBe('absent');
  });

  it('mentions without the phrasing are not answers', () => {
    const topics = topicsIn(
      ['# M', 'Users love it.', 'We chose a scope.', 'See the license file.'].join('\n'),
    );
    expect(coverage(topics, 'users').state).toBe('absent');
    expect(coverage(topics, 'out-of-scope').state).toBe('absent');
    expect(coverage(topics, 'license').state).toBe('absent');
  });
});

describe.skipIf(!haveCards)('indexTopics over real cards in shared/data/cards', () => {
  function real(name: string): TopicIndex {
    return topicsIn(readFileSync(join(CARDS, name), 'utf8'));
  }

  it('LLaMA 1: bold labels with values on the next line', () => {
    const topics = real('meta-llama__llama__MODEL_CARD@53011c3.md');
    expect(coverage(topics, 'developers')).toMatchObject({ state: 'content', line: 4, via: 'label' });
    expect(coverage(topics, 'license')).toMatchObject({ state: 'content', line: 22, via: 'label' });
  });

  it('every topic found in every card points at a line of the card', () => {
    const index = readFileSync(join(CARDS, 'INDEX.md'), 'utf8');
    const names = [...index.matchAll(/^\| ([^|]+\.md) \|/gm)].map((m) => (m[1] as string).trim());
    for (const name of names) {
      const text = readFileSync(join(CARDS, name), 'utf8');
      const lines = text.split(/\r\n|\r|\n/).length;
      for (const c of real(name).values()) {
        expect(c.line, `${name} ${c.topic}`).toBeGreaterThanOrEqual(1);
        expect(c.line, `${name} ${c.topic}`).toBeLessThanOrEqual(lines);
      }
    }
  });
});

describe('variants found in cards outside the shared set', () => {
  it('results headings that do not say "evaluation"', () => {
    for (const heading of ['## Eval results', '## Evals', '## Measured', '## Results'])
      expect(topicsOf(heading), heading).toContain('evaluation-results');
    expect(topicsOf('### Training results')).not.toContain('evaluation-results');
  });

  it('labels with long values and the Llama cards’ environmental labels', () => {
    const long = `Where to send questions or comments about the model: ${'Instructions on how to give feedback are in the README. '.repeat(6)}`;
    expect(long.length).toBeGreaterThan(300);
    const topics = topicsIn(
      `# M\n\n## Details\n\n${long}\n\n**Training Greenhouse Gas Emissions:** 11,390 tons CO2eq\n`,
    );
    expect(coverage(topics, 'contact')).toMatchObject({ state: 'content', line: 5 });
    expect(coverage(topics, 'environmental-impact')).toMatchObject({ state: 'content', line: 7 });
  });
});
