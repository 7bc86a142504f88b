import { describe, expect, it } from 'vitest';
import { buildAuditContext } from './audit/context.js';
import { COMPLETE_DATASET_CARD, COMPLETE_MODEL_CARD, WEAK_MODEL_CARD } from './audit/test-support.js';
import type { CardKind } from './audit/types.js';
import { readCard } from './read.js';
import { type CardScore, DATASET_RUBRIC, MODEL_RUBRIC, rubricFor, scoreCard } from './score.js';
import { DATASET_TOPICS, MODEL_TOPICS } from './topics.js';

function score(text: string, kind: CardKind = 'model', path = 'README.md'): CardScore {
  return scoreCard(
    buildAuditContext(readCard(path, text), text, undefined, {
      kind,
      minScore: { model: 50, dataset: 50 },
      require: [],
      disable: [],
      severity: {},
    }),
  );
}

function item(s: CardScore, id: string) {
  const found = s.items.find((i) => i.id === id);
  if (!found) throw new Error(`no rubric item ${id}`);
  return found;
}

/** Ids of the items that earned their weight. */
function earned(s: CardScore): string[] {
  return s.items.filter((i) => i.earned > 0).map((i) => i.id);
}

describe('rubrics', () => {
  it('each sums to 100, with unique ids and positive whole weights', () => {
    for (const rubric of [MODEL_RUBRIC, DATASET_RUBRIC]) {
      expect(rubric.reduce((sum, i) => sum + i.weight, 0)).toBe(100);
      expect(new Set(rubric.map((i) => i.id)).size).toBe(rubric.length);
      for (const i of rubric) {
        expect(Number.isInteger(i.weight) && i.weight > 0, i.id).toBe(true);
        expect(i.topics.length, i.id).toBeGreaterThan(0);
      }
    }
  });

  it('model items use model topics, dataset items dataset topics', () => {
    const model = new Set<string>(MODEL_TOPICS);
    const dataset = new Set<string>(DATASET_TOPICS);
    for (const i of MODEL_RUBRIC) for (const t of i.topics) expect(model.has(t), `${i.id} ${t}`).toBe(true);
    for (const i of DATASET_RUBRIC)
      for (const t of i.topics) expect(dataset.has(t), `${i.id} ${t}`).toBe(true);
  });

  it('rubricFor picks by kind', () => {
    expect(rubricFor('model')).toBe(MODEL_RUBRIC);
    expect(rubricFor('dataset')).toBe(DATASET_RUBRIC);
  });

  it('keeps the published weights (README "Card completeness score": changing one changes the contract)', () => {
    expect(Object.fromEntries(MODEL_RUBRIC.map((i) => [i.id, i.weight]))).toEqual({
      description: 6,
      developers: 3,
      'model-type': 3,
      license: 5,
      'intended-use': 9,
      'out-of-scope': 5,
      users: 2,
      factors: 4,
      metrics: 4,
      'evaluation-data': 5,
      'training-data': 9,
      'training-procedure': 3,
      results: 10,
      ethics: 8,
      limitations: 9,
      recommendations: 2,
      'environmental-impact': 3,
      'how-to-use': 4,
      citation: 3,
      contact: 3,
    });
    expect(Object.fromEntries(DATASET_RUBRIC.map((i) => [i.id, i.weight]))).toEqual({
      summary: 4,
      motivation: 10,
      composition: 14,
      collection: 12,
      preprocessing: 9,
      uses: 10,
      distribution: 10,
      maintenance: 8,
      'personal-data': 8,
      bias: 8,
      limitations: 5,
      citation: 2,
    });
  });
});

