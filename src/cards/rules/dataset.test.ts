import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCard } from '../audit/audit.js';
import { buildAuditContext } from '../audit/context.js';
import type { CardAuditContext, CardFindingDraft } from '../audit/types.js';
import { readCard } from '../read.js';
import { CARD_DATASET_RULES, checkDataset, DATASHEET_QUESTIONS, peopleInData } from './dataset.js';
import { CARD_USE_RULES } from './use.js';

const CARDS = '/work/shared/data/cards';
const haveCards = existsSync(join(CARDS, 'INDEX.md'));

function context(text: string, path = 'DATASET_CARD.md'): CardAuditContext {
  return buildAuditContext(readCard(path, text), text, undefined);
}

function check(text: string, path?: string): CardFindingDraft[] {
  return [...checkDataset(context(text, path))];
}

function byRule(text: string, id: string): CardFindingDraft[] {
  return check(text).filter((d) => d.rule.id === id);
}

const MORE =
  '[More Information Needed](https://github.com/huggingface/datasets/blob/master/CONTRIBUTING.md#how-to-contribute-to-the-dataset-cards)';

/** A dataset card in the Hub template with every datasheet question answered. */
function datasetCard(
  overrides: Partial<Record<string, string>> = {},
  meta = 'license: cc-by-4.0\ntask_categories:\n- text-classification\ntask_ids:\n- sentiment-classification\nsource_datasets:\n- original',
): string {
  const body = (key: string, text: string) => overrides[key] ?? text;
  return [
    `---\n${meta}\n---`,
    '# Dataset Card for reviews',
    '## Dataset Description',
    '### Dataset Summary',
    body('summary', 'Short product reviews written by the authors for a sentiment benchmark.'),
    '### Supported Tasks and Leaderboards',
    body('uses', 'Sentiment classification.'),
    '## Dataset Structure',
    '### Data Instances',
    body('composition', 'Each instance has a text and a label; 10k instances in train and test splits.'),
    '## Dataset Creation',
    '### Curation Rationale',
    body('motivation', 'Built to test sentiment models on short texts.'),
    '### Source Data',
    '#### Initial Data Collection and Normalization',
    body('collection', 'The authors wrote the reviews in 2023.'),
    '### Annotations',
    body('annotations', 'Two authors labelled each text; disagreements were discussed.'),
    '### Personal and Sensitive Information',
    body('personal', 'The texts are invented and name no one.'),
    '## Additional Information',
    '### Dataset Curators',
    body('curators', 'The NLP group of Example University maintains it; report errors in the issues.'),
    '### Licensing Information',
    body('licensing', 'CC BY 4.0, distributed on the Hub.'),
  ].join('\n\n');
}

