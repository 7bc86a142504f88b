import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, diffBoms } from './diff.js';
import { identityOf } from './identity.js';
import type { BomDocument } from './model.js';
import { parseBom } from './read.js';
import { renderBomDiff } from './render.js';
import {
  cdx,
  cdxComponent,
  type Json,
  projectCdx,
  projectSpdx3,
  SHA,
  spdx3,
  spdxElement,
  spdxLicense,
  spdxRelationship,
  text,
} from './test-support.js';

const FIXTURES = new URL('../../../test/fixtures/bom-diff/cyclonedx/', import.meta.url);
const OFFICIAL = '/work/shared/data/cyclonedx/testdata/tools/src/test/resources';
/** The BOMs `pedigree bom` writes for examples/ml-project (test/golden), when present. */
const GOLDEN_BOMS = new URL('../../../test/golden/', import.meta.url);
const golden = (name: string) => new URL(name, GOLDEN_BOMS);
const haveGoldenBoms = ['ml-project.cdx-1.6.json', 'ml-project.cdx-1.7.json', 'ml-project.spdx.json'].every(
  (n) => existsSync(golden(n)),
);
const read = (document: Json): BomDocument => parseBom(text(document), 'x.json');
const diff = (a: Json, b: Json) => diffBoms(read(a), read(b));
const lib = (name: string, options: Parameters<typeof cdxComponent>[2] = {}) =>
  cdxComponent('library', name, options);

