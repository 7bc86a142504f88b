import { describe, expect, it } from 'vitest';
import { buildAuditContext, DEFAULT_CARD_AUDIT_SETTINGS } from '../audit/context.js';
import { COMPLETE_MODEL_CARD } from '../audit/test-support.js';
import type { CardFindingDraft, CardKind } from '../audit/types.js';
import { readCard } from '../read.js';
import { CARD_METADATA_RULES, checkMetadata } from './metadata.js';

function check(text: string, options: { path?: string; kind?: CardKind } = {}): CardFindingDraft[] {
  const path = options.path ?? 'README.md';
  const settings =
    options.kind !== undefined
      ? { ...DEFAULT_CARD_AUDIT_SETTINGS, kind: options.kind }
      : DEFAULT_CARD_AUDIT_SETTINGS;
  return [...checkMetadata(buildAuditContext(readCard(path, text), text, undefined, settings))];
}

function of(drafts: readonly CardFindingDraft[], id: string): CardFindingDraft[] {
  return drafts.filter((d) => d.rule.id === id);
}

/** A draft as the report shows it, without the rule object. */
function shown(d: CardFindingDraft | undefined) {
  if (d === undefined) return undefined;
  const { rule, ...rest } = d;
  return { id: rule.id, ...rest };
}

const TRAINER_CARD = `---
license: apache-2.0
tags:
- generated_from_trainer
model-index:
- name: run
  results: []
---

<!-- This model card has been generated automatically according to the information the Trainer had access to. You should probably proofread and complete it, then remove this comment. -->

# run

This model is a fine-tuned version of [bert-base-uncased](https://huggingface.co/bert-base-uncased) on the None dataset.

## Model description

More information needed

## Intended uses & limitations

More information needed

## Training and evaluation data

More information needed

## Training procedure

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: 2e-05
- num_epochs: 3

### Framework versions

- Transformers 4.30.0
- Pytorch 2.0.1
`;

const HUB_TEMPLATE_CARD = `---
license: mit
---

# Model Card for Model ID

<!-- Provide a quick summary of what the model is/does. -->

This modelcard aims to be a base template for new models. It has been generated using [this raw template](https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/templates/modelcard_template.md?plain=1).

## Model Details

### Model Description

<!-- Provide a longer summary of what this model is. -->

- **Developed by:** [More Information Needed]
- **Model type:** [More Information Needed]

## Uses

### Direct Use

[More Information Needed]

## Bias, Risks, and Limitations

[More Information Needed]
`;

describe('the metadata rules', () => {
  it('are described, with a help text and references where they have them', () => {
    for (const rule of Object.values(CARD_METADATA_RULES)) {
      expect(rule.id).toMatch(/^CARD-[A-Z-]+$/);
      expect(rule.description.length).toBeGreaterThan(40);
      expect(rule.help.length).toBeGreaterThan(10);
    }
    expect(CARD_METADATA_RULES.notAnalysed.defaultSeverity).toBe('medium');
    expect(CARD_METADATA_RULES.metadataMissing.defaultSeverity).toBe('low');
  });

  it('raise nothing on a complete card', () => {
    expect(check(COMPLETE_MODEL_CARD)).toEqual([]);
  });
});

describe('CARD-NOT-ANALYSED', () => {
  it('binary content: at line 1, without a field', () => {
    const [draft, ...rest] = of(check('\u0000\u0001\u0002binary'), 'CARD-NOT-ANALYSED');
    expect(rest).toEqual([]);
    expect(shown(draft)).toEqual({
      id: 'CARD-NOT-ANALYSED',
      message: 'README.md: card content is not text (NUL or control characters); not read as markdown',
      line: 1,
      evidence: 'binary-content',
    });
  });

  it('too many sections: at the first heading not read', () => {
    const text = '## h\n'.repeat(5001);
    expect(of(check(text), 'CARD-NOT-ANALYSED').map((d) => [d.line, d.evidence])).toEqual([
      [5001, 'too-many-sections'],
    ]);
  });

  it('not for a card read whole', () => {
    expect(of(check('# M\n\nText.\n'), 'CARD-NOT-ANALYSED')).toEqual([]);
  });
});

describe('CARD-METADATA-MISSING', () => {
  it('a model card without front matter', () => {
    expect(shown(of(check('# M\n\nText.\n'), 'CARD-METADATA-MISSING')[0])).toEqual({
      id: 'CARD-METADATA-MISSING',
      message:
        'The model card has no YAML metadata block, so no licence, tags or datasets, base model or results are machine-readable',
      line: 1,
      field: 'front matter',
      evidence: 'no `---` block at the top of the card',
    });
  });

  it('a dataset card names what datasets lose', () => {
    expect(of(check('# D\n', { kind: 'dataset' }), 'CARD-METADATA-MISSING')[0]?.message).toBe(
      'The dataset card has no YAML metadata block, so no licence, tags or task categories or languages are machine-readable',
    );
  });

  it('not when there is front matter, even unparsable', () => {
    expect(of(check('---\nlicense: mit\n---\n# M\n'), 'CARD-METADATA-MISSING')).toEqual([]);
    expect(of(check('---\nlicense: [mit\n---\n# M\n'), 'CARD-METADATA-MISSING')).toEqual([]);
  });
});

