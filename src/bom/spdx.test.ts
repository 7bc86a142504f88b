import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import {
  EMPTY_CONSIDERATIONS,
  type Inventory,
  type InventoryDataset,
  type InventoryIssue,
  type InventoryLibrary,
  type InventoryModel,
} from './inventory.js';
import {
  buildSpdxDocument,
  DEFAULT_NAMESPACE_BASE,
  defaultNamespace,
  NO_ASSERTION_LICENSE,
  PLACEHOLDER_CREATED,
  SPDX_CONTEXT,
  type SpdxJsonLd,
  type SpdxObject,
  serializeSpdx,
  toSpdxDateTime,
} from './spdx.js';

// ajv ships CommonJS whose default export NodeNext types do not see as constructible; require gives the class.
const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020') as typeof import('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const SCHEMA_URL = new URL('../../test/schemas/spdx-3.0.1/spdx-json-schema.json', import.meta.url);
/** SHA-256 of https://spdx.org/schema/3.0.1/spdx-json-schema.json as spdx.org serves it (SOURCE.md). */
const OFFICIAL_SCHEMA_SHA256 = '582c64e809d5b3ef9bd0c4de13a32391b47b0284a3e8d199569fb96f649234b1';

const schemaBytes = readFileSync(SCHEMA_URL);
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateSchema = ajv.compile(JSON.parse(schemaBytes.toString('utf8')) as object);

/**
 * Schema errors, most useful first. The schema tries every class on every graph node (`if type is X then
 * ...`), so a real problem comes with dozens of "Not a <class>" mismatches; those are listed after the rest.
 */
