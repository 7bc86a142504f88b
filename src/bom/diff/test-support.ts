/**
 * Builders of small BOMs for the tests of `pedigree bom diff` (STYLE.md §18: fixtures built in code). Not
 * exported from the package.
 */

export type Json = Record<string, unknown>;

export const SHA = {
  a: 'a'.repeat(64),
  b: 'b'.repeat(64),
  c: 'c'.repeat(64),
  d: 'd'.repeat(64),
  e: 'e'.repeat(64),
  f: 'f'.repeat(64),
  g: `${'0'.repeat(63)}1`,
  h: `${'0'.repeat(63)}2`,
} as const;

/** A CycloneDX JSON document around the given components. */
export function cdx(components: readonly Json[], extra: Json = {}): Json {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:00000000-0000-4000-8000-000000000000',
    version: 1,
    components,
    ...extra,
  };
}

/** A CycloneDX component; `sha256` becomes a `hashes` entry, `license` a `license.id`. */
export function cdxComponent(
  type: string,
  name: string,
  options: {
    version?: string;
    group?: string;
    purl?: string;
    ref?: string;
    sha256?: string;
    hashes?: readonly { alg: string; content: string }[];
    license?: string;
    licenses?: readonly Json[];
    components?: readonly Json[];
    modelCard?: boolean;
    role?: string;
  } = {},
): Json {
  const hashes =
    options.hashes ??
    (options.sha256 !== undefined ? [{ alg: 'SHA-256', content: options.sha256 }] : undefined);
  const licenses =
    options.licenses ?? (options.license !== undefined ? [{ license: { id: options.license } }] : undefined);
  return {
    type,
    ...(options.ref !== undefined ? { 'bom-ref': options.ref } : {}),
    ...(options.group !== undefined ? { group: options.group } : {}),
    name,
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(hashes !== undefined ? { hashes } : {}),
    ...(licenses !== undefined ? { licenses } : {}),
    ...(options.purl !== undefined ? { purl: options.purl } : {}),
    ...(options.modelCard ? { modelCard: { modelParameters: { task: 'fill-mask' } } } : {}),
    ...(options.role !== undefined
      ? { properties: [{ name: 'pedigree:file:role', value: options.role }] }
      : {}),
    ...(options.components !== undefined ? { components: options.components } : {}),
  };
}

/** An SPDX 3.0.1 JSON-LD document around the given elements (CreationInfo and SpdxDocument added). */
export function spdx3(elements: readonly Json[]): Json {
  return {
    '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
    '@graph': [
      {
        type: 'CreationInfo',
        '@id': '_:creationinfo',
        specVersion: '3.0.1',
        created: '2025-01-01T00:00:00Z',
      },
      {
        type: 'SpdxDocument',
        spdxId: 'urn:doc',
        creationInfo: '_:creationinfo',
        rootElement: ['urn:project'],
      },
      ...elements,
    ],
  };
}

/** An SPDX 3 package-like element (`software_Package`, `ai_AIPackage`, `dataset_DatasetPackage`, `software_File`). */
export function spdxElement(
  type: string,
  id: string,
  name: string,
  options: { version?: string; purl?: string; sha256?: string; purpose?: string } = {},
): Json {
  return {
    type,
    spdxId: id,
    creationInfo: '_:creationinfo',
    name,
    ...(options.version !== undefined ? { software_packageVersion: options.version } : {}),
    ...(options.purl !== undefined ? { software_packageUrl: options.purl } : {}),
    ...(options.purpose !== undefined ? { software_primaryPurpose: options.purpose } : {}),
    ...(options.sha256 !== undefined
      ? { verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: options.sha256 }] }
      : {}),
  };
}

export function spdxRelationship(from: string, relationshipType: string, to: readonly string[]): Json {
  return {
    type: 'Relationship',
    spdxId: `urn:rel:${from}:${relationshipType}:${to.join(',')}`,
    creationInfo: '_:creationinfo',
    from,
    relationshipType,
    to,
  };
}

