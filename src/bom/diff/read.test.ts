import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import type { BomComponent, BomDocument } from './model.js';
import { parseBom } from './read.js';
import {
  cdx,
  cdxComponent,
  type Json,
  projectCdx,
  projectSpdx3,
  SHA,
  spdx3,
  spdxElement,
  spdxRelationship,
  text,
} from './test-support.js';

const FIXTURES = new URL('../../../test/fixtures/bom-diff/cyclonedx/', import.meta.url);
const OFFICIAL = '/work/shared/data/cyclonedx/testdata/tools/src/test/resources';

const parse = (document: Json, file = 'bom.json') => parseBom(text(document), file);
const byName = (doc: BomDocument, name: string): BomComponent => {
  const found = doc.components.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no component ${name}`);
  return found;
};

describe('parseBom', () => {
  describe('CycloneDX JSON', () => {
    it('reads metadata.component and nested components in document order, with where each was found', () => {
      const doc = parse(
        cdx(
          [
            cdxComponent('library', 'outer', {
              version: '1.0',
              components: [
                cdxComponent('library', 'inner', { components: [cdxComponent('file', 'deep.txt')] }),
              ],
            }),
            cdxComponent('library', 'second'),
          ],
          { metadata: { component: cdxComponent('application', 'project', { ref: 'project:x' }) } },
        ),
      );
      expect(doc.format).toBe('CycloneDX');
      expect(doc.specVersion).toBe('1.6');
      expect(doc.components.map((c) => [c.name, c.location, c.ref])).toEqual([
        ['project', 'metadata.component', 'project:x'],
        ['outer', 'components[0]', 'components[0]'],
        ['inner', 'components[0].components[0]', 'components[0].components[0]'],
        [
          'deep.txt',
          'components[0].components[0].components[0]',
          'components[0].components[0].components[0]',
        ],
        ['second', 'components[1]', 'components[1]'],
      ]);
      expect(byName(doc, 'deep.txt').kind).toBe('file');
      expect(byName(doc, 'outer').version).toBe('1.0');
    });

    it('accepts every JSON version from 1.2 to 1.7 and refuses others by name', () => {
      for (const specVersion of ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'])
        expect(parse(cdx([], { specVersion })).specVersion).toBe(specVersion);
      for (const specVersion of ['1.1', '2.0', '1.6.1'])
        expect(() => parse(cdx([], { specVersion }))).toThrow(
          expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('specVersion') }),
        );
    });

    it('reads licences given by id, by name and as an expression, in one canonical form', () => {
      const doc = parse(
        cdx([
          cdxComponent('library', 'x', {
            licenses: [
              { license: { id: 'Apache-2.0' } },
              { license: { name: 'My Own License' } },
              { expression: 'mit or apache-2.0' },
            ],
          }),
        ]),
      );
      expect(byName(doc, 'x').licenses).toEqual(['Apache-2.0', 'Apache-2.0 OR MIT', 'My Own License']);
    });

    it('normalises hash algorithms and digests, and merges a digest listed twice', () => {
      const doc = parse(
        cdx([
          cdxComponent('library', 'x', {
            hashes: [
              { alg: 'SHA-256', content: SHA.a.toUpperCase() },
              { alg: 'SHA-256', content: SHA.a },
              { alg: 'MD5', content: '0123456789abcdef0123456789abcdef' },
            ],
          }),
        ]),
      );
      expect(byName(doc, 'x').hashes).toEqual([
        { algorithm: 'MD5', value: '0123456789abcdef0123456789abcdef' },
        { algorithm: 'SHA-256', value: SHA.a },
      ]);
    });

    it('refuses a component that gives two different digests for one algorithm', () => {
      expect(() =>
        parse(
          cdx([
            cdxComponent('library', 'x', {
              hashes: [
                { alg: 'SHA-256', content: SHA.a },
                { alg: 'SHA-256', content: SHA.b },
              ],
            }),
          ]),
        ),
      ).toThrow(/components\[0\]\.hashes\[1\]: a second, different SHA-256 digest/);
    });

    it('keeps the files nested under an ML model, which hold weights, and whether it has a model card', () => {
      const doc = parse(projectCdx());
      const model = byName(doc, 'bert-tiny');
      expect(model.kind).toBe('model');
      expect(model.group).toBe('acme');
      expect(model.modelCard).toBe(true);
      expect(model.files.map((f) => [f.name, f.weights, f.hashes[0]?.value])).toEqual([
        ['models/bert-tiny/config.json', false, SHA.d],
        ['models/bert-tiny/model-00001-of-00002.safetensors', true, SHA.b],
        ['models/bert-tiny/model-00002-of-00002.safetensors', true, SHA.c],
      ]);
      // The files are components in their own right too.
      expect(doc.components.filter((c) => c.kind === 'file')).toHaveLength(3);
      expect(byName(doc, 'torch').modelCard).toBeUndefined();
    });

    it('takes a file role stated by the pedigree:file:role property over the extension', () => {
      const doc = parse(
        cdx([
          cdxComponent('machine-learning-model', 'm', {
            components: [
              cdxComponent('file', 'weights.dat', { role: 'weights' }),
              cdxComponent('file', 'notes.bin', { role: 'other' }),
            ],
          }),
        ]),
      );
      expect(byName(doc, 'm').files.map((f) => [f.name, f.weights])).toEqual([
        ['notes.bin', false],
        ['weights.dat', true],
      ]);
    });

    it('gives the files of a nested model to that model, not to the outer one', () => {
      const doc = parse(
        cdx([
          cdxComponent('machine-learning-model', 'outer', {
            components: [
              cdxComponent('file', 'outer.safetensors'),
              cdxComponent('machine-learning-model', 'adapter', {
                components: [cdxComponent('file', 'adapter.safetensors')],
              }),
            ],
          }),
        ]),
      );
      expect(byName(doc, 'outer').files.map((f) => f.name)).toEqual(['outer.safetensors']);
      expect(byName(doc, 'adapter').files.map((f) => f.name)).toEqual(['adapter.safetensors']);
    });

    it('reads the official test BOMs copied into the fixtures', () => {
      const expression = parseBom(readFileSync(new URL('valid-license-expression-1.7.json', FIXTURES)), 'x');
      expect(expression.components[0]).toMatchObject({
        name: 'tomcat-catalina',
        group: 'com.acme',
        purl: 'pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar',
        licenses: ['EPL-2.0 OR GPL-2.0 WITH Classpath-exception-2.0'],
      });
      expect(expression.components[0]?.hashes.map((h) => h.algorithm)).toEqual([
        'MD5',
        'SHA-1',
        'SHA-256',
        'SHA-512',
      ]);
      const hashes = parseBom(readFileSync(new URL('valid-component-hashes-1.7.json', FIXTURES)), 'x');
      expect(hashes.components[0]?.hashes.map((h) => h.algorithm)).toEqual([
        'BLAKE2b-256',
        'BLAKE2b-384',
        'BLAKE2b-512',
        'BLAKE3',
        'MD5',
        'SHA-1',
        'SHA-256',
        'SHA-384',
        'SHA-512',
        'SHA3-256',
        'SHA3-384',
        'SHA3-512',
      ]);
      const assembly = parseBom(readFileSync(new URL('valid-assembly-1.7.json', FIXTURES)), 'x');
      expect(assembly.components.map((c) => c.location)).toEqual([
        'components[0]',
        'components[0].components[0]',
      ]);
      const ml = parseBom(
        readFileSync(new URL('valid-machine-learning-considerations-env-1.7.json', FIXTURES)),
        'x',
      );
      expect(ml.components[0]).toMatchObject({
        kind: 'model',
        group: 'meta-llama',
        name: 'Llama-2-7b',
        modelCard: true,
      });
    });

    it('refuses the official invalid test BOMs it can tell are invalid, naming the field', () => {
      expect(() =>
        parseBom(readFileSync(new URL('invalid-bomformat-1.7.json', FIXTURES)), 'bad.json'),
      ).toThrow('bad.json: bomFormat: expected "CycloneDX", got "AnotherFormat"');
      expect(() =>
        parseBom(readFileSync(new URL('invalid-missing-component-type-1.7.json', FIXTURES)), 'bad.json'),
      ).toThrow('bad.json: components[0].type: missing (required)');
    });

    it.skipIf(!existsSync(OFFICIAL))('reads every valid official JSON test BOM of 1.6 and 1.7', () => {
      let read = 0;
      for (const version of ['1.6', '1.7'])
        for (const name of readdirSync(join(OFFICIAL, version))) {
          if (!name.startsWith('valid-') || !name.endsWith('.json')) continue;
          const doc = parseBom(readFileSync(join(OFFICIAL, version, name)), name);
          expect(doc.specVersion).toBe(version);
          read++;
        }
      expect(read).toBeGreaterThan(100);
    });
  });

  describe('SPDX 3.0.1 JSON-LD', () => {
    it('reads packages, AI packages, datasets and files with versions, purls, hashes and licences', () => {
      const doc = parse(projectSpdx3());
      expect(doc.format).toBe('SPDX');
      expect(doc.specVersion).toBe('3.0.1');
      expect(doc.components.map((c) => [c.kind, c.type, c.name])).toEqual([
        ['package', 'application', 'demo-project'],
        ['model', 'machine-learning-model', 'acme/bert-tiny'],
        ['file', 'file', 'models/bert-tiny/model-00001-of-00002.safetensors'],
        ['file', 'file', 'models/bert-tiny/model-00002-of-00002.safetensors'],
        ['file', 'file', 'models/bert-tiny/config.json'],
        ['package', 'library', 'torch'],
        ['dataset', 'data', 'acme/reviews'],
      ]);
      expect(byName(doc, 'torch')).toMatchObject({
        ref: 'urn:torch',
        location: '@graph[7]',
        version: '2.3.1',
        purl: 'pkg:pypi/torch@2.3.1',
        hashes: [{ algorithm: 'SHA-256', value: SHA.a }],
        licenses: ['BSD-3-Clause'],
      });
      const model = byName(doc, 'acme/bert-tiny');
      expect(model.licenses).toEqual(['Apache-2.0']);
      expect(model.modelCard).toBeUndefined();
      expect(model.files.map((f) => [f.name, f.weights])).toEqual([
        ['models/bert-tiny/config.json', false],
        ['models/bert-tiny/model-00001-of-00002.safetensors', true],
        ['models/bert-tiny/model-00002-of-00002.safetensors', true],
      ]);
    });

    it('resolves licences given as listed-licence IRIs, custom licences and licence sets; drops NoAssertion', () => {
      const doc = parse(
        spdx3([
          spdxElement('software_Package', 'urn:p', 'p'),
          { type: 'expandedlicensing_CustomLicense', spdxId: 'urn:custom', name: 'llama3.1' },
          {
            type: 'expandedlicensing_DisjunctiveLicenseSet',
            spdxId: 'urn:set',
            expandedlicensing_member: [
              'https://spdx.org/licenses/MIT',
              'https://spdx.org/licenses/Apache-2.0',
            ],
          },
          spdxRelationship('urn:p', 'hasDeclaredLicense', ['urn:custom', 'urn:set']),
          spdxRelationship('urn:p', 'hasConcludedLicense', [
            'https://spdx.org/rdf/3.0.1/terms/Expanded/NoAssertionLicense',
          ]),
        ]),
      );
      expect(byName(doc, 'p').licenses).toEqual(['Apache-2.0 OR MIT', 'llama3.1']);
    });

    it('takes a package URL from externalIdentifier and the weights role from the primary purpose', () => {
      const doc = parse(
        spdx3([
          {
            ...spdxElement('ai_AIPackage', 'urn:m', 'm'),
            externalIdentifier: [
              {
                type: 'ExternalIdentifier',
                externalIdentifierType: 'packageUrl',
                identifier: 'pkg:huggingface/acme/m@abc',
              },
            ],
          },
          spdxElement('software_File', 'urn:w', 'w.dat', { purpose: 'model' }),
          spdxElement('software_File', 'urn:c', 'c.bin', { purpose: 'configuration' }),
          spdxRelationship('urn:m', 'contains', ['urn:w', 'urn:c']),
        ]),
      );
      const model = byName(doc, 'm');
      expect(model.purl).toBe('pkg:huggingface/acme/m@abc');
      expect(model.files.map((f) => [f.name, f.weights])).toEqual([
        ['c.bin', false],
        ['w.dat', true],
      ]);
    });

    it('refuses another JSON-LD context and an element id used twice', () => {
      expect(() =>
        parse({ '@context': 'https://spdx.org/rdf/3.0.0/spdx-context.jsonld', '@graph': [] }),
      ).toThrow(
        expect.objectContaining({
          code: 'UNSUPPORTED',
          message: expect.stringMatching(/bom\.json: @context: not the SPDX 3\.0\.1 context/),
        }),
      );
      expect(() =>
        parse(
          spdx3([
            spdxElement('software_Package', 'urn:x', 'a'),
            spdxElement('software_Package', 'urn:x', 'b'),
          ]),
        ),
      ).toThrow(/@graph\[3\]: spdxId "urn:x" is also the id of @graph\[2\]/);
    });
  });

  describe('SPDX 2.3 JSON', () => {
    it('reads packages with purl, checksums and licences, and files by name', () => {
      const doc = parse({
        spdxVersion: 'SPDX-2.3',
        SPDXID: 'SPDXRef-DOCUMENT',
        packages: [
          {
            SPDXID: 'SPDXRef-torch',
            name: 'torch',
            versionInfo: '2.3.1',
            primaryPackagePurpose: 'LIBRARY',
            licenseDeclared: 'BSD-3-Clause',
            licenseConcluded: 'NOASSERTION',
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
            fileName: './models/m.safetensors',
            checksums: [{ algorithm: 'SHA1', checksumValue: 'ab' }],
          },
        ],
      });
      expect(doc).toMatchObject({ format: 'SPDX', specVersion: '2.3' });
      expect(doc.components).toMatchObject([
        {
          kind: 'package',
          type: 'library',
          name: 'torch',
          version: '2.3.1',
          purl: 'pkg:pypi/torch@2.3.1',
          hashes: [{ algorithm: 'SHA-256', value: SHA.a }],
          licenses: ['BSD-3-Clause'],
        },
        { kind: 'file', name: './models/m.safetensors', hashes: [{ algorithm: 'SHA-1', value: 'ab' }] },
      ]);
    });

    it('refuses SPDX versions it does not read', () => {
      expect(() => parse({ spdxVersion: 'SPDX-2.1' })).toThrow(
        expect.objectContaining({
          code: 'UNSUPPORTED',
          message: expect.stringContaining('"SPDX-2.1" is not read'),
        }),
      );
    });
  });

  it('throws ParseError for everything it refuses', () => {
    expect(() => parse({ hello: 'world' })).toThrow(ParseError);
  });
});