describe('CARD-METADATA-INVALID', () => {
  it.each([
    ['a YAML error', '---\nlicense: [mit\n---\n# M\n', 'front-matter-yaml-error', 2],
    ['a list instead of a mapping', '---\n- a\n- b\n---\n# M\n', 'front-matter-not-mapping', 1],
    ['an empty block', '---\n---\n# M\n', 'front-matter-empty', 1],
    ['an unterminated block', '---\nlicense: mit\n# M\n', 'front-matter-unterminated', 1],
    ['no opening delimiter', 'license: mit\ntags: [a]\n---\n# M\n', 'front-matter-missing-opening', 1],
  ])('%s', (_name, text, code, line) => {
    const drafts = of(check(text), 'CARD-METADATA-INVALID');
    expect(drafts.map((d) => ({ evidence: d.evidence, line: d.line, field: d.field }))).toEqual([
      { evidence: code, line, field: 'front matter' },
    ]);
    expect(drafts[0]?.message.startsWith('README.md: ')).toBe(true);
  });

  it('not for valid metadata', () => {
    expect(of(check('---\nlicense: mit\ntags: [a, b]\n---\n# M\n'), 'CARD-METADATA-INVALID')).toEqual([]);
  });
});

describe('CARD-METADATA-WARNING', () => {
  it('a duplicate key, at its second line', () => {
    expect(
      shown(of(check('---\nlicense: mit\nlicense: apache-2.0\n---\n# M\n'), 'CARD-METADATA-WARNING')[0]),
    ).toEqual({
      id: 'CARD-METADATA-WARNING',
      message: 'README.md: key `license` appears again (first on line 2); the Hub keeps only this last value',
      line: 3,
      field: 'front matter',
      evidence: 'front-matter-duplicate-key',
    });
  });

  it('a byte order mark', () => {
    expect(
      of(check('\uFEFF---\nlicense: mit\n---\n# M\n'), 'CARD-METADATA-WARNING').map((d) => d.evidence),
    ).toEqual(['byte-order-mark']);
  });

  it('not for unambiguous metadata', () => {
    expect(of(check('---\nlicense: mit\n---\n# M\n'), 'CARD-METADATA-WARNING')).toEqual([]);
  });
});

describe('CARD-PIPELINE-TAG-INVALID', () => {
  it('a misspelt task, with the task to use', () => {
    expect(
      shown(
        of(
          check('---\nlicense: mit\npipeline_tag: text-classifcation\n---\n# M\n'),
          'CARD-PIPELINE-TAG-INVALID',
        )[0],
      ),
    ).toEqual({
      id: 'CARD-PIPELINE-TAG-INVALID',
      message:
        'pipeline_tag "text-classifcation" is not a Hub task: "text-classifcation" is not a task id; did you mean `text-classification`.; use \'text-classification\'',
      line: 3,
      field: 'pipeline_tag',
      evidence: '"text-classifcation"',
      remediation: 'Set `pipeline_tag: text-classification`.',
    });
  });

  it('not a string: no suggestion, the rule help stays', () => {
    const [draft] = of(check('---\npipeline_tag: 42\n---\n# M\n'), 'CARD-PIPELINE-TAG-INVALID');
    expect(draft?.message).toBe(
      'pipeline_tag number 42 is not a Hub task: `pipeline_tag` is number 42, not an id.',
    );
    expect(draft?.remediation).toBeUndefined();
    expect(draft?.line).toBe(2);
  });

  it('not for a Hub task, nor without the key, nor when the metadata did not parse', () => {
    expect(
      of(check('---\npipeline_tag: text-classification\n---\n# M\n'), 'CARD-PIPELINE-TAG-INVALID'),
    ).toEqual([]);
    expect(of(check('---\nlicense: mit\n---\n# M\n'), 'CARD-PIPELINE-TAG-INVALID')).toEqual([]);
    expect(of(check('---\npipeline_tag: nope\nx: [\n---\n# M\n'), 'CARD-PIPELINE-TAG-INVALID')).toEqual([]);
  });
});

describe('CARD-LEGACY-KEY', () => {
  it('each renamed key, at its line; merging when the card has both', () => {
    const drafts = of(
      check('---\nlicense: mit\nlicenses:\n- mit\nlanguages: [en]\nlicense_details: custom\n---\n# M\n'),
      'CARD-LEGACY-KEY',
    );
    expect(drafts.map((d) => [d.field, d.line, d.message, d.remediation])).toEqual([
      [
        'licenses',
        3,
        "'licenses' was renamed 'license' (the card has both; tools read only 'license')",
        "Merge 'licenses' into 'license' and delete 'licenses'.",
      ],
      [
        'languages',
        5,
        "'languages' was renamed 'language'; tools reading current metadata ignore it",
        "Rename 'languages' to 'language'.",
      ],
      [
        'license_details',
        6,
        "'license_details' was renamed 'license_name'; tools reading current metadata ignore it",
        "Rename 'license_details' to 'license_name'.",
      ],
    ]);
    expect(drafts[1]?.evidence.startsWith('languages → language (')).toBe(true);
  });

  it('not for current keys', () => {
    expect(
      of(check('---\nlicense: mit\nlanguage: [en]\nlicense_name: x\n---\n# M\n'), 'CARD-LEGACY-KEY'),
    ).toEqual([]);
  });
});

