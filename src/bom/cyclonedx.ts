import { createHash } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type {
  CardText,
  ExternalLink,
  Inventory,
  InventoryContainer,
  InventoryDataset,
  InventoryFile,
  InventoryHash,
  InventoryIssue,
  InventoryLibrary,
  InventoryLicense,
  InventoryModel,
  InventoryParty,
} from './inventory.js';
import { clipText } from './text.js';

/**
 * Writes an inventory as a CycloneDX 1.6 or 1.7 JSON BOM (https://cyclonedx.org/docs/1.6/json/).
 *
 * The skeleton (metadata, components, hashes, licences, external references, properties, dependencies,
 * vulnerabilities) is built with @cyclonedx/cyclonedx-library and normalised by it for the chosen spec
 * version. The library has no model for `modelCard` (machine-learning-model components), `data` (data
 * components), the 1.6 `authors` list or `pedigree.ancestors` of a component, so those are added to its
 * normalised output here by bom-ref: typed builders for exactly what the library lacks.
 *
 * Deterministic: every list is sorted, bom-refs come from the inventory's stable refs, the timestamp is
 * written only when given, and the serial number is a name-based UUID (RFC 9562 §5.5, version 5) of the
 * BOM's own content, so the same project gives the same bytes and a changed project a new serial.
 */

export type CycloneDxVersion = '1.6' | '1.7';

export interface CycloneDxOptions {
  readonly version: CycloneDxVersion;
  /** ISO 8601 time written as `metadata.timestamp`; left out when not given (reproducible output). */
  readonly timestamp?: string;
  /** An explicit serial number (`urn:uuid:...`); by default one derived from the content. */
  readonly serialNumber?: string;
}

/** Namespace of pedigree's content-derived serial numbers (a fixed random UUID, RFC 9562 §5.5). */
const SERIAL_NAMESPACE = 'b6f3b0a2-6a5e-4c1f-9d0e-7b2f4e1c8a93';
/** Most problems listed in the metadata (the count is what matters past that). */
export const MAX_BOM_PROBLEMS = 1_000;

const SPECS = { '1.6': Spec.Spec1dot6, '1.7': Spec.Spec1dot7 } as const;

type Json = Record<string, unknown>;

function hashDictionary(hashes: readonly InventoryHash[]): Models.HashDictionary {
  const dict = new Models.HashDictionary();
  for (const h of hashes) dict.set(h.algorithm as Enums.HashAlgorithm, h.value);
  return dict;
}

/** A single SPDX id as a licence id, a compound expression as an expression, anything else by name. */
function licenseRepository(licenses: readonly InventoryLicense[]): Models.LicenseRepository {
  const repo = new Models.LicenseRepository();
  const compound = licenses.filter((l) => l.expression !== undefined && /\s/.test(l.expression));
  // CycloneDX allows either one expression or a list of licences, never both.
  if (compound.length === 1 && licenses.length === 1) {
    const expression = new Models.LicenseExpression(compound[0]?.expression as string);
    expression.acknowledgement = Enums.LicenseAcknowledgement.Declared;
    repo.add(expression);
    return repo;
  }
  for (const l of licenses) {
    const op = { acknowledgement: Enums.LicenseAcknowledgement.Declared };
    if (l.expression !== undefined && !/\s/.test(l.expression))
      repo.add(new Models.SpdxLicense(l.expression, op));
    else repo.add(new Models.NamedLicense((l.expression ?? l.name ?? 'unknown').slice(0, 200), op));
  }
  return repo;
}

const LINK_TYPES: Readonly<Record<ExternalLink['type'], Enums.ExternalReferenceType>> = {
  website: Enums.ExternalReferenceType.Website,
  vcs: Enums.ExternalReferenceType.VCS,
  distribution: Enums.ExternalReferenceType.Distribution,
  documentation: Enums.ExternalReferenceType.Documentation,
  'model-card': Enums.ExternalReferenceType.ModelCard,
  license: Enums.ExternalReferenceType.License,
  other: Enums.ExternalReferenceType.Other,
};

/**
 * Whether a URL is an IRI reference every validator accepts: no spaces, controls or characters RFC 3987
 * excludes, and a scheme of letters, digits, `.` and `-` (a `+` in the scheme is valid RFC 3986 but the
 * `iri-reference` format of common JSON Schema validators refuses it).
 */