describe('checkDataset', () => {
  it('finds nothing in a complete card', () => {
    expect(check(datasetCard())).toEqual([]);
  });

  it('checks dataset cards only', () => {
    expect(checkDataset({ ...context(datasetCard({ motivation: MORE })), kind: 'model' })).toEqual([]);
  });

  describe('CARD-DATASHEET-MISSING', () => {
    it.each([
      ['motivation', 'motivation', 'medium'],
      ['composition', 'composition', 'medium'],
      ['collection', 'collection', 'medium'],
      ['uses', 'uses', 'medium'],
      ['annotations', 'preprocessing', 'low'],
      ['curators', 'maintenance', 'low'],
      ['licensing', 'distribution', 'low'],
    ])(
      'a placeholder under the %s heading leaves datasheet.%s unanswered (%s)',
      (key, question, severity) => {
        const drafts = byRule(datasetCard({ [key]: MORE }), 'CARD-DATASHEET-MISSING');
        expect(drafts.map((d) => d.field)).toEqual([`datasheet.${question}`]);
        const draft = drafts[0]!;
        expect(draft.severity ?? CARD_DATASET_RULES.datasheetMissing.defaultSeverity).toBe(severity);
        expect(draft.message).toContain('holds only a placeholder');
        expect(draft.line).toBeGreaterThan(4);
      },
    );

    it('names the template heading to fill and the question in the remediation', () => {
      const [draft] = byRule(datasetCard({ motivation: MORE }), 'CARD-DATASHEET-MISSING');
      expect(draft?.remediation).toContain('Curation Rationale');
      expect(draft?.remediation).toContain('For what purpose was the dataset created');
    });

    it('reports every question of a card with no sections, without lines', () => {
      const drafts = byRule('# Dataset Card for x\n\nNothing yet.\n', 'CARD-DATASHEET-MISSING');
      expect(drafts.map((d) => d.field)).toEqual(DATASHEET_QUESTIONS.map((q) => `datasheet.${q.id}`));
      expect(drafts.every((d) => d.line === undefined && d.message.includes('no section on it'))).toBe(true);
    });

    it('notes a metadata licence when the distribution question is unanswered', () => {
      const [draft] = byRule(datasetCard({ licensing: MORE }), 'CARD-DATASHEET-MISSING');
      expect(draft?.message).toContain('the metadata names the licence (cc-by-4.0)');
    });

    it('accepts Gebru et al.’s own headings', () => {
      const text = [
        '# Datasheet',
        '## Motivation',
        'Why.',
        '## Composition',
        'What.',
        '## Collection Process',
        'How.',
        '## Preprocessing/cleaning/labeling',
        'Cleaned.',
        '## Uses',
        'For X.',
        '## Distribution',
        'On the Hub under MIT.',
        '## Maintenance',
        'By us.',
      ].join('\n\n');
      expect(byRule(text, 'CARD-DATASHEET-MISSING')).toEqual([]);
    });
  });

  describe('CARD-DATASET-SOURCE-LICENSE-MISSING', () => {
    const WIKI_META = 'license: cc-by-4.0\nsource_datasets:\n- extended|wikipedia';

    it('is medium when source_datasets names sources and no licence of theirs is stated', () => {
      const [draft] = byRule(datasetCard({}, WIKI_META), 'CARD-DATASET-SOURCE-LICENSE-MISSING');
      expect(draft).toMatchObject({ field: 'source_datasets', line: 4 });
      expect(draft?.severity).toBeUndefined();
      expect(draft?.message).toContain('`extended|wikipedia`');
      expect(draft?.message).toContain('speaks only of the dataset itself');
    });

    it('is low when only the prose says the data was taken elsewhere', () => {
      const text = datasetCard({ collection: 'Posts were scraped from public forums in 2021.' });
      const [draft] = byRule(text, 'CARD-DATASET-SOURCE-LICENSE-MISSING');
      expect(draft).toMatchObject({ severity: 'low', field: '§ Initial Data Collection and Normalization' });
      expect(draft?.message).toContain('"scraped"');
    });

    it.each([
      'Sentences collected from Wikipedia articles.',
      'Questions taken from existing datasets (SQuAD, TriviaQA).',
      'Image-caption pairs crawled from the web.',
    ])('detects sources in the prose: %s', (collection) => {
      expect(byRule(datasetCard({ collection }), 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toHaveLength(1);
    });

    it.each([
      'Wikipedia text is licensed under CC BY-SA 4.0; the questions are CC BY 4.0.',
      'Each source dataset keeps its original licence; see the table.',
      'Uses of this dataset are subject to the Reddit API terms.',
    ])('is satisfied by a licence statement about the sources: %s', (licensing) => {
      expect(byRule(datasetCard({ licensing }, WIKI_META), 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toEqual(
        [],
      );
    });

    it('accepts public domain stated for the sources in the summary (lj_speech)', () => {
      const summary = [
        'This is a public domain speech dataset consisting of 13,100 short audio clips of a single speaker reading passages from 7 non-fiction books in English.',
        '',
        'The texts were published between 1884 and 1964, and are in the public domain. The audio was recorded in 2016-17 by the LibriVox project and is also in the public domain.',
      ].join('\n');
      const text = datasetCard({ summary, licensing: 'Public Domain' }, 'license:\n- unlicense');
      expect(byRule(text, 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toEqual([]);
    });

    it('accepts a licence sentence anywhere that names the source (LibriVox, `extended|wiki_bio`)', () => {
      const librivox = datasetCard({
        collection: 'Recordings by Linda Johnson were downloaded from LibriVox.',
        licensing: 'Public Domain ([LibriVox](https://librivox.org/pages/public-domain/))',
      });
      expect(byRule(librivox, 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toEqual([]);
      const wikiBio = datasetCard(
        { composition: 'The wiki bio texts are under CC BY-SA 3.0 like their Wikipedia source.' },
        'license: mit\nsource_datasets:\n- extended|wiki_bio',
      );
      expect(byRule(wikiBio, 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toEqual([]);
    });

    it('still reports a public-domain sentence about the dataset elsewhere when the source is unnamed', () => {
      const text = datasetCard({
        collection: 'Posts were scraped from public forums in 2021.',
        licensing: 'The annotations are released into the public domain.',
      });
      expect(byRule(text, 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toHaveLength(1);
    });

    it.each([
      ['pretty_name: Common Voice\nsource_datasets:\n- extended|common_voice', 'pretty_name'],
      ['paperswithcode_id: common-voice\nsource_datasets:\n- extended|common_voice', 'paperswithcode_id'],
      ['source_datasets:\n- extended|reviews', 'title'],
    ])('skips `extended|X` when X is the dataset itself (%s: %s)', (meta) => {
      const text = datasetCard(
        { licensing: 'Public Domain, [CC-0](https://creativecommons.org/)' },
        `license:\n- cc0-1.0\n${meta}`,
      );
      expect(byRule(text, 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toEqual([]);
    });

    it.each([
      ['Reddit dataset, where TIFU denotes the name of subbreddit /r/tifu.', '"Reddit dataset"'],
      [
        'The Blog Authorship Corpus consists of the collected posts of 19,320 bloggers gathered from blogger.com in August 2004.',
        '"blogger"',
      ],
    ])('detects a source platform in the summary: %s', (summary, quoted) => {
      const [draft] = byRule(
        datasetCard({ summary, licensing: 'MIT' }, 'license: mit'),
        'CARD-DATASET-SOURCE-LICENSE-MISSING',
      );
      expect(draft?.severity).toBe('low');
      expect(draft?.message).toContain(quoted);
    });

    it('ignores `original`, denials and odd source_datasets values', () => {
      expect(byRule(datasetCard(), 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toEqual([]);
      expect(
        byRule(
          datasetCard({ collection: 'Nothing was scraped or crawled.' }),
          'CARD-DATASET-SOURCE-LICENSE-MISSING',
        ),
      ).toEqual([]);
      for (const meta of [
        'source_datasets: 3',
        'source_datasets: {a: b}',
        'source_datasets: [null, 1, original]',
      ]) {
        expect(byRule(datasetCard({}, meta), 'CARD-DATASET-SOURCE-LICENSE-MISSING')).toEqual([]);
      }
    });
  });

  describe('CARD-DATASET-PERSONAL-DATA', () => {
    const noPersonal = (o: Record<string, string>, meta?: string) =>
      datasetCard({ personal: MORE, ...o }, meta);

    it('is high for recordings of voices (an ASR dataset) with no personal-data section or consent', () => {
      const meta = 'license: mit\ntask_categories:\n- automatic-speech-recognition';
      const [draft] = byRule(noPersonal({}, meta), 'CARD-DATASET-PERSONAL-DATA');
      expect(draft).toMatchObject({ severity: 'high', field: '§ Personal and Sensitive Information' });
      expect(draft?.message).toContain('voices');
      expect(draft?.evidence).toContain('task `automatic-speech-recognition`');
    });

    it.each([
      ['Photos of people taken in the street.', 'faces'],
      ['Discharge summaries of ICU patients.', 'health records'],
      ['Tweets about elections.', 'social media posts'],
    ])('is high for %s (%s)', (summary, kind) => {
      const [draft] = byRule(noPersonal({ summary }), 'CARD-DATASET-PERSONAL-DATA');
      expect(draft?.severity).toBe('high');
      expect(draft?.message).toContain(kind);
    });

    it.each([
      ['Customer support chat logs from an online shop.', 'private communications'],
      ['Forum posts with the usernames of their authors.', 'personal identifiers'],
      // blog_authorship_corpus
      [
        'The Blog Authorship Corpus consists of the collected posts of 19,320 bloggers gathered from blogger.com in August 2004.',
        'user-generated content',
      ],
      [
        'Each blog is presented as a separate file, the name of which indicates a blogger id# and the blogger’s self-provided gender, age, industry and astrological sign.',
        'self-reported attributes',
      ],
      // amazon_us_reviews
      [
        'Over 130+ million customer reviews are available to researchers as part of this release.',
        'user-generated content',
      ],
      [
        'customer_id - Random identifier that can be used to aggregate reviews written by a single author.',
        'personal identifiers',
      ],
      // c4
      [
        "A colossal, cleaned version of Common Crawl's web crawl corpus. Based on Common Crawl dataset.",
        'web-crawled text',
      ],
    ])('is medium for %s (%s)', (summary, kind) => {
      const [draft] = byRule(noPersonal({ summary }), 'CARD-DATASET-PERSONAL-DATA');
      expect(draft?.severity).toBeUndefined();
      expect(draft?.message).toContain(kind);
    });

    it('is satisfied by a personal-data section with content', () => {
      expect(
        byRule(datasetCard({ summary: 'Tweets about elections.' }), 'CARD-DATASET-PERSONAL-DATA'),
      ).toEqual([]);
    });

    it.each([
      'All speakers gave written consent.',
      'Usernames were anonymized.',
      'Names were replaced to protect user privacy.',
    ])('is satisfied by a consent or anonymisation statement anywhere: %s', (statement) => {
      const text = noPersonal({ summary: 'Tweets about elections.', collection: statement });
      expect(byRule(text, 'CARD-DATASET-PERSONAL-DATA')).toEqual([]);
    });

    it('does not take crowdsourced text or denials as people in the data', () => {
      const meta = 'license: mit\nlanguage_creators:\n- crowdsourced\nannotations_creators:\n- crowdsourced';
      expect(
        byRule(
          noPersonal({ summary: 'Questions posed by crowdworkers on Wikipedia articles.' }, meta),
          'CARD-DATASET-PERSONAL-DATA',
        ),
      ).toEqual([]);
      expect(
        byRule(noPersonal({ summary: 'We removed all images of people.' }), 'CARD-DATASET-PERSONAL-DATA'),
      ).toEqual([]);
    });

    it('peopleInData reads task ids and tags, and never throws on odd metadata', () => {
      const ctx = context('---\ntask_ids: [face-detection]\ntags: [Speech, 3, null]\n---\n# d\n');
      expect(peopleInData(ctx).map((p) => p.kind)).toEqual(['faces', 'voices']);
      for (const meta of ['tags: 3', 'tags: {a: 1}', 'task_categories: [[automatic-speech-recognition]]']) {
        expect(() => peopleInData(context(`---\n${meta}\n---\n# d\n`))).not.toThrow();
      }
    });
  });

  describe('CARD-DATASET-TASK-MISMATCH', () => {
    const meta = (categories: string, ids: string) => `license: mit\n${categories}\n${ids}`;

    it('flags a task id whose category is not listed, at its line', () => {
      const text = datasetCard(
        {},
        meta('task_categories:\n- automatic-speech-recognition', 'task_ids:\n- audio-intent-classification'),
      );
      const [draft] = byRule(text, 'CARD-DATASET-TASK-MISMATCH');
      expect(draft).toMatchObject({ field: 'task_ids[0]', line: 6 });
      expect(draft?.message).toContain('a subtask of `audio-classification`');
      expect(draft?.remediation).toContain('Add `audio-classification` to `task_categories`');
    });

    it('accepts `task_ids: []` (common_voice, lj_speech)', () => {
      const text = datasetCard({}, meta('task_categories:\n- automatic-speech-recognition', 'task_ids: []'));
      expect(byRule(text, 'CARD-DATASET-TASK-MISMATCH')).toEqual([]);
    });

    it('accepts a task id under any listed category (closed-domain-qa sits under two)', () => {
      const text = datasetCard(
        {},
        meta('task_categories:\n- text-generation', 'task_ids:\n- closed-domain-qa'),
      );
      expect(byRule(text, 'CARD-DATASET-TASK-MISMATCH')).toEqual([]);
    });

    it('explains legacy `<category>-other-<name>` ids', () => {
      const text = datasetCard(
        {},
        meta(
          'task_categories:\n- text-classification',
          'task_ids:\n- text-classification-other-paraphrase-identification',
        ),
      );
      const [draft] = byRule(text, 'CARD-DATASET-TASK-MISMATCH');
      expect(draft?.message).toContain('legacy free-form id');
      expect(draft?.remediation).toContain('"paraphrase-identification" in `tags`');
    });

    it('passes on the vocabulary’s suggestions for near misses', () => {
      const text = datasetCard(
        {},
        meta('task_categories:\n- Text Classification', 'task_ids:\n- sentiment-clasification'),
      );
      const drafts = byRule(text, 'CARD-DATASET-TASK-MISMATCH');
      expect(drafts.map((d) => d.field)).toEqual(['task_categories[0]', 'task_ids[0]']);
      expect(drafts[0]?.remediation).toContain('`text-classification`');
      expect(drafts[1]?.remediation).toContain('`sentiment-classification`');
    });

    it('flags a subtask used as a category, and not its ids again', () => {
      const text = datasetCard(
        {},
        meta('task_categories:\n- text2text-generation', 'task_ids:\n- explanation-generation'),
      );
      const drafts = byRule(text, 'CARD-DATASET-TASK-MISMATCH');
      expect(drafts.map((d) => d.field)).toEqual(['task_categories[0]']);
      expect(drafts[0]?.message).toContain('not a task');
    });

    it('reports task_ids without task_categories once', () => {
      const text = datasetCard({}, 'license: mit\ntask_ids:\n- extractive-qa\n- sentiment-classification');
      const drafts = byRule(text, 'CARD-DATASET-TASK-MISMATCH');
      expect(drafts).toHaveLength(1);
      expect(drafts[0]?.message).toContain('`task_categories` is missing');
    });

    it.each([
      ['task_categories: 3', 'task_categories'],
      ['task_categories: {a: b}', 'task_categories'],
      ['task_categories: []', 'task_categories'],
      ['task_ids: [null]', 'task_ids[0]'],
      ['task_categories: text-classification\ntask_ids: sentiment-classification', undefined],
    ])('handles odd values: %s', (m, field) => {
      const drafts = byRule(datasetCard({}, `license: mit\n${m}`), 'CARD-DATASET-TASK-MISMATCH');
      expect(drafts.map((d) => d.field)).toEqual(field === undefined ? [] : [field]);
    });

    it('bounds the findings of a card listing hundreds of bad ids', () => {
      const ids = Array.from({ length: 300 }, (_, i) => `- bad-id-${i}`).join('\n');
      const text = datasetCard(
        {},
        `license: mit\ntask_categories:\n- text-classification\ntask_ids:\n${ids}`,
      );
      expect(byRule(text, 'CARD-DATASET-TASK-MISMATCH')).toHaveLength(20);
    });
  });
});

const MY_RULES = new Set<string>([
  ...Object.values(CARD_USE_RULES).map((r) => r.id),
  ...Object.values(CARD_DATASET_RULES).map((r) => r.id),
]);

function realFindings(name: string): string[] {
  const text = readFileSync(join(CARDS, name), 'utf8');
  return auditCard(name, text)
    .findings.filter((f) => MY_RULES.has(f.ruleId))
    .map(
      (f) =>
        `${f.ruleId}:${f.severity}${f.location.field?.startsWith('datasheet.') ? `:${f.location.field}` : ''}`,
    )
    .sort();
}

/**
 * The dataset rules over the real dataset cards, each checked by reading the card:
 * - social_bias_frames is about offensive content (task id hate-speech-detection) and documents limitations,
 *   biases and personal information; its posts come from Reddit, Twitter corpora and scraped hate sites but
 *   its licence section speaks only of SBIC; `text2text-generation` is no longer a task and
 *   `text2text-generation-other-explanation-generation` is a legacy id.
 * - red_caps holds Reddit images and captions with people in them, and answers all of it (personal
 *   information with consent, Reddit API terms under licensing): nothing.
 * - throatmicdata holds recordings of speakers' voices with no word on consent, and lists
 *   audio-intent-classification without audio-classification.
 * - squad (both versions) is extended from Wikipedia with an empty licensing section, and most datasheet
 *   sections hold [More Information Needed]; the 2022 version has a Contributions section (maintenance).
 * - glue: most creation sections are placeholders, its tasks are drawn from books, news and Wikipedia, and
 *   three task ids are legacy.
 * - wikihow has only a Contributions section.
 */
describe.skipIf(!haveCards)('dataset rules over the real dataset cards in shared/data/cards', () => {
  it.each([
    [
      'huggingface__datasets__datasets_social_bias_frames_README@d7dfbc8.md',
      [
        'CARD-DATASET-SOURCE-LICENSE-MISSING:low',
        'CARD-DATASET-TASK-MISMATCH:low',
        'CARD-DATASET-TASK-MISMATCH:low',
        'CARD-HIGH-RISK-DOMAIN:info',
      ],
    ],
    ['huggingface__datasets__datasets_red_caps_README@d7dfbc8.md', []],
    [
      'pauljunsukhan__throatmicdata__DATASET_CARD.md',
      ['CARD-DATASET-PERSONAL-DATA:high', 'CARD-DATASET-TASK-MISMATCH:low'],
    ],
    [
      'huggingface__datasets__datasets_squad_README@d7dfbc8.md',
      [
        'CARD-DATASET-SOURCE-LICENSE-MISSING:medium',
        'CARD-DATASHEET-MISSING:low:datasheet.distribution',
        'CARD-DATASHEET-MISSING:low:datasheet.preprocessing',
        'CARD-DATASHEET-MISSING:medium:datasheet.collection',
        'CARD-DATASHEET-MISSING:medium:datasheet.motivation',
        'CARD-DATASHEET-MISSING:medium:datasheet.uses',
      ],
    ],
    [
      'huggingface__datasets__datasets_squad_README@01fc6c6.md',
      [
        'CARD-DATASET-SOURCE-LICENSE-MISSING:medium',
        'CARD-DATASHEET-MISSING:low:datasheet.distribution',
        'CARD-DATASHEET-MISSING:low:datasheet.maintenance',
        'CARD-DATASHEET-MISSING:low:datasheet.preprocessing',
        'CARD-DATASHEET-MISSING:medium:datasheet.collection',
        'CARD-DATASHEET-MISSING:medium:datasheet.motivation',
        'CARD-DATASHEET-MISSING:medium:datasheet.uses',
      ],
    ],
    [
      'huggingface__datasets__datasets_glue_README@d7dfbc8.md',
      [
        'CARD-DATASET-SOURCE-LICENSE-MISSING:low',
        'CARD-DATASET-TASK-MISMATCH:low',
        'CARD-DATASET-TASK-MISMATCH:low',
        'CARD-DATASET-TASK-MISMATCH:low',
        'CARD-DATASHEET-MISSING:low:datasheet.distribution',
        'CARD-DATASHEET-MISSING:low:datasheet.preprocessing',
        'CARD-DATASHEET-MISSING:medium:datasheet.collection',
        'CARD-DATASHEET-MISSING:medium:datasheet.motivation',
      ],
    ],
    [
      'huggingface__datasets__datasets_wikihow_README@d7dfbc8.md',
      [
        'CARD-DATASHEET-MISSING:low:datasheet.distribution',
        'CARD-DATASHEET-MISSING:low:datasheet.preprocessing',
        'CARD-DATASHEET-MISSING:medium:datasheet.collection',
        'CARD-DATASHEET-MISSING:medium:datasheet.composition',
        'CARD-DATASHEET-MISSING:medium:datasheet.motivation',
        'CARD-DATASHEET-MISSING:medium:datasheet.uses',
      ],
    ],
  ])('%s', (name, expected) => {
    expect(realFindings(name)).toEqual(expected);
  });

  it('red_caps holds people (Reddit posts, faces) and answers for them', () => {
    const name = 'huggingface__datasets__datasets_red_caps_README@d7dfbc8.md';
    const text = readFileSync(join(CARDS, name), 'utf8');
    const ctx = buildAuditContext(readCard(name, text), text, undefined);
    expect(peopleInData(ctx).map((p) => p.kind)).toContain('social media posts');
  });

  it('social_bias_frames: the evidence names the task id, the sources and the bad task values', () => {
    const name = 'huggingface__datasets__datasets_social_bias_frames_README@d7dfbc8.md';
    const audit = auditCard(name, readFileSync(join(CARDS, name), 'utf8'));
    const mine = audit.findings.filter((f) => MY_RULES.has(f.ruleId));
    expect(mine.map((f) => [f.ruleId, f.location.line, f.location.field])).toEqual([
      ['CARD-DATASET-TASK-MISMATCH', 18, 'task_categories[0]'],
      ['CARD-DATASET-TASK-MISMATCH', 21, 'task_ids[0]'],
      ['CARD-HIGH-RISK-DOMAIN', 22, 'task_ids[1]'],
      ['CARD-DATASET-SOURCE-LICENSE-MISSING', 162, '§ Source Data'],
    ]);
  });
});