describe('scoreCard', () => {
  it('an empty card scores 0, every item absent', () => {
    for (const kind of ['model', 'dataset'] as const) {
      const s = score('', kind);
      expect(s.score).toBe(0);
      expect(s.items.every((i) => i.earned === 0 && i.state === 'absent' && i.source === undefined)).toBe(
        true,
      );
      expect(s.items).toHaveLength(rubricFor(kind).length);
    }
  });

  it('the complete model card scores 100, every item from its section line', () => {
    const s = score(COMPLETE_MODEL_CARD);
    expect(s.score).toBe(100);
    expect(s.items.every((i) => i.earned === i.weight && i.state === 'content')).toBe(true);
    expect(item(s, 'limitations')).toEqual({
      id: 'limitations',
      title: 'Limitations (caveats)',
      weight: 9,
      earned: 9,
      state: 'content',
      source: 'line 70',
    });
    expect(item(s, 'developers').source).toBe('line 17');
    expect(item(s, 'contact').source).toBe('line 96');
  });

  it('the complete dataset card scores 100', () => {
    const s = score(COMPLETE_DATASET_CARD, 'dataset');
    expect(s.score).toBe(100);
    expect(item(s, 'preprocessing')).toMatchObject({ earned: 9, state: 'content', source: 'line 29' });
  });

  it('a weak card earns only what it states', () => {
    const s = score(WEAK_MODEL_CARD);
    expect(s.score).toBe(15);
    expect(earned(s)).toEqual(['description', 'limitations']);
    // A title over a sentence is not a description section: nothing earns.
    expect(score('# Tiny Model\n\nA small model we trained.\n').score).toBe(0);
  });

  it('metadata answers: license, datasets, model-index, co2_eq_emissions', () => {
    const s = score(
      [
        '---',
        'license: mit',
        'datasets:',
        '- imdb',
        'model-index:',
        '- name: m',
        '  results: []',
        'co2_eq_emissions: 10',
        '---',
        '# M',
        '',
      ].join('\n'),
    );
    expect(s.score).toBe(5 + 9 + 10 + 3);
    expect(earned(s)).toEqual(['license', 'training-data', 'results', 'environmental-impact']);
    expect(item(s, 'license')).toEqual({
      id: 'license',
      title: 'Licence',
      weight: 5,
      earned: 5,
      state: 'metadata',
      source: 'metadata: license',
    });
    expect(item(s, 'training-data').source).toBe('metadata: datasets');
    expect(item(s, 'results').source).toBe('metadata: model-index');
    expect(item(s, 'environmental-impact').source).toBe('metadata: co2_eq_emissions');
  });

  it('the legacy `licenses` key also answers the licence', () => {
    expect(item(score('---\nlicenses:\n- mit\n---\n# M\n'), 'license').source).toBe('metadata: licenses');
  });

  it('dataset metadata: task_categories answers uses, license distribution, dataset_info composition', () => {
    const s = score(
      [
        '---',
        'license: cc-by-4.0',
        'task_categories:',
        '- text-classification',
        'dataset_info:',
        '  features: []',
        '---',
        '# D',
        '',
      ].join('\n'),
      'dataset',
    );
    expect(s.score).toBe(10 + 10 + 14);
    expect(item(s, 'uses').source).toBe('metadata: task_categories');
    expect(item(s, 'distribution').source).toBe('metadata: license');
    expect(item(s, 'composition').source).toBe('metadata: dataset_info');
  });

  it('empty metadata values earn nothing', () => {
    const s = score(
      [
        '---',
        "license: ''",
        'datasets: []',
        'model-index: {}',
        'co2_eq_emissions: null',
        '---',
        '# M',
        '',
      ].join('\n'),
    );
    expect(s.score).toBe(0);
    expect(s.items.some((i) => i.state === 'metadata')).toBe(false);
  });

  it('a section with content wins over metadata, and the source is its line', () => {
    const s = score(['---', 'license: mit', '---', '# M', '## License', 'MIT, see LICENSE.'].join('\n'));
    expect(item(s, 'license')).toMatchObject({ earned: 5, state: 'content', source: 'line 5' });
  });

  it('placeholders earn nothing, and keep their state and line', () => {
    const s = score(
      [
        '# M',
        '',
        '## Limitations',
        '',
        '[More Information Needed]',
        '',
        '## Intended Use',
        '',
        '{{ intended_use | default("[More Information Needed]", true) }}',
        '',
        '## Citation',
        '',
      ].join('\n'),
    );
    expect(s.score).toBe(0);
    expect(item(s, 'limitations')).toMatchObject({ earned: 0, state: 'placeholder', source: 'line 3' });
    expect(item(s, 'intended-use')).toMatchObject({ earned: 0, state: 'placeholder', source: 'line 7' });
    expect(item(s, 'citation')).toMatchObject({ earned: 0, state: 'empty', source: 'line 11' });
  });

  it('an item with several topics takes the best: ethics from bias-risks or ethical-considerations', () => {
    const s = score('# M\n## Ethical Considerations\nNot for profiling people.\n');
    expect(item(s, 'ethics')).toMatchObject({ earned: 8, state: 'content', source: 'line 2' });
    expect(item(s, 'limitations').earned).toBe(0);
  });

  it('rounds to an integer from 0 to 100', () => {
    // Dataset: summary (4) + citation (2) = 6 of 100.
    const s = score('# D\n## Dataset Summary\nReviews.\n## Citation\nCite us as X et al.\n', 'dataset');
    expect(s.score).toBe(6);
    for (const text of [COMPLETE_MODEL_CARD, WEAK_MODEL_CARD, '', '# x\n## Limitations\nSome.\n']) {
      const v = score(text).score;
      expect(Number.isInteger(v) && v >= 0 && v <= 100).toBe(true);
    }
  });

  it('the same card scores by the rubric of its kind', () => {
    // Limitations is 9 of the model rubric and 5 of the dataset rubric.
    const text = '# X\n## Limitations\nOnly English.\n';
    expect(score(text, 'model').score).toBe(9);
    expect(score(text, 'dataset').score).toBe(5);
  });
});