export function isSafeIri(url: string): boolean {
  const scheme = /^([^:/?#]+):/.exec(url)?.[1];
  if (scheme !== undefined && !/^[a-z][a-z0-9.-]*$/i.test(scheme)) return false;
  return /^[^\s<>"{}|\\^`]+$/.test(url) && !/[\u0000-\u001f\u007f]/.test(url);
}

/**
 * A pip/PEP 440 VCS source (`git+https://host/repo.git@v1.0#egg=x`) as a CycloneDX `vcs` reference: the
 * repository URL without the `git+` prefix, and the revision as its comment.
 */
export function vcsReference(source: string): ExternalLink | undefined {
  const m = /^(?:git|hg|svn|bzr)\+([a-z][a-z0-9.-]*:\/\/[^#]+)(?:#.*)?$/i.exec(source);
  if (!m) return undefined;
  let url = m[1] as string;
  let revision: string | undefined;
  // The revision follows the last `@` of the path (an `@` before the first `/` after `://` is user info).
  const pathStart = url.indexOf('/', url.indexOf('://') + 3);
  const at = url.lastIndexOf('@');
  if (pathStart > 0 && at > pathStart) {
    revision = url.slice(at + 1);
    url = url.slice(0, at);
  }
  return { type: 'vcs', url, ...(revision ? { comment: `revision ${revision}` } : {}) };
}

function externalReferences(links: readonly ExternalLink[]): Models.ExternalReferenceRepository {
  const repo = new Models.ExternalReferenceRepository();
  for (const l of links) {
    if (!isSafeIri(l.url)) continue;
    repo.add(
      new Models.ExternalReference(l.url, LINK_TYPES[l.type], l.comment ? { comment: l.comment } : {}),
    );
  }
  return repo;
}

function properties(entries: readonly (readonly [string, string | undefined])[]): Models.PropertyRepository {
  const repo = new Models.PropertyRepository();
  for (const [name, value] of entries)
    if (value !== undefined && value !== '') repo.add(new Models.Property(name, value));
  return repo;
}

function fileComponent(file: InventoryFile): Models.Component {
  return new Models.Component(Enums.ComponentType.File, file.path, {
    bomRef: file.ref,
    hashes: hashDictionary(file.hashes),
    properties: properties([
      ['pedigree:file:role', file.role],
      ['pedigree:file:size', String(file.size)],
      ['pedigree:file:format', file.format],
      ['pedigree:file:mediaType', file.mediaType],
    ]),
  });
}

function modelComponent(
  model: InventoryModel,
  files: ReadonlyMap<string, InventoryFile>,
  contained: readonly string[],
): Models.Component {
  const component = new Models.Component(Enums.ComponentType.MachineLearningModel, model.name, {
    bomRef: model.ref,
    ...(model.version ? { version: model.version } : {}),
    ...(model.purl ? { purl: model.purl } : {}),
    ...(model.description ? { description: clipText(model.description) } : {}),
    hashes: hashDictionary(model.hashes),
    licenses: licenseRepository(model.licenses),
    externalReferences: externalReferences(model.links),
    properties: properties([
      ['pedigree:model:path', model.path || undefined],
      ['pedigree:model:format', model.formats.join(',') || undefined],
      ['pedigree:model:hubId', model.hubId],
      ['pedigree:model:parameterCount', model.parameters.parameterCount],
      ['pedigree:model:card', model.cardPath],
      ['pedigree:model:external', model.external ? 'true' : undefined],
    ]),
  });
  for (const ref of contained) {
    const file = files.get(ref);
    if (file) component.components.add(fileComponent(file));
  }
  return component;
}

function datasetComponent(
  dataset: InventoryDataset,
  files: ReadonlyMap<string, InventoryFile>,
  contained: readonly string[],
): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Data, dataset.name, {
    bomRef: dataset.ref,
    ...(dataset.description ? { description: clipText(dataset.description) } : {}),
    hashes: hashDictionary(dataset.hashes),
    licenses: licenseRepository(dataset.licenses),
    externalReferences: externalReferences(dataset.links),
    properties: properties([
      ['pedigree:dataset:path', dataset.path],
      ['pedigree:dataset:hubId', dataset.hubId],
      ['pedigree:dataset:card', dataset.cardPath],
      ['pedigree:dataset:external', dataset.external ? 'true' : undefined],
      ...dataset.sources.map((s) => ['pedigree:source', s] as const),
    ]),
  });
  for (const ref of contained) {
    const file = files.get(ref);
    if (file) component.components.add(fileComponent(file));
  }
  return component;
}

/** Where a library comes from when not the default registry: a VCS repository or a download URL. */
function sourceLinks(source: string | undefined): ExternalLink[] {
  if (source === undefined) return [];
  const vcs = vcsReference(source);
  if (vcs) return [vcs];
  return /^[a-z][a-z0-9.-]*:\/\//i.test(source) ? [{ type: 'distribution', url: source }] : [];
}

function libraryComponent(library: InventoryLibrary): Models.Component {
  return new Models.Component(Enums.ComponentType.Library, library.name, {
    bomRef: library.ref,
    ...(library.version !== undefined ? { version: library.version } : {}),
    ...(library.purl ? { purl: library.purl } : {}),
    scope: library.optional ? Enums.ComponentScope.Optional : Enums.ComponentScope.Required,
    hashes: hashDictionary(library.hashes),
    licenses: licenseRepository(library.licenses),
    externalReferences: externalReferences(sourceLinks(library.sourceUrl)),
    properties: properties([
      ['pedigree:library:ecosystem', library.ecosystem],
      ['pedigree:library:requirement', library.requirement],
      ['pedigree:library:direct', library.direct === undefined ? undefined : String(library.direct)],
      ...library.declaredIn.map((d) => ['pedigree:declaredIn', d] as const),
    ]),
  });
}

function containerComponent(container: InventoryContainer): Models.Component {
  return new Models.Component(Enums.ComponentType.Container, container.name, {
    bomRef: container.ref,
    ...((container.digest ?? container.tag) ? { version: container.digest ?? container.tag } : {}),
    ...(container.purl ? { purl: container.purl } : {}),
    properties: properties([
      ['pedigree:container:tag', container.tag],
      ['pedigree:container:digest', container.digest],
      ['pedigree:container:pinned', container.digest ? 'true' : 'false'],
      ['pedigree:container:platform', container.platform],
      ...container.declaredIn.map((d) => ['pedigree:declaredIn', d] as const),
    ]),
  });
}

const RATING: Readonly<Record<InventoryIssue['severity'], Enums.Vulnerability.Severity>> = {
  critical: Enums.Vulnerability.Severity.Critical,
  high: Enums.Vulnerability.Severity.High,
  medium: Enums.Vulnerability.Severity.Medium,
  low: Enums.Vulnerability.Severity.Low,
  info: Enums.Vulnerability.Severity.Info,
};

function cvssMethod(version: string): Enums.Vulnerability.RatingMethod {
  if (version.startsWith('4')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (version.startsWith('3.1')) return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (version.startsWith('3')) return Enums.Vulnerability.RatingMethod.CVSSv3;
  if (version.startsWith('2')) return Enums.Vulnerability.RatingMethod.CVSSv2;
  return Enums.Vulnerability.RatingMethod.Other;
}

function vulnerability(
  issue: InventoryIssue,
  refs: ReadonlySet<string>,
  bomRef: string,
): Models.Vulnerability.Vulnerability {
  const isAdvisory = issue.source === 'OSV';
  const vuln = new Models.Vulnerability.Vulnerability({
    bomRef,
    id: issue.id,
    source: new Models.Vulnerability.Source({
      name: issue.source,
      ...(isAdvisory ? { url: `https://osv.dev/vulnerability/${encodeURIComponent(issue.id)}` } : {}),
    }),
    description: clipText(issue.title),
    detail: clipText(issue.detail),
    ...(issue.recommendation ? { recommendation: clipText(issue.recommendation) } : {}),
    ...(issue.published && !Number.isNaN(Date.parse(issue.published))
      ? { published: new Date(issue.published) }
      : {}),
    ...(issue.modified && !Number.isNaN(Date.parse(issue.modified))
      ? { updated: new Date(issue.modified) }
      : {}),
    properties: properties([['pedigree:location', issue.location]]),
  });
  for (const c of issue.cwes) vuln.cwes.add(c);
  for (const cvss of issue.cvss)
    vuln.ratings.add(
      new Models.Vulnerability.Rating({
        method: cvssMethod(cvss.version),
        vector: cvss.vector,
        ...(cvss.score !== undefined ? { score: cvss.score } : {}),
        severity: RATING[issue.severity],
      }),
    );
  if (issue.cvss.length === 0)
    vuln.ratings.add(
      new Models.Vulnerability.Rating({
        method: Enums.Vulnerability.RatingMethod.Other,
        severity: RATING[issue.severity],
      }),
    );
  for (const alias of issue.aliases)
    vuln.references.add(
      new Models.Vulnerability.Reference(
        alias,
        new Models.Vulnerability.Source({
          url: `https://osv.dev/vulnerability/${encodeURIComponent(alias)}`,
        }),
      ),
    );
  for (const url of issue.references)
    if (/^https?:\/\/[^\s<>"{}|\\^`]+$/.test(url))
      vuln.advisories.add(new Models.Vulnerability.Advisory(url));
  for (const ref of issue.affects)
    if (refs.has(ref)) vuln.affects.add(new Models.Vulnerability.Affect(new Models.BomRef(ref)));
  return vuln;
}

function texts(list: readonly CardText[]): string[] {
  return list.map((t) => clipText(t.text));
}

function party(p: InventoryParty): Json {
  return p.url ? { name: p.name, url: [p.url] } : { name: p.name };
}

/** The CycloneDX `modelCard` of a model: what the card, config and weights say, nothing else. */
export function modelCardOf(model: InventoryModel, datasetRefs: ReadonlySet<string>): Json | undefined {
  const p = model.parameters;
  const datasets = [...model.trainedOn, ...model.testedOn.filter((t) => !model.trainedOn.includes(t))]
    .filter((r) => datasetRefs.has(r))
    .map((ref) => ({ ref }));
  const modelParameters: Json = {
    ...(p.approach ? { approach: { type: p.approach } } : {}),
    ...(p.task ? { task: p.task } : {}),
    ...(p.architectureFamily ? { architectureFamily: p.architectureFamily } : {}),
    ...(p.architecture ? { modelArchitecture: p.architecture } : {}),
    ...(datasets.length > 0 ? { datasets } : {}),
    ...(p.inputs.length > 0 ? { inputs: p.inputs.map((format) => ({ format })) } : {}),
    ...(p.outputs.length > 0 ? { outputs: p.outputs.map((format) => ({ format })) } : {}),
  };
  const metrics = model.metrics.map((m) => ({
    type: m.type,
    value: m.value,
    ...(m.slice ? { slice: m.slice } : {}),
  }));
  const c = model.considerations;
  const environmental = texts(c.environmental);
  const considerations: Json = {
    ...(c.users.length > 0 ? { users: texts(c.users) } : {}),
    ...(c.useCases.length > 0 ? { useCases: texts(c.useCases) } : {}),
    ...(c.technicalLimitations.length > 0 ? { technicalLimitations: texts(c.technicalLimitations) } : {}),
    ...(c.ethicalConsiderations.length > 0
      ? { ethicalConsiderations: texts(c.ethicalConsiderations).map((name) => ({ name })) }
      : {}),
    ...(environmental.length > 0
      ? {
          environmentalConsiderations: {
            properties: environmental.map((value) => ({ name: 'pedigree:card:environmentalImpact', value })),
          },
        }
      : {}),
    // A card's fairness text is carried as the harms it describes; CycloneDX's separate group and
    // mitigation fields are left empty because cards do not state them apart.
    ...(c.fairness.length > 0 ? { fairnessAssessments: texts(c.fairness).map((harms) => ({ harms })) } : {}),
  };
  const props = [
    ...c.outOfScope.map((t) => ({ name: 'pedigree:card:outOfScopeUse', value: clipText(t.text) })),
    ...(model.cardPath ? [{ name: 'pedigree:card:source', value: model.cardPath }] : []),
    ...model.metrics.map((m) => ({ name: 'pedigree:card:metricSource', value: m.source })),
  ];
  const card: Json = {
    ...(Object.keys(modelParameters).length > 0 ? { modelParameters } : {}),
    ...(metrics.length > 0 ? { quantitativeAnalysis: { performanceMetrics: metrics } } : {}),
    ...(Object.keys(considerations).length > 0 ? { considerations } : {}),
    ...(props.length > 0 ? { properties: props } : {}),
  };
  return Object.keys(card).length > 0 ? card : undefined;
}

/** The CycloneDX `data` of a dataset component (componentData, type `dataset`). */
export function componentDataOf(dataset: InventoryDataset): Json {
  const responsible = (list: readonly InventoryParty[]) =>
    list.map((p) => (p.kind === 'person' ? { contact: { name: p.name } } : { organization: party(p) }));
  const governance: Json = {
    ...(dataset.custodians.length > 0 ? { custodians: responsible(dataset.custodians) } : {}),
    ...(dataset.owners.length > 0 ? { owners: responsible(dataset.owners) } : {}),
  };
  const url = dataset.contentsUrl && isSafeIri(dataset.contentsUrl) ? dataset.contentsUrl : undefined;
  return {
    type: 'dataset',
    name: dataset.name,
    ...(url ? { contents: { url } } : {}),
    ...(dataset.classification ? { classification: dataset.classification } : {}),
    ...(dataset.sensitiveData.length > 0 ? { sensitiveData: texts(dataset.sensitiveData) } : {}),
    ...(Object.keys(governance).length > 0 ? { governance } : {}),
  };
}

/** Walks normalised components (nested too) and calls `visit` with each. */
function eachComponent(list: unknown, visit: (c: Json) => void): void {
  if (!Array.isArray(list)) return;
  for (const c of list as Json[]) {
    visit(c);
    eachComponent(c.components, visit);
  }
}

/** RFC 9562 §5.5: a version 5 UUID of a name in a namespace. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Builds the CycloneDX BOM as a plain object (already in the spec version's shape). */
export function buildCycloneDx(inventory: Inventory, options: CycloneDxOptions): Json {
  const files = new Map(inventory.files.map((f) => [f.ref, f]));
  const bom = new Models.Bom();
  const tool = new Models.Component(Enums.ComponentType.Application, inventory.tool.name, {
    version: inventory.tool.version,
  });
  bom.metadata.tools.components.add(tool);
  if (options.timestamp) bom.metadata.timestamp = new Date(options.timestamp);
  const project = new Models.Component(Enums.ComponentType.Application, inventory.project.name, {
    bomRef: inventory.project.ref,
    ...(inventory.project.version ? { version: inventory.project.version } : {}),
    ...(inventory.project.description ? { description: clipText(inventory.project.description) } : {}),
    licenses: licenseRepository(inventory.project.licenses ?? []),
  });
  bom.metadata.component = project;

  const components = new Map<string, Models.Component>();
  const nested = new Set<string>();
  // Files a model or dataset is made of are nested in it (CycloneDX `components` of a component: "a
  // component may contain other components"), each file once; the rest are listed at the top level.
  const contains = new Map<string, string[]>();
  for (const r of inventory.relationships) {
    if (r.kind !== 'contains') continue;
    const unclaimed = r.to.filter((ref) => !nested.has(ref) && files.has(ref));
    for (const ref of unclaimed) nested.add(ref);
    contains.set(r.from, [...(contains.get(r.from) ?? []), ...unclaimed]);
  }
  for (const m of inventory.models)
    components.set(m.ref, modelComponent(m, files, contains.get(m.ref) ?? []));
  for (const d of inventory.datasets)
    components.set(d.ref, datasetComponent(d, files, contains.get(d.ref) ?? []));
  for (const l of inventory.libraries) components.set(l.ref, libraryComponent(l));
  for (const c of inventory.containers) components.set(c.ref, containerComponent(c));
  for (const f of inventory.files) if (!nested.has(f.ref)) components.set(f.ref, fileComponent(f));
  for (const c of components.values()) bom.components.add(c);

  // The dependency graph: project to models, libraries and containers; models to the datasets they were
  // trained and tested on; libraries to libraries as the lockfiles record.
  const byRef = (ref: string) => (ref === inventory.project.ref ? project : components.get(ref));
  for (const r of inventory.relationships) {
    if (r.kind !== 'dependsOn' && r.kind !== 'trainedOn' && r.kind !== 'testedOn') continue;
    const from = byRef(r.from);
    if (!from) continue;
    for (const to of r.to) {
      const target = byRef(to);
      if (target) from.dependencies.add(target.bomRef);
    }
  }

  const refs = new Set([...components.keys(), inventory.project.ref]);
  const issueRefs = new Map<string, number>();
  for (const issue of inventory.issues) {
    // bom-refs must be unique: the same rule at the same place twice gets a counter.
    const base = `issue:${issue.id}:${issue.affects.join(',')}:${issue.location ?? ''}`;
    const n = (issueRefs.get(base) ?? 0) + 1;
    issueRefs.set(base, n);
    bom.vulnerabilities.add(vulnerability(issue, refs, n === 1 ? base : `${base}#${n}`));
  }

  const factory = new Serialize.JSON.Normalize.Factory(SPECS[options.version]);
  const normalized = factory.makeForBom().normalize(bom, { sortLists: true }) as unknown as Json;

  // What the library has no model for, added by bom-ref.
  const datasetRefs = new Set(inventory.datasets.map((d) => d.ref));
  const models = new Map(inventory.models.map((m) => [m.ref, m]));
  const datasets = new Map(inventory.datasets.map((d) => [d.ref, d]));
  eachComponent(normalized.components, (c) => {
    const ref = c['bom-ref'] as string | undefined;
    const model = ref ? models.get(ref) : undefined;
    if (model) {
      if (model.authors.length > 0) c.authors = model.authors.map((a) => ({ name: a.name }));
      const ancestors = model.derivedFrom
        .map((r) => models.get(r))
        .filter((m): m is InventoryModel => m !== undefined)
        .map((m) => ({ type: 'machine-learning-model', name: m.name, ...(m.purl ? { purl: m.purl } : {}) }));
      if (ancestors.length > 0) c.pedigree = { ancestors };
      const card = modelCardOf(model, datasetRefs);
      if (card) c.modelCard = card;
    }
    const dataset = ref ? datasets.get(ref) : undefined;
    if (dataset) c.data = [componentDataOf(dataset)];
  });

  // What could not be read: the BOM says it is incomplete (CycloneDX compositions) and lists why.
  if (inventory.problems.length > 0) {
    const metadata = normalized.metadata as Json;
    const shown = inventory.problems.slice(0, MAX_BOM_PROBLEMS).map((p) => ({
      name: 'pedigree:problem',
      value: clipText(`${p.path}: ${p.message}`),
    }));
    // Past the limit the problems are not listed one by one, but the BOM still says how many were left
    // out: a reader must not take the list for all there was.
    const omitted = inventory.problems.length - shown.length;
    if (omitted > 0)
      shown.push({
        name: 'pedigree:problem',
        value: `${omitted} more problem${omitted === 1 ? '' : 's'} not listed (${inventory.problems.length} in all)`,
      });
    metadata.properties = [...((metadata.properties as Json[] | undefined) ?? []), ...shown];
    normalized.compositions = [{ aggregate: 'incomplete', assemblies: [inventory.project.ref] }];
  }

  const { serialNumber: _drop, ...rest } = normalized;
  const ordered: Json = {
    $schema: `http://cyclonedx.org/schema/bom-${options.version}.schema.json`,
    bomFormat: 'CycloneDX',
    specVersion: options.version,
  };
  const body: Json = {};
  for (const [k, v] of Object.entries(rest)) if (!(k in ordered)) body[k] = v;
  // The normalised BOM's key order is fixed by the library's normalisers and every list is sorted, so its
  // JSON text is a canonical form of the content.
  const serialNumber = options.serialNumber ?? `urn:uuid:${uuidV5(SERIAL_NAMESPACE, JSON.stringify(body))}`;
  return { ...ordered, serialNumber, ...body };
}

/** The BOM as pretty JSON with a final newline. */
export function serializeCycloneDx(inventory: Inventory, options: CycloneDxOptions): string {
  return `${JSON.stringify(buildCycloneDx(inventory, options), null, 2)}\n`;
}
