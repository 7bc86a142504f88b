import { describe, expect, it } from 'vitest';
import { buildAuditContext } from './audit/context.js';
import type { CardAuditContext } from './audit/types.js';
import {
  type DomainAssessment,
  detectHighRiskDomains,
  type HighRiskDomain,
  introProse,
  normalizeForTerms,
  proseLines,
  topicProse,
  toSentences,
} from './domains.js';
import { readCard } from './read.js';

function context(text: string, path = 'README.md'): CardAuditContext {
  return buildAuditContext(readCard(path, text), text, undefined);
}

function domains(text: string, path?: string, minConfidence?: 'low' | 'medium' | 'high'): DomainAssessment[] {
  return detectHighRiskDomains(context(text, path), minConfidence ? { minConfidence } : {});
}

function ids(text: string, path?: string): HighRiskDomain[] {
  return domains(text, path).map((d) => d.domain);
}

/** A model card with YAML metadata and a description and intended-use section. */
function modelCard({ meta = '', description = '', use = '', title = 'my-model' } = {}): string {
  return [
    '---',
    meta || 'license: mit',
    '---',
    `# ${title}`,
    '',
    '## Model description',
    '',
    description || 'A transformer fine-tuned on a small corpus.',
    '',
    '## Intended uses',
    '',
    use || 'Research on language models.',
    '',
    '## Limitations',
    '',
    'It makes mistakes.',
    '',
  ].join('\n');
}

