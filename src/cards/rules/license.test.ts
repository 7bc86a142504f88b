import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditCard } from '../audit/audit.js';
import { buildAuditContext } from '../audit/context.js';
import type { CardFindingDraft, CardRepo } from '../audit/types.js';
import { readCard } from '../read.js';
import { CARD_RULES } from './index.js';
import { CARD_LICENSE_RULES, checkLicense } from './license.js';

const require = createRequire(import.meta.url);
const spdxText = (id: string) =>
  (require(`spdx-license-list/licenses/${id}.json`) as { licenseText: string }).licenseText;

const MIT_TEXT = spdxText('MIT').replace('<year> <copyright holders>', '2024 Example Labs');
const APACHE_TEXT = spdxText('Apache-2.0');
const CC_BY_NC_TEXT = spdxText('CC-BY-NC-4.0');
const LLAMA3_TEXT = `META LLAMA 3 COMMUNITY LICENSE AGREEMENT\nMeta Llama 3 Version Release Date: April 18, 2024\n\n${'“Agreement” means the terms and conditions for use of the Llama Materials. '.repeat(30)}`;

function run(text: string, options: { repo?: CardRepo; path?: string } = {}): CardFindingDraft[] {
  const path = options.path ?? 'README.md';
  return [...checkLicense(buildAuditContext(readCard(path, text), text, options.repo))];
}

const rules = (drafts: readonly CardFindingDraft[]) => drafts.map((d) => d.rule.id);
const severityOf = (d: CardFindingDraft) => d.severity ?? d.rule.defaultSeverity;

/** A card with the given YAML lines (none: no front matter) and body. */
function card(yaml: string | undefined, body = '# Model\n\nA model.\n'): string {
  return yaml === undefined ? body : `---\n${yaml}\n---\n${body}`;
}

function repoWith(files: Readonly<Record<string, string>>, others: readonly string[] = []): CardRepo {
  const paths = Object.keys(files);
  return {
    files: ['README.md', ...paths, ...others].sort(),
    licenseFiles: paths.map((path) => ({ path, text: files[path] as string, truncated: false })),
  };
}

describe('CARD_LICENSE_RULES', () => {
  it('has stable CARD-LICENSE- ids with their default severities, all in CARD_RULES', () => {
    const table = Object.values(CARD_LICENSE_RULES).map((r) => [r.id, r.defaultSeverity]);
    expect(table).toEqual([
      ['CARD-LICENSE-MISSING', 'medium'],
      ['CARD-LICENSE-METADATA-MISSING', 'low'],
      ['CARD-LICENSE-INVALID', 'low'],
      ['CARD-LICENSE-NONCANONICAL', 'low'],
      ['CARD-LICENSE-FILE-MISMATCH', 'medium'],
      ['CARD-LICENSE-PROSE-MISMATCH', 'medium'],
      ['CARD-LICENSE-BASE-CONFLICT', 'high'],
    ]);
    const all = CARD_RULES.map((r) => r.id);
    for (const rule of Object.values(CARD_LICENSE_RULES)) {
      expect(all).toContain(rule.id);
      expect(rule.description.length).toBeGreaterThan(40);
      expect(rule.references.length).toBeGreaterThan(0);
    }
  });
});

