import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import { DataFactory, Parser, type Quad, Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../core/hash.js';
import { EMPTY_CONSIDERATIONS, type Inventory } from './inventory.js';
import { buildSpdxDocument, SPDX_CONTEXT } from './spdx.js';

/**
 * Semantic validation, as the specification asks of a conformant JSON-LD document besides the JSON schema
 * ("the JSON-LD document must successfully validate against the SPDX OWL ontology ... SHACL shape
 * restrictions", Model and serializations §4.5.2), done the way spdx3-validate does it: the document is read
 * as RDF with the SPDX context, the model is mixed into the data graph (pyshacl's `ont_graph`, which gives
 * the class hierarchy and the individuals such as NoAssertionLicense) and the model's shapes are checked.
 * Offline: the context comes from test/schemas/spdx-3.0.1/, and any other URL is refused.
 */

const DIR = new URL('../../test/schemas/spdx-3.0.1/', import.meta.url);
const contextBytes = readFileSync(new URL('spdx-context.jsonld', DIR));
const modelBytes = readFileSync(new URL('spdx-model.ttl', DIR));
/** https://spdx.org/rdf/3.0.1/spdx-context.jsonld, byte for byte (SOURCE.md). */
const CONTEXT_SHA256 = 'c72b0928f094c83e5c127784edb1ebca2af74a104fcacc007c332b23cbc788bd';
/** spdx-spec tag 3.0.1 `rdf/spdx-model.ttl` (SOURCE.md says why not the bytes spdx.org serves). */
const MODEL_SHA256 = '77b058ebbea268db1ad191f54da908945d4c279110a5e28b20eae4ac201a5cf8';

const context = JSON.parse(contextBytes.toString('utf8')) as object;
const modelQuads = new Parser().parse(modelBytes.toString('utf8'));
const shapes = new Store(modelQuads);
// The shapes are `owl:Class, sh:NodeShape`; SHACL targets the instances of a shape that is an rdfs:Class
// (SHACL §2.1.3.3 implicit class targets), and owl:Class is one (OWL 2 RDF-Based Semantics §5.2).
shapes.addQuad(
  DataFactory.namedNode('http://www.w3.org/2002/07/owl#Class'),
  DataFactory.namedNode('http://www.w3.org/2000/01/rdf-schema#subClassOf'),
  DataFactory.namedNode('http://www.w3.org/2000/01/rdf-schema#Class'),
);
const validator = new SHACLValidator(shapes);

async function documentLoader(url: string) {
  if (url !== SPDX_CONTEXT) throw new Error(`refusing to fetch ${url}: validation runs offline`);
  return { contextUrl: undefined, documentUrl: url, document: context };
}

interface Violation {
  readonly focus: string | undefined;
  readonly path: string | undefined;
  readonly value: string | undefined;
  readonly constraint: string | undefined;
  readonly message: string;
}

async function shaclViolations(doc: unknown): Promise<Violation[]> {
  // `safe` makes expansion fail on anything it would drop (an unknown term, an invalid IRI) instead of
  // silently leaving it out of the graph.
  const nquads = (await jsonld.toRDF(
    doc as jsonld.JsonLdDocument,
    {
      format: 'application/n-quads',
      documentLoader,
      safe: true,
    } as jsonld.Options.ToRdf,
  )) as unknown as string;
  const data = new Store([...new Parser({ format: 'N-Quads' }).parse(nquads), ...modelQuads] as Quad[]);
  const report = await validator.validate(data);
  return report.results.map((r) => ({
    focus: r.focusNode?.value,
    path: r.path?.value,
    value: r.value?.value,
    constraint: r.sourceConstraintComponent?.value,
    message: r.message.map((m) => m.value).join(' '),
  }));
}

function inventory(): Inventory {
  const none = EMPTY_CONSIDERATIONS;
  return {
    root: '.',
    project: { ref: 'project:shacl demo', name: 'shacl demo', version: '1.0.0' },
    models: [
      {
        ref: 'model:models/tiny',
        name: 'tiny',
        version: '1',
        purl: 'pkg:huggingface/acme/tiny@abc',
        hubId: 'acme/tiny',
        path: 'models/tiny',
        formats: ['safetensors'],
        weightFiles: ['file:models/tiny/model.safetensors'],
        hashes: [{ algorithm: 'SHA-256', value: 'a'.repeat(64) }],
        licenses: [{ expression: 'MIT', source: 'README.md' }],
        authors: [{ name: 'ACME', kind: 'organization' }],
        parameters: {
          task: 'text-generation',
          architectureFamily: 'llama',
          inputs: ['text'],
          outputs: ['text'],
        },
        metrics: [{ type: 'accuracy', value: '0.5', source: 'README.md' }],
        considerations: { ...none, technicalLimitations: [{ text: 'Tiny.', source: 'README.md:3' }] },
        trainedOn: ['dataset:acme/data'],
        testedOn: [],
        derivedFrom: ['model:acme/base'],
        links: [{ type: 'vcs', url: 'https://example.com/acme/tiny.git' }],
        sources: ['models/tiny/model.safetensors'],
        external: false,
      },
      {
        ref: 'model:acme/base',
        name: 'acme/base',
        path: 'acme/base',
        formats: [],
        weightFiles: [],
        hashes: [],
        licenses: [],
        authors: [],
        parameters: { inputs: [], outputs: [] },
        metrics: [],
        considerations: none,
        trainedOn: [],
        testedOn: [],
        derivedFrom: [],
        links: [],
        sources: [],
        external: true,
      },
    ],
    datasets: [
      {
        ref: 'dataset:data/local',
        name: 'local',
        path: 'data/local',
        licenses: [{ expression: 'CC0-1.0', source: 'data/local/README.md' }],
        files: ['file:data/local/a.csv'],
        hashes: [{ algorithm: 'SHA-256', value: 'c'.repeat(64) }],
        sensitiveData: [{ text: 'None.', source: 'data/local/README.md:9' }],
        classification: 'green',
        owners: [],
        custodians: [],
        links: [],
        sources: ['data/local/README.md'],
        external: false,
      },
      {
        ref: 'dataset:acme/data',
        name: 'acme/data',
        hubId: 'acme/data',
        licenses: [],
        files: [],
        hashes: [],
        sensitiveData: [],
        owners: [{ name: 'Someone', kind: 'person' }],
        custodians: [],
        links: [],
        sources: [],
        external: true,
      },
    ],
    libraries: [
      {
        ref: 'pkg:npm/left-pad@1.3.0',
        ecosystem: 'npm',
        name: 'left-pad',
        version: '1.3.0',
        purl: 'pkg:npm/left-pad@1.3.0',
        hashes: [{ algorithm: 'SHA-512', value: 'b'.repeat(128) }],
        licenses: [{ expression: 'WTFPL', source: 'package-lock.json' }],
        direct: true,
        optional: true,
        dependsOn: [],
        declaredIn: ['package-lock.json:10'],
      },
    ],
    containers: [
      {
        ref: 'container:docker.io/library/node:20',
        name: 'docker.io/library/node',
        tag: '20',
        declaredIn: ['Dockerfile:1'],
      },
    ],
    files: [
      {
        ref: 'file:data/local/a.csv',
        path: 'data/local/a.csv',
        role: 'data',
        size: 100,
        hashes: [{ algorithm: 'MD5', value: 'd'.repeat(32) }],
        mediaType: 'text/csv',
      },
      {
        ref: 'file:models/tiny/model.safetensors',
        path: 'models/tiny/model.safetensors',
        role: 'weights',
        size: 10,
        hashes: [{ algorithm: 'SHA-256', value: 'a'.repeat(64) }],
        mediaType: 'application/octet-stream',
      },
    ],
    relationships: [
      {
        from: 'project:shacl demo',
        kind: 'dependsOn',
        to: ['container:docker.io/library/node:20', 'model:models/tiny', 'pkg:npm/left-pad@1.3.0'],
      },
    ],
    issues: [
      {
        id: 'GHSA-xxxx-xxxx-xxxx',
        source: 'OSV',
        severity: 'medium',
        title: 'A flaw',
        detail: 'Details.',
        aliases: ['CVE-2024-0001'],
        cwes: [79],
        cvss: [{ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N', score: 5.4, version: '3.1' }],
        references: ['https://example.com/advisory'],
        affects: ['pkg:npm/left-pad@1.3.0'],
        published: '2024-01-01T00:00:00Z',
      },
      {
        id: 'PICKLE-IMPORT-DANGEROUS',
        source: 'pedigree',
        severity: 'critical',
        title: 'Dangerous import',
        detail: 'Calls os.system.',
        aliases: [],
        cwes: [],
        cvss: [],
        references: [],
        affects: ['file:models/tiny/model.safetensors'],
      },
    ],
    problems: [{ path: 'x.gguf', message: 'truncated' }],
    tool: { name: 'pedigree', version: '0.1.0' },
  };
}

describe('SPDX 3.0.1 semantic (SHACL) validation', () => {
  it('uses the vendored context and model recorded in SOURCE.md', () => {
    expect(sha256Hex(contextBytes)).toBe(CONTEXT_SHA256);
    expect(sha256Hex(modelBytes)).toBe(MODEL_SHA256);
  });

  it('finds no violation in a document with every kind of element', async () => {
    expect(
      await shaclViolations(buildSpdxDocument(inventory(), { timestamp: '2024-05-01T12:00:00Z' })),
    ).toEqual([]);
  });

  it('finds no violation in a document of only a project', async () => {
    const empty: Inventory = {
      ...inventory(),
      models: [],
      datasets: [],
      libraries: [],
      containers: [],
      files: [],
      relationships: [],
      issues: [],
      problems: [],
    };
    expect(await shaclViolations(buildSpdxDocument(empty))).toEqual([]);
  });

  it('finds what the JSON schema cannot: createdBy naming a package, not an agent', async () => {
    const doc = structuredClone(buildSpdxDocument(inventory())) as unknown as {
      '@graph': Record<string, unknown>[];
    };
    const project = doc['@graph'].find((n) => n.name === 'shacl demo')!;
    doc['@graph'].find((n) => n.type === 'CreationInfo')!.createdBy = [project.spdxId];
    const violations = await shaclViolations(doc);
    expect(violations).toEqual([
      expect.objectContaining({
        path: 'https://spdx.org/rdf/3.0.1/terms/Core/createdBy',
        value: project.spdxId,
        constraint: 'http://www.w3.org/ns/shacl#ClassConstraintComponent',
      }),
    ]);
  });

  it('finds a supplier that is no agent and a data licence that is no licence', async () => {
    const doc = structuredClone(buildSpdxDocument(inventory())) as unknown as {
      '@graph': Record<string, unknown>[];
    };
    const library = doc['@graph'].find((n) => n.name === 'left-pad')!;
    const model = doc['@graph'].find((n) => n.name === 'tiny')!;
    model.suppliedBy = library.spdxId;
    doc['@graph'].find((n) => n.type === 'SpdxDocument')!.dataLicense = library.spdxId;
    const violations = await shaclViolations(doc);
    expect(violations.map((v) => [v.focus, v.path, v.constraint]).sort()).toEqual(
      [
        [
          model.spdxId,
          'https://spdx.org/rdf/3.0.1/terms/Core/suppliedBy',
          'http://www.w3.org/ns/shacl#ClassConstraintComponent',
        ],
        [
          doc['@graph'].find((n) => n.type === 'SpdxDocument')!.spdxId,
          'https://spdx.org/rdf/3.0.1/terms/Core/dataLicense',
          'http://www.w3.org/ns/shacl#ClassConstraintComponent',
        ],
      ].sort(),
    );
  });
});