describe('detectHighRiskDomains', () => {
  describe('when a strong term is in the metadata', () => {
    it.each([
      ['tags:\n- medical', 'medical'],
      ['tags:\n- clinical-notes', 'medical'],
      ['datasets:\n- mimic-iii', 'medical'],
      ['tags:\n- hate-speech', 'hate-speech'],
      ['task_ids:\n- hate-speech-detection', 'hate-speech'],
      ['tags:\n- face-recognition', 'biometrics'],
      ['task_ids:\n- speaker-identification', 'biometrics'],
      ['task_ids:\n- audio-emotion-recognition', 'biometrics'],
      ['tags:\n- recruitment', 'employment'],
      ['tags:\n- credit-scoring', 'credit-insurance'],
      ['tags:\n- recidivism', 'law-enforcement'],
      ['tags:\n- automated-essay-scoring', 'education'],
      ['tags:\n- children-speech', 'children'],
      ['tags:\n- asylum', 'migration'],
    ] as const)('%s → %s with high confidence', (meta, domain) => {
      const found = domains(modelCard({ meta }));
      expect(found.map((d) => d.domain)).toEqual([domain]);
      expect(found[0]?.confidence).toBe('high');
      expect(found[0]?.signals[0]?.source).toBe('metadata');
    });

    it('gives the metadata line of the item as evidence', () => {
      const [found] = domains(modelCard({ meta: 'license: mit\ntags:\n- nlp\n- medical' }));
      expect(found?.signals[0]).toMatchObject({
        field: 'tags[1]',
        line: 5,
        matched: 'medical',
        strength: 'strong',
      });
    });
  });

  describe('when the name says it', () => {
    it('reads the title (diabetes-t5-small is medical)', () => {
      const [found] = domains(modelCard({ title: 'Model Card for  diabetes-t5-small' }));
      expect(found).toMatchObject({ domain: 'medical', confidence: 'high' });
      expect(found?.signals[0]).toMatchObject({
        source: 'name',
        field: 'title',
        line: 4,
        matched: 'diabetes',
      });
    });

    it('reads model_name, pretty_name and model-index names', () => {
      expect(ids(modelCard({ meta: 'pretty_name: Hate Speech Offensive' }))).toEqual(['hate-speech']);
      expect(ids(modelCard({ meta: 'model-index:\n- name: chexpert-densenet\n  results: []' }))).toEqual([
        'medical',
      ]);
    });
  });

  describe('when only the prose says it', () => {
    it('one strong term in the description is medium confidence', () => {
      const [found] = domains(modelCard({ description: 'A BERT model fine-tuned on radiology reports.' }));
      expect(found).toMatchObject({ domain: 'medical', confidence: 'medium' });
      expect(found?.signals[0]).toMatchObject({ source: 'prose', field: '§ Model description', line: 8 });
    });

    it('two strong terms are high confidence', () => {
      const [found] = domains(
        modelCard({ use: 'Assisting clinicians with the triage of patients in emergency departments.' }),
      );
      expect(found).toMatchObject({ domain: 'medical', confidence: 'high' });
    });

    it('reads the preamble and the title section of a card without headings for topics', () => {
      const text =
        '---\nlicense: mit\n---\nThis model screens job applicants from their CVs.\n\n## Training\n\nAdam.';
      expect(ids(text)).toEqual(['employment']);
    });

    it('reads a dataset card’s summary and supported tasks', () => {
      const text = [
        '# Dataset Card for X',
        '## Dataset Summary',
        'Tweets annotated for cyberbullying.',
        '## Dataset Structure',
        'Fields.',
      ].join('\n\n');
      expect(ids(text, 'DATASET_CARD.md')).toEqual(['hate-speech']);
    });

    it.each([
      ['Speaker verification for call centres.', 'biometrics'],
      ['Speech emotion recognition on acted recordings.', 'biometrics'],
      ['Facial recognition at building entrances.', 'biometrics'],
      ['Gait recognition from video.', 'biometrics'],
      ['Ranks résumés for recruiters.', 'employment'],
      ['Predicts creditworthiness of loan applicants.', 'credit-insurance'],
      ['Prices health insurance premiums.', 'credit-insurance'],
      ['Predictive policing from crime reports.', 'law-enforcement'],
      ['Scores student essays (automated essay scoring).', 'education'],
      ['Detects cheating during exam proctoring.', 'education'],
      ['Transcribes children’s speech in classrooms.', 'children'],
      ['Triage of asylum applications.', 'migration'],
      ['Classifies toxic comments.', 'hate-speech'],
    ] as const)('%s → %s', (use, domain) => {
      expect(ids(modelCard({ use }))).toContain(domain);
    });
  });

  describe('precision: what is not a high-risk domain', () => {
    it.each([
      ['a bias term in every layer and a bias-variance trade-off', 'bias is not a domain'],
      ['Hugging Face hosts the weights; see the parent model.', 'Hugging Face, parent model'],
      ['Sizes: tiny, base, small, medium, large.', 'medium is a size'],
      ['Trained on the iris dataset.', 'iris the flower'],
      ['Fault diagnosis of industrial pumps.', 'fault diagnosis'],
      ['Classifies plant disease from leaf photos.', 'plant disease (a weak term alone)'],
      ['Emotion classification of tweets (joy, anger, sadness).', 'text emotion is not biometric'],
      ['We describe the recruitment of annotators on MTurk.', 'recruitment of annotators'],
      ['Credit card fraud detection.', 'fraud detection is excepted'],
      ['Face detection for photo cropping.', 'face detection alone is weak'],
      ['A non-clinical chatbot for recipes.', 'non-clinical'],
      ['Detects cyber attacks in network traffic.', 'cybersecurity'],
      ['Text generation for research on toxic and harmful content generations.', 'one weak term'],
    ])('%s (%s)', (use) => {
      expect(ids(modelCard({ use }))).toEqual([]);
    });

    it('ignores sentences that deny or warn', () => {
      const use = [
        'The model must not be used for medical diagnosis.',
        'We caution against facial recognition uses.',
        'It is not intended for hiring decisions or credit scoring.',
        'We removed faces and patients’ records from the data.',
      ].join(' ');
      expect(ids(modelCard({ use }))).toEqual([]);
    });

    it('ignores out-of-scope and limitation paragraphs inside the intended-use section', () => {
      const use = [
        '**Primary intended uses:** research on music generation.',
        '',
        '**Out-of-scope use cases:** generating music that people find offensive; clinical decision making.',
      ].join('\n');
      expect(ids(modelCard({ use }))).toEqual([]);
    });

    it('ignores sections about limitations, bias and out-of-scope use', () => {
      const text = [
        '# m',
        '## Intended Use',
        'Image captioning research.',
        '## Out-of-Scope Use',
        'Facial recognition, surveillance and hiring are out of scope.',
        '## Bias, Risks, and Limitations',
        'Tested on crime-related categories and clinical images.',
      ].join('\n\n');
      expect(ids(text)).toEqual([]);
    });

    it('does not take "hiring" in an HTML display name as a hiring model (huggingtweets/tobywalsh)', () => {
      const text = [
        '---',
        'language: en',
        'tags:',
        '- huggingtweets',
        '---',
        '',
        '<div class="inline-flex flex-col" style="line-height: 1.5;">',
        '    <div style="text-align: center; margin-top: 3px; font-size: 16px; font-weight: 800">🤖 AI BOT 🤖</div>',
        '    <div style="text-align: center; font-size: 16px; font-weight: 800">Toby Walsh (Hiring 6 PhDs)</div>',
        '    <div style="text-align: center; font-size: 14px;">@tobywalsh</div>',
        '</div>',
        '',
        'I was made with [huggingtweets](https://github.com/borisdayma/huggingtweets).',
        '',
      ].join('\n');
      expect(ids(text)).toEqual([]);
      expect(domains(text, undefined, 'low').flatMap((d) => d.signals.map((s) => s.strength))).not.toContain(
        'strong',
      );
    });

    it('takes no strong term from an HTML block, but still from the prose after it', () => {
      const description = [
        '<div align="center">Clinical notes demo</div>',
        '',
        'A model for clinical decision support.',
      ].join('\n');
      const found = domains(modelCard({ description }));
      expect(found.map((d) => d.domain)).toEqual(['medical']);
      expect(found[0]?.signals.map((s) => s.line)).toEqual([10]);
    });

    it.each([
      ['Hiring 6 PhDs at UNSW.', []],
      ['Ranks job candidates for hiring.', ['employment']],
      ['Supports hiring decisions.', ['employment']],
      ['Screens résumés of applicants for hiring managers.', ['employment']],
    ])(
      'reads "hiring" as strong only with candidates, applicants, CVs or decisions: %s',
      (description, want) => {
        expect(ids(modelCard({ description }))).toEqual(want);
      },
    );

    it.each([
      ['- 8240 "10s" blogs (ages 13-17),', 'children'],
      ['Recordings of speakers aged 8 to 12: ages 8 to 12.', 'children'],
      ['Persian speech gender recognition with HuBERT.', 'biometrics'],
      ['Voice emotion recognition for call centres.', 'biometrics'],
    ])('finds %s (%s)', (description, domain) => {
      expect(ids(modelCard({ description }))).toContain(domain);
    });

    it('reads a speech-gender-recognition tag as biometric (high confidence)', () => {
      const [found] = domains(modelCard({ meta: 'tags:\n- audio\n- speech-gender-recognition' }));
      expect(found).toMatchObject({ domain: 'biometrics', confidence: 'high' });
    });

    it('does not take adult age ranges as children', () => {
      expect(ids(modelCard({ description: 'Blogs by ages 23-27 and ages 33-47.' }))).toEqual([]);
    });

    it('ignores code, HTML comments and link targets', () => {
      const description = [
        '```python',
        'model = load("hospital/clinical-bert")  # clinical',
        '```',
        '<!-- clinical diagnosis of patients -->',
        'See [the paper](https://example.org/clinical-diagnosis-patients).',
      ].join('\n');
      expect(ids(modelCard({ description }))).toEqual([]);
    });

    it('needs three weak terms before it claims a domain', () => {
      expect(ids(modelCard({ use: 'Answers questions about health and drugs.' }))).toEqual([]);
      const [found] = domains(modelCard({ use: 'Answers questions about health, drugs and symptoms.' }));
      expect(found).toMatchObject({ domain: 'medical', confidence: 'medium' });
    });

    it('returns low-confidence domains only when asked', () => {
      const text = modelCard({ use: 'Answers questions about health.' });
      expect(domains(text)).toEqual([]);
      expect(domains(text, undefined, 'low')).toMatchObject([{ domain: 'medical', confidence: 'low' }]);
    });

    it('does not count a weak term inside a strong one ("hate" in "hate speech")', () => {
      const [found] = domains(modelCard({ use: 'Hate speech classification.' }));
      expect(found?.signals.map((s) => s.term)).toEqual(['hate speech']);
      expect(found?.confidence).toBe('medium');
    });
  });

  describe('with odd metadata', () => {
    it.each([
      'tags: 42',
      'tags: {medical: true}',
      'tags:\n- null\n- 1\n- [medical]',
      'pipeline_tag: true',
      'datasets: {}',
      'model-index: medical',
      'model-index:\n- 3\n- name: 7\n- null',
      'task_ids: [[], {}]',
    ])('%s never throws and finds nothing', (meta) => {
      expect(ids(modelCard({ meta }))).toEqual([]);
    });

    it('reads a scalar tag and skips non-string list items', () => {
      expect(ids(modelCard({ meta: 'tags: medical' }))).toEqual(['medical']);
      expect(ids(modelCard({ meta: 'tags:\n- 3\n- null\n- clinical' }))).toEqual(['medical']);
    });

    it('bounds what it reads: a huge card is read in bounded time', () => {
      const tags = Array.from({ length: 5000 }, (_, i) => `- tag${i}`).join('\n');
      const prose = `${'[[[[[[[[[[ '.repeat(100)}\n`.repeat(2000);
      const text = `---\ntags:\n${tags}\n---\n# m\n\n## Intended Use\n\n${prose}`;
      const started = performance.now();
      expect(ids(text)).toEqual([]);
      expect(performance.now() - started).toBeLessThan(5000);
    });
  });
});