export function spdxLicense(id: string, expression: string): Json {
  return {
    type: 'simplelicensing_LicenseExpression',
    spdxId: id,
    creationInfo: '_:creationinfo',
    simplelicensing_licenseExpression: expression,
  };
}

/** What varies between the two versions of the sample project. */
export interface ProjectVariant {
  readonly torchVersion?: string;
  readonly torchSha?: string;
  readonly shard1?: string;
  readonly shard2?: string;
  readonly configSha?: string;
  readonly modelLicense?: string;
}

const BASE: Required<ProjectVariant> = {
  torchVersion: '2.3.1',
  torchSha: SHA.a,
  shard1: SHA.b,
  shard2: SHA.c,
  configSha: SHA.d,
  modelLicense: 'Apache-2.0',
};

/**
 * A small ML project as `pedigree bom` describes it in CycloneDX: the project, a model of two weight shards
 * and a config, a library, a dataset.
 */
export function projectCdx(variant: ProjectVariant = {}): Json {
  const v = { ...BASE, ...variant };
  return cdx(
    [
      cdxComponent('machine-learning-model', 'bert-tiny', {
        group: 'acme',
        ref: 'model:models/bert-tiny',
        license: v.modelLicense,
        modelCard: true,
        components: [
          cdxComponent('file', 'models/bert-tiny/model-00001-of-00002.safetensors', { sha256: v.shard1 }),
          cdxComponent('file', 'models/bert-tiny/model-00002-of-00002.safetensors', { sha256: v.shard2 }),
          cdxComponent('file', 'models/bert-tiny/config.json', { sha256: v.configSha }),
        ],
      }),
      cdxComponent('library', 'torch', {
        version: v.torchVersion,
        purl: `pkg:pypi/torch@${v.torchVersion}`,
        sha256: v.torchSha,
        license: 'BSD-3-Clause',
      }),
      cdxComponent('data', 'acme/reviews', { license: 'CC-BY-4.0' }),
    ],
    { metadata: { component: cdxComponent('application', 'demo-project', { ref: 'project:demo-project' }) } },
  );
}

/** The same project as projectCdx, in SPDX 3.0.1 JSON-LD. */
export function projectSpdx3(variant: ProjectVariant = {}): Json {
  const v = { ...BASE, ...variant };
  return spdx3([
    spdxElement('software_Package', 'urn:project', 'demo-project', { purpose: 'application' }),
    spdxElement('ai_AIPackage', 'urn:model', 'acme/bert-tiny', { purpose: 'model' }),
    spdxElement('software_File', 'urn:f1', 'models/bert-tiny/model-00001-of-00002.safetensors', {
      sha256: v.shard1,
    }),
    spdxElement('software_File', 'urn:f2', 'models/bert-tiny/model-00002-of-00002.safetensors', {
      sha256: v.shard2,
    }),
    spdxElement('software_File', 'urn:f3', 'models/bert-tiny/config.json', { sha256: v.configSha }),
    spdxElement('software_Package', 'urn:torch', 'torch', {
      version: v.torchVersion,
      purl: `pkg:pypi/torch@${v.torchVersion}`,
      sha256: v.torchSha,
      purpose: 'library',
    }),
    spdxElement('dataset_DatasetPackage', 'urn:data', 'acme/reviews'),
    spdxLicense('urn:lic:model', v.modelLicense),
    spdxLicense('urn:lic:torch', 'BSD-3-Clause'),
    spdxLicense('urn:lic:data', 'CC-BY-4.0'),
    spdxRelationship('urn:model', 'hasDeclaredLicense', ['urn:lic:model']),
    spdxRelationship('urn:torch', 'hasDeclaredLicense', ['urn:lic:torch']),
    spdxRelationship('urn:data', 'hasDeclaredLicense', ['urn:lic:data']),
    spdxRelationship('urn:model', 'contains', ['urn:f1', 'urn:f2', 'urn:f3']),
    spdxRelationship('urn:project', 'dependsOn', ['urn:torch']),
  ]);
}

/** JSON text of a document, as a file would hold it. */
export const text = (document: unknown): string => JSON.stringify(document, null, 2);
