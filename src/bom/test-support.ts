import { EMPTY_CONSIDERATIONS, type Inventory, type InventoryModel } from './inventory.js';

/**
 * An inventory holding one of everything the BOM writers must express: a local model with a full card,
 * an external base model, a local and an external dataset, locked libraries with hashes and licences,
 * a container, files, every relationship kind and one advisory. Built in code so writer tests do not
 * depend on collection.
 */

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const HASH_C = 'c'.repeat(64);

const baseModel: InventoryModel = {
  ref: 'model:hf/google-bert/bert-base-uncased',
  name: 'google-bert/bert-base-uncased',
  hubId: 'google-bert/bert-base-uncased',
  purl: 'pkg:huggingface/google-bert/bert-base-uncased',
  path: '',
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
  links: [{ type: 'distribution', url: 'https://huggingface.co/google-bert/bert-base-uncased' }],
  sources: ['models/sentiment/README.md'],
  external: true,
};

export function sampleInventory(): Inventory {
  return {
    root: 'project',
    tool: { name: 'pedigree', version: '0.1.0' },
    project: { ref: 'project:demo', name: 'demo', version: '1.0.0' },
    models: [
      baseModel,
      {
        ref: 'model:models/sentiment',
        name: 'sentiment-bert',
        path: 'models/sentiment',
        description: 'A BERT model fine-tuned for sentiment — “quotes” & unicode ✓.',
        formats: ['safetensors'],
        weightFiles: ['file:models/sentiment/model.safetensors'],
        hashes: [{ algorithm: 'SHA-256', value: HASH_A }],
        licenses: [{ expression: 'Apache-2.0', source: 'models/sentiment/README.md (front matter license)' }],
        authors: [{ name: 'Example Org', kind: 'organization', url: 'https://example.org' }],
        parameters: {
          approach: 'supervised',
          task: 'text-classification',
          architectureFamily: 'bert',
          architecture: 'BertForSequenceClassification',
          parameterCount: '109483778',
          inputs: ['text'],
          outputs: ['text'],
        },
        metrics: [
          {
            type: 'accuracy',
            value: '0.921',
            slice: 'text-classification / imdb (plain_text, test)',
            datasetId: 'stanfordnlp/imdb',
            verified: false,
            source: 'models/sentiment/README.md /model-index/0/results/0/metrics/0',
          },
        ],
        considerations: {
          users: [{ text: 'Researchers studying sentiment.', source: 'models/sentiment/README.md:20' }],
          useCases: [{ text: 'Classify English movie reviews.', source: 'models/sentiment/README.md:22' }],
          outOfScope: [{ text: 'Medical or legal decisions.', source: 'models/sentiment/README.md:26' }],
          technicalLimitations: [
            { text: 'English only; reviews under 512 tokens.', source: 'models/sentiment/README.md:30' },
          ],
          ethicalConsiderations: [
            { text: 'Reflects biases of IMDb reviewers.', source: 'models/sentiment/README.md:34' },
          ],
          fairness: [
            { text: 'Accuracy drops on reviews written in AAVE.', source: 'models/sentiment/README.md:38' },
          ],
          environmental: [
            {
              text: 'Trained for 2 hours on one A100 (0.3 kg CO2eq).',
              source: 'models/sentiment/README.md:42',
            },
          ],
        },
        trainedOn: ['dataset:hf/stanfordnlp/imdb'],
        testedOn: ['dataset:data/reviews'],
        derivedFrom: [baseModel.ref],
        cardPath: 'models/sentiment/README.md',
        links: [{ type: 'website', url: 'https://example.org/sentiment' }],
        sources: [
          'models/sentiment/README.md',
          'models/sentiment/config.json',
          'models/sentiment/model.safetensors',
        ],
        external: false,
      },
    ],
    datasets: [
      {
        ref: 'dataset:data/reviews',
        name: 'reviews',
        path: 'data/reviews',
        description: 'Held-out reviews.',
        licenses: [{ expression: 'CC-BY-4.0', source: 'data/reviews/README.md (front matter license)' }],
        contentsUrl: 'https://example.org/reviews',
        files: ['file:data/reviews/test.csv'],
        hashes: [],
        sensitiveData: [{ text: 'Reviewer user names were removed.', source: 'data/reviews/README.md:12' }],
        owners: [{ name: 'Example Org', kind: 'organization' }],
        custodians: [{ name: 'Jane Doe', kind: 'person' }],
        cardPath: 'data/reviews/README.md',
        links: [],
        sources: ['data/reviews/README.md'],
        external: false,
      },
      {
        ref: 'dataset:hf/stanfordnlp/imdb',
        name: 'stanfordnlp/imdb',
        hubId: 'stanfordnlp/imdb',
        licenses: [],
        contentsUrl: 'https://huggingface.co/datasets/stanfordnlp/imdb',
        files: [],
        hashes: [],
        sensitiveData: [],
        owners: [],
        custodians: [],
        links: [{ type: 'distribution', url: 'https://huggingface.co/datasets/stanfordnlp/imdb' }],
        sources: ['models/sentiment/README.md'],
        external: true,
      },
    ],
    libraries: [
      {
        ref: 'pkg:pypi/numpy@1.26.4',
        ecosystem: 'PyPI',
        name: 'numpy',
        version: '1.26.4',
        purl: 'pkg:pypi/numpy@1.26.4',
        hashes: [{ algorithm: 'SHA-256', value: HASH_B }],
        licenses: [{ expression: 'BSD-3-Clause', source: 'poetry.lock' }],
        direct: false,
        optional: false,
        dependsOn: [],
        declaredIn: ['poetry.lock:10'],
      },
      {
        ref: 'pkg:pypi/torch@2.3.1',
        ecosystem: 'PyPI',
        name: 'torch',
        version: '2.3.1',
        purl: 'pkg:pypi/torch@2.3.1',
        hashes: [{ algorithm: 'SHA-256', value: HASH_C }],
        licenses: [{ expression: 'BSD-3-Clause OR MIT', source: 'poetry.lock' }],
        direct: true,
        optional: false,
        dependsOn: ['pkg:pypi/numpy@1.26.4'],
        declaredIn: ['poetry.lock:20'],
      },
      {
        ref: 'lib:PyPI/pytest',
        ecosystem: 'PyPI',
        name: 'pytest',
        requirement: '>=8',
        hashes: [],
        licenses: [],
        optional: true,
        dependsOn: [],
        declaredIn: ['requirements-dev.txt:1'],
      },
    ],
    containers: [
      {
        ref: 'container:docker.io/library/python:3.11-slim',
        name: 'docker.io/library/python',
        tag: '3.11-slim',
        purl: 'pkg:docker/library/python@3.11-slim',
        declaredIn: ['Dockerfile:1'],
      },
    ],
    files: [
      {
        ref: 'file:Dockerfile',
        path: 'Dockerfile',
        role: 'dockerfile',
        size: 120,
        hashes: [{ algorithm: 'SHA-256', value: HASH_B }],
      },
      {
        ref: 'file:data/reviews/test.csv',
        path: 'data/reviews/test.csv',
        role: 'data',
        size: 2048,
        hashes: [{ algorithm: 'SHA-256', value: HASH_C }],
        mediaType: 'text/csv',
      },
      {
        ref: 'file:models/sentiment/README.md',
        path: 'models/sentiment/README.md',
        role: 'card',
        size: 4000,
        hashes: [{ algorithm: 'SHA-256', value: HASH_B }],
        mediaType: 'text/markdown',
      },
      {
        ref: 'file:models/sentiment/config.json',
        path: 'models/sentiment/config.json',
        role: 'model-config',
        size: 700,
        hashes: [{ algorithm: 'SHA-256', value: HASH_C }],
        mediaType: 'application/json',
      },
      {
        ref: 'file:models/sentiment/model.safetensors',
        path: 'models/sentiment/model.safetensors',
        role: 'weights',
        size: 438000000,
        hashes: [{ algorithm: 'SHA-256', value: HASH_A }],
        format: 'safetensors',
      },
      { ref: 'file:poetry.lock', path: 'poetry.lock', role: 'lockfile', size: 9000, hashes: [] },
    ],
    relationships: [
      { from: 'dataset:data/reviews', kind: 'contains', to: ['file:data/reviews/test.csv'] },
      {
        from: 'model:models/sentiment',
        kind: 'contains',
        to: [
          'file:models/sentiment/README.md',
          'file:models/sentiment/config.json',
          'file:models/sentiment/model.safetensors',
        ],
      },
      { from: 'model:models/sentiment', kind: 'derivedFrom', to: [baseModel.ref] },
      { from: 'model:models/sentiment', kind: 'testedOn', to: ['dataset:data/reviews'] },
      { from: 'model:models/sentiment', kind: 'trainedOn', to: ['dataset:hf/stanfordnlp/imdb'] },
      { from: 'pkg:pypi/torch@2.3.1', kind: 'dependsOn', to: ['pkg:pypi/numpy@1.26.4'] },
      {
        from: 'project:demo',
        kind: 'dependsOn',
        to: [
          'container:docker.io/library/python:3.11-slim',
          'lib:PyPI/pytest',
          'model:models/sentiment',
          'pkg:pypi/torch@2.3.1',
        ],
      },
    ],
    issues: [
      {
        id: 'GHSA-pg7h-5qx3-wjr3',
        source: 'OSV',
        severity: 'high',
        title: 'torch.load with weights_only=True leads to remote code execution',
        detail: 'PyTorch before 2.6.0 ...',
        recommendation: 'Upgrade torch to 2.6.0',
        aliases: ['CVE-2025-32434'],
        cwes: [502],
        cvss: [{ vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', version: '4.0' }],
        references: ['https://github.com/pytorch/pytorch/security/advisories/GHSA-53q9-r3pm-6pq6'],
        affects: ['pkg:pypi/torch@2.3.1'],
        published: '2025-04-18T15:31:00Z',
      },
      {
        id: 'PICKLE-IMPORT-DANGEROUS',
        source: 'pedigree',
        severity: 'critical',
        title: 'Pickle imports a dangerous global',
        detail: 'models/sentiment/model.safetensors ...',
        aliases: [],
        cwes: [502],
        cvss: [],
        references: [],
        affects: ['model:models/sentiment'],
        location: 'models/sentiment/model.safetensors',
      },
    ],
    problems: [],
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ValidateFunction } from 'ajv';

// ajv ships CommonJS whose default export NodeNext types do not see as constructible; require gives the class.
const require = createRequire(import.meta.url);
const Ajv = require('ajv') as typeof import('ajv').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
/** `iri-reference` and `idn-email`, which CycloneDX 1.5+ uses; the package ships no types. */
const addFormats2019 = require('ajv-formats-draft2019') as (ajv: unknown) => unknown;

/** The official CycloneDX schemas shipped by the workplace (absent in CI), else the library's copies. */
export const SHARED_CYCLONEDX_SCHEMAS = join(import.meta.dirname, '../../../shared/data/cyclonedx/schema');

function librarySchemaDir(): string {
  return join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
}

const validators = new Map<string, ValidateFunction>();

/**
 * A validator for a CycloneDX JSON version, from the official schema files (`shared`) or the copies
 * @cyclonedx/cyclonedx-library ships (`library`, the same files renamed `*.SNAPSHOT.*`): draft-07 with the
 * `iri-reference`/`idn-email` formats (ajv-formats-draft2019), the SPDX licence ids and JSF sub-schemas.
 */
export function cycloneDxValidator(version: '1.6' | '1.7', source: 'shared' | 'library'): ValidateFunction {
  const key = `${version}:${source}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const dir = source === 'shared' ? SHARED_CYCLONEDX_SCHEMAS : librarySchemaDir();
  const suffix = source === 'shared' ? '' : '.SNAPSHOT';
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  addFormats2019(ajv);
  for (const name of ['spdx', 'jsf-0.82', 'cryptography-defs']) {
    const file = join(dir, `${name}${suffix}.schema.json`);
    if (!existsSync(file)) continue;
    // Referenced relative to the BOM schema's $id; the library's renamed copies keep the original $id.
    const { $id: _id, ...sub } = JSON.parse(readFileSync(file, 'utf8'));
    ajv.addSchema(sub, `http://cyclonedx.org/schema/${name}${suffix}.schema.json`);
  }
  const schema = JSON.parse(readFileSync(join(dir, `bom-${version}${suffix}.schema.json`), 'utf8'));
  const validate = ajv.compile(schema);
  validators.set(key, validate);
  return validate;
}