function schemaErrors(doc: unknown): string[] {
  if (validateSchema(doc)) return [];
  const errors = (validateSchema.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)} (${e.schemaPath})`,
  );
  const noise = (e: string) =>
    / must be equal to constant .*"Not a |must match "else" schema|must match a schema in anyOf/.test(e);
  return [...errors.filter((e) => !noise(e)), ...errors.filter(noise)];
}

function expectValid(doc: SpdxJsonLd): void {
  const errors = schemaErrors(doc);
  if (errors.length > 0) console.error(errors.join('\n'));
  expect(errors).toEqual([]);
}

const SHA = (c: string) => c.repeat(64);

const fineTune: InventoryModel = {
  ref: 'model:models/sentiment bert#v2',
  name: 'Sentiment BERT ünïcode #2',
  version: '2.0.0',
  purl: 'pkg:huggingface/acme/sentiment-bert@0123456789abcdef0123456789abcdef01234567',
  hubId: 'acme/sentiment-bert',
  path: 'models/sentiment bert#v2',
  description: 'A BERT fine-tuned for sentiment.',
  formats: ['safetensors'],
  weightFiles: ['file:models/sentiment bert#v2/model.safetensors'],
  hashes: [{ algorithm: 'SHA-256', value: SHA('a') }],
  licenses: [
    { expression: 'Apache-2.0', source: 'README.md (front matter license)' },
    { name: 'acme research licence', source: 'LICENSE' },
  ],
  authors: [
    { name: 'ACME', kind: 'organization', url: 'https://acme.example' },
    { name: 'Ada Lovelace', kind: 'person' },
  ],
  parameters: {
    approach: 'supervised',
    task: 'text-classification',
    architectureFamily: 'bert',
    architecture: 'BertForSequenceClassification',
    parameterCount: '109482240',
    inputs: ['text'],
    outputs: ['text'],
  },
  metrics: [
    {
      type: 'accuracy',
      value: '92.1',
      slice: 'imdb (test)',
      datasetId: 'stanfordnlp/imdb',
      source: 'README.md /model-index/0/results/0/metrics/0',
    },
    { type: 'f1', value: '0.91', source: 'README.md /model-index/0/results/0/metrics/1' },
    { type: 'f1', value: '0.93', source: 'eval_results.json' },
  ],
  considerations: {
    users: [{ text: 'Analysts of product reviews.', source: 'README.md:20' }],
    useCases: [{ text: 'Classify English reviews as positive or negative.', source: 'README.md:22' }],
    outOfScope: [{ text: 'Medical text.', source: 'README.md:30' }],
    technicalLimitations: [{ text: 'Truncates input at 512 tokens.', source: 'README.md:40' }],
    ethicalConsiderations: [{ text: 'May reflect biases of movie reviewers.', source: 'README.md:44' }],
    fairness: [{ text: 'Not evaluated across dialects.', source: 'README.md:46' }],
    environmental: [{ text: 'Trained for 2 GPU hours.', source: 'README.md:50' }],
  },
  trainedOn: ['dataset:stanfordnlp/imdb'],
  testedOn: ['dataset:data/reviews'],
  derivedFrom: ['model:google-bert/bert-base-uncased'],
  cardPath: 'models/sentiment bert#v2/README.md',
  links: [
    { type: 'website', url: 'https://acme.example/sentiment' },
    { type: 'distribution', url: 'https://huggingface.co/acme/sentiment-bert' },
    { type: 'vcs', url: 'https://github.com/acme/sentiment', comment: 'training code' },
    { type: 'model-card', url: 'https://huggingface.co/acme/sentiment-bert/blob/main/README.md' },
    { type: 'other', url: 'not a url' },
  ],
  sources: ['models/sentiment bert#v2/README.md', 'models/sentiment bert#v2/model.safetensors'],
  external: false,
};

const baseModel: InventoryModel = {
  ref: 'model:google-bert/bert-base-uncased',
  name: 'google-bert/bert-base-uncased',
  hubId: 'google-bert/bert-base-uncased',
  path: 'google-bert/bert-base-uncased',
  formats: [],
  weightFiles: [],
  hashes: [],
  licenses: [],
  authors: [],
  parameters: { inputs: [], outputs: [] },
  metrics: [],
  considerations: EMPTY_CONSIDERATIONS,
  trainedOn: [],
  testedOn: [],
  derivedFrom: [],
  links: [],
  sources: ['models/sentiment bert#v2/README.md'],
  external: true,
};

const hubDataset: InventoryDataset = {
  ref: 'dataset:stanfordnlp/imdb',
  name: 'stanfordnlp/imdb',
  hubId: 'stanfordnlp/imdb',
  licenses: [{ name: 'other', source: 'README.md (front matter datasets)' }],
  contentsUrl: 'https://huggingface.co/datasets/stanfordnlp/imdb',
  files: [],
  hashes: [],
  sensitiveData: [],
  owners: [{ name: 'stanfordnlp', kind: 'organization' }],
  custodians: [],
  links: [],
  sources: ['models/sentiment bert#v2/README.md'],
  external: true,
};

const localDataset: InventoryDataset = {
  ref: 'dataset:data/reviews',
  name: 'reviews',
  path: 'data/reviews',
  description: 'Held-out product reviews.',
  licenses: [{ expression: 'CC-BY-4.0', source: 'data/reviews/README.md (front matter license)' }],
  files: ['file:data/reviews/test.parquet'],
  hashes: [{ algorithm: 'MD5', value: 'b'.repeat(32) }],
  sensitiveData: [{ text: 'Reviews may contain names of people.', source: 'data/reviews/README.md:12' }],
  classification: 'internal',
  owners: [{ name: 'Data Team', kind: 'unknown' }],
  custodians: [{ name: 'Platform Team', kind: 'organization' }],
  cardPath: 'data/reviews/README.md',
  links: [],
  sources: ['data/reviews/README.md'],
  external: false,
};

const torch: InventoryLibrary = {
  ref: 'pkg:pypi/torch@2.3.1',
  ecosystem: 'PyPI',
  name: 'torch',
  version: '2.3.1',
  purl: 'pkg:pypi/torch@2.3.1',
  hashes: [
    { algorithm: 'SHA-256', value: SHA('c') },
    { algorithm: 'SHA-512', value: 'd'.repeat(128) },
  ],
  licenses: [{ expression: 'BSD-3-Clause', source: 'poetry.lock' }],
  direct: true,
  optional: false,
  dependsOn: ['pkg:pypi/numpy@1.26.4', 'pkg:pypi/not-in-inventory@1.0'],
  declaredIn: ['poetry.lock:120', 'pyproject.toml:8'],
};

const numpy: InventoryLibrary = {
  ref: 'pkg:pypi/numpy@1.26.4',
  ecosystem: 'PyPI',
  name: 'numpy',
  version: '1.26.4',
  purl: 'pkg:pypi/numpy@1.26.4',
  hashes: [{ algorithm: 'BLAKE2b-256', value: SHA('e') }],
  licenses: [{ expression: 'BSD-3-Clause', source: 'poetry.lock' }],
  direct: false,
  optional: false,
  dependsOn: [],
  declaredIn: ['poetry.lock:80'],
};

const pytest: InventoryLibrary = {
  ref: 'lib:PyPI/pytest',
  ecosystem: 'PyPI',
  name: 'pytest',
  requirement: '>=8,<9',
  hashes: [],
  licenses: [{ expression: 'MIT OR Apache-2.0', source: 'requirements-dev.txt' }],
  direct: true,
  optional: true,
  dependsOn: [],
  declaredIn: ['requirements-dev.txt:1'],
  sourceUrl: 'git+https://github.com/pytest-dev/pytest',
};

const osvIssue: InventoryIssue = {
  id: 'GHSA-pg7h-5qx3-wjr3',
  source: 'OSV',
  severity: 'high',
  title: 'torch.load with weights_only=True leads to remote code execution',
  detail: 'A crafted checkpoint runs code when loaded.',
  recommendation: 'Upgrade to 2.6.0.',
  aliases: ['CVE-2025-32434', 'PYSEC-2025-41'],
  cwes: [502],
  cvss: [
    { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, version: '3.1' },
    { vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, version: '4.0' },
    { vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', version: '2.0' },
  ],
  references: [
    'https://github.com/pytorch/pytorch/security/advisories/GHSA-53q9-r3pm-6pq6',
    'javascript:alert(1)',
  ],
  affects: ['pkg:pypi/torch@2.3.1'],
  published: '2025-04-18T16:15:23.123Z',
  modified: '2025-04-20T10:00:00+02:00',
};

const findingIssue: InventoryIssue = {
  id: 'PICKLE-IMPORT-DANGEROUS',
  source: 'pedigree',
  severity: 'critical',
  title: 'Dangerous import in pickle',
  detail: 'Loading this file calls os.system.',
  aliases: [],
  cwes: [],
  cvss: [],
  references: [],
  affects: ['file:models/legacy.pt'],
  location: 'models/legacy.pt',
};

function fullInventory(): Inventory {
  return {
    root: '/home/someone/projects/demo',
    project: { ref: 'project:demo', name: 'demo', version: '1.0.0', description: 'A demo ML project.' },
    models: [baseModel, fineTune],
    datasets: [localDataset, hubDataset],
    libraries: [numpy, pytest, torch],
    containers: [
      {
        ref: 'container:docker.io/library/python:3.12-slim@sha256:abc',
        name: 'docker.io/library/python',
        tag: '3.12-slim',
        digest: `sha256:${SHA('f')}`,
        purl: `pkg:docker/library/python@sha256%3A${SHA('f')}?tag=3.12-slim`,
        platform: 'linux/amd64',
        declaredIn: ['Dockerfile:1'],
      },
    ],
    files: [
      {
        ref: 'file:Dockerfile',
        path: 'Dockerfile',
        role: 'dockerfile',
        size: 120,
        hashes: [{ algorithm: 'SHA-256', value: SHA('1') }],
      },
      {
        ref: 'file:data/reviews/test.parquet',
        path: 'data/reviews/test.parquet',
        role: 'data',
        size: 4096,
        hashes: [{ algorithm: 'SHA-256', value: SHA('2') }],
        mediaType: 'application/vnd.apache.parquet',
      },
      {
        ref: 'file:models/legacy.pt',
        path: 'models/legacy.pt',
        role: 'weights',
        size: 2048,
        hashes: [{ algorithm: 'SHA-256', value: SHA('3') }],
        format: 'pytorch-zip',
        mediaType: 'application/zip',
      },
      {
        ref: 'file:models/sentiment bert#v2/README.md',
        path: 'models/sentiment bert#v2/README.md',
        role: 'card',
        size: 300,
        hashes: [],
        mediaType: 'text/markdown; charset=utf-8',
      },
      {
        ref: 'file:models/sentiment bert#v2/model.safetensors',
        path: 'models/sentiment bert#v2/model.safetensors',
        role: 'weights',
        size: 400_000_000,
        hashes: [{ algorithm: 'SHA-256', value: SHA('a') }],
        format: 'safetensors',
        mediaType: 'application/octet-stream',
      },
      {
        ref: 'file:poetry.lock',
        path: 'poetry.lock',
        role: 'lockfile',
        size: 9000,
        hashes: [{ algorithm: 'SHA-1', value: '4'.repeat(40) }],
        mediaType: 'not a media type',
      },
      { ref: 'file:名前 %20.txt', path: '名前 %20.txt', role: 'other', size: 1, hashes: [] },
    ],
    relationships: [
      {
        from: 'project:demo',
        kind: 'dependsOn',
        to: [
          'container:docker.io/library/python:3.12-slim@sha256:abc',
          'lib:PyPI/pytest',
          'model:models/sentiment bert#v2',
          'pkg:pypi/torch@2.3.1',
        ],
      },
      {
        from: 'model:models/sentiment bert#v2',
        kind: 'contains',
        to: ['file:models/sentiment bert#v2/README.md', 'file:models/sentiment bert#v2/model.safetensors'],
      },
      {
        from: 'model:models/sentiment bert#v2',
        kind: 'derivedFrom',
        to: ['model:google-bert/bert-base-uncased'],
      },
      { from: 'model:models/sentiment bert#v2', kind: 'trainedOn', to: ['dataset:stanfordnlp/imdb'] },
      { from: 'model:models/sentiment bert#v2', kind: 'testedOn', to: ['dataset:data/reviews'] },
      { from: 'pkg:pypi/torch@2.3.1', kind: 'dependsOn', to: ['pkg:pypi/numpy@1.26.4'] },
      { from: 'dataset:data/reviews', kind: 'contains', to: ['file:data/reviews/test.parquet'] },
    ],
    issues: [findingIssue, osvIssue],
    problems: [{ path: 'models/broken.gguf', message: 'truncated header' }],
    tool: { name: 'pedigree', version: '0.1.0' },
  };
}

function emptyInventory(): Inventory {
  return {
    root: '.',
    project: { ref: 'project:empty', name: 'empty' },
    models: [],
    datasets: [],
    libraries: [],
    containers: [],
    files: [],
    relationships: [],
    issues: [],
    problems: [],
    tool: { name: 'pedigree', version: '0.1.0' },
  };
}

const TIME = '2024-05-01T12:00:00Z';

/** A deep copy to break on purpose. */
function mutable(doc: SpdxJsonLd): { '@graph': Record<string, unknown>[] } {
  return structuredClone(doc) as unknown as { '@graph': Record<string, unknown>[] };
}

function graphOf(doc: SpdxJsonLd): SpdxObject[] {
  return [...doc['@graph']];
}

function byType(doc: SpdxJsonLd, type: string): SpdxObject[] {
  return graphOf(doc).filter((n) => n.type === type);
}

function byName(doc: SpdxJsonLd, name: string): SpdxObject {
  const found = graphOf(doc).filter((n) => n.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function relationships(doc: SpdxJsonLd): SpdxObject[] {
  return graphOf(doc).filter((n) => n.type === 'Relationship' || n.type === 'LifecycleScopedRelationship');
}

function relationshipsFrom(doc: SpdxJsonLd, from: SpdxObject, type: string): SpdxObject[] {
  return relationships(doc).filter((r) => r.from === from.spdxId && r.relationshipType === type);
}

/** Every element id a value refers to: `from`, `to`, `subject`, agent and collection references. */
function referencedIds(node: SpdxObject): string[] {
  const refs: string[] = [];
  for (const key of ['from', 'subject', 'dataLicense', 'suppliedBy']) {
    const v = node[key];
    if (typeof v === 'string') refs.push(v);
  }
  for (const key of ['to', 'element', 'rootElement', 'originatedBy', 'createdBy', 'createdUsing']) {
    const v = node[key];
    if (Array.isArray(v)) refs.push(...(v as string[]));
  }
  return refs;
}

describe('the vendored SPDX 3.0.1 JSON schema', () => {
  it('is the file spdx.org publishes, byte for byte', () => {
    expect(sha256Hex(schemaBytes)).toBe(OFFICIAL_SCHEMA_SHA256);
  });

  it('rejects a document without a required property, so a pass means something', () => {
    const doc = mutable(buildSpdxDocument(fullInventory(), { timestamp: TIME }));
    expect(schemaErrors(doc)).toEqual([]);
    const relationship = doc['@graph'].find((n) => n.type === 'Relationship')!;
    delete relationship.relationshipType;
    expect(schemaErrors(doc).some((e) => e.includes("must have required property 'relationshipType'"))).toBe(
      true,
    );
  });

  it.each<[string, (graph: Record<string, unknown>[]) => void]>([
    [
      'a dataset without datasetType',
      (g) => delete g.find((n) => n.type === 'dataset_DatasetPackage')!.dataset_datasetType,
    ],
    ['a CreationInfo without created', (g) => delete g.find((n) => n.type === 'CreationInfo')!.created],
    [
      'a created time with milliseconds',
      (g) => (g.find((n) => n.type === 'CreationInfo')!.created = '2024-05-01T12:00:00.000Z'),
    ],
    [
      'an element without creationInfo',
      (g) => delete g.find((n) => n.type === 'software_File')!.creationInfo,
    ],
    ['an unknown property', (g) => (g.find((n) => n.type === 'ai_AIPackage')!.ai_modelSize = '7B')],
    [
      'an unknown hash algorithm',
      (g) =>
        ((
          g.find((n) => n.type === 'software_File' && n.verifiedUsing)!.verifiedUsing as {
            algorithm: string;
          }[]
        )[0]!.algorithm = 'SHA-256'),
    ],
    [
      'an element id that is no IRI',
      (g) => (g.find((n) => n.type === 'software_File')!.spdxId = 'SPDXRef-file'),
    ],
    [
      'an unknown relationship type',
      (g) => (g.find((n) => n.type === 'Relationship')!.relationshipType = 'derivedFrom'),
    ],
  ])('rejects %s', (_what, breakIt) => {
    const doc = mutable(buildSpdxDocument(fullInventory(), { timestamp: TIME }));
    breakIt(doc['@graph']);
    expect(schemaErrors(doc).length).toBeGreaterThan(0);
  });
});

describe('buildSpdxDocument', () => {
  describe('with every kind of entry', () => {
    const doc = buildSpdxDocument(fullInventory(), { timestamp: TIME });

    it('is valid against the official SPDX 3.0.1 JSON schema', () => {
      expectValid(doc);
    });

    it('has one CreationInfo, made by pedigree at the given time, shared by every element', () => {
      const [info, ...more] = byType(doc, 'CreationInfo');
      expect(more).toEqual([]);
      expect(info).toMatchObject({ '@id': '_:creationinfo', specVersion: '3.0.1', created: TIME });
      expect(info!.comment).toBeUndefined();
      const agent = graphOf(doc).find((n) => n.spdxId === (info!.createdBy as string[])[0]);
      expect(agent).toMatchObject({ type: 'SoftwareAgent', name: 'pedigree 0.1.0' });
      const tool = graphOf(doc).find((n) => n.spdxId === (info!.createdUsing as string[])[0]);
      expect(tool).toMatchObject({ type: 'Tool', name: 'pedigree 0.1.0' });
      for (const node of graphOf(doc))
        if (node.type !== 'CreationInfo') expect(node.creationInfo).toBe('_:creationinfo');
    });

    it('is one SpdxDocument whose root is the SBOM, whose root is the project', () => {
      expect(doc['@context']).toBe(SPDX_CONTEXT);
      const [spdxDoc, ...moreDocs] = byType(doc, 'SpdxDocument');
      expect(moreDocs).toEqual([]);
      const [sbom] = byType(doc, 'software_Sbom');
      expect(spdxDoc!.rootElement).toEqual([sbom!.spdxId]);
      expect(sbom!.rootElement).toEqual([byName(doc, 'demo').spdxId]);
      expect(sbom!.software_sbomType).toEqual(['analyzed', 'source']);
      expect(spdxDoc!.profileConformance).toEqual([
        'ai',
        'core',
        'dataset',
        'security',
        'simpleLicensing',
        'software',
      ]);
      const dataLicense = graphOf(doc).find((n) => n.spdxId === spdxDoc!.dataLicense);
      expect(dataLicense).toMatchObject({ simplelicensing_licenseExpression: 'CC0-1.0' });
      // Every element is in the document's element list, and nothing else is.
      const ids = graphOf(doc)
        .filter((n) => n.type !== 'CreationInfo' && n.type !== 'SpdxDocument')
        .map((n) => n.spdxId);
      expect([...(spdxDoc!.element as string[])].sort()).toEqual([...ids].sort());
    });

    it('refers only to elements it defines (or to SPDX individuals)', () => {
      const ids = new Set(graphOf(doc).map((n) => (n.spdxId ?? n['@id']) as string));
      for (const node of graphOf(doc))
        for (const ref of referencedIds(node))
          expect(ids.has(ref) || ref === NO_ASSERTION_LICENSE, `${String(node.spdxId)} → ${ref}`).toBe(true);
      // The library's edge to a package the inventory does not list is left out.
      const torch = byName(doc, 'torch');
      const numpy = byName(doc, 'numpy');
      expect(relationshipsFrom(doc, torch, 'dependsOn').map((r) => r.to)).toEqual([[numpy.spdxId]]);
    });

    it('gives every AIPackage and DatasetPackage exactly one declared and one concluded licence', () => {
      const packages = [...byType(doc, 'ai_AIPackage'), ...byType(doc, 'dataset_DatasetPackage')];
      expect(packages).toHaveLength(4);
      for (const p of packages) {
        for (const type of ['hasDeclaredLicense', 'hasConcludedLicense']) {
          const rels = relationshipsFrom(doc, p, type);
          expect(rels, `${String(p.name)} ${type}`).toHaveLength(1);
          expect(rels[0]!.to).toHaveLength(1);
        }
        expect(relationshipsFrom(doc, p, 'hasConcludedLicense')[0]!.to).toEqual([NO_ASSERTION_LICENSE]);
      }
    });

    it('writes a model as an AIPackage with what its card, config and weights say', () => {
      const model = byName(doc, 'Sentiment BERT ünïcode #2');
      expect(model).toMatchObject({
        type: 'ai_AIPackage',
        software_primaryPurpose: 'model',
        software_packageVersion: '2.0.0',
        software_packageUrl: fineTune.purl,
        software_homePage: 'https://acme.example/sentiment',
        software_downloadLocation: 'https://huggingface.co/acme/sentiment-bert',
        description: 'A BERT fine-tuned for sentiment.',
        verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: SHA('a') }],
        ai_typeOfModel: ['BertForSequenceClassification', 'bert', 'supervised'],
        ai_domain: ['Natural Language Processing', 'text-classification'],
        ai_metric: [
          { type: 'DictionaryEntry', key: 'accuracy on imdb (test)', value: '92.1' },
          {
            type: 'DictionaryEntry',
            key: 'f1 [README.md /model-index/0/results/0/metrics/1]',
            value: '0.91',
          },
          { type: 'DictionaryEntry', key: 'f1 [eval_results.json]', value: '0.93' },
        ],
        ai_informationAboutTraining:
          'Training approach: supervised. Trained on: stanfordnlp/imdb. Derived from: google-bert/bert-base-uncased.',
      });
      expect(model.ai_informationAboutApplication).toBe(
        'Intended users: Analysts of product reviews. (README.md:20)\n\n' +
          'Use cases: Classify English reviews as positive or negative. (README.md:22)\n\n' +
          'Out of scope: Medical text. (README.md:30)',
      );
      expect(model.ai_limitation).toContain('Truncates input at 512 tokens. (README.md:40)');
      expect(model.ai_limitation).toContain('Ethical considerations: May reflect biases of movie reviewers.');
      expect(model.ai_limitation).toContain('Fairness: Not evaluated across dialects.');
      expect(model.comment).toContain('Parameters: 109482240');
      expect(model.comment).toContain('Environmental impact: Trained for 2 GPU hours.');
      // Not in the inventory, so not in the document.
      for (const key of [
        'ai_autonomyType',
        'ai_safetyRiskAssessment',
        'ai_useSensitivePersonalInformation',
        'releaseTime',
      ])
        expect(model[key]).toBeUndefined();
      // The remaining links are external references; the one that is no URL is dropped.
      expect(model.externalRef).toEqual([
        {
          type: 'ExternalRef',
          externalRefType: 'documentation',
          locator: ['https://huggingface.co/acme/sentiment-bert/blob/main/README.md'],
        },
        {
          type: 'ExternalRef',
          externalRefType: 'vcs',
          locator: ['https://github.com/acme/sentiment'],
          comment: 'training code',
        },
      ]);
      expect(model.externalIdentifier).toEqual([
        {
          type: 'ExternalIdentifier',
          externalIdentifierType: 'other',
          identifier: 'acme/sentiment-bert',
          issuingAuthority: 'https://huggingface.co',
          identifierLocator: ['https://huggingface.co/acme/sentiment-bert'],
        },
      ]);
    });

    it('names the authors as originators and the Hub account as supplier, as the right kinds of agent', () => {
      const model = byName(doc, 'Sentiment BERT ünïcode #2');
      const agents = (model.originatedBy as string[]).map((id) => graphOf(doc).find((n) => n.spdxId === id)!);
      expect(agents.map((a) => [a.type, a.name]).sort()).toEqual([
        ['Organization', 'ACME'],
        ['Person', 'Ada Lovelace'],
      ]);
      expect(agents.find((a) => a.name === 'ACME')!.externalRef).toEqual([
        { type: 'ExternalRef', externalRefType: 'other', locator: ['https://acme.example'] },
      ]);
      // The Hub account `acme` is the author ACME: one agent, not two.
      expect(model.suppliedBy).toBe(agents.find((a) => a.name === 'ACME')!.spdxId);
      const imdb = byName(doc, 'stanfordnlp/imdb');
      expect(imdb.suppliedBy).toBe((imdb.originatedBy as string[])[0]);
    });

    it("joins a model's licences into one declared expression, a non-SPDX name as a LicenseRef", () => {
      const model = byName(doc, 'Sentiment BERT ünïcode #2');
      const [declared] = relationshipsFrom(doc, model, 'hasDeclaredLicense');
      const license = graphOf(doc).find((n) => n.spdxId === (declared!.to as string[])[0]);
      expect(license).toMatchObject({
        type: 'simplelicensing_LicenseExpression',
        simplelicensing_licenseExpression: 'Apache-2.0 AND LicenseRef-acme-research-licence',
      });
    });

    it('writes NOASSERTION as the declared licence of a model whose licence is unknown', () => {
      const base = byName(doc, 'google-bert/bert-base-uncased');
      expect(relationshipsFrom(doc, base, 'hasDeclaredLicense')[0]!.to).toEqual([NO_ASSERTION_LICENSE]);
      expect(base.comment).toContain('not present in the project');
    });

    it('writes datasets as DatasetPackages, the unknown data type as noAssertion', () => {
      const imdb = byName(doc, 'stanfordnlp/imdb');
      expect(imdb).toMatchObject({
        type: 'dataset_DatasetPackage',
        software_primaryPurpose: 'data',
        dataset_datasetType: ['noAssertion'],
        software_downloadLocation: 'https://huggingface.co/datasets/stanfordnlp/imdb',
      });
      expect(imdb.dataset_datasetSize).toBeUndefined();
      const reviews = byName(doc, 'reviews');
      expect(reviews).toMatchObject({
        dataset_datasetType: ['noAssertion'],
        dataset_datasetSize: 4096,
        verifiedUsing: [
          {
            type: 'Hash',
            algorithm: 'md5',
            hashValue: 'b'.repeat(32),
            comment: "A digest over the dataset's files, not of one file.",
          },
        ],
      });
      // The card's prose on personal data is kept, not read as a yes or a no; `internal` is no TLP level.
      expect(reviews.dataset_hasSensitivePersonalInformation).toBeUndefined();
      expect(reviews.dataset_confidentialityLevel).toBeUndefined();
      expect(reviews.comment).toContain(
        'Personal or sensitive information: Reviews may contain names of people.',
      );
      expect(reviews.comment).toContain('Classification: internal.');
      expect(reviews.comment).toContain('Custodians: Platform Team.');
      const [owner] = reviews.originatedBy as string[];
      expect(graphOf(doc).find((n) => n.spdxId === owner)).toMatchObject({
        type: 'Agent',
        name: 'Data Team',
      });
      const declared = graphOf(doc).find(
        (n) => n.spdxId === (relationshipsFrom(doc, imdb, 'hasDeclaredLicense')[0]!.to as string[])[0],
      );
      expect(declared).toMatchObject({ simplelicensing_licenseExpression: 'LicenseRef-other' });
    });

    it('writes libraries with their purl, version, hashes and declared licence, and no concluded one', () => {
      const torch = byName(doc, 'torch');
      expect(torch).toMatchObject({
        type: 'software_Package',
        software_primaryPurpose: 'library',
        software_packageVersion: '2.3.1',
        software_packageUrl: 'pkg:pypi/torch@2.3.1',
        verifiedUsing: [
          { type: 'Hash', algorithm: 'sha256', hashValue: SHA('c') },
          { type: 'Hash', algorithm: 'sha512', hashValue: 'd'.repeat(128) },
        ],
      });
      expect(torch.comment).toBe('Declared in: poetry.lock:120, pyproject.toml:8.');
      expect(relationshipsFrom(doc, torch, 'hasConcludedLicense')).toEqual([]);
      const numpy = byName(doc, 'numpy');
      expect(numpy.verifiedUsing).toEqual([{ type: 'Hash', algorithm: 'blake2b256', hashValue: SHA('e') }]);
      // Two libraries with one licence share one LicenseExpression element.
      const torchLicense = relationshipsFrom(doc, torch, 'hasDeclaredLicense')[0]!.to;
      expect(relationshipsFrom(doc, numpy, 'hasDeclaredLicense')[0]!.to).toEqual(torchLicense);
      const pytest = byName(doc, 'pytest');
      expect(pytest.software_packageVersion).toBeUndefined();
      expect(pytest.software_downloadLocation).toBe('git+https://github.com/pytest-dev/pytest');
      expect(pytest.comment).toBe('Required as >=8,<9 (not locked). Declared in: requirements-dev.txt:1.');
      const license = graphOf(doc).find(
        (n) => n.spdxId === (relationshipsFrom(doc, pytest, 'hasDeclaredLicense')[0]!.to as string[])[0],
      );
      expect(license).toMatchObject({ simplelicensing_licenseExpression: 'MIT OR Apache-2.0' });
    });

    it('writes the container with purpose container, its tag and its digest', () => {
      const container = byName(doc, 'docker.io/library/python');
      expect(container).toMatchObject({
        type: 'software_Package',
        software_primaryPurpose: 'container',
        software_packageVersion: '3.12-slim',
        verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: SHA('f') }],
        comment: 'Platform: linux/amd64. Declared in: Dockerfile:1.',
      });
    });

    it('writes files with their purpose, hash and media type', () => {
      expect(byName(doc, 'models/sentiment bert#v2/model.safetensors')).toMatchObject({
        type: 'software_File',
        software_fileKind: 'file',
        software_primaryPurpose: 'model',
        contentType: 'application/octet-stream',
        verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: SHA('a') }],
        comment: 'Serialisation format: safetensors.',
      });
      expect(byName(doc, 'models/sentiment bert#v2/README.md')).toMatchObject({
        software_primaryPurpose: 'documentation',
        contentType: 'text/markdown; charset=utf-8',
      });
      expect(byName(doc, 'Dockerfile').software_primaryPurpose).toBe('source');
      expect(byName(doc, 'poetry.lock')).toMatchObject({
        software_primaryPurpose: 'manifest',
        verifiedUsing: [{ type: 'Hash', algorithm: 'sha1', hashValue: '4'.repeat(40) }],
      });
      expect(byName(doc, 'poetry.lock').contentType).toBeUndefined();
      expect(byName(doc, '名前 %20.txt').software_primaryPurpose).toBe('other');
    });

    it('maps each inventory relationship to its SPDX type, derivedFrom as descendantOf', () => {
      const project = byName(doc, 'demo');
      const model = byName(doc, 'Sentiment BERT ünïcode #2');
      const id = (name: string) => byName(doc, name).spdxId;
      const [runtime, ...moreRuntime] = relationshipsFrom(doc, project, 'dependsOn').filter(
        (r) => r.type === 'Relationship',
      );
      expect(moreRuntime).toEqual([]);
      expect(runtime!.to).toEqual(
        [id('docker.io/library/python'), id('Sentiment BERT ünïcode #2'), id('torch')].sort(),
      );
      // pytest is only a development dependency.
      const [dev, ...moreDev] = relationshipsFrom(doc, project, 'dependsOn').filter(
        (r) => r.type === 'LifecycleScopedRelationship',
      );
      expect(moreDev).toEqual([]);
      expect(dev).toMatchObject({ scope: 'development', to: [id('pytest')] });
      expect(relationshipsFrom(doc, model, 'descendantOf')[0]!.to).toEqual([
        id('google-bert/bert-base-uncased'),
      ]);
      expect(relationshipsFrom(doc, model, 'trainedOn')[0]!.to).toEqual([id('stanfordnlp/imdb')]);
      expect(relationshipsFrom(doc, model, 'testedOn')[0]!.to).toEqual([id('reviews')]);
      expect(relationshipsFrom(doc, model, 'contains')[0]!.to).toEqual(
        [id('models/sentiment bert#v2/README.md'), id('models/sentiment bert#v2/model.safetensors')].sort(),
      );
      expect(relationshipsFrom(doc, byName(doc, 'reviews'), 'contains')[0]!.to).toEqual([
        id('data/reviews/test.parquet'),
      ]);
      // One relationship per source and type: the inventory's list and the entries' own fields merge.
      const keys = relationships(doc).map(
        (r) => `${String(r.from)} ${String(r.relationshipType)} ${String(r.scope)}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('writes the OSV advisory as a Vulnerability with its ids, CVSS assessments and affected package', () => {
      const [vuln, ...more] = byType(doc, 'security_Vulnerability');
      expect(more).toEqual([]);
      expect(vuln).toMatchObject({
        name: 'GHSA-pg7h-5qx3-wjr3',
        summary: osvIssue.title,
        description: osvIssue.detail,
        security_publishedTime: '2025-04-18T16:15:23Z',
        security_modifiedTime: '2025-04-20T08:00:00Z',
      });
      expect(
        (vuln!.externalIdentifier as SpdxObject[]).map((e) => [e.externalIdentifierType, e.identifier]),
      ).toEqual([
        ['cve', 'CVE-2025-32434'],
        ['securityOther', 'GHSA-pg7h-5qx3-wjr3'],
        ['securityOther', 'PYSEC-2025-41'],
      ]);
      expect((vuln!.externalRef as SpdxObject[]).map((e) => [e.externalRefType, e.locator])).toEqual([
        ['securityOther', ['https://github.com/pytorch/pytorch/security/advisories/GHSA-53q9-r3pm-6pq6']],
        ['cwe', ['https://cwe.mitre.org/data/definitions/502.html']],
      ]);
      const torch = byName(doc, 'torch');
      expect(relationshipsFrom(doc, torch, 'hasAssociatedVulnerability')[0]!.to).toEqual([vuln!.spdxId]);
      const [v3] = byType(doc, 'security_CvssV3VulnAssessmentRelationship');
      expect(v3).toMatchObject({
        relationshipType: 'hasAssessmentFor',
        from: vuln!.spdxId,
        to: [torch.spdxId],
        security_score: '9.8',
        security_severity: 'critical',
        security_vectorString: osvIssue.cvss[0]!.vector,
      });
      expect(byType(doc, 'security_CvssV4VulnAssessmentRelationship')[0]).toMatchObject({
        security_severity: 'critical',
      });
      // A vector without a score has no assessment: SPDX requires the score.
      expect(byType(doc, 'security_CvssV2VulnAssessmentRelationship')).toEqual([]);
    });

    it('writes a pedigree finding as a review Annotation and a problem as an Annotation on the SBOM', () => {
      const annotations = byType(doc, 'Annotation');
      const review = annotations.find((a) => a.annotationType === 'review')!;
      expect(review.subject).toBe(byName(doc, 'models/legacy.pt').spdxId);
      expect(review.statement).toContain('PICKLE-IMPORT-DANGEROUS (critical): Dangerous import in pickle');
      const problem = annotations.find((a) => a.annotationType === 'other')!;
      expect(problem.subject).toBe(byType(doc, 'software_Sbom')[0]!.spdxId);
      expect(problem.statement).toBe('pedigree could not read models/broken.gguf: truncated header');
    });

    it('makes element ids valid IRIs from refs with spaces, #, % and other scripts', () => {
      const namespace = defaultNamespace(fullInventory());
      for (const node of graphOf(doc)) {
        if (node.type === 'CreationInfo') continue;
        const id = node.spdxId as string;
        expect(id.startsWith(`${namespace}#SPDXRef-`), id).toBe(true);
        expect(id.slice(namespace.length + 1), id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
        expect(new URL(id).href).toBe(id);
      }
      expect(byName(doc, 'models/sentiment bert#v2/README.md').spdxId).toMatch(
        /#SPDXRef-file-models-sentiment-bert-v2-README.md-[0-9a-f]{12}$/,
      );
      expect(byName(doc, '名前 %20.txt').spdxId).toMatch(/#SPDXRef-file-20.txt-[0-9a-f]{12}$/);
    });
  });

  describe('with only a project', () => {
    const doc = buildSpdxDocument(emptyInventory());

    it('is valid', () => {
      expectValid(doc);
    });

    it('writes the placeholder creation time and says that it is one', () => {
      const [info] = byType(doc, 'CreationInfo');
      expect(info!.created).toBe(PLACEHOLDER_CREATED);
      expect(info!.comment).toMatch(/placeholder/);
    });

    it('has no security profile and no vulnerability', () => {
      expect(byType(doc, 'SpdxDocument')[0]!.profileConformance).toEqual([
        'ai',
        'core',
        'dataset',
        'simpleLicensing',
        'software',
      ]);
      expect(byType(doc, 'security_Vulnerability')).toEqual([]);
      expect(byName(doc, 'empty')).toMatchObject({ type: 'software_Package' });
      expect(byName(doc, 'empty').software_primaryPurpose).toBeUndefined();
    });
  });

  describe('with an advisory or finding listed twice', () => {
    const inventory = fullInventory();
    const doc = buildSpdxDocument(
      {
        ...inventory,
        issues: [...inventory.issues, { ...osvIssue, affects: ['pkg:pypi/numpy@1.26.4'] }, findingIssue],
        problems: [...inventory.problems, ...inventory.problems],
      },
      { timestamp: TIME },
    );

    it('writes each once, associated with everything it affects', () => {
      expectValid(doc);
      const [vuln, ...more] = byType(doc, 'security_Vulnerability');
      expect(more).toEqual([]);
      for (const name of ['torch', 'numpy'])
        expect(relationshipsFrom(doc, byName(doc, name), 'hasAssociatedVulnerability')[0]!.to).toEqual([
          vuln!.spdxId,
        ]);
      const [v3, ...moreV3] = byType(doc, 'security_CvssV3VulnAssessmentRelationship');
      expect(moreV3).toEqual([]);
      expect(v3!.to).toEqual([byName(doc, 'numpy').spdxId, byName(doc, 'torch').spdxId].sort());
      expect(byType(doc, 'Annotation')).toHaveLength(2);
    });
  });

  describe('determinism', () => {
    it('gives byte-identical output for the same inventory', () => {
      expect(serializeSpdx(fullInventory(), { timestamp: TIME })).toBe(
        serializeSpdx(fullInventory(), { timestamp: TIME }),
      );
    });

    it('gives the same bytes when the inventory lists come in another order', () => {
      const inventory = fullInventory();
      const reversed: Inventory = {
        ...inventory,
        models: [...inventory.models].reverse(),
        datasets: [...inventory.datasets].reverse(),
        libraries: [...inventory.libraries].reverse().map((l) => ({ ...l, hashes: [...l.hashes].reverse() })),
        files: [...inventory.files].reverse(),
        relationships: [...inventory.relationships].reverse().map((r) => ({ ...r, to: [...r.to].reverse() })),
        issues: [...inventory.issues].reverse(),
      };
      expect(serializeSpdx(reversed, { timestamp: TIME })).toBe(
        serializeSpdx(inventory, { timestamp: TIME }),
      );
    });

    it('derives the default namespace from the content, not from the path, the time or the order', () => {
      const a = fullInventory();
      expect(defaultNamespace({ ...a, root: 'elsewhere' })).toBe(defaultNamespace(a));
      expect(defaultNamespace({ ...a, files: [...a.files].reverse() })).toBe(defaultNamespace(a));
      expect(defaultNamespace({ ...a, project: { ...a.project, version: '1.0.1' } })).not.toBe(
        defaultNamespace(a),
      );
      expect(defaultNamespace({ ...a, files: a.files.slice(1) })).not.toBe(defaultNamespace(a));
      const at = (timestamp: string) =>
        byType(buildSpdxDocument(a, { timestamp }), 'SpdxDocument')[0]!.spdxId;
      expect(at('2024-01-01T00:00:00Z')).toBe(at('2025-01-01T00:00:00Z'));
      expect(at('2024-01-01T00:00:00Z')).toBe(`${defaultNamespace(a)}#SPDXRef-DOCUMENT`);
      expect(defaultNamespace(a)).toMatch(
        new RegExp(`^${DEFAULT_NAMESPACE_BASE.replace(/\./g, '\\.')}demo-[0-9a-f]{32}$`),
      );
    });

    it('writes sorted keys, CreationInfo and SpdxDocument first, then elements by id, and a final newline', () => {
      const text = serializeSpdx(fullInventory(), { timestamp: TIME });
      expect(text.endsWith('}\n')).toBe(true);
      const doc = JSON.parse(text) as SpdxJsonLd;
      const graph = graphOf(doc);
      expect(graph[0]!.type).toBe('CreationInfo');
      expect(graph[1]!.type).toBe('SpdxDocument');
      const ids = graph.slice(2).map((n) => n.spdxId as string);
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      for (const node of graph) expect(Object.keys(node)).toEqual([...Object.keys(node)].sort());
    });
  });

  describe('options', () => {
    it('makes ids under a given namespace', () => {
      const doc = buildSpdxDocument(emptyInventory(), { namespace: 'urn:example:spdx:empty' });
      expectValid(doc);
      for (const node of graphOf(doc))
        if (node.spdxId !== undefined)
          expect(node.spdxId as string).toMatch(/^urn:example:spdx:empty#SPDXRef-/);
    });

    it.each(['', 'not an iri', 'https://example.com/spdx#frag', 'relative/path', 'https://example.com/a b'])(
      'refuses the namespace %j',
      (namespace) => {
        expect(() => buildSpdxDocument(emptyInventory(), { namespace })).toThrow(UsageError);
      },
    );

    it('writes a given time in UTC to the second', () => {
      const doc = buildSpdxDocument(emptyInventory(), { timestamp: '2024-05-01T14:00:00.750+02:00' });
      expect(byType(doc, 'CreationInfo')[0]!.created).toBe('2024-05-01T12:00:00Z');
    });

    it.each([
      'yesterday',
      '2024-05-01 12:00',
      '2024-05-01T12:00:00',
      '2024-13-01T00:00:00Z',
      '+010000-01-01T00:00:00Z',
    ])('refuses the time %j (no zone, or no time at all)', (timestamp) => {
      expect(() => buildSpdxDocument(emptyInventory(), { timestamp })).toThrow(UsageError);
    });
  });
});

describe('toSpdxDateTime', () => {
  it('reads ISO 8601 times with a zone and bare dates as UTC, nothing else', () => {
    expect(toSpdxDateTime('2024-02-29')).toBe('2024-02-29T00:00:00Z');
    expect(toSpdxDateTime('2024-02-29T23:59Z')).toBe('2024-02-29T23:59:00Z');
    expect(toSpdxDateTime('2024-02-29T23:59:59-01:00')).toBe('2024-03-01T00:59:59Z');
    expect(toSpdxDateTime('Feb 29 2024')).toBeUndefined();
    expect(toSpdxDateTime('2024-02-29T23:59:59')).toBeUndefined();
  });
});
