import { describe, expect, it } from 'vitest';
import { diffBoms } from './diff.js';
import type { BomDocument } from './model.js';
import { parseBom } from './read.js';
import {
  BOM_DIFF_SCHEMA_VERSION,
  MARKDOWN_MAX_CHARS,
  printable,
  renderBomDiff,
  toBomDiffJson,
} from './render.js';
import { cdx, cdxComponent, type Json, projectCdx, projectSpdx3, SHA, text } from './test-support.js';

const GOLDEN = '../../../test/fixtures/bom-diff/golden';
const read = (document: Json): BomDocument => parseBom(text(document), 'x.json');
const options = { pathA: 'v1.cdx.json', pathB: 'v2.spdx.json' };
const busyOptions = { pathA: 'old.cdx.json', pathB: 'new.cdx.json' };

/** The sample project, then its next version: torch upgraded, a shard re-exported, the model relicensed. */
function sampleDiff() {
  const a = read(projectCdx());
  const b = read(
    projectSpdx3({ torchVersion: '2.4.0', torchSha: SHA.f, shard1: SHA.g, modelLicense: 'MIT' }),
  );
  return diffBoms(a, b);
}

/** Every kind of entry at once: added, removed, renamed, hash on one side, weights not comparable. */
function busyDiff() {
  return diffBoms(
    read(
      cdx([
        cdxComponent('library', 'numpy', {
          version: '1.26.4',
          purl: 'pkg:pypi/numpy@1.26.4',
          license: 'BSD-3-Clause',
        }),
        cdxComponent('library', 'left-pad', { version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' }),
        cdxComponent('file', 'old/tokenizer.json', { sha256: SHA.a }),
        cdxComponent('machine-learning-model', 'unhashed', {
          components: [cdxComponent('file', 'unhashed/model.safetensors')],
        }),
        cdxComponent('machine-learning-model', 'resharded', {
          sha256: SHA.b,
          components: [cdxComponent('file', 'resharded/pytorch_model.bin', { sha256: SHA.b })],
        }),
      ]),
    ),
    read(
      cdx([
        cdxComponent('library', 'numpy', {
          version: '2.0.0',
          purl: 'pkg:pypi/numpy@2.0.0',
          sha256: SHA.c,
          license: 'BSD-3-Clause',
        }),
        cdxComponent('library', 'requests', {
          version: '2.32.3',
          purl: 'pkg:pypi/requests@2.32.3',
          license: 'Apache-2.0',
        }),
        cdxComponent('file', 'new/tokenizer.json', { sha256: SHA.a }),
        cdxComponent('machine-learning-model', 'unhashed', {
          components: [cdxComponent('file', 'unhashed/model.safetensors')],
        }),
        cdxComponent('machine-learning-model', 'resharded', {
          sha256: SHA.d,
          modelCard: true,
          components: [
            cdxComponent('file', 'resharded/model-00001-of-00002.safetensors', { sha256: SHA.d }),
            cdxComponent('file', 'resharded/model-00002-of-00002.safetensors', { sha256: SHA.e }),
          ],
        }),
      ]),
    ),
  );
}

describe('renderBomDiff', () => {
  it('text: models first, then added, removed, changed and the summary (golden)', async () => {
    await expect(renderBomDiff(sampleDiff(), 'text', options)).toMatchFileSnapshot(`${GOLDEN}/sample.txt`);
    await expect(renderBomDiff(busyDiff(), 'text', busyOptions)).toMatchFileSnapshot(`${GOLDEN}/busy.txt`);
  });

  it('markdown: summary table, models whose weights changed first (golden)', async () => {
    await expect(renderBomDiff(sampleDiff(), 'markdown', options)).toMatchFileSnapshot(`${GOLDEN}/sample.md`);
    await expect(renderBomDiff(busyDiff(), 'markdown', busyOptions)).toMatchFileSnapshot(`${GOLDEN}/busy.md`);
  });

  it('json: the documented shape, keys in a fixed order (golden)', async () => {
    const json = renderBomDiff(busyDiff(), 'json', busyOptions);
    await expect(json).toMatchFileSnapshot(`${GOLDEN}/busy.json`);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion',
      'a',
      'b',
      'summary',
      'added',
      'removed',
      'changed',
      'modelsChanged',
      'modelsNotComparable',
      'hashesNotComparable',
    ]);
    expect(parsed.schemaVersion).toBe(BOM_DIFF_SCHEMA_VERSION);
    expect(parsed.a).toEqual({
      path: 'old.cdx.json',
      format: 'CycloneDX',
      specVersion: '1.6',
      components: 7,
    });
    expect(parsed.summary).toEqual({
      added: 3,
      removed: 2,
      changed: 3,
      unchanged: 2,
      modelsChanged: 1,
      modelsNotComparable: 1,
      hashesNotComparable: 3,
      identical: false,
    });
  });

  it('says when there is no difference', () => {
    const same = diffBoms(read(projectCdx()), read(projectCdx()));
    expect(renderBomDiff(same, 'text', options)).toMatch(/\nNo differences: 7 components in both BOMs\.\n$/);
    expect(renderBomDiff(same, 'markdown', options)).toContain('✅ **No differences**');
    expect((toBomDiffJson(same, options) as { summary: { identical: boolean } }).summary.identical).toBe(
      true,
    );
  });

  it('colours the text only when asked', () => {
    const diff = sampleDiff();
    const ansi = /\u001b\[/;
    expect(renderBomDiff(diff, 'text', { ...options, color: false })).not.toMatch(ansi);
    expect(renderBomDiff(diff, 'text', { ...options, color: true })).toMatch(ansi);
  });

  it('neutralises escape sequences, line breaks and bidirectional overrides from the BOM', () => {
    const evil = 'x\u001b[2J\nFORGED line\u202e';
    const diff = diffBoms(read(cdx([])), read(cdx([cdxComponent('library', evil, { version: '1\r2' })])));
    const shown = renderBomDiff(diff, 'text', options);
    expect(shown).not.toContain('\u001b');
    expect(shown).not.toContain('\u202e');
    expect(shown).toContain('x?[2J\\nFORGED line? 1\\n2');
    expect(printable('a'.repeat(500))).toHaveLength(201);
    // JSON keeps the value as it is, escaped by JSON itself.
    expect(renderBomDiff(diff, 'json', options)).toContain('"name": "x\\u001b[2J\\nFORGED line\u202e"');
  });

  it('escapes markdown table cells: pipes, HTML and mentions stay text', () => {
    const diff = diffBoms(
      read(cdx([])),
      read(
        cdx([
          cdxComponent('library', '<img src=x onerror=alert(1)>|@octocat *bold* `code`', {
            purl: 'pkg:npm/x@1',
          }),
        ]),
      ),
    );
    const md = renderBomDiff(diff, 'markdown', options);
    const row = md.split('\n').find((l) => l.includes('octocat')) ?? '';
    expect(row).toContain('&#60;img src=x onerror=alert(1)&#62;\\|&#64;octocat \\*bold\\* \\`code\\`');
    expect(row).toContain('pkg:npm/x@1');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(7);
  });

  it('markdown stays under the size of a GitHub comment and says what it left out', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      cdxComponent('library', `package-number-${i}`, {
        version: '1.0.0',
        purl: `pkg:pypi/package-number-${i}@1.0.0`,
      }),
    );
    const diff = diffBoms(read(cdx([])), read(cdx(many)));
    const md = renderBomDiff(diff, 'markdown', options);
    expect(md.length).toBeLessThan(MARKDOWN_MAX_CHARS + 200);
    expect(md).toMatch(
      /_\d+ lines not shown to stay under GitHub's comment size: use `--format json` for the full diff\._\n$/,
    );
    // The summary table is always there.
    expect(md).toContain('| added | 3000 |');
  });
});
