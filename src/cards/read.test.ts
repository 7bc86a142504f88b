import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CardDocument, PlaceholderKind } from './card-document.js';
import { readCard } from './read.js';

const CARDS = '/work/shared/data/cards';
const haveCards = existsSync(join(CARDS, 'INDEX.md'));

function read(name: string): CardDocument {
  return readCard(name, readFileSync(join(CARDS, name), 'utf8'));
}

function countKinds(doc: CardDocument): Partial<Record<PlaceholderKind, number>> {
  const counts: Partial<Record<PlaceholderKind, number>> = {};
  for (const p of doc.placeholders) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  return counts;
}

function titles(doc: CardDocument): string[] {
  return doc.sections.map((s) => s.normalizedTitle);
}

function section(doc: CardDocument, title: string) {
  const found = doc.sections.find((s) => s.normalizedTitle === title);
  if (!found) throw new Error(`no section ${title} in ${doc.path}`);
  return found;
}

/** Facts per real card, checked by hand against the files listed in INDEX.md. */
describe.skipIf(!haveCards)('readCard over the real cards in shared/data/cards', () => {
  it('reads every card without problems, and every heading outside code as a section', () => {
    const index = readFileSync(join(CARDS, 'INDEX.md'), 'utf8');
    const names = [...index.matchAll(/^\| ([^|]+\.md) \|/gm)].map((m) => m[1]!.trim());
    expect(names).toHaveLength(20);
    for (const name of names) {
      const doc = read(name);
      expect(doc.problems, name).toEqual([]);
      expect(doc.sections.length, name).toBeGreaterThan(0);
    }
  });

  it('Run_8 (Trainer card): metadata keys, Trainer boilerplate and its empty sections', () => {
    const doc = read('saranscript__huggingface-models__models_adityay1221_Run_8_README.md');
    expect([...doc.frontMatter!.keyLines]).toEqual([
      ['license', 2],
      ['tags', 3],
      ['metrics', 5],
      ['model-index', 7],
    ]);
    expect(doc.frontMatter!.data!.license).toBe('apache-2.0');
    expect(doc.frontMatter!.pathLines.get('/model-index/0/name')).toBe(8);
    expect(doc.templates).toEqual(['trainer']);
    // The notice comment, "on the None dataset", "Loss: nan" and three "More information needed".
    expect(countKinds(doc)).toEqual({ 'trainer-boilerplate': 6 });
    expect(doc.placeholders.map((p) => p.line)).toEqual([12, 17, 19, 24, 28, 32]);
    expect(titles(doc)).toEqual([
      'run 8',
      'model description',
      'intended uses and limitations',
      'training and evaluation data',
      'training procedure',
      'training hyperparameters',
      'training results',
      'framework versions',
    ]);
    expect(section(doc, 'intended uses and limitations').state).toBe('placeholder');
    expect(section(doc, 'training results').state).toBe('empty');
    // The base model is named even though the dataset is "None".
    expect(section(doc, 'run 8').state).toBe('content');
    expect(section(doc, 'training procedure')).toMatchObject({ state: 'empty', subtreeState: 'content' });
  });

  it('CyberAttackDetection (Hub template, partly filled): template text, markers and placeholders by section', () => {
    const doc = read('canstralian__CyberAttackDetection__README@17c9b3f.md');
    expect(doc.frontMatter!.data).toMatchObject({ license: 'mit', language: ['en'] });
    expect(doc.templates).toEqual(['hub-model-card-template']);
    expect(countKinds(doc)).toEqual({
      'more-information-needed': 26,
      'optional-marker': 15,
      'template-text': 2,
    });
    expect(doc.sections).toHaveLength(36);
    expect(section(doc, 'direct use').state).toBe('content');
    expect(section(doc, 'model sources').state).toBe('placeholder');
    expect(section(doc, 'how to get started with the model').state).toBe('placeholder');
    expect(section(doc, 'environmental impact').state).toBe('placeholder');
    expect(section(doc, 'bias risks and limitations').state).toBe('content');
    const sources = section(doc, 'model sources');
    expect(doc.placeholders.filter((p) => p.section === sources.index).map((p) => p.line)).toEqual([
      25, 27, 28, 28, 29, 29,
    ]);
  });

  it('ESG-BERT and diabetes-t5-small (old Hub template): template comments, placeholders, mixed states', () => {
    const esg = read(
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_nbroad-ESG-BERT.md',
    );
    expect([...esg.frontMatter!.keyLines.keys()]).toEqual(['language', 'widget']);
    expect(esg.frontMatter!.pathLines.get('/widget/0/example_title')).toBe(11);
    expect(countKinds(esg)).toEqual({
      'more-information-needed': 20,
      'optional-marker': 6,
      'template-comment': 3,
      // Two lines of the 2022 template's default bias and misuse text.
      'template-text': 4,
    });
    expect(esg.sections).toHaveLength(33);
    expect(section(esg, 'factors').state).toBe('placeholder');
    // Code under "# Read model serialize/pt file" is inside a fence: not a section.
    expect(titles(esg)).not.toContain('read model serialize pt file');

    const t5 = read(
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_ucinlp-diabetes-t5-small.md',
    );
    expect(t5.frontMatter!.data).toEqual({ tags: ['t5'] });
    expect(countKinds(t5)).toEqual({
      'more-information-needed': 22,
      'optional-marker': 6,
      'template-text': 5,
    });
    expect(section(t5, 'environmental impact').state).toBe('placeholder');
    expect(section(t5, 'factors').state).toBe('empty');
    expect(section(t5, 'training data').state).toBe('content');
  });

  it('sst_mobilebert: `{}` front matter is an empty mapping; `# comments` in code are not sections', () => {
    const doc = read(
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_cambridgeltl-sst_mobilebert-uncased.md',
    );
    expect(doc.frontMatter!.data).toEqual({});
    expect(doc.preamble).toEqual({ startLine: 4, endLine: 5, state: 'content' });
    expect(titles(doc)).toEqual(['example usage', 'citation']);
  });

  it('prose cards without metadata (OpenAI, Meta, Helsinki-NLP): Mitchell-style sections', () => {
    const gpt2 = read('openai__gpt-2__model_card.md');
    expect(gpt2.frontMatter).toBeUndefined();
    expect(titles(gpt2)).toEqual([
      'gpt 2 model card',
      'model details',
      'model date',
      'model type',
      'model version',
      'paper or other resource for more information',
      'where to send questions or comments about the model',
      'intended uses',
      'primary intended uses',
      'secondary uses',
      'out of scope use cases',
      'evaluation data',
      'datasets',
      'motivation',
      'caveats and recommendations',
    ]);
    expect(gpt2.placeholders).toEqual([]);

    const llama = read('meta-llama__llama__MODEL_CARD@53011c3.md');
    expect(titles(llama)).toEqual([
      'llama model card',
      'model details',
      'intended use',
      'factors',
      'metrics',
      'evaluation datasets',
      'training dataset',
      'quantitative analysis',
      'ethical considerations',
    ]);
    expect(section(llama, 'model details').parent).toBe(0);
    expect(section(llama, 'llama model card').endLine).toBe(llama.lineCount);

    const llama3 = read('meta-llama__llama3__MODEL_CARD.md');
    // `### <span style="text-decoration:underline;">Cyber Security </span>`
    expect(titles(llama3)).toContain('cyber security');
    expect(section(llama3, 'responsibility and safety').level).toBe(3);

    expect(titles(read('openai__whisper__model-card.md'))).toContain('broader implications');
    expect(titles(read('openai__CLIP__model-card.md'))).toContain('out of scope use cases');
    expect(titles(read('facebookresearch__audiocraft__model_cards_MUSICGEN_MODEL_CARD.md'))).toContain(
      'limitations and biases',
    );
    expect(titles(read('huggingface__transformers__model_cards_Helsinki-NLP_af-en_README.md'))).toEqual([
      'opus 2019 12 18 zip',
      'benchmarks',
    ]);
  });

  it('BLOOM: metadata with many languages, deep headings, HTML inside a heading', () => {
    const doc = read('bigscience-workshop__model_card__README.md');
    expect(doc.frontMatter!.data!.license).toBe('bigscience-bloom-rail-1.0');
    expect(doc.frontMatter!.data!.language).toContain('code');
    expect(doc.sections[1]!.normalizedTitle).toBe(
      'bloom lm bigscience large open science open access multilingual language model model card',
    );
    expect(section(doc, 'out of scope uses include').level).toBe(5);
    expect(doc.sections).toHaveLength(35);
  });

  it('datasets library cards: legacy keys, placeholders with their link, sections by state', () => {
    const old = read('huggingface__datasets__datasets_squad_README@01fc6c6.md');
    expect([...old.frontMatter!.keyLines.keys()]).toContain('licenses');
    expect(old.frontMatter!.keyLines.get('languages')).toBe(7);
    expect(countKinds(old)).toEqual({ 'more-information-needed': 14 });
    // `## [Dataset Description](#dataset-description)`: the link is markup.
    expect(section(old, 'dataset description').state).toBe('content');
    expect(section(old, 'licensing information').state).toBe('placeholder');
    expect(section(old, 'dataset creation').subtreeState).toBe('placeholder');

    const squad = read('huggingface__datasets__datasets_squad_README@d7dfbc8.md');
    expect(squad.frontMatter!.keyLines.get('license')).toBe(10);
    expect(countKinds(squad)).toEqual({ 'more-information-needed': 16 });

    const glue = read('huggingface__datasets__datasets_glue_README@d7dfbc8.md');
    expect(glue.frontMatter!.keyLines.get('configs')).toBe(138);
    expect(countKinds(glue)).toEqual({ 'more-information-needed': 35 });
    expect(glue.sections).toHaveLength(76);

    const redcaps = read('huggingface__datasets__datasets_red_caps_README@d7dfbc8.md');
    expect(redcaps.placeholders).toEqual([]);
    expect(section(redcaps, 'personal and sensitive information').state).toBe('content');

    const sbf = read('huggingface__datasets__datasets_social_bias_frames_README@d7dfbc8.md');
    expect(sbf.frontMatter!.data!.pretty_name).toBe('Social Bias Frames');
    expect(sbf.sections).toHaveLength(30);

    const wikihow = read('huggingface__datasets__datasets_wikihow_README@d7dfbc8.md');
    expect(wikihow.frontMatter!.data).toEqual({ paperswithcode_id: 'wikihow', pretty_name: 'WikiHow' });
    expect(titles(wikihow)).toEqual(['contributions']);

    const throat = read('pauljunsukhan__throatmicdata__DATASET_CARD.md');
    expect(throat.frontMatter!.pathLines.get('/dataset_info/features/0/name')).toBe(20);
    expect(throat.placeholders).toEqual([]);
  });
});
