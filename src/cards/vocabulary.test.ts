import { PIPELINE_TYPES, SUBTASK_TYPES } from '@huggingface/tasks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkLicense,
  checkLicenses,
  checkPipelineTag,
  checkTaskCategories,
  checkTaskCategory,
  checkTaskId,
  checkTaskIds,
  HUB_LICENSES,
  LEGACY_KEYS,
  legacyKey,
  legacyKeyInfo,
  licenseKey,
  MAX_LIST_ITEMS,
  parentTasksOf,
} from './vocabulary.js';

const NON_STRINGS: readonly unknown[] = [42, 1.5, true, false, {}, { license: 'mit' }, Symbol('x'), 10n];

describe('HUB_LICENSES', () => {
  it('holds the 83 ids of the Hub docs table, lower case and unique, ending with unknown and other', () => {
    const ids = HUB_LICENSES.map(([id]) => id);
    expect(ids).toHaveLength(83);
    expect(new Set(ids).size).toBe(83);
    expect(ids.every((id) => id === id.toLowerCase())).toBe(true);
    expect(ids.slice(-2)).toEqual(['unknown', 'other']);
    for (const id of ['openrail++', 'llama3.3', 'llama4', 'gemma', 'cc-by-nc-sa-4.0', 'eupl-1.2']) {
      expect(ids).toContain(id);
    }
  });
});

