import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError, UsageError } from '../../core/errors.js';
import { canonicalLicense } from './licenses.js';
import { MAX_BOM_COMPONENTS, MAX_COMPONENT_DEPTH } from './limits.js';
import { parseBom, readBom } from './read.js';
import { cdx, cdxComponent, type Json, spdx3, spdxElement, spdxRelationship, text } from './test-support.js';

const folder = mkdtempSync(join(tmpdir(), 'pedigree-bom-diff-malformed-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The ParseError thrown by parsing `input`, or a failure when there is none or it is another error. */
function refusal(input: string | Uint8Array, options: Parameters<typeof parseBom>[2] = {}): ParseError {
  try {
    parseBom(input, 'evil.json', options);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('parseBom on malformed input', () => {
  it('refuses text that is not JSON, and says when it looks like XML or SPDX tag-value', () => {
    expect(refusal('{"bomFormat": "CycloneDX",')).toMatchObject({
      code: 'BAD_STRUCTURE',
      message: expect.stringMatching(/^evil\.json: not JSON: /),
    });
    expect(refusal('<?xml version="1.0"?><bom/>').message).toContain('it looks like XML');
    expect(refusal('SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n').message).toContain('SPDX tag-value');
    expect(refusal('').code).toBe('BAD_STRUCTURE');
  });

  it('refuses JSON that is not an object', () => {
    for (const [input, got] of [
      ['[]', 'an array'],
      ['"CycloneDX"', 'a string'],
      ['null', 'null'],
      ['42', 'a number'],
    ] as const)
      expect(refusal(input)).toMatchObject({
        code: 'BAD_MAGIC',
        message: `evil.json: (top level): expected a JSON object (a CycloneDX or SPDX document), got ${got}`,
      });
  });

  it('refuses an object that is neither CycloneDX nor SPDX', () => {
    expect(refusal('{"name": "x", "components": []}')).toMatchObject({
      code: 'BAD_MAGIC',
      message: expect.stringContaining('not a CycloneDX or SPDX document'),
    });
    expect(refusal(text({ bomFormat: 42 })).message).toBe(
      'evil.json: bomFormat: expected "CycloneDX", got a non-string value',
    );
  });

  it('refuses a CycloneDX BOM without specVersion', () => {
    const { specVersion: _, ...rest } = cdx([]);
    expect(refusal(text(rest))).toMatchObject({
      code: 'BAD_STRUCTURE',
      message: expect.stringMatching(/^evil\.json: specVersion: missing/),
    });
  });

  it('names the JSON path and the type found for fields of the wrong type', () => {
    const cases: [Json, string][] = [
      [cdx([], { specVersion: 1.6 }), 'specVersion: expected a string, got a number'],
      [{ ...cdx([]), components: {} }, 'components: expected an array, got an object'],
      [cdx(['library'] as unknown as Json[]), 'components[0]: expected an object, got a string'],
      [cdx([{ type: 'library', name: 7 }]), 'components[0].name: expected a string, got a number'],
      [
        cdx([{ type: 'library', name: 'x', version: 2 }]),
        'components[0].version: expected a string, got a number',
      ],
      [cdx([{ type: 'library', name: 'x', purl: null }]), 'components[0].purl: expected a string, got null'],
      [
        cdx([{ type: 'library', name: 'x', hashes: 'abc' }]),
        'components[0].hashes: expected an array, got a string',
      ],
      [
        cdx([{ type: 'library', name: 'x', hashes: [{ alg: 'SHA-256', content: 5 }] }]),
        'components[0].hashes[0].content: expected a string, got a number',
      ],
      [
        cdx([{ type: 'library', name: 'x', licenses: ['MIT'] }]),
        'components[0].licenses[0]: expected an object, got a string',
      ],
      [
        cdx([{ type: 'library', name: 'x', licenses: [{ license: { id: ['MIT'] } }] }]),
        'components[0].licenses[0].license.id: expected a string, got an array',
      ],
      [
        cdx([{ type: 'library', name: 'x', components: [{ type: 'file', name: true }] }]),
        'components[0].components[0].name: expected a string, got a boolean',
      ],
      [{ ...cdx([]), metadata: { component: [] } }, 'metadata.component: expected an object, got an array'],
      [
        cdx([{ type: 'machine-learning-model', name: 'm', modelCard: 'yes' }]),
        'components[0].modelCard: expected an object, got a string',
      ],
      [
        { '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': {} },
        '@graph: expected an array, got an object',
      ],
      [
        spdx3([{ type: 'software_Package', spdxId: 'urn:p', name: 1 }]),
        '@graph[2].name: expected a string, got a number',
      ],
      [spdx3([{ type: 'software_Package', name: 'p' }]), '@graph[2]: a software_Package without spdxId'],
      [
        spdx3([
          {
            ...spdxElement('software_Package', 'urn:p', 'p'),
            verifiedUsing: [{ type: 'Hash', algorithm: 'sha256' }],
          },
        ]),
        '@graph[2].verifiedUsing[0].hashValue: missing (required)',
      ],
      [
        spdx3([
          { type: 'Relationship', spdxId: 'urn:r', from: 'urn:p', relationshipType: 'contains', to: [1] },
        ]),
        '@graph[2].to[0]: expected an element id, got a number',
      ],
      [{ spdxVersion: 'SPDX-2.3', packages: [{ SPDXID: 'x' }] }, 'packages[0].name: missing (required)'],
      [
        { spdxVersion: 'SPDX-2.3', files: [{ SPDXID: 'x', fileName: 'f', checksums: [{}] }] },
        'files[0].checksums[0].algorithm: missing (required)',
      ],
    ];
    for (const [document, message] of cases)
      expect(refusal(text(document)).message).toBe(`evil.json: ${message}`);
  });

  it('refuses components nested deeper than the limit without exhausting the stack', () => {
    // 100,000 levels: as JSON text, since building the object would itself be deep.
    const depth = 100_000;
    const open = '{"type":"library","name":"x","components":['.repeat(depth);
    const input = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${open}{"type":"library","name":"leaf"}${']}'.repeat(depth)}]}`;
    const error = refusal(input);
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toContain(`components nested more than ${MAX_COMPONENT_DEPTH} deep`);
    // Nesting up to the limit is read.
    let nested: Json = cdxComponent('library', 'leaf');
    for (let i = 1; i < MAX_COMPONENT_DEPTH; i++)
      nested = cdxComponent('library', `level${i}`, { components: [nested] });
    expect(parseBom(text(cdx([nested])), 'ok.json').components).toHaveLength(MAX_COMPONENT_DEPTH);
  });

  it(`refuses a BOM of 1,000,000 components (the limit is ${MAX_BOM_COMPONENTS})`, () => {
    const input = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${Array.from({ length: 1_000_000 }, () => '{"type":"library","name":"x"}').join(',')}]}`;
    const error = refusal(input);
    expect(error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('1000000 components, more than the limit of 250000'),
    });
  });

  it('counts nested components and SPDX files against the component limit', () => {
    const limits = { maxComponents: 3 };
    const nested = cdx([
      cdxComponent('library', 'a', { components: [cdxComponent('file', 'b'), cdxComponent('file', 'c')] }),
      cdxComponent('library', 'd'),
    ]);
    expect(refusal(text(nested), { limits })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: 'evil.json: components[1]: more than 3 components (the limit for one BOM); not read',
    });
    const graph = spdx3(['a', 'b', 'c', 'd'].map((n) => spdxElement('software_File', `urn:${n}`, n)));
    expect(refusal(text(graph), { limits }).code).toBe('LIMIT_EXCEEDED');
    expect(refusal(text({ spdxVersion: 'SPDX-2.3', files: [{}, {}, {}, {}] }), { limits }).code).toBe(
      'LIMIT_EXCEEDED',
    );
  });

  it('refuses input over the byte limit, as text, as bytes and as a file', () => {
    const input = text(cdx([cdxComponent('library', 'x')]));
    const limits = { maxBytes: 50 };
    expect(refusal(input, { limits }).code).toBe('LIMIT_EXCEEDED');
    expect(refusal(Buffer.from(input), { limits }).code).toBe('LIMIT_EXCEEDED');
    const file = join(folder, 'big.json');
    writeFileSync(file, input);
    expect(() => readBom(file, { limits })).toThrow(
      expect.objectContaining({
        code: 'LIMIT_EXCEEDED',
        message: `${file}: larger than 50 bytes (the limit for a BOM); not read`,
      }),
    );
    expect(readBom(file).components).toHaveLength(1);
  });

  it('refuses bytes that are not UTF-8 and reads a BOM that starts with a byte order mark', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}]}'),
    ]);
    expect(refusal(bytes)).toMatchObject({
      code: 'BAD_VALUE',
      message: expect.stringContaining('not valid UTF-8'),
    });
    const withMark = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(text(cdx([cdxComponent('library', 'x')]))),
    ]);
    expect(parseBom(withMark, 'marked.json').components).toHaveLength(1);
  });

  it('reports a missing file and a directory as usage errors', () => {
    expect(() => readBom(join(folder, 'absent.json'))).toThrow(UsageError);
    expect(() => readBom(join(folder, 'absent.json'))).toThrow(/absent\.json: no such file/);
    expect(() => readBom(folder)).toThrow(/is a directory, not a BOM file/);
  });

  it('refuses more hashes or licences on one component than the limits', () => {
    const hashes = Array.from({ length: 65 }, (_, i) => ({ alg: `X${i}`, content: 'ab' }));
    expect(refusal(text(cdx([cdxComponent('library', 'x', { hashes })])))).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: 'evil.json: components[0].hashes: 65 hashes, more than the limit of 64; not read',
    });
    const licenses = Array.from({ length: 3 }, () => ({ expression: 'MIT' }));
    expect(
      refusal(text(cdx([cdxComponent('library', 'x', { licenses })])), { limits: { maxLicenses: 2 } }).code,
    ).toBe('LIMIT_EXCEEDED');
  });

  it('refuses SPDX licence sets in a cycle, and sets of sets that would expand without bound', () => {
    const cycle = spdx3([
      spdxElement('software_Package', 'urn:p', 'p'),
      {
        type: 'expandedlicensing_ConjunctiveLicenseSet',
        spdxId: 'urn:s1',
        expandedlicensing_member: ['urn:s2'],
      },
      {
        type: 'expandedlicensing_ConjunctiveLicenseSet',
        spdxId: 'urn:s2',
        expandedlicensing_member: ['urn:s1'],
      },
      spdxRelationship('urn:p', 'hasDeclaredLicense', ['urn:s1']),
    ]);
    expect(refusal(text(cycle))).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('in a cycle'),
    });
    // Ten levels of sets of 100 copies of the level below: 100^10 leaves if expanded naively.
    const levels: Json[] = [
      {
        type: 'simplelicensing_LicenseExpression',
        spdxId: 'urn:l0',
        simplelicensing_licenseExpression: 'MIT',
      },
    ];
    for (let i = 1; i <= 10; i++)
      levels.push({
        type: 'expandedlicensing_DisjunctiveLicenseSet',
        spdxId: `urn:l${i}`,
        expandedlicensing_member: Array.from({ length: 100 }, () => `urn:l${i - 1}`),
      });
    const bomb = spdx3([
      spdxElement('software_Package', 'urn:p', 'p'),
      ...levels,
      spdxRelationship('urn:p', 'hasDeclaredLicense', ['urn:l10']),
    ]);
    const started = Date.now();
    expect(refusal(text(bomb))).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('licence set longer than'),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('compares a licence expression too long or too deep to parse as written, without exhausting the stack', () => {
    const deep = `${'('.repeat(20_000)}MIT${')'.repeat(20_000)}`;
    expect(canonicalLicense(deep)).toBe(deep);
    const bom = cdx([cdxComponent('library', 'x', { licenses: [{ expression: deep }] })]);
    expect(parseBom(text(bom), 'x.json').components[0]?.licenses).toEqual([deep]);
    // Within the limit, deep brackets parse.
    expect(canonicalLicense(`${'('.repeat(400)}MIT${')'.repeat(400)}`)).toBe('MIT');
  });

  it('does not let __proto__ keys reach any prototype', () => {
    const input =
      '{"bomFormat":"CycloneDX","specVersion":"1.6","__proto__":{"polluted":true},"components":[{"type":"library","name":"x","__proto__":{"version":"9"}}]}';
    const doc = parseBom(input, 'x.json');
    expect(doc.components[0]?.version).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('on any JSON value, returns a document or throws ParseError, never anything else', () => {
    const onlyParseErrors = (value: unknown) => {
      try {
        parseBom(JSON.stringify(value) ?? 'null', 'fuzz.json');
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
      }
    };
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), onlyParseErrors), { numRuns: 300 });
    // Documents that claim a format, with arbitrary values where fields are expected.
    const anything = fc.jsonValue({ maxDepth: 4 });
    const component = fc.record(
      {
        type: fc.oneof(fc.constantFrom('library', 'file', 'machine-learning-model'), anything),
        name: anything,
        version: anything,
        purl: anything,
        hashes: anything,
        licenses: anything,
        components: anything,
        modelCard: anything,
        properties: anything,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(component, { maxLength: 5 }),
        fc.constantFrom('1.2', '1.6', '1.7'),
        (components, specVersion) => onlyParseErrors({ bomFormat: 'CycloneDX', specVersion, components }),
      ),
      { numRuns: 300 },
    );
    const element = fc.record(
      {
        type: fc.constantFrom(
          'software_Package',
          'ai_AIPackage',
          'software_File',
          'Relationship',
          'simplelicensing_LicenseExpression',
        ),
        spdxId: fc.oneof(fc.constantFrom('urn:a', 'urn:b'), anything),
        name: anything,
        from: anything,
        to: anything,
        relationshipType: fc.constantFrom('contains', 'hasDeclaredLicense'),
        verifiedUsing: anything,
        simplelicensing_licenseExpression: anything,
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 6 }), (graph) =>
        onlyParseErrors({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': graph }),
      ),
      { numRuns: 300 },
    );
  });
});