describe('CARD-PLACEHOLDER', () => {
  const text = [
    '---',
    'license: mit',
    '---',
    '# M',
    '',
    '## Model Details [optional]',
    '',
    '<!-- Provide a longer summary of what this model is. -->',
    '',
    '[More Information Needed]',
    '',
    '## Uses',
    '',
    '{{ uses }}',
    '',
    'TODO: write this',
    '',
    '## Citation',
    '',
    '[More Information Needed]',
    '',
    '## Contact',
    '',
    '[More Information Needed]',
    '',
    '## More',
    '',
    '[More Information Needed]',
    '',
  ].join('\n');

  it('one finding counting them by kind, at the first; five examples', () => {
    const drafts = of(check(text), 'CARD-PLACEHOLDER');
    expect(drafts).toHaveLength(1);
    expect(shown(drafts[0])).toEqual({
      id: 'CARD-PLACEHOLDER',
      message:
        '6 placeholder(s) left in the card: 4 × [More Information Needed], 1 × unrendered template field, 1 × TODO; first at line 10 (§ Model Details [optional])',
      line: 10,
      evidence:
        'line 10 (§ Model Details [optional]): [More Information Needed]; line 14 (§ Uses): {{ uses }}; line 16 (§ Uses): TODO: write this; line 20 (§ Citation): [More Information Needed]; line 24 (§ Contact): [More Information Needed]',
    });
  });

  it('`[optional]` markers and template guidance comments alone are not placeholders', () => {
    const card =
      '---\nlicense: mit\n---\n# M\n## Uses [optional]\n<!-- Provide a quick summary of what the model is/does. -->\nSummaries.\n';
    expect(of(check(card), 'CARD-PLACEHOLDER')).toEqual([]);
  });

  it('a placeholder in the metadata says so', () => {
    const [draft] = of(check('---\nlicense: {{ license }}\n---\n# M\nText.\n'), 'CARD-PLACEHOLDER');
    expect(draft?.message).toBe(
      '1 placeholder(s) left in the card: 1 × unrendered template field; first at line 2 (metadata)',
    );
  });

  it('not for a card without any', () => {
    expect(of(check('---\nlicense: mit\n---\n# M\n## Uses\nSummaries.\n'), 'CARD-PLACEHOLDER')).toEqual([]);
  });
});

describe('CARD-TEMPLATE-UNEDITED', () => {
  it('the Hub template with nothing filled in', () => {
    expect(shown(of(check(HUB_TEMPLATE_CARD), 'CARD-TEMPLATE-UNEDITED')[0])).toEqual({
      id: 'CARD-TEMPLATE-UNEDITED',
      message:
        'The card is what the Hugging Face card template generated: 4 section(s) hold only placeholders and no section was written by the authors',
      line: 1,
      evidence: 'generator: hub-model-card-template; sections with authored content: 0',
    });
  });

  it('not the Hub template once most sections are written', () => {
    const filled = HUB_TEMPLATE_CARD.replace(
      '### Direct Use\n\n[More Information Needed]',
      '### Direct Use\n\nSummarising news.',
    ).replace(
      '## Bias, Risks, and Limitations\n\n[More Information Needed]',
      '## Bias, Risks, and Limitations\n\nEnglish only.',
    );
    expect(of(check(filled), 'CARD-TEMPLATE-UNEDITED')).toEqual([]);
  });

  it('a Trainer card as generated: its own sections do not count as authored', () => {
    expect(shown(of(check(TRAINER_CARD), 'CARD-TEMPLATE-UNEDITED')[0])).toEqual({
      id: 'CARD-TEMPLATE-UNEDITED',
      message:
        'The card is what the transformers Trainer generated: 3 section(s) hold only placeholders and no section was written by the authors',
      line: 1,
      evidence: 'generator: trainer; sections with authored content: 0',
    });
  });

  it('not a Trainer card whose authors wrote the intended uses', () => {
    const edited = TRAINER_CARD.replace(
      '## Intended uses & limitations\n\nMore information needed',
      '## Intended uses & limitations\n\nSentiment of tweets; fails on sarcasm.',
    );
    expect(of(check(edited), 'CARD-TEMPLATE-UNEDITED')).toEqual([]);
  });

  it('not a card no generator wrote', () => {
    expect(
      of(
        check(
          '# M\n## A\n[More Information Needed]\n## B\n[More Information Needed]\n## C\n[More Information Needed]\n',
        ),
        'CARD-TEMPLATE-UNEDITED',
      ),
    ).toEqual([]);
  });
});