describe('checkLicense', () => {
  describe('when the value is a Hub id', () => {
    it.each(HUB_LICENSES.filter(([id]) => !['other', 'unknown'].includes(id)))(
      'accepts %s as a Hub id',
      (id) => {
        const check = checkLicense(id);
        expect(check).toMatchObject({ valid: true, kind: 'hf', canonical: id });
        expect(check.suggestion).toBeUndefined();
      },
    );

    it('flags family ids as saying too little', () => {
      for (const id of ['bsd', 'cc', 'gpl', 'lgpl', 'gfdl', 'openrail']) {
        expect(checkLicense(id).issue?.code).toBe('family-only');
      }
      expect(checkLicense('bsd-3-clause').issue).toBeUndefined();
    });

    it('accepts `unknown` but says the card does not know its licence', () => {
      expect(checkLicense('unknown')).toMatchObject({
        valid: true,
        kind: 'hf',
        issue: { code: 'declared-unknown' },
      });
    });
  });

  describe('when the value differs from a Hub id only in case', () => {
    it('reads an SPDX spelling as a valid SPDX id and gives the Hub id', () => {
      expect(checkLicense('Apache-2.0')).toMatchObject({
        valid: true,
        kind: 'spdx',
        canonical: 'Apache-2.0',
        suggestion: 'apache-2.0',
        issue: { code: 'hub-spelling' },
      });
      expect(checkLicense('MIT')).toMatchObject({ valid: true, kind: 'spdx', suggestion: 'mit' });
      expect(checkLicense('APACHE-2.0')).toMatchObject({ canonical: 'Apache-2.0', suggestion: 'apache-2.0' });
      expect(checkLicense('CC-BY-SA-4.0')).toMatchObject({ kind: 'spdx', suggestion: 'cc-by-sa-4.0' });
    });

    it('refuses a Hub-only id in the wrong case', () => {
      expect(checkLicense('Llama2')).toMatchObject({
        valid: false,
        kind: 'hf',
        canonical: 'llama2',
        suggestion: 'llama2',
        issue: { code: 'case-mismatch' },
      });
      expect(checkLicense('OpenRAIL').suggestion).toBe('openrail');
    });
  });

  describe('when the value is a non-canonical spelling', () => {
    it.each([
      ['BSD-3', 'bsd-3-clause'],
      ['apache2', 'apache-2.0'],
      ['Apache 2', 'apache-2.0'],
      ['Apache License 2.0', 'apache-2.0'],
      ['Apache License, Version 2.0', 'apache-2.0'],
      ['GPL3', 'gpl-3.0'],
      ['GPLv3', 'gpl-3.0'],
      ['GNU GPL v3', 'gpl-3.0'],
      ['cc-by-4', 'cc-by-4.0'],
      ['CC BY-NC-SA 4.0', 'cc-by-nc-sa-4.0'],
      ['Creative Commons Attribution 4.0 International', 'cc-by-4.0'],
      ['cc0', 'cc0-1.0'],
      ['New BSD', 'bsd-3-clause'],
      ['Llama 2', 'llama2'],
      ['llama-3.1', 'llama3.1'],
      ['MIT License', 'mit'],
      ['BSD 3-clause "New" or "Revised" license', 'bsd-3-clause'],
    ])('reads %j as %s', (value, id) => {
      expect(checkLicense(value)).toMatchObject({
        valid: false,
        kind: 'hf',
        canonical: id,
        suggestion: id,
        issue: { code: 'non-canonical' },
      });
    });

    it('corrects a one-letter slip only when the version digits agree', () => {
      expect(checkLicense('apach-2.0')).toMatchObject({
        suggestion: 'apache-2.0',
        issue: { code: 'misspelt' },
      });
      expect(checkLicense('lama2')).toMatchObject({ suggestion: 'llama2', issue: { code: 'misspelt' } });
      expect(checkLicense('llama5')).toMatchObject({
        valid: false,
        kind: 'unknown',
        issue: { code: 'unrecognised' },
      });
      expect(checkLicense('llama5').suggestion).toBeUndefined();
    });
  });

  describe('when the value is an SPDX id the Hub does not list', () => {
    it('accepts it and names the nearest Hub id, or other', () => {
      expect(checkLicense('GPL-3.0-only')).toMatchObject({
        valid: true,
        kind: 'spdx',
        suggestion: 'gpl-3.0',
        issue: { code: 'hub-spelling' },
      });
      expect(checkLicense('GPL-3.0-or-later')).toMatchObject({
        valid: true,
        suggestion: 'gpl-3.0',
        issue: { code: 'not-on-hub' },
      });
      expect(checkLicense('ODbL-1.0')).toMatchObject({ valid: true, suggestion: 'odbl' });
      expect(checkLicense('0BSD')).toMatchObject({ valid: true, kind: 'spdx', suggestion: 'other' });
    });

    it('reports ids SPDX deprecates', () => {
      expect(checkLicense('LGPL-2.0')).toMatchObject({
        valid: true,
        kind: 'spdx',
        issue: { code: 'deprecated-spdx' },
      });
    });
  });

  describe('when the value is an SPDX expression', () => {
    it('refuses it and lists the Hub ids to use instead', () => {
      const check = checkLicense('MIT OR Apache-2.0');
      expect(check).toMatchObject({ valid: false, kind: 'spdx', issue: { code: 'spdx-expression' } });
      expect(check.issue?.message).toContain('[mit, apache-2.0]');
      expect(checkLicense('Apache-2.0 WITH LLVM-exception').issue?.code).toBe('spdx-expression');
      expect(checkLicense('GPL-2.0+')).toMatchObject({ valid: false, suggestion: 'gpl-2.0' });
    });

    it('does not read prose with "or" in it as an expression', () => {
      expect(checkLicense('research only or commercial with permission').issue?.code).toBe('unrecognised');
    });
  });

  describe('when the value is other', () => {
    it('asks for license_name, then license_link', () => {
      expect(checkLicense('other')).toMatchObject({
        valid: true,
        kind: 'other',
        issue: { code: 'other-without-name' },
      });
      expect(checkLicense('other', { licenseName: 'coqui-public-model-license' }).issue?.code).toBe(
        'other-without-link',
      );
      const complete = checkLicense('other', {
        licenseName: 'coqui-public-model-license',
        licenseLink: 'https://coqui.ai/cpml',
      });
      expect(complete).toEqual({ input: '"other"', valid: true, kind: 'other', canonical: 'other' });
    });

    it('points at the Hub id when license_name is one', () => {
      expect(checkLicense('other', { licenseName: 'Apache-2.0', licenseLink: 'LICENSE' })).toMatchObject({
        suggestion: 'apache-2.0',
        issue: { code: 'other-name-is-known' },
      });
      expect(checkLicense('other', { licenseName: 'llama3', licenseLink: 'LICENSE' }).suggestion).toBe(
        'llama3',
      );
    });

    it('treats a non-string license_name as missing', () => {
      expect(checkLicense('other', { licenseName: 7, licenseLink: 'LICENSE' }).issue?.code).toBe(
        'other-without-name',
      );
    });
  });

  describe('when the value is not a licence at all', () => {
    it('refuses garbage without a suggestion', () => {
      for (const value of ['foo', 'Public Domain', 'see LICENSE', '[More Information Needed]']) {
        const check = checkLicense(value);
        expect(check).toMatchObject({ valid: false, kind: 'unknown', issue: { code: 'unrecognised' } });
        expect(check.suggestion).toBeUndefined();
      }
    });

    it('refuses empty and null values', () => {
      for (const value of ['', '   ', null, undefined]) {
        expect(checkLicense(value)).toMatchObject({
          valid: false,
          kind: 'unknown',
          issue: { code: 'empty' },
        });
      }
    });

    it.each(NON_STRINGS)('refuses %s without throwing', (value) => {
      expect(checkLicense(value)).toMatchObject({
        valid: false,
        kind: 'unknown',
        issue: { code: 'not-a-string' },
      });
    });

    it('explains YAML 1.1 booleans', () => {
      expect(checkLicense(false).issue?.message).toContain('yes/no');
    });

    it('quotes long input truncated', () => {
      const check = checkLicense('x'.repeat(10_000));
      expect(check.input.length).toBeLessThan(100);
      expect(check.issue?.code).toBe('unrecognised');
    });
  });

  it('never throws and always answers valid with a kind (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (value) => {
        const check = checkLicense(value);
        expect(typeof check.valid).toBe('boolean');
        expect(['hf', 'spdx', 'other', 'unknown']).toContain(check.kind);
        if (!check.valid) expect(check.issue).toBeDefined();
      }),
    );
  });
});