describe('diffBoms', () => {
  it('finds nothing between a BOM and itself', () => {
    const d = diff(projectCdx(), projectCdx());
    expect(d.summary).toEqual({
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: 7,
      modelsChanged: 0,
      modelsNotComparable: 0,
      hashesNotComparable: 3,
      identical: true,
    });
    // The project, the model and the dataset carry no hashes: said, not taken as "unchanged content".
    expect(d.hashesNotComparable.map((h) => [h.identity, h.reason])).toEqual([
      ['dataset:acme/reviews', 'no-hashes'],
      ['model:acme/bert-tiny', 'no-hashes'],
      ['package:demo-project', 'no-hashes'],
    ]);
  });

  describe('identity', () => {
    it('is the package URL without version and varying qualifiers, keeping repository_url', () => {
      const d = diff(
        cdx([
          lib('torch', { version: '2.3.1', purl: 'pkg:pypi/torch@2.3.1' }),
          lib('app', { version: '1', purl: 'pkg:oci/app@sha256%3Aaa?arch=amd64&tag=1' }),
          lib('internal', {
            version: '1',
            purl: 'pkg:pypi/internal@1?repository_url=https://a.example/simple',
          }),
        ]),
        cdx([
          lib('torch', { version: '2.4.0', purl: 'pkg:pypi/torch@2.4.0' }),
          lib('app', { version: '2', purl: 'pkg:oci/app@sha256%3Abb?arch=arm64&tag=2' }),
          lib('internal', {
            version: '1',
            purl: 'pkg:pypi/internal@1?repository_url=https://b.example/simple',
          }),
        ]),
      );
      expect(d.changed.map((c) => [c.identity, c.fields])).toEqual([
        ['purl:pkg:oci/app', ['version', 'purl']],
        ['purl:pkg:pypi/torch', ['version', 'purl']],
      ]);
      expect(d.changed[1]?.version).toEqual({ before: '2.3.1', after: '2.4.0' });
      // Another registry is another package.
      expect(d.added.map((e) => e.identity)).toEqual([
        'purl:pkg:pypi/internal?repository_url=https%3A%2F%2Fb.example%2Fsimple',
      ]);
      expect(d.removed.map((e) => e.identity)).toEqual([
        'purl:pkg:pypi/internal?repository_url=https%3A%2F%2Fa.example%2Fsimple',
      ]);
    });

    it('normalises the package URL as the purl spec does (PyPI names)', () => {
      const d = diff(
        cdx([lib('Torch_Vision', { version: '1', purl: 'pkg:pypi/Torch_Vision@1' })]),
        cdx([lib('torchvision', { version: '1', purl: 'pkg:pypi/torch-vision@1' })]),
      );
      expect(d.summary).toMatchObject({ added: 0, removed: 0, changed: 1 });
      // The purl is the same package; only the name as written changed.
      expect(d.changed[0]?.fields).toEqual(['name']);
    });

    it('is kind, group and name without a package URL, so group/name in CycloneDX is name in SPDX', () => {
      expect(identityOf(read(cdx([lib('x', { group: 'g' })])).components[0] as never)).toBe('package:g/x');
      const d = diffBoms(
        read(cdx([cdxComponent('machine-learning-model', 'bert', { group: 'acme', sha256: SHA.a })])),
        read(spdx3([spdxElement('ai_AIPackage', 'urn:m', 'acme/bert', { sha256: SHA.a })])),
      );
      expect(d.summary).toMatchObject({ identical: true, unchanged: 1 });
    });

    it('pairs a component that gained a package URL by kind, group and name, and reports the purl change', () => {
      const d = diff(
        cdx([lib('numpy', { version: '2.0.0' })]),
        cdx([lib('numpy', { version: '2.0.0', purl: 'pkg:pypi/numpy@2.0.0' })]),
      );
      expect(d.changed).toHaveLength(1);
      expect(d.changed[0]).toMatchObject({
        identity: 'purl:pkg:pypi/numpy',
        previousIdentity: 'package:numpy',
        matchedBy: 'name',
        fields: ['purl'],
        purl: { after: 'pkg:pypi/numpy@2.0.0' },
      });
    });

    it('keeps kinds apart: a model and a package of one name are two components', () => {
      const d = diff(cdx([cdxComponent('machine-learning-model', 'x')]), cdx([lib('x')]));
      expect(d.summary).toMatchObject({ added: 1, removed: 1, changed: 0 });
    });

    it('matches nested components wherever they sit', () => {
      const d = diff(
        cdx([lib('outer', { components: [lib('inner', { version: '1' })] })]),
        cdx([lib('inner', { version: '2' }), lib('outer')]),
      );
      expect(d.changed.map((c) => [c.identity, c.a.location, c.b.location])).toEqual([
        ['package:inner', 'components[0].components[0]', 'components[0]'],
      ]);
    });
  });

  describe('several components with one identity', () => {
    it('pairs equal versions first, then the rest newest with newest', () => {
      const d = diff(
        cdx([
          lib('six', { version: '1.16.0', purl: 'pkg:pypi/six@1.16.0', sha256: SHA.a }),
          lib('six', { version: '1.15.0', purl: 'pkg:pypi/six@1.15.0' }),
          lib('six', { version: '1.9.0', purl: 'pkg:pypi/six@1.9.0' }),
        ]),
        cdx([
          lib('six', { version: '1.16.0', purl: 'pkg:pypi/six@1.16.0', sha256: SHA.b }),
          lib('six', { version: '1.17.0', purl: 'pkg:pypi/six@1.17.0' }),
        ]),
      );
      // 1.16.0 with 1.16.0 (its hash changed), 1.15.0 with 1.17.0 (newest left on each side), 1.9.0 removed.
      expect(d.changed.map((c) => [c.a.version, c.b.version, c.fields])).toEqual([
        ['1.16.0', '1.16.0', ['hashes']],
        ['1.15.0', '1.17.0', ['version', 'purl']],
      ]);
      expect(d.removed.map((e) => e.component.version)).toEqual(['1.9.0']);
      expect(d.added).toEqual([]);
    });

    it('pairs exact duplicates with each other before anything else', () => {
      const d = diff(
        cdx([lib('x', { version: '1', sha256: SHA.a }), lib('x', { version: '1', sha256: SHA.b })]),
        cdx([lib('x', { version: '1', sha256: SHA.b }), lib('x', { version: '1', sha256: SHA.a })]),
      );
      expect(d.summary).toMatchObject({ identical: true, unchanged: 2 });
    });

    it('orders versions naturally', () => {
      expect(['1.10.0', '1.9.0', '1.10.0rc1', '2', '1.009.1'].sort(compareVersions)).toEqual([
        '1.9.0',
        '1.009.1',
        '1.10.0',
        '1.10.0rc1',
        '2',
      ]);
    });
  });

  describe('hashes', () => {
    it('lists each algorithm added, removed and changed', () => {
      const d = diff(
        cdx([
          lib('x', {
            hashes: [
              { alg: 'SHA-256', content: SHA.a },
              { alg: 'SHA-1', content: 'aa' },
            ],
          }),
        ]),
        cdx([
          lib('x', {
            hashes: [
              { alg: 'SHA-256', content: SHA.b },
              { alg: 'SHA-512', content: 'cc' },
            ],
          }),
        ]),
      );
      expect(d.changed[0]?.hashes).toEqual({
        status: 'changed',
        compared: ['SHA-256'],
        algorithms: [
          { algorithm: 'SHA-1', change: 'removed', before: 'aa' },
          { algorithm: 'SHA-256', change: 'changed', before: SHA.a, after: SHA.b },
          { algorithm: 'SHA-512', change: 'added', after: 'cc' },
        ],
      });
    });

    it('calls hashes on one side only "not comparable", not changed and not unchanged', () => {
      const d = diff(cdx([lib('x', { version: '1', sha256: SHA.a })]), cdx([lib('x', { version: '1' })]));
      expect(d.changed[0]?.fields).toEqual(['hashes']);
      expect(d.changed[0]?.hashes).toMatchObject({ status: 'not-comparable', reason: 'no-hashes-in-b' });
      expect(d.hashesNotComparable).toEqual([
        { identity: 'package:x', kind: 'package', name: 'x', reason: 'no-hashes-in-b' },
      ]);
      const shown = renderBomDiff(d, 'text', { pathA: 'a', pathB: 'b' });
      expect(shown).toContain('hashes: not comparable (no hashes in B); SHA-256 removed');
      expect(shown).not.toMatch(/content unchanged/);
    });

    it('calls hashes without an algorithm in common, or equal only by MD5/SHA-1, "not comparable"', () => {
      const noCommon = diff(
        cdx([lib('x', { hashes: [{ alg: 'MD5', content: 'aa' }] })]),
        cdx([lib('x', { hashes: [{ alg: 'SHA-256', content: SHA.a }] })]),
      );
      expect(noCommon.changed[0]?.hashes).toMatchObject({
        status: 'not-comparable',
        reason: 'no-common-algorithm',
      });
      const weak = diff(
        cdx([
          lib('x', {
            hashes: [
              { alg: 'MD5', content: 'aa' },
              { alg: 'SHA-1', content: 'bb' },
            ],
          }),
        ]),
        cdx([
          lib('x', {
            hashes: [
              { alg: 'MD5', content: 'aa' },
              { alg: 'SHA-1', content: 'bb' },
            ],
          }),
        ]),
      );
      expect(weak.summary).toMatchObject({ identical: true, hashesNotComparable: 1 });
      expect(weak.hashesNotComparable[0]?.reason).toBe('weak-only');
      // A mismatch is a mismatch, whatever the algorithm: equal MD5 next to a different SHA-256 is changed.
      const mixed = diff(
        cdx([
          lib('x', {
            hashes: [
              { alg: 'MD5', content: 'aa' },
              { alg: 'SHA-256', content: SHA.a },
            ],
          }),
        ]),
        cdx([
          lib('x', {
            hashes: [
              { alg: 'MD5', content: 'aa' },
              { alg: 'SHA-256', content: SHA.b },
            ],
          }),
        ]),
      );
      expect(mixed.changed[0]?.hashes.status).toBe('changed');
    });

    it('compares SPDX 3 and SPDX 2 algorithm names with CycloneDX ones', () => {
      const d = diffBoms(
        read(cdx([lib('x', { hashes: [{ alg: 'SHA3-256', content: SHA.a }] })])),
        read(
          spdx3([
            {
              ...spdxElement('software_Package', 'urn:x', 'x'),
              verifiedUsing: [{ type: 'Hash', algorithm: 'sha3_256', hashValue: SHA.a.toUpperCase() }],
            },
          ]),
        ),
      );
      expect(d.summary).toMatchObject({ identical: true, hashesNotComparable: 0 });
    });
  });

  describe('licences', () => {
    it('treats an id and the same expression, in any case and order, as one licence', () => {
      const d = diff(
        cdx([
          lib('a', { licenses: [{ license: { id: 'MIT' } }] }),
          lib('b', { licenses: [{ expression: 'MIT OR Apache-2.0' }] }),
          lib('c', { licenses: [{ expression: 'GPL-2.0-only WITH Classpath-exception-2.0' }] }),
        ]),
        cdx([
          lib('a', { licenses: [{ expression: 'MIT' }] }),
          lib('b', { licenses: [{ expression: '(apache-2.0 or mit)' }] }),
          lib('c', { licenses: [{ expression: 'GPL-2.0-only with Classpath-exception-2.0' }] }),
        ]),
      );
      expect(d.summary).toMatchObject({ identical: true });
    });

    it('lists licences added and removed', () => {
      const d = diff(
        cdx([lib('x', { licenses: [{ license: { id: 'MIT' } }, { license: { name: 'Custom' } }] })]),
        cdx([lib('x', { licenses: [{ expression: 'Apache-2.0' }, { license: { name: 'Custom' } }] })]),
      );
      expect(d.changed[0]?.licenses).toEqual({
        before: ['Custom', 'MIT'],
        after: ['Apache-2.0', 'Custom'],
        added: ['Apache-2.0'],
        removed: ['MIT'],
      });
    });

    it('compares the official 1.6 and 1.7 licence-expression BOMs as identical', () => {
      const a = parseBom(readFileSync(new URL('valid-license-expression-1.6.json', FIXTURES)), 'a');
      const b = parseBom(readFileSync(new URL('valid-license-expression-1.7.json', FIXTURES)), 'b');
      expect(diffBoms(a, b).summary.identical).toBe(true);
      const choice = parseBom(readFileSync(new URL('valid-license-choice-1.7.json', FIXTURES)), 'c');
      const changed = diffBoms(b, choice).changed[0];
      expect(changed?.licenses?.added).toEqual(['Apache-2.0', 'LicenseRef-MIT-Style-2', 'My Own License']);
      expect(changed?.licenses?.removed).toEqual([]);
    });
  });

  describe('files', () => {
    it('are matched by path, whatever the spelling (./, backslashes)', () => {
      const d = diff(
        cdx([cdxComponent('file', './models\\m.bin', { sha256: SHA.a })]),
        cdx([cdxComponent('file', 'models/m.bin', { sha256: SHA.a })]),
      );
      expect(d.summary).toMatchObject({ added: 0, removed: 0, changed: 1 });
      expect(d.changed[0]?.fields).toEqual(['name']);
    });

    it('shows a renamed file as one file with a new name when the content is the same', () => {
      const d = diff(
        cdx([
          cdxComponent('file', 'old/tokenizer.json', { sha256: SHA.a }),
          cdxComponent('file', 'gone.txt', { sha256: SHA.b }),
        ]),
        cdx([
          cdxComponent('file', 'new/tokenizer.json', { sha256: SHA.a }),
          cdxComponent('file', 'fresh.txt', { sha256: SHA.c }),
        ]),
      );
      expect(d.changed).toHaveLength(1);
      expect(d.changed[0]).toMatchObject({
        matchedBy: 'content',
        identity: 'file:new/tokenizer.json',
        previousIdentity: 'file:old/tokenizer.json',
        fields: ['name'],
        name: { before: 'old/tokenizer.json', after: 'new/tokenizer.json' },
        hashes: { status: 'unchanged' },
      });
      expect(d.removed.map((e) => e.component.name)).toEqual(['gone.txt']);
      expect(d.added.map((e) => e.component.name)).toEqual(['fresh.txt']);
    });

    it('does not guess a rename when the content is ambiguous or known only by MD5', () => {
      const d = diff(
        cdx([
          cdxComponent('file', 'a/__init__.py', { sha256: SHA.e }),
          cdxComponent('file', 'b/__init__.py', { sha256: SHA.e }),
          cdxComponent('file', 'weak-old', { hashes: [{ alg: 'MD5', content: 'aa' }] }),
        ]),
        cdx([
          cdxComponent('file', 'c/__init__.py', { sha256: SHA.e }),
          cdxComponent('file', 'weak-new', { hashes: [{ alg: 'MD5', content: 'aa' }] }),
        ]),
      );
      expect(d.changed).toEqual([]);
      expect(d.summary).toMatchObject({ added: 2, removed: 3 });
    });
  });

  describe('models whose weights changed', () => {
    it('reports a weight shard whose hash changed, separately from the component list', () => {
      const d = diff(projectCdx(), projectCdx({ shard2: SHA.e }));
      expect(d.modelsChanged).toHaveLength(1);
      expect(d.modelsChanged[0]).toMatchObject({
        identity: 'model:acme/bert-tiny',
        reasons: ['file-changed'],
        modelHashes: { status: 'not-comparable', reason: 'no-hashes' },
        files: [
          {
            status: 'changed',
            name: 'models/bert-tiny/model-00002-of-00002.safetensors',
            hashes: {
              status: 'changed',
              algorithms: [{ algorithm: 'SHA-256', change: 'changed', before: SHA.c, after: SHA.e }],
            },
          },
        ],
      });
      expect(d.changed.map((c) => c.identity)).toEqual([
        'file:models/bert-tiny/model-00002-of-00002.safetensors',
      ]);
      expect(d.summary).toMatchObject({ modelsChanged: 1, changed: 1, identical: false });
    });

    it('reports shards added and removed (re-sharding) and a changed hash of the model itself', () => {
      const model = (files: readonly Json[], sha256?: string) =>
        cdx([
          cdxComponent('machine-learning-model', 'm', {
            components: files,
            ...(sha256 !== undefined ? { sha256 } : {}),
          }),
        ]);
      const d = diff(
        model([cdxComponent('file', 'pytorch_model.bin', { sha256: SHA.a })], SHA.a),
        model(
          [
            cdxComponent('file', 'model-00001-of-00002.safetensors', { sha256: SHA.b }),
            cdxComponent('file', 'model-00002-of-00002.safetensors', { sha256: SHA.c }),
          ],
          SHA.b,
        ),
      );
      expect(d.modelsChanged[0]?.reasons).toEqual(['model-hashes', 'file-added', 'file-removed']);
      expect(d.modelsChanged[0]?.files.map((f) => [f.status, f.name])).toEqual([
        ['added', 'model-00001-of-00002.safetensors'],
        ['added', 'model-00002-of-00002.safetensors'],
        ['removed', 'pytorch_model.bin'],
      ]);
    });

    it('does not count a changed config as changed weights when the model has weight files', () => {
      const d = diff(projectCdx(), projectCdx({ configSha: SHA.e }));
      expect(d.modelsChanged).toEqual([]);
      expect(d.changed.map((c) => c.identity)).toEqual(['file:models/bert-tiny/config.json']);
    });

    it('compares every file of a model when none is recognisable as weights', () => {
      const model = (sha256: string) =>
        cdx([
          cdxComponent('machine-learning-model', 'm', {
            components: [cdxComponent('file', 'model.weights', { sha256 })],
          }),
        ]);
      expect(diff(model(SHA.a), model(SHA.b)).modelsChanged[0]?.reasons).toEqual(['file-changed']);
    });

    it('does not count a weight file renamed with the same content as changed weights', () => {
      const model = (name: string) =>
        cdx([
          cdxComponent('machine-learning-model', 'm', {
            components: [cdxComponent('file', name, { sha256: SHA.a })],
          }),
        ]);
      const d = diff(model('a/model.safetensors'), model('b/model.safetensors'));
      expect(d.modelsChanged).toEqual([]);
      expect(d.modelsNotComparable).toEqual([]);
      expect(d.changed.map((c) => c.matchedBy)).toEqual(['content']);
    });

    it("says when a model's weights could not be compared instead of calling them unchanged", () => {
      const noHashes = cdx([
        cdxComponent('machine-learning-model', 'm', {
          components: [cdxComponent('file', 'model.safetensors')],
        }),
      ]);
      const d = diff(noHashes, noHashes);
      expect(d.summary).toMatchObject({ identical: true, modelsNotComparable: 1 });
      expect(d.modelsNotComparable[0]?.notComparable).toBe(
        'model hashes: no hashes in either BOM; 1 weight file(s) without comparable hashes',
      );
      // Files listed on one side only are not "added": the other BOM did not list them.
      const listed = cdx([
        cdxComponent('machine-learning-model', 'm', {
          components: [cdxComponent('file', 'w.safetensors', { sha256: SHA.a })],
        }),
      ]);
      const unlisted = cdx([cdxComponent('machine-learning-model', 'm')]);
      const one = diff(unlisted, listed);
      expect(one.modelsChanged).toEqual([]);
      expect(one.modelsNotComparable[0]?.notComparable).toBe(
        'model hashes: no hashes in either BOM; weight files: not listed in A',
      );
    });

    it('takes equal model hashes as the same weights', () => {
      const model = cdx([cdxComponent('machine-learning-model', 'm', { sha256: SHA.a })]);
      expect(diff(model, model).summary).toMatchObject({
        identical: true,
        modelsNotComparable: 0,
        hashesNotComparable: 0,
      });
    });
  });

  it('reports a model card added or removed, and a type change', () => {
    const d = diff(
      cdx([
        cdxComponent('machine-learning-model', 'm', { sha256: SHA.a }),
        cdxComponent('library', 'x', { purl: 'pkg:pypi/x@1' }),
      ]),
      cdx([
        cdxComponent('machine-learning-model', 'm', { sha256: SHA.a, modelCard: true }),
        cdxComponent('framework', 'x', { purl: 'pkg:pypi/x@1' }),
      ]),
    );
    expect(d.changed.map((c) => [c.identity, c.fields])).toEqual([
      ['model:m', ['modelCard']],
      ['purl:pkg:pypi/x', ['type']],
    ]);
    expect(d.changed[0]?.modelCard).toEqual({ before: false, after: true });
  });

  describe('across formats', () => {
    it('finds no difference between the CycloneDX and the SPDX 3 BOM of one project', () => {
      const d = diffBoms(read(projectCdx()), read(projectSpdx3()));
      expect(d.changed).toEqual([]);
      expect(d.summary).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: 7, identical: true });
    });

    it('finds the changes between a CycloneDX BOM and the SPDX 3 BOM of the next version', () => {
      const d = diffBoms(
        read(projectCdx()),
        read(projectSpdx3({ torchVersion: '2.4.0', torchSha: SHA.f, shard1: SHA.g, modelLicense: 'MIT' })),
      );
      expect(d.changed.map((c) => [c.identity, c.fields])).toEqual([
        ['file:models/bert-tiny/model-00001-of-00002.safetensors', ['hashes']],
        ['model:acme/bert-tiny', ['licenses']],
        ['purl:pkg:pypi/torch', ['version', 'purl', 'hashes']],
      ]);
      expect(d.modelsChanged.map((m) => [m.identity, m.reasons])).toEqual([
        ['model:acme/bert-tiny', ['file-changed']],
      ]);
    });

    it('matches SPDX 2.3 packages and files with CycloneDX ones', () => {
      const d = diffBoms(
        read(
          cdx([
            lib('torch', {
              version: '2.3.1',
              purl: 'pkg:pypi/torch@2.3.1',
              sha256: SHA.a,
              license: 'BSD-3-Clause',
            }),
            cdxComponent('file', 'data/x.csv', { sha256: SHA.b }),
          ]),
        ),
        read({
          spdxVersion: 'SPDX-2.3',
          packages: [
            {
              SPDXID: 'SPDXRef-t',
              name: 'torch',
              versionInfo: '2.3.1',
              primaryPackagePurpose: 'LIBRARY',
              licenseDeclared: 'BSD-3-Clause',
              checksums: [{ algorithm: 'SHA256', checksumValue: SHA.a }],
              externalRefs: [
                {
                  referenceCategory: 'PACKAGE-MANAGER',
                  referenceType: 'purl',
                  referenceLocator: 'pkg:pypi/torch@2.3.1',
                },
              ],
            },
          ],
          files: [
            {
              SPDXID: 'SPDXRef-f',
              fileName: './data/x.csv',
              checksums: [{ algorithm: 'SHA256', checksumValue: SHA.b }],
            },
          ],
        }),
      );
      expect(d.summary).toMatchObject({ added: 0, removed: 0, unchanged: 1, changed: 1 });
      // SPDX 2 writes `./data/x.csv`: the same file, its name as written differs.
      expect(d.changed[0]?.fields).toEqual(['name']);
    });
  });

  it.skipIf(!existsSync(OFFICIAL))('compares each official 1.6 test BOM with its 1.7 twin', () => {
    const different: string[] = [];
    for (const name of readdirSync(join(OFFICIAL, '1.6'))) {
      const twin = join(OFFICIAL, '1.7', name.replace('1.6', '1.7'));
      if (!name.startsWith('valid-') || !name.endsWith('.json') || !existsSync(twin)) continue;
      const d = diffBoms(
        parseBom(readFileSync(join(OFFICIAL, '1.6', name)), name),
        parseBom(readFileSync(twin), twin),
      );
      if (!d.summary.identical) different.push(name);
    }
    // Only the cryptography examples were rewritten for 1.7 (new names): the rest describe the same components.
    expect(different).toEqual([
      'valid-cryptography-full-1.6.json',
      'valid-cryptography-implementation-1.6.json',
    ]);
  });

  describe.skipIf(!haveGoldenBoms)('on the BOMs pedigree bom writes (test/golden/ml-project.*)', () => {
    const readGolden = (name: string) => parseBom(readFileSync(golden(name)), name);

    it('finds the CycloneDX 1.6, CycloneDX 1.7 and SPDX 3 BOMs of one project identical', () => {
      const cdx16 = readGolden('ml-project.cdx-1.6.json');
      for (const other of ['ml-project.cdx-1.7.json', 'ml-project.spdx.json']) {
        const d = diffBoms(cdx16, readGolden(other));
        expect(d.summary).toMatchObject({ identical: true, added: 0, removed: 0, changed: 0 });
        expect(d.summary.unchanged).toBe(cdx16.components.length);
      }
    });

    it('finds a weight file whose digest was changed in the SPDX BOM', () => {
      const spdx = JSON.parse(readFileSync(golden('ml-project.spdx.json'), 'utf8')) as { '@graph': Json[] };
      const file = spdx['@graph'].find(
        (e) => e.type === 'software_File' && typeof e.name === 'string' && e.name.endsWith('.safetensors'),
      );
      if (file === undefined) throw new Error('no safetensors file in the golden SPDX BOM');
      file.verifiedUsing = [{ type: 'Hash', algorithm: 'sha256', hashValue: SHA.h }];
      const d = diffBoms(readGolden('ml-project.cdx-1.6.json'), parseBom(text(spdx), 'tampered.spdx.json'));
      expect(d.modelsChanged).toHaveLength(1);
      expect(d.modelsChanged[0]?.files).toMatchObject([{ status: 'changed', name: file.name }]);
      expect(d.changed.map((c) => c.identity)).toEqual([`file:${file.name as string}`]);
    });
  });

  it('gives the same result whatever the order of the components', () => {
    const components = [
      lib('a', { version: '1', purl: 'pkg:npm/a@1' }),
      lib('b', { version: '2' }),
      cdxComponent('file', 'f', { sha256: SHA.a }),
      lib('c', { version: '3', sha256: SHA.b }),
    ];
    const next = [
      lib('a', { version: '2', purl: 'pkg:npm/a@2' }),
      cdxComponent('file', 'g', { sha256: SHA.a }),
      lib('d'),
    ];
    const forward = renderBomDiff(diff(cdx(components), cdx(next)), 'json', { pathA: 'a', pathB: 'b' });
    const backward = renderBomDiff(diff(cdx([...components].reverse()), cdx([...next].reverse())), 'json', {
      pathA: 'a',
      pathB: 'b',
    });
    // Locations differ with the order; everything else must not.
    const strip = (json: string) => json.replace(/"(location|ref)": "components\[\d+\]"/g, '"$1": "-"');
    expect(strip(backward)).toBe(strip(forward));
  });

  it('keeps SPDX licence relationships to elements it reads (sanity of the builders)', () => {
    const d = read(
      spdx3([
        spdxElement('software_Package', 'urn:p', 'p'),
        spdxLicense('urn:l', 'MIT'),
        spdxRelationship('urn:p', 'hasConcludedLicense', ['urn:l']),
      ]),
    );
    expect(d.components[0]?.licenses).toEqual(['MIT']);
  });
});