describe('checkLicense', () => {
  describe('CARD-LICENSE-MISSING', () => {
    it('is raised when neither metadata, prose nor files state a licence', () => {
      const [draft, ...rest] = run(card('language: en'));
      expect(rest).toEqual([]);
      expect(draft).toMatchObject({ rule: CARD_LICENSE_RULES.missing, field: 'license' });
      expect(severityOf(draft!)).toBe('medium');
    });

    it('is raised for a card without front matter, and for a dataset card', () => {
      expect(rules(run('# Model\n\nWords.\n'))).toEqual(['CARD-LICENSE-MISSING']);
      expect(
        rules(run(card('task_categories:\n- text-classification', '# Dataset Card for X\n\nData.\n'))),
      ).toEqual(['CARD-LICENSE-MISSING']);
    });

    it('names the placeholder left in the License field or section', () => {
      const labelled = run(
        card('language: en', '# M\n\n- **Developed by:** Me\n- **License:** [More Information Needed]\n'),
      );
      expect(labelled).toHaveLength(1);
      expect(labelled[0]).toMatchObject({ rule: CARD_LICENSE_RULES.missing, line: 7 });
      expect(labelled[0]!.message).toMatch(/placeholder/);
      const section = run(
        card('language: en', '# M\n\n## License\n\n[More Information Needed]\n\n## Citation\n\nx\n'),
      );
      expect(section[0]).toMatchObject({ rule: CARD_LICENSE_RULES.missing, line: 6 });
    });

    it.each([
      ['null', 'license: null'],
      ['an empty string', "license: ''"],
      ['an empty list', 'license: []'],
      ['a bare key', 'license:'],
    ])('treats a licence that is %s as missing, on its line', (_name, yaml) => {
      const drafts = run(card(`language: en\n${yaml}`));
      expect(rules(drafts)).toEqual(['CARD-LICENSE-MISSING']);
      expect(drafts[0]!.line).toBe(3);
      expect(drafts[0]!.message).toMatch(/`license` is/);
    });

    it('accepts the legacy dataset key `licenses`', () => {
      expect(run(card('licenses:\n- cc-by-4.0\ntask_categories:\n- text-classification'))).toEqual([]);
    });

    it('says when the front matter could not be parsed', () => {
      const drafts = run(card('license: [mit\nbad: "x'));
      expect(rules(drafts)).toEqual(['CARD-LICENSE-MISSING']);
      expect(drafts[0]!.message).toMatch(/could not be parsed/);
    });
  });

  describe('CARD-LICENSE-METADATA-MISSING', () => {
    it('is raised (low) when a License label states the licence, suggesting the id', () => {
      const drafts = run(card(undefined, '# M\n\n**License:** Apache 2.0\n'));
      expect(rules(drafts)).toEqual(['CARD-LICENSE-METADATA-MISSING']);
      expect(drafts[0]).toMatchObject({
        line: 3,
        remediation: 'Add `license: apache-2.0` to the front matter.',
      });
      expect(severityOf(drafts[0]!)).toBe('low');
    });

    it('reads a License section, a label with its value on the next line, and a "released under" sentence', () => {
      expect(
        run(card('language: en', '# M\n\n## License\n\nThis model is licensed under CC BY 4.0.\n'))[0],
      ).toMatchObject({
        rule: CARD_LICENSE_RULES.metadataMissing,
        line: 8,
        remediation: 'Add `license: cc-by-4.0` to the front matter.',
      });
      expect(run('# M\n\n**License**\nNon-commercial bespoke license\n')[0]).toMatchObject({
        rule: CARD_LICENSE_RULES.metadataMissing,
        line: 4,
      });
      expect(run('# M\n\nWe release the weights under the MIT license.\n')[0]).toMatchObject({
        rule: CARD_LICENSE_RULES.metadataMissing,
        remediation: 'Add `license: mit` to the front matter.',
      });
    });

    it('suggests the weights licence when code and weights are licensed apart', () => {
      const drafts = run(
        '# M\n\n**License:** Code is released under MIT, model weights are released under CC-BY-NC 4.0.\n',
      );
      expect(drafts[0]!.remediation).toBe('Add `license: cc-by-nc-4.0` to the front matter.');
    });

    it('is raised when only the repository has a licence file, suggesting its id when identified', () => {
      const drafts = run('# M\n\nWords.\n', { repo: repoWith({ LICENSE: MIT_TEXT }) });
      expect(rules(drafts)).toEqual(['CARD-LICENSE-METADATA-MISSING']);
      expect(drafts[0]!.remediation).toBe('Add `license: mit` to the front matter.');
      const unknown = run('# M\n\nWords.\n', { repo: repoWith({ LICENSE: 'All rights reserved. Ask us.' }) });
      expect(rules(unknown)).toEqual(['CARD-LICENSE-METADATA-MISSING']);
      expect(unknown[0]!.remediation).toMatch(/license: other/);
    });

    it('does not count a sentence about another model, or mere citations, as a statement', () => {
      expect(rules(run('# M\n\nThe base model is released under the Apache 2.0 license.\n'))).toEqual([
        'CARD-LICENSE-MISSING',
      ]);
      expect(
        rules(run('# M\n\nBERT is released under Apache 2.0. See the MIT license of the tokenizer.\n')),
      ).toEqual(['CARD-LICENSE-MISSING']);
    });
  });

  describe('CARD-LICENSE-INVALID', () => {
    it.each([
      ['free text', 'license: my own terms, ask me', 'license'],
      ['a number', 'license: 3', 'license'],
      ['a YAML 1.1 boolean', 'license: no', 'license'],
      ['a mapping', 'license:\n  id: mit', 'license'],
      ['a list holding a list', 'license:\n- [mit]', 'license[0]'],
      ['a list holding null', 'license:\n- mit\n- null', 'license[1]'],
      ['a misspelt id', 'license: apach-2.0', 'license'],
      ['a very long string', `license: ${'x'.repeat(10_000)}`, 'license'],
    ])('is raised for %s', (_name, yaml, field) => {
      const drafts = run(card(yaml));
      expect(rules(drafts)).toEqual(['CARD-LICENSE-INVALID']);
      expect(drafts[0]!.field).toBe(field);
      expect(drafts[0]!.message.length).toBeLessThan(600);
    });

    it("points at the list item's line", () => {
      const drafts = run(card('language: en\nlicense:\n- mit\n- foo bar baz'));
      expect(drafts[0]).toMatchObject({ field: 'license[1]', line: 5 });
    });

    it('is raised for `other` without `license_name`, and without `license_link` (suggesting the LICENSE file)', () => {
      expect(run(card('license: other'))[0]!.message).toMatch(/license_name/);
      const drafts = run(card('license: other\nlicense_name: acme-1.0'), {
        repo: repoWith({ LICENSE: 'Acme terms.' }),
      });
      expect(rules(drafts)).toEqual(['CARD-LICENSE-INVALID']);
      expect(drafts[0]!.remediation).toBe("Add `license_link: LICENSE` (the repository's licence file).");
    });

    it('accepts `other` with a name and a link to a file the repository has', () => {
      const repo = repoWith({ LICENSE: 'Acme Model License. You may use it for research.' });
      expect(run(card('license: other\nlicense_name: acme-1.0\nlicense_link: LICENSE'), { repo })).toEqual(
        [],
      );
      expect(
        run(card('license: other\nlicense_name: acme-1.0\nlicense_link: ./LICENSE#terms'), { repo }),
      ).toEqual([]);
      expect(
        run(card('license: other\nlicense_name: acme-1.0\nlicense_link: https://acme.example/license'), {
          repo,
        }),
      ).toEqual([]);
    });

    it('is raised for a `license_link` to a file the repository does not have, naming a case-only difference', () => {
      const repo = repoWith({ 'LICENSE.md': 'Acme terms.' });
      const missing = run(card('license: other\nlicense_name: acme\nlicense_link: LICENCE'), { repo });
      expect(missing).toMatchObject([{ rule: CARD_LICENSE_RULES.invalid, field: 'license_link', line: 4 }]);
      const cased = run(card('license: other\nlicense_name: acme\nlicense_link: license.md'), { repo });
      expect(cased[0]!.remediation).toBe('Write `license_link: LICENSE.md`.');
      // Without the repository's file list nothing is known about its files.
      expect(run(card('license: other\nlicense_name: acme\nlicense_link: LICENCE'))).toEqual([]);
    });

    it('is raised for a `license_link` that is not a string', () => {
      expect(run(card('license: mit\nlicense_link: [a, b]'))).toMatchObject([
        { rule: CARD_LICENSE_RULES.invalid, field: 'license_link' },
      ]);
    });

    it('caps the findings about list items', () => {
      const yaml = `license:\n${Array.from({ length: 50 }, (_, i) => `- bogus licence ${i}`).join('\n')}`;
      expect(run(card(yaml)).length).toBeLessThanOrEqual(21);
    });
  });

  describe('CARD-LICENSE-NONCANONICAL', () => {
    it.each([
      ['BSD-3', 'bsd-3-clause'],
      ['Apache 2.0', 'apache-2.0'],
      ['Apache-2.0', 'apache-2.0'],
      ['MIT', 'mit'],
      ['cc-by-nc-4', 'cc-by-nc-4.0'],
      ['GPL-3.0-only', 'gpl-3.0'],
    ])('is raised for %j, naming `%s`', (value, id) => {
      const drafts = run(card(`license: ${value}`));
      expect(rules(drafts)).toEqual(['CARD-LICENSE-NONCANONICAL']);
      expect(`${drafts[0]!.message} ${drafts[0]!.remediation ?? ''}`).toContain(`license: ${id}`);
    });

    it('is raised for an SPDX expression, `other` naming a Hub licence, and a duplicate', () => {
      expect(rules(run(card('license: MIT OR Apache-2.0')))).toEqual(['CARD-LICENSE-NONCANONICAL']);
      expect(run(card('license: other\nlicense_name: llama3'))[0]!.message).toContain('license: llama3');
      expect(rules(run(card('license:\n- mit\n- MIT')))).toContain('CARD-LICENSE-NONCANONICAL');
    });

    it('raises a family id (info) only when the LICENSE file says which licence it is', () => {
      expect(run(card('license: bsd'))).toEqual([]);
      const bsd3 = spdxText('BSD-3-Clause').replace('<year> <owner>', '2020 Example');
      const drafts = run(card('license: bsd'), { repo: repoWith({ LICENSE: bsd3 }) });
      expect(drafts).toMatchObject([{ rule: CARD_LICENSE_RULES.nonCanonical, severity: 'info' }]);
      expect(drafts[0]!.remediation).toBe('Write `license: bsd-3-clause`.');
    });

    it('says nothing about a plain Hub id', () => {
      for (const id of ['mit', 'apache-2.0', 'llama3.1', 'cc-by-nc-sa-4.0', 'openrail++', 'gemma']) {
        expect(run(card(`license: ${id}`)), id).toEqual([]);
      }
    });
  });

  describe('CARD-LICENSE-FILE-MISMATCH', () => {
    it('is raised (medium) when the LICENSE file holds another licence, about that file', () => {
      const drafts = run(card('license: mit'), { repo: repoWith({ LICENSE: APACHE_TEXT }) });
      expect(drafts).toMatchObject([
        { rule: CARD_LICENSE_RULES.fileMismatch, otherFile: 'LICENSE', line: 2, field: 'license' },
      ]);
      expect(severityOf(drafts[0]!)).toBe('medium');
      expect(drafts[0]!.message).toMatch(/Apache License 2\.0/);
      expect(drafts[0]!.evidence).toMatch(/Apache-2\.0 \(\d+% of words shared/);
    });

    it('is quiet when the file agrees, cannot be identified, or is a third-party notice or in a subfolder', () => {
      expect(run(card('license: apache-2.0'), { repo: repoWith({ LICENSE: APACHE_TEXT }) })).toEqual([]);
      expect(run(card('license: mit'), { repo: repoWith({ LICENSE: 'Our own terms: be nice.' }) })).toEqual(
        [],
      );
      expect(
        run(card('license: mit'), {
          repo: repoWith({
            'THIRD_PARTY_NOTICES.txt': APACHE_TEXT,
            'vendor/lib/LICENSE': APACHE_TEXT,
            NOTICE: APACHE_TEXT,
          }),
        }),
      ).toEqual([]);
    });

    it("accepts a family id or a list that includes the file's licence", () => {
      // The family agrees with the file; only the info finding says which member it is.
      expect(rules(run(card('license: cc'), { repo: repoWith({ LICENSE: CC_BY_NC_TEXT }) }))).toEqual([
        'CARD-LICENSE-NONCANONICAL',
      ]);
      expect(
        run(card('license:\n- mit\n- apache-2.0'), {
          repo: repoWith({ 'LICENSE-MIT': MIT_TEXT, 'LICENSE-APACHE': APACHE_TEXT }),
        }),
      ).toEqual([]);
    });

    it('compares the metadata with the weights licence when code and weights have their own files', () => {
      const repo = repoWith({ LICENSE: MIT_TEXT, LICENSE_weights: CC_BY_NC_TEXT });
      expect(run(card('license: cc-by-nc-4.0'), { repo })).toEqual([]);
      const drafts = run(card('license: mit'), { repo });
      expect(drafts).toMatchObject([{ rule: CARD_LICENSE_RULES.fileMismatch, otherFile: 'LICENSE_weights' }]);
      expect(drafts[0]!.message).toMatch(/weights licence/);
      for (const name of ['MODEL_LICENSE', 'WEIGHTS_LICENSE.md', 'weights/LICENSE']) {
        expect(
          run(card('license: mit'), { repo: repoWith({ LICENSE: MIT_TEXT, [name]: CC_BY_NC_TEXT }) }),
          name,
        ).toMatchObject([{ otherFile: name }]);
      }
    });

    it("takes the LICENSE file for the code's when the prose says the weights are under the declared licence", () => {
      const body =
        '# M\n\n## License\n\nThe code is MIT licensed. The model weights are released under CC-BY-NC 4.0.\n';
      expect(run(card('license: cc-by-nc-4.0', body), { repo: repoWith({ LICENSE: MIT_TEXT }) })).toEqual([]);
    });

    it('is raised (low) when the metadata says `unknown` and the file is identified', () => {
      const drafts = run(card('license: unknown'), { repo: repoWith({ LICENSE: MIT_TEXT }) });
      expect(drafts).toMatchObject([
        {
          rule: CARD_LICENSE_RULES.fileMismatch,
          severity: 'low',
          remediation: expect.stringContaining('license: mit'),
        },
      ]);
    });

    it('recognises a model licence file by its title', () => {
      expect(run(card('license: llama3'), { repo: repoWith({ LICENSE: LLAMA3_TEXT }) })).toEqual([]);
      expect(rules(run(card('license: apache-2.0'), { repo: repoWith({ LICENSE: LLAMA3_TEXT }) }))).toEqual([
        'CARD-LICENSE-FILE-MISMATCH',
      ]);
    });

    it('is raised when the file is a named licence the Hub has no id for', () => {
      const repo = repoWith({
        LICENSE: '# Mistral AI Research License\n\nIf You want to use a Mistral Model...',
      });
      expect(run(card('license: apache-2.0'), { repo })).toMatchObject([
        {
          rule: CARD_LICENSE_RULES.fileMismatch,
          message: expect.stringContaining('Mistral AI Research License'),
        },
      ]);
    });

    it('does not compare `license: other` with the file', () => {
      const repo = repoWith({ LICENSE: MIT_TEXT });
      expect(run(card('license: other\nlicense_name: acme\nlicense_link: LICENSE'), { repo })).toEqual([]);
    });
  });

  describe('CARD-LICENSE-PROSE-MISMATCH', () => {
    it('is raised (medium) when a sentence about this model names another licence', () => {
      const drafts = run(
        card('license: mit', '# M\n\nThis model is released under the Apache 2.0 license.\n'),
      );
      expect(drafts).toMatchObject([{ rule: CARD_LICENSE_RULES.proseMismatch, line: 2, field: 'license' }]);
      expect(drafts[0]!.message).toMatch(/Apache license 2\.0.*line 6/);
      expect(drafts[0]!.evidence).toMatch(/line 6/);
    });

    it.each([
      ['a License section', '## License\n\nThis work is licensed under CC BY-NC 4.0.\n'],
      ['a License label', '- **License:** GPL-3.0\n'],
      ['a table row', '| Field | Value |\n|---|---|\n| License | GPL-3.0 |\n'],
      ['a Licensing section naming the licence first', '## Licensing\n\nCC-BY-SA-4.0\n'],
    ])('reads %s', (_name, body) => {
      expect(rules(run(card('license: mit', `# M\n\n${body}`)))).toEqual(['CARD-LICENSE-PROSE-MISMATCH']);
    });

    it.each([
      [
        'the base model',
        '## License\n\nThe base model is licensed under the Llama 2 Community License. This adapter is MIT.\n',
      ],
      [
        'a relative clause about the base',
        '## License\n\nFine-tuned from Llama 2, which is licensed under the Llama 2 license. The adapter is MIT licensed.\n',
      ],
      ['the training data', '## License\n\nThe training data (C4) is under ODC-By. The model is MIT.\n'],
      [
        'a library',
        'This model uses the transformers library, which is available under the Apache License.\n',
      ],
      ['another project, outside a licence section', 'BERT is released under Apache 2.0.\n'],
      [
        "a dual licence that includes the metadata's",
        'This model is dual-licensed under MIT or Apache 2.0.\n',
      ],
      ['a quotation', '> This model is released under the Apache 2.0 license.\n'],
      ['code', '```\n# This model is released under the Apache 2.0 license\n```\n'],
      ['an HTML comment', '<!-- This model is released under the Apache 2.0 license. -->\n'],
      ['the code only', '## License\n\nThe code is released under Apache 2.0.\n'],
      ['a negation', '## License\n\nThis model is not released under Apache 2.0; it is MIT.\n'],
      ['a former licence', 'This model was formerly released under the Apache 2.0 license.\n'],
    ])('is quiet about %s', (_name, body) => {
      expect(run(card('license: mit', `# M\n\n${body}`))).toEqual([]);
    });

    it('compares the metadata with the weights licence when the prose separates code and weights', () => {
      const body =
        '# M\n\n**License:** Code is released under MIT, model weights are released under CC-BY-NC 4.0.\n';
      expect(run(card('license: cc-by-nc-4.0', body))).toEqual([]);
      const drafts = run(card('license: mit', body));
      expect(rules(drafts)).toEqual(['CARD-LICENSE-PROSE-MISMATCH']);
      expect(drafts[0]!.message).toMatch(/weights are under.*code's licence/);
      const after = '# M\n\n## License\n\nApache 2.0 for the code; CC BY-NC 4.0 for the weights.\n';
      expect(rules(run(card('license: apache-2.0', after)))).toEqual(['CARD-LICENSE-PROSE-MISMATCH']);
      expect(run(card('license: cc-by-nc-4.0', after))).toEqual([]);
    });

    it('accepts a prose family or version-less name that includes the metadata licence', () => {
      const body =
        '# D\n\n## Licensing Information\n\nLicensed under the [Creative Commons 4.0 License](https://creativecommons.org/licenses/by/4.0/).\n';
      expect(run(card('license: cc-by-4.0\ntask_categories:\n- text-classification', body))).toEqual([]);
      expect(
        run(card('license: apache-2.0', '# M\n\nThis model is released under the Apache License.\n')),
      ).toEqual([]);
    });

    it('is quiet for a dataset card whose sources carry another licence', () => {
      const body =
        '# D\n\n## Licensing Information\n\nThe dataset is derived from Wikipedia articles licensed under CC BY-SA 4.0. Our annotations are released under the MIT license.\n';
      expect(run(card('license: mit\ntask_categories:\n- text-classification', body))).toEqual([]);
    });

    it('is raised (low) when the metadata says `unknown`', () => {
      const drafts = run(card('license: unknown', '# M\n\n**License:** MIT\n'));
      expect(drafts).toMatchObject([
        {
          rule: CARD_LICENSE_RULES.proseMismatch,
          severity: 'low',
          remediation: expect.stringContaining('license: mit'),
        },
      ]);
    });

    it('accepts `license: other` for a licence the prose names but the Hub has no id for', () => {
      const body = '# M\n\n## License\n\nThis model is released under the Mistral AI Research License.\n';
      expect(
        run(
          card(
            'license: other\nlicense_name: mrl\nlicense_link: https://mistral.ai/licenses/MRL-0.1.md',
            body,
          ),
        ),
      ).toEqual([]);
      expect(rules(run(card('license: apache-2.0', body)))).toEqual(['CARD-LICENSE-PROSE-MISMATCH']);
    });
  });

  describe('CARD-LICENSE-BASE-CONFLICT', () => {
    const base = (license: string, baseModel: string, extra = '') =>
      card(`license: ${license}\nbase_model: ${baseModel}${extra}`);

    it('is raised (high) for a Llama 3 fine-tune declared apache-2.0 or mit', () => {
      for (const license of ['apache-2.0', 'mit']) {
        const drafts = run(base(license, 'meta-llama/Meta-Llama-3-8B'));
        expect(drafts).toMatchObject([
          { rule: CARD_LICENSE_RULES.baseConflict, severity: 'high', field: 'license', line: 2 },
        ]);
        expect(drafts[0]!.message).toMatch(/llama3/);
        expect(drafts[0]!.remediation).toBe(
          "Declare `license: llama3` (the base model's licence), or use a base model whose licence allows yours.",
        );
      }
    });

    it("accepts the base's own Llama licence, also as `other` with its name", () => {
      expect(run(base('llama3', 'meta-llama/Meta-Llama-3-8B'))).toEqual([]);
      expect(run(base('llama3.1', 'meta-llama/Llama-3.1-8B-Instruct'))).toEqual([]);
      expect(rules(run(base('other', 'meta-llama/Meta-Llama-3-8B', '\nlicense_name: llama3')))).toEqual([
        'CARD-LICENSE-NONCANONICAL',
      ]);
      expect(
        run(
          base(
            'other',
            'meta-llama/Llama-2-7b-hf',
            '\nlicense_name: acme-llama-terms\nlicense_link: https://ai.meta.com/llama/license/',
          ),
        ),
      ).toEqual([]);
    });

    it('is raised (medium) for another Llama version or an unnamed licence', () => {
      expect(run(base('llama2', 'meta-llama/Meta-Llama-3-8B'))).toMatchObject([{ severity: 'medium' }]);
      expect(run(base('unknown', 'meta-llama/Llama-3.2-1B'))).toMatchObject([{ severity: 'medium' }]);
    });

    it('is raised (high) when a non-commercial base is declared under a commercial licence', () => {
      const drafts = run(base('apache-2.0', 'mistralai/Ministral-8B-Instruct-2410'));
      expect(drafts).toMatchObject([{ severity: 'high' }]);
      expect(drafts[0]!.message).toMatch(/non-commercial/);
      expect(run(base('cc-by-nc-4.0', 'mistralai/Ministral-8B-Instruct-2410'))).toEqual([]);
      expect(
        run(
          base('other', 'Qwen/Qwen2.5-3B-Instruct', '\nlicense_name: qwen-research\nlicense_link: LICENSE'),
        ),
      ).toEqual([]);
      expect(run(base('mit', 'Qwen/Qwen2.5-3B-Instruct'))).toMatchObject([{ severity: 'high' }]);
    });

    it("is raised (medium) when a RAIL or Gemma base's use restrictions are dropped", () => {
      expect(run(base('mit', 'stabilityai/stable-diffusion-xl-base-1.0'))).toMatchObject([
        { severity: 'medium' },
      ]);
      expect(run(base('openrail++', 'stabilityai/stable-diffusion-xl-base-1.0'))).toEqual([]);
      expect(run(base('creativeml-openrail-m', 'runwayml/stable-diffusion-v1-5'))).toEqual([]);
      expect(run(base('apache-2.0', 'google/gemma-2-9b'))).toMatchObject([{ severity: 'medium' }]);
      expect(run(base('gemma', 'google/gemma-2-9b'))).toEqual([]);
      expect(run(base('bigscience-bloom-rail-1.0', 'bigscience/bloom-560m'))).toEqual([]);
    });

    it('says nothing for permissive or unknown bases', () => {
      expect(run(base('mit', 'bert-base-uncased'))).toEqual([]);
      expect(run(base('cc-by-nc-4.0', 'mistralai/Mistral-7B-v0.1'))).toEqual([]);
      expect(run(base('mit', 'someone/some-model'))).toEqual([]);
    });

    it('checks every base of a merge, reading lists and Hub URLs', () => {
      const drafts = run(
        card(
          'license: apache-2.0\nbase_model:\n- mistralai/Mistral-7B-v0.1\n- https://huggingface.co/meta-llama/Llama-2-7b-hf\nbase_model_relation: merge',
        ),
      );
      expect(drafts).toMatchObject([{ severity: 'high' }]);
      expect(drafts[0]!.message).toMatch(/merge of a Llama 2 model/);
    });

    it('is raised (low) when a Llama 3 derivative\'s name does not begin with "Llama 3"', () => {
      const named = (name: string, relation = '') =>
        run(
          card(
            `license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B${relation}\nmodel-index:\n- name: ${name}\n  results: []`,
          ),
        );
      const drafts = named('my-cool-model');
      expect(drafts).toMatchObject([
        { rule: CARD_LICENSE_RULES.baseConflict, severity: 'low', field: 'model-index[0].name', line: 5 },
      ]);
      expect(named('Llama-3-my-cool-model')).toEqual([]);
      expect(named('Meta-Llama-3-8B-finetuned')).toEqual([]);
      expect(named('Llama-2-my-model')).toHaveLength(1);
      expect(named('my-cool-model', '\nbase_model_relation: quantized')).toEqual([]);
      // From Llama 3.1 on the name must begin with "Llama".
      expect(
        run(card('license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nmodel_name: Llama-Coder-8B')),
      ).toEqual([]);
      expect(
        rules(run(card('license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nmodel_name: Coder-8B'))),
      ).toEqual(['CARD-LICENSE-BASE-CONFLICT']);
    });

    it('leaves a card without a licence to CARD-LICENSE-MISSING', () => {
      expect(rules(run(card('base_model: meta-llama/Meta-Llama-3-8B')))).toEqual(['CARD-LICENSE-MISSING']);
    });
  });

  describe('when the metadata is malformed', () => {
    it.each([
      ['base_model as a number', 'license: mit\nbase_model: 42'],
      ['base_model as a mapping', 'license: mit\nbase_model:\n  id: gpt2'],
      ['base_model as a list of lists', 'license: mit\nbase_model:\n- [meta-llama/Meta-Llama-3-8B]'],
      ['a very long base_model', `license: mit\nbase_model: ${'a'.repeat(5000)}`],
      ['base_model_relation as a list', 'license: mit\nbase_model: gpt2\nbase_model_relation: [merge]'],
      ['model-index as a string', 'license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\nmodel-index: x'],
      ['license_name as a number', 'license: mit\nlicense_name: 7'],
    ])('does not throw or raise anything for %s', (_name, yaml) => {
      expect(run(card(yaml))).toEqual([]);
    });

    it('never throws on arbitrary metadata values', () => {
      const value = fc.oneof(
        fc.constant(null),
        fc.string({ maxLength: 300 }),
        fc.constantFrom(
          'mit',
          'other',
          'unknown',
          'llama3',
          'BSD-3',
          'MIT OR GPL-2.0+',
          'meta-llama/Meta-Llama-3-8B',
          'LICENSE',
        ),
        fc.integer(),
        fc.boolean(),
        fc.array(
          fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null), fc.array(fc.string())),
          { maxLength: 6 },
        ),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      );
      fc.assert(
        fc.property(
          fc.record(
            {
              license: value,
              license_name: value,
              license_link: value,
              base_model: value,
              model_name: value,
            },
            { requiredKeys: [] },
          ),
          fc.string({ maxLength: 400 }),
          (meta, body) => {
            const text = `---\n${JSON.stringify(meta)}\n---\n# M\n\n${body}\n`;
            const drafts = run(text, { repo: repoWith({ LICENSE: MIT_TEXT }) });
            for (const d of drafts) expect(d.rule.id.startsWith('CARD-LICENSE-')).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('stays fast on a hostile card', () => {
      const line = `${'This model is released under the '.repeat(200)}${'CC BY '.repeat(500)}`;
      const text = card(
        'license: mit',
        `# M\n\n## License\n\n${`${line}\n`.repeat(50)}${'- **License:** x\n'.repeat(2000)}`,
      );
      const started = performance.now();
      run(text, { repo: repoWith({ LICENSE: 'x '.repeat(200_000) }) });
      expect(performance.now() - started).toBeLessThan(5000);
    });
  });

  describe('through auditCard', () => {
    it('reports a LICENSE file finding at the file, relative to the audit root', () => {
      const audit = auditCard('models/a/README.md', card('license: mit'), {
        repo: repoWith({ LICENSE: APACHE_TEXT }),
      });
      const finding = audit.findings.find((f) => f.ruleId === 'CARD-LICENSE-FILE-MISMATCH');
      expect(finding?.location).toMatchObject({ path: 'models/a/LICENSE', line: 2, field: 'license' });
    });
  });
});

const CARDS = '/work/shared/data/cards';
const haveCards = existsSync(join(CARDS, 'INDEX.md'));

/**
 * The licence findings of each real card, checked by reading the card: metadata, License fields and
 * sections, "released under" sentences, and (second column) the LICENSE files of the same repository.
 */
const REAL_CARDS: readonly (readonly [
  card: string,
  alone: readonly string[],
  licenseFiles?: Readonly<Record<string, string>>,
])[] = [
  // `{}` front matter, no licence anywhere.
  [
    'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_cambridgeltl-sst_mobilebert-uncased.md',
    ['CARD-LICENSE-MISSING'],
  ],
  // "- **License:** More information needed" (line 35), no metadata licence.
  [
    'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_nbroad-ESG-BERT.md',
    ['CARD-LICENSE-MISSING'],
  ],
  [
    'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_ucinlp-diabetes-t5-small.md',
    ['CARD-LICENSE-MISSING'],
  ],
  // `license: bigscience-bloom-rail-1.0`; prose "**License:** RAIL License v1.0 ([link](.../bigscience/license))" agrees.
  ['bigscience-workshop__model_card__README.md', []],
  // `license: mit`; "- **License:** [More Information Needed]" says nothing.
  ['canstralian__CyberAttackDetection__README@17c9b3f.md', []],
  // No metadata; "**License:** Code is released under MIT, model weights are released under CC-BY-NC 4.0."
  [
    'facebookresearch__audiocraft__model_cards_MUSICGEN_MODEL_CARD.md',
    ['CARD-LICENSE-METADATA-MISSING'],
    {
      LICENSE: 'facebookresearch__audiocraft__LICENSE',
      LICENSE_weights: 'facebookresearch__audiocraft__LICENSE_weights',
    },
  ],
  // Dataset cards with `license: [cc-by-4.0]` and a placeholder Licensing Information.
  ['huggingface__datasets__datasets_glue_README@d7dfbc8.md', []],
  // "The image metadata is licensed under CC-BY 4.0 license." agrees with `license: [cc-by-4.0]`.
  ['huggingface__datasets__datasets_red_caps_README@d7dfbc8.md', []],
  // "licensed under the [Creative Commons 4.0 License](https://creativecommons.org/licenses/by/4.0/)".
  ['huggingface__datasets__datasets_social_bias_frames_README@d7dfbc8.md', []],
  // Legacy `licenses: [cc-by-4.0]`.
  ['huggingface__datasets__datasets_squad_README@01fc6c6.md', []],
  ['huggingface__datasets__datasets_squad_README@d7dfbc8.md', []],
  // Only `paperswithcode_id` and `pretty_name`.
  ['huggingface__datasets__datasets_wikihow_README@d7dfbc8.md', ['CARD-LICENSE-MISSING']],
  ['huggingface__transformers__model_cards_Helsinki-NLP_af-en_README.md', ['CARD-LICENSE-MISSING']],
  // "**License** A custom commercial license is available at: [https://llama.meta.com/llama3/license](...)".
  [
    'meta-llama__llama3__MODEL_CARD.md',
    ['CARD-LICENSE-METADATA-MISSING'],
    { LICENSE: 'meta-llama__llama3__LICENSE' },
  ],
  // "**License**\nNon-commercial bespoke license"; the repository's LICENSE is GPL-3.0 (the code's).
  [
    'meta-llama__llama__MODEL_CARD@53011c3.md',
    ['CARD-LICENSE-METADATA-MISSING'],
    { LICENSE: 'meta-llama__llama__LICENSE@53011c3' },
  ],
  // No licence in the card; the repositories are MIT (gpt-2: "Modified MIT License").
  ['openai__CLIP__model-card.md', ['CARD-LICENSE-MISSING'], { LICENSE: 'openai__CLIP__LICENSE' }],
  ['openai__gpt-2__model_card.md', ['CARD-LICENSE-MISSING'], { LICENSE: 'openai__gpt-2__LICENSE' }],
  ['openai__whisper__model-card.md', ['CARD-LICENSE-MISSING'], { LICENSE: 'openai__whisper__LICENSE' }],
  // `license: mit`; "This dataset is released under the MIT License."
  ['pauljunsukhan__throatmicdata__DATASET_CARD.md', []],
  // Trainer card, `license: apache-2.0`.
  ['saranscript__huggingface-models__models_adityay1221_Run_8_README.md', []],
];

describe.skipIf(!haveCards)('checkLicense over the real cards in shared/data/cards', () => {
  const read = (name: string) => readFileSync(join(CARDS, name), 'utf8');
  const repoOf = (files: Readonly<Record<string, string>>) =>
    repoWith(
      Object.fromEntries(Object.entries(files).map(([path, file]) => [path, read(join('licenses', file))])),
    );

  it('covers every card of INDEX.md', () => {
    const index = read('INDEX.md');
    const names = [...index.matchAll(/^\| ([^|]+\.md) \|/gm)].map((m) => m[1]!.trim()).sort();
    expect(REAL_CARDS.map(([name]) => name).sort()).toEqual(names);
  });

  it.each(REAL_CARDS.map(([name, alone]) => [name, alone] as const))('%s alone: %j', (name, expected) => {
    expect(rules(run(read(name), { path: name }))).toEqual(expected);
  });

  it('MusicGen: suggests the weights licence, with or without its LICENSE files', () => {
    const name = 'facebookresearch__audiocraft__model_cards_MUSICGEN_MODEL_CARD.md';
    const files = {
      LICENSE: 'facebookresearch__audiocraft__LICENSE',
      LICENSE_weights: 'facebookresearch__audiocraft__LICENSE_weights',
    };
    for (const repo of [undefined, repoOf(files)]) {
      const drafts = run(read(name), { path: name, ...(repo === undefined ? {} : { repo }) });
      expect(drafts).toMatchObject([
        { line: 17, remediation: 'Add `license: cc-by-nc-4.0` to the front matter.' },
      ]);
    }
    // With the weights licence declared, the card agrees with its prose and both files; with the code's, not.
    const declared = (license: string) =>
      run(`---\nlicense: ${license}\n---\n${read(name)}`, { path: name, repo: repoOf(files) });
    expect(declared('cc-by-nc-4.0')).toEqual([]);
    expect(rules(declared('mit')).sort()).toEqual([
      'CARD-LICENSE-FILE-MISMATCH',
      'CARD-LICENSE-PROSE-MISMATCH',
    ]);
  });

  it('Llama 3: suggests llama3 from the licence link and the LICENSE title', () => {
    const name = 'meta-llama__llama3__MODEL_CARD.md';
    const repo = repoOf({ LICENSE: 'meta-llama__llama3__LICENSE' });
    expect(run(read(name), { path: name, repo })).toMatchObject([
      { line: 68, remediation: 'Add `license: llama3` to the front matter.' },
    ]);
    expect(run(`---\nlicense: llama3\n---\n${read(name)}`, { path: name, repo })).toEqual([]);
    expect(rules(run(`---\nlicense: apache-2.0\n---\n${read(name)}`, { path: name, repo })).sort()).toEqual([
      'CARD-LICENSE-FILE-MISMATCH',
      'CARD-LICENSE-PROSE-MISMATCH',
    ]);
  });

  it("LLaMA 1: does not suggest the code's GPL-3.0 for the weights' bespoke licence", () => {
    const name = 'meta-llama__llama__MODEL_CARD@53011c3.md';
    const drafts = run(read(name), {
      path: name,
      repo: repoOf({ LICENSE: 'meta-llama__llama__LICENSE@53011c3' }),
    });
    expect(drafts).toMatchObject([{ line: 23 }]);
    expect(drafts[0]!.remediation).toMatch(/license: other/);
  });

  it.each(
    REAL_CARDS.filter(([, , files]) => files !== undefined).map(([name, , files]) => [name, files] as const),
  )('%s with its LICENSE files: a licence outside the metadata', (name, files) => {
    const drafts = run(read(name), { path: name, repo: repoOf(files ?? {}) });
    expect(rules(drafts)).toEqual(['CARD-LICENSE-METADATA-MISSING']);
  });

  it("CLIP and Whisper: suggest mit from their LICENSE; gpt-2's modified MIT gets no id", () => {
    for (const [name, file, id] of [
      ['openai__CLIP__model-card.md', 'openai__CLIP__LICENSE', 'mit'],
      ['openai__whisper__model-card.md', 'openai__whisper__LICENSE', 'mit'],
      ['openai__gpt-2__model_card.md', 'openai__gpt-2__LICENSE', undefined],
    ] as const) {
      const [draft] = run(read(name), { path: name, repo: repoOf({ LICENSE: file }) });
      if (id === undefined) expect(draft!.remediation, name).toMatch(/license: other/);
      else expect(draft!.remediation, name).toBe(`Add \`license: ${id}\` to the front matter.`);
    }
  });
});