describe('licenseKey', () => {
  it('maps spellings of one licence to one key and different versions apart', () => {
    expect(licenseKey('Apache License, Version 2.0')).toBe(licenseKey('apache-2.0'));
    expect(licenseKey('BSD-3')).toBe(licenseKey('bsd-3-clause'));
    expect(licenseKey('gpl-2.0')).not.toBe(licenseKey('gpl-3.0'));
    expect(licenseKey('cc-by-2.5')).not.toBe(licenseKey('cc-by-2.0'));
    expect(licenseKey('unlicense')).toBe('unlicense');
  });
});

describe('checkLicenses', () => {
  it('checks a scalar as a list of one', () => {
    expect(checkLicenses('mit')).toEqual({
      valid: true,
      items: [{ input: '"mit"', valid: true, kind: 'hf', canonical: 'mit' }],
    });
  });

  it('checks each item of a list', () => {
    const check = checkLicenses(['cc-by-4.0', 'BSD-3', 42]);
    expect(check.valid).toBe(false);
    expect(check.items.map((item) => item.issue?.code)).toEqual([undefined, 'non-canonical', 'not-a-string']);
  });

  it('accepts a list of Hub ids', () => {
    expect(checkLicenses(['cc-by-4.0', 'odc-by']).valid).toBe(true);
  });

  it('flags the same licence twice, whatever the spelling', () => {
    expect(checkLicenses(['mit', 'MIT']).issue?.code).toBe('duplicate');
  });

  it('refuses an empty list, a missing value and a mapping', () => {
    expect(checkLicenses([]).issue?.code).toBe('empty-list');
    expect(checkLicenses(null).issue?.code).toBe('missing');
    expect(checkLicenses({ code: 'mit' }).issue?.code).toBe('not-a-list');
  });

  it('passes context to each item', () => {
    expect(checkLicenses(['other'], { licenseName: 'x-1', licenseLink: 'LICENSE' }).valid).toBe(true);
  });

  it(`checks at most ${MAX_LIST_ITEMS} items`, () => {
    const check = checkLicenses(Array.from({ length: MAX_LIST_ITEMS + 5 }, () => 'mit'));
    expect(check.items).toHaveLength(MAX_LIST_ITEMS);
    expect(check).toMatchObject({ valid: false, issue: { code: 'too-many' } });
  });
});