describe('prose helpers', () => {
  it('normalizeForTerms keeps offsets and reads separators as spaces', () => {
    expect(normalizeForTerms('Hate-Speech_Detection/X')).toBe('hate speech detection x');
  });

  it('proseLines skips code fences and HTML comments and keeps line numbers', () => {
    const lines = ['a', '```', 'code', '```', 'b <!-- x --> c', '<!--', 'hidden', '-->', 'd'];
    expect(proseLines(lines, 1, lines.length, 'f').map((l) => [l.line, l.text.trim()])).toEqual([
      [1, 'a'],
      [5, 'b   c'],
      [6, ''],
      [8, ''],
      [9, 'd'],
    ]);
  });

  it('toSentences splits on sentence ends, not on "e.g." and keeps the line of each match', () => {
    const prose = proseLines(
      ['First sentence, e.g. this one.', 'Second one', 'continues. Third.'],
      1,
      3,
      'f',
    );
    const sentences = toSentences(prose);
    expect(sentences.map((s) => s.original)).toEqual([
      'First sentence, e.g. this one.',
      'Second one continues.',
      'Third.',
    ]);
    const second = sentences[1]!;
    expect(second.lineAt(second.text.indexOf('continues'))).toBe(3);
  });

  it('toSentences marks denials and records the label of a paragraph', () => {
    const sentences = toSentences(
      proseLines(['**Out-of-scope:** Do not use it for X.', '', 'Use it for Y.'], 1, 3, 'f'),
    );
    expect(sentences.map((s) => [s.label, s.negated])).toEqual([
      ['out of scope', true],
      [undefined, false],
    ]);
  });

  it('topicProse leaves out subsections about another topic', () => {
    const ctx = context(
      ['# m', '## Uses', 'A.', '### Direct Use', 'B.', '### Out-of-Scope Use', 'C.'].join('\n\n'),
    );
    expect(
      topicProse(ctx, 'intended-use')
        .map((l) => l.text)
        .filter((t) => t !== ''),
    ).toEqual(['A.', 'B.']);
  });

  it('introProse reads the preamble and the sections before the first topic', () => {
    const ctx = context(['Preamble text.', '# Model Card for m', 'Summary.', '## Uses', 'Use.'].join('\n\n'));
    expect(
      introProse(ctx)
        .map((l) => l.text)
        .filter((t) => t !== ''),
    ).toEqual(['Preamble text.', 'Summary.']);
  });
});
