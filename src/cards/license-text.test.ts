import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findLicenseMentions,
  identifyLicenseText,
  type LicenseTextResult,
  MAX_LICENSE_TEXT_CHARS,
  MAX_MENTION_SCAN_CHARS,
} from './license-text.js';

const require = createRequire(import.meta.url);
/** An SPDX reference text, from the same package the identifier reads. */
function spdxText(id: string): string {
  return (require(`spdx-license-list/licenses/${id}.json`) as { licenseText: string }).licenseText;
}

/** A copy as people commit it: a real copyright line, paragraphs re-wrapped at 72 columns, straight quotes. */
function asCommitted(text: string, holder = 'Copyright (c) 2024 Example Labs, Inc.'): string {
  const paragraphs = text.split(/\n\s*\n/).map((p) =>
    p
      .replace(/\s+/g, ' ')
      .replace(/[“”]/g, '"')
      .replace(/(.{72}\S*) /g, '$1\n'),
  );
  return `${holder}\n\n${paragraphs.join('\n\n')}\n`;
}

function idOf(result: LicenseTextResult): string | undefined {
  return result.status === 'identified' ? result.id : undefined;
}

const MIT = `MIT License

Copyright (c) 2022 OpenAI

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

describe('identifyLicenseText', () => {
  describe('when the file holds an SPDX licence text', () => {
    it.each([
      ['Apache-2.0', 'apache-2.0'],
      ['MIT', 'mit'],
      ['BSD-2-Clause', 'bsd-2-clause'],
      ['BSD-3-Clause', 'bsd-3-clause'],
      ['ISC', 'isc'],
      ['Unlicense', 'unlicense'],
      ['GPL-2.0-only', 'gpl-2.0'],
      ['GPL-3.0-only', 'gpl-3.0'],
      ['LGPL-2.1-only', 'lgpl-2.1'],
      ['LGPL-3.0-only', 'lgpl-3.0'],
      ['AGPL-3.0-only', 'agpl-3.0'],
      ['MPL-2.0', 'mpl-2.0'],
      ['CC0-1.0', 'cc0-1.0'],
      ['CC-BY-4.0', 'cc-by-4.0'],
      ['CC-BY-SA-4.0', 'cc-by-sa-4.0'],
      ['CC-BY-NC-4.0', 'cc-by-nc-4.0'],
      ['CC-BY-NC-SA-4.0', 'cc-by-nc-sa-4.0'],
      ['CC-BY-NC-ND-4.0', 'cc-by-nc-nd-4.0'],
      ['ODC-By-1.0', 'odc-by'],
      ['ODbL-1.0', 'odbl'],
      ['PDDL-1.0', 'pddl'],
      ['CDLA-Permissive-2.0', 'cdla-permissive-2.0'],
    ])('identifies %s as the Hub id %s, as published and as committed', (spdx, hub) => {
      const exact = identifyLicenseText(spdxText(spdx));
      expect(exact).toMatchObject({ status: 'identified', id: hub, spdx, method: 'text' });
      const committed = identifyLicenseText(asCommitted(spdxText(spdx)));
      expect(committed).toMatchObject({ status: 'identified', id: hub });
      if (committed.status === 'identified') expect(committed.confidence).toBeGreaterThanOrEqual(0.98);
    });

    it('reads the GPL and Apache texts with or without their "How to apply" appendix', () => {
      for (const spdx of ['GPL-3.0-only', 'Apache-2.0']) {
        const text = spdxText(spdx);
        const cut = text.search(/END OF TERMS AND CONDITIONS/);
        expect(cut).toBeGreaterThan(0);
        expect(idOf(identifyLicenseText(text.slice(0, cut)))).toBe(
          spdx === 'Apache-2.0' ? 'apache-2.0' : 'gpl-3.0',
        );
      }
    });

    it('does not take a close relative for the Hub licence it resembles', () => {
      // CC BY-ND 3.0 shares 98.8% of its words with CC BY-NC-ND 3.0; MIT-0 is MIT without the notice clause.
      expect(identifyLicenseText(spdxText('CC-BY-ND-3.0'))).toMatchObject({ id: 'cc-by-nd-3.0' });
      expect(identifyLicenseText(spdxText('MIT-0'))).toMatchObject({ id: 'mit-0' });
      expect(identifyLicenseText(spdxText('BSD-4-Clause'))).toMatchObject({ id: 'bsd-4-clause' });
      expect(identifyLicenseText(spdxText('BSD-2-Clause'))).toMatchObject({ id: 'bsd-2-clause' });
    });

    it('identifies an MIT file with its copyright line and says why', () => {
      const result = identifyLicenseText(MIT);
      expect(result).toMatchObject({ status: 'identified', id: 'mit', method: 'text', confidence: 1 });
      if (result.status === 'identified') expect(result.evidence).toMatch(/MIT.*100% of words shared/);
    });
  });

  describe('when the text is a variant of a licence', () => {
    it('leaves a "Modified MIT License" (openai/gpt-2) unknown, naming MIT as the closest', () => {
      const modified = MIT.replace('MIT License', 'Modified MIT License').replace(
        'Permission is hereby granted',
        "We don't claim ownership of the content you create with GPT-2, so it is yours to do with as you please.\nWe only ask that you use GPT-2 responsibly and clearly indicate your content was created using GPT-2.\n\nPermission is hereby granted",
      );
      const result = identifyLicenseText(modified);
      expect(result.status).toBe('unknown');
      if (result.status === 'unknown') {
        expect(result.closest?.id).toBe('mit');
        expect(result.evidence).toMatch(/Modified MIT License/);
      }
    });

    it('leaves a licence text followed by extra terms unknown', () => {
      const extra = `${MIT}\n\nAdditional terms: the model weights may only be used for non-commercial research, may not be redistributed, and any derivative must carry these additional restrictions verbatim, including attribution to the original authors and their institutions in every publication and product.\n`;
      expect(identifyLicenseText(extra).status).toBe('unknown');
    });
  });

  describe('when the licence has no SPDX text (model licences)', () => {
    it.each([
      ['LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023\n', 'llama2'],
      [
        'META LLAMA 3 COMMUNITY LICENSE AGREEMENT\nMeta Llama 3 Version Release Date: April 18, 2024\n',
        'llama3',
      ],
      ['LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n', 'llama3.1'],
      [
        'LLAMA 3.2 COMMUNITY LICENSE AGREEMENT\nLlama 3.2 Version Release Date: September 25, 2024\n',
        'llama3.2',
      ],
      [
        'LLAMA 3.3 COMMUNITY LICENSE AGREEMENT\nLlama 3.3 Version Release Date: December 6, 2024\n',
        'llama3.3',
      ],
      ['LLAMA 4 COMMUNITY LICENSE AGREEMENT\nLlama 4 Version Effective Date: April 5, 2025\n', 'llama4'],
      ['Gemma Terms of Use\n\nLast modified: February 21, 2024\n', 'gemma'],
      ['BigScience RAIL License v1.0\ndated May 19, 2022\n', 'bigscience-bloom-rail-1.0'],
      ['BigScience Open RAIL-M License\ndated August 18, 2022\n', 'bigscience-openrail-m'],
      ['CreativeML Open RAIL-M\ndated August 22, 2022\n', 'creativeml-openrail-m'],
      ['CreativeML Open RAIL++-M License\ndated November 24, 2022\n', 'openrail++'],
      ['BigCode Open RAIL-M v1 License Agreement\n', 'bigcode-openrail-m'],
      ['DEEPFLOYD IF LICENSE AGREEMENT\n', 'deepfloyd-if-license'],
      ['FAIR Noncommercial Research License\n', 'fair-noncommercial-research-license'],
      [
        'IMPORTANT: This Apple software is supplied to you by Apple Inc. ("Apple") in consideration of your agreement',
        'apple-ascl',
      ],
    ])('recognises the title of %j as %s', (head, id) => {
      const body = `${head}\n${'The licensee shall comply with the terms of this agreement when using the materials. '.repeat(40)}`;
      expect(identifyLicenseText(body)).toMatchObject({ status: 'identified', id, method: 'fingerprint' });
    });

    it('names licences the Hub has no id for as `other`', () => {
      expect(
        identifyLicenseText('# Mistral AI Research License\n\nIf You want to use a Mistral Model...'),
      ).toMatchObject({
        id: 'other',
        name: 'Mistral AI Research License',
      });
      expect(
        identifyLicenseText(
          'Tongyi Qianwen LICENSE AGREEMENT\n\nTongyi Qianwen Release Date: August 3, 2023',
        ),
      ).toMatchObject({
        id: 'other',
        name: 'Tongyi Qianwen License Agreement',
      });
    });

    it('does not take a licence that cites Llama 2 further down for the Llama 2 licence', () => {
      const text = `Acme Model License\n\n${'You may use the model for any lawful purpose. '.repeat(20)}\nThis model was fine-tuned from Llama 2 and you must also comply with the Llama 2 Community License Agreement.\n`;
      expect(identifyLicenseText(text).status).toBe('unknown');
    });
  });

  describe('when the file is a short statement', () => {
    it('identifies the one licence it names', () => {
      expect(identifyLicenseText('The model weights are released under CC-BY-NC-4.0.\n')).toMatchObject({
        status: 'identified',
        id: 'cc-by-nc-4.0',
        method: 'statement',
      });
      expect(
        identifyLicenseText(
          'Licensed under the Apache License, Version 2.0. See http://www.apache.org/licenses/LICENSE-2.0',
        ),
      ).toMatchObject({ id: 'apache-2.0', method: 'statement' });
    });

    it('leaves a statement naming two licences unknown', () => {
      expect(identifyLicenseText('Code: MIT. Weights: CC-BY-NC-4.0.').status).toBe('unknown');
    });
  });

  describe('when the input is malformed or hostile', () => {
    it.each([
      ['empty', ''],
      ['blank', '  \n\t\n'],
      ['binary', '\u0000\u0001\u0002\uFFFD'.repeat(500)],
      ['one word', 'License'],
    ])('returns unknown for %s text', (_name, text) => {
      expect(identifyLicenseText(text).status).toBe('unknown');
    });

    it('returns unknown for values that are not strings', () => {
      for (const value of [undefined, null, 42, {}, ['MIT']]) {
        expect(identifyLicenseText(value as unknown as string).status).toBe('unknown');
      }
    });

    it('reads at most MAX_LICENSE_TEXT_CHARS and stays fast on a huge file', () => {
      const huge = `${MIT}${'x '.repeat(MAX_LICENSE_TEXT_CHARS)}`;
      const started = performance.now();
      const result = identifyLicenseText(huge);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(result.status).toBe('unknown');
      // Truncated to the limit, the MIT text is all there is.
      expect(identifyLicenseText(huge, { maxChars: MIT.length }).status).toBe('identified');
    });

    it('never throws on arbitrary text', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 3000 }), (text) => {
          const result = identifyLicenseText(text);
          expect(['identified', 'unknown']).toContain(result.status);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('findLicenseMentions', () => {
  const ids = (text: string) => findLicenseMentions(text).map((m) => (m.exact ? m.id : `${m.id}~`));

  it.each([
    ['released under the MIT license', ['mit']],
    ['This model is MIT-licensed', ['mit']],
    ['Apache License, Version 2.0', ['apache-2.0']],
    ['apache2 or Apache 2.0 or apache-2.0', ['apache-2.0', 'apache-2.0', 'apache-2.0']],
    ['the Apache License', ['apache~']],
    ['CC-BY-NC 4.0', ['cc-by-nc-4.0']],
    ['Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International', ['cc-by-nc-sa-4.0']],
    ['CC BY-SA 3.0', ['cc-by-sa-3.0']],
    ['CC0', ['cc0-1.0']],
    ['Creative Commons 4.0 License', ['cc~']],
    ['CC BY-NC', ['cc-by-nc~']],
    ['[licence](https://creativecommons.org/licenses/by-nc-nd/4.0/)', ['cc-by-nc-nd-4.0']],
    ['GNU General Public License v3', ['gpl-3.0']],
    ['GPLv2 and LGPL-2.1 and AGPL', ['gpl-2.0', 'lgpl-2.1', 'agpl-3.0']],
    [
      'BSD-3-Clause, BSD 2-Clause, new BSD, the BSD license',
      ['bsd-3-clause', 'bsd-2-clause', 'bsd-3-clause', 'bsd~'],
    ],
    ['Mozilla Public License 2.0', ['mpl-2.0']],
    ['The Unlicense', ['unlicense']],
    ['ODC-By and ODbL and PDDL', ['odc-by', 'odbl', 'pddl']],
    ['CDLA-Permissive-2.0', ['cdla-permissive-2.0']],
    ['CreativeML OpenRAIL-M', ['creativeml-openrail-m']],
    ['CreativeML Open RAIL++-M License', ['openrail++']],
    ['BigScience OpenRAIL-M', ['bigscience-openrail-m']],
    ['RAIL License v1.0', ['bigscience-bloom-rail-1.0']],
    ['an OpenRAIL license', ['openrail~']],
    ['Llama 2 Community License and the Llama 3.1 Community License', ['llama2', 'llama3.1']],
    ['the Llama license', ['llama~']],
    ['https://llama.meta.com/llama3/license', ['llama3']],
    ['https://www.llama.com/llama3_2/license/', ['llama3.2']],
    ['Gemma Terms of Use', ['gemma']],
    ['DeepFloyd IF License', ['deepfloyd-if-license']],
    ['`llama3.3`, `eupl-1.2` and EPL-2.0', ['llama3.3', 'eupl-1.2', 'epl-2.0']],
  ])('finds %j', (text, expected) => {
    expect(ids(text)).toEqual(expected);
  });

  it('names licences without a Hub id as `other`', () => {
    expect(findLicenseMentions('under the Mistral AI Research License')).toMatchObject([
      { id: 'other', exact: true, name: 'Mistral AI Research License' },
    ]);
  });

  it.each([
    'Researchers at MIT CSAIL trained it',
    'Apache Spark and Apache Arrow',
    'FreeBSD and the GPLed kernel',
    'the model is unlicensed',
    'meta-llama/Meta-Llama-3-8B',
    'Cc: the authors',
    'a license that is not named',
  ])('finds nothing in %j', (text) => {
    expect(findLicenseMentions(text)).toEqual([]);
  });

  it('gives offsets into the text', () => {
    const text = 'Code is released under MIT, weights under CC-BY-NC 4.0.';
    const [mit, cc] = findLicenseMentions(text);
    expect(text.slice(mit!.start, mit!.end)).toBe('MIT');
    expect(text.slice(cc!.start, cc!.end)).toBe('CC-BY-NC 4.0');
  });

  it('scans at most MAX_MENTION_SCAN_CHARS and stays fast on hostile text', () => {
    for (const unit of [
      'cc by ',
      'apache ',
      'gpl-',
      'Creative Commons Attribution ',
      'llama 3 ',
      'a'.repeat(50),
    ]) {
      const text = unit.repeat(Math.ceil((MAX_MENTION_SCAN_CHARS * 2) / unit.length));
      const started = performance.now();
      const found = findLicenseMentions(text);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(found.every((m) => m.end <= MAX_MENTION_SCAN_CHARS)).toBe(true);
    }
  });
});

const CARDS = '/work/shared/data/cards';
const haveCards = existsSync(join(CARDS, 'INDEX.md'));

/** The LICENSE files next to the real cards, identified by hand (INDEX.md says where each comes from). */
describe.skipIf(!haveCards)(
  'identifyLicenseText over the real LICENSE files in shared/data/cards/licenses',
  () => {
    it.each([
      ['facebookresearch__audiocraft__LICENSE', 'mit', 'text'],
      ['facebookresearch__audiocraft__LICENSE_weights', 'cc-by-nc-4.0', 'text'],
      ['meta-llama__llama3__LICENSE', 'llama3', 'fingerprint'],
      ['meta-llama__llama__LICENSE@53011c3', 'gpl-3.0', 'text'],
      ['openai__CLIP__LICENSE', 'mit', 'text'],
      ['openai__whisper__LICENSE', 'mit', 'text'],
    ])('identifies %s as %s', (file, id, method) => {
      const result = identifyLicenseText(readFileSync(join(CARDS, 'licenses', file), 'utf8'));
      expect(result).toMatchObject({ status: 'identified', id, method });
    });

    it('leaves openai/gpt-2\'s "Modified MIT License" unknown', () => {
      const result = identifyLicenseText(
        readFileSync(join(CARDS, 'licenses', 'openai__gpt-2__LICENSE'), 'utf8'),
      );
      expect(result).toMatchObject({ status: 'unknown', closest: { id: 'mit' } });
    });
  },
);