describe('checkPipelineTag', () => {
  it.each(PIPELINE_TYPES)('accepts the task %s', (task) => {
    expect(checkPipelineTag(task)).toMatchObject({ valid: true, canonical: task });
  });

  it.each([
    ['text_classification', 'text-classification'],
    ['Text Classification', 'text-classification'],
    ['TextClassification', 'text-classification'],
    ['TEXT-GENERATION', 'text-generation'],
    ['graph machine learning', 'graph-ml'],
  ])('corrects %j to %s', (value, task) => {
    expect(checkPipelineTag(value)).toMatchObject({
      valid: false,
      suggestion: task,
      issue: { code: 'non-canonical' },
    });
  });

  it('corrects a typo', () => {
    expect(checkPipelineTag('text-clasification')).toMatchObject({
      suggestion: 'text-classification',
      issue: { code: 'misspelt' },
    });
  });

  it('refuses a subtask and names its task (text2text-generation is a subtask of text-generation now)', () => {
    expect(checkPipelineTag('text2text-generation')).toMatchObject({
      valid: false,
      suggestion: 'text-generation',
      issue: { code: 'subtask-not-task' },
    });
    expect(checkPipelineTag('Extractive QA')).toMatchObject({ suggestion: 'question-answering' });
  });

  it('notes tasks the Hub hides in its model filters', () => {
    expect(checkPipelineTag('table-to-text')).toMatchObject({
      valid: true,
      issue: { code: 'hidden-on-hub' },
    });
    expect(checkTaskCategory('table-to-text').issue).toBeUndefined();
  });

  it('refuses garbage and non-strings without throwing', () => {
    expect(checkPipelineTag('make-coffee')).toMatchObject({ valid: false, issue: { code: 'unrecognised' } });
    expect(checkPipelineTag('make-coffee').suggestion).toBeUndefined();
    for (const value of NON_STRINGS) expect(checkPipelineTag(value).issue?.code).toBe('not-a-string');
    expect(checkPipelineTag(['text-generation']).issue?.code).toBe('not-a-string');
    expect(checkPipelineTag(null).issue?.code).toBe('empty');
  });
});

describe('checkTaskId', () => {
  it.each([...new Set(SUBTASK_TYPES)])('accepts the task id %s', (id) => {
    expect(checkTaskId(id)).toMatchObject({ valid: true, canonical: id });
  });

  it('refuses a task and says where it belongs', () => {
    expect(checkTaskId('text-classification')).toMatchObject({
      valid: false,
      issue: { code: 'task-not-subtask' },
    });
    expect(checkTaskId('Text Classification').issue?.code).toBe('task-not-subtask');
  });

  it('corrects near misses', () => {
    expect(checkTaskId('Named Entity Recognition')).toMatchObject({
      suggestion: 'named-entity-recognition',
      issue: { code: 'non-canonical' },
    });
    expect(checkTaskId('sentiment-clasification')).toMatchObject({
      suggestion: 'sentiment-classification',
      issue: { code: 'misspelt' },
    });
  });

  it('refuses garbage and non-strings', () => {
    expect(checkTaskId('foo').issue?.code).toBe('unrecognised');
    expect(checkTaskId(3).issue?.code).toBe('not-a-string');
  });
});

describe('checkTaskCategories and checkTaskIds', () => {
  it('check each item of a list', () => {
    const categories = checkTaskCategories(['text-classification', 'token_classification']);
    expect(categories.valid).toBe(false);
    expect(categories.items[1]?.suggestion).toBe('token-classification');
    expect(checkTaskIds(['extractive-qa', 'open-domain-qa']).valid).toBe(true);
    expect(checkTaskIds('extractive-qa').valid).toBe(true);
    expect(checkTaskIds(['extractive-qa', 'extractive-qa']).issue?.code).toBe('duplicate');
  });
});

describe('parentTasksOf', () => {
  it('names the tasks a task id sits under', () => {
    expect(parentTasksOf('extractive-qa')).toEqual(['question-answering']);
    expect(parentTasksOf('text2text-generation')).toEqual(['text-generation']);
    expect(parentTasksOf('nope')).toEqual([]);
  });
});

describe('legacyKey', () => {
  it('maps the 2022 dataset renames', () => {
    expect(legacyKey('languages')).toBe('language');
    expect(legacyKey('licenses')).toBe('license');
    expect(legacyKey('license_details')).toBe('license_name');
    expect(legacyKeyInfo('licenses')?.source).toContain('huggingface/datasets#4607');
  });

  it('answers undefined for current, unknown, prototype and non-string keys', () => {
    for (const key of ['language', 'license', 'pipeline_tag', '__proto__', 'constructor', 3, null]) {
      expect(legacyKey(key)).toBeUndefined();
    }
  });

  it('keys every entry by its own name', () => {
    for (const [key, entry] of LEGACY_KEYS) expect(entry.key).toBe(key);
  });
});
