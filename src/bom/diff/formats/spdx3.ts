import { isRecord } from '../../../core/json.js';
import type { BomReadContext } from '../fields.js';
import { describeJsonType, fieldPath, quote } from '../fields.js';
import { collectHashes } from '../hashes.js';
import type { BomDocument } from '../model.js';
import { isWeightFile } from '../weights.js';
import { type BomFormatReader, type ComponentDraft, finishComponents } from './reader.js';

/** The JSON-LD context of SPDX 3.0.1 (SPDX 3.0.1 "Serialization", JSON-LD). */
export const SPDX3_CONTEXT = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';

/** Element classes read as components, and the CycloneDX type each stands for. */
const COMPONENT_CLASSES: ReadonlyMap<string, string | undefined> = new Map([
  ['ai_AIPackage', 'machine-learning-model'],
  ['dataset_DatasetPackage', 'data'],
  ['software_File', 'file'],
  ['software_Package', undefined],
]);

/** `software_primaryPurpose` of a plain package (SPDX 3.0.1 `SoftwarePurpose`) as a CycloneDX type. */
const PURPOSE_TYPES: ReadonlyMap<string, string> = new Map([
  ['application', 'application'],
  ['container', 'container'],
  ['data', 'data'],
  ['device', 'device'],
  ['deviceDriver', 'device-driver'],
  ['firmware', 'firmware'],
  ['framework', 'framework'],
  ['library', 'library'],
  ['model', 'machine-learning-model'],
  ['operatingSystem', 'operating-system'],
  ['platform', 'platform'],
]);

/** `Relationship` and its subclass; both carry `from`, `to` and `relationshipType`. */
const RELATIONSHIP_CLASSES: ReadonlySet<string> = new Set(['Relationship', 'LifecycleScopedRelationship']);

/** Licences of the SPDX License List referenced by IRI rather than written into the graph. */
const LISTED_LICENSE_IRI = 'https://spdx.org/licenses/';

/** SPDX 3 individuals that say "no licence stated" or "no licence": neither is a licence to compare. */
const NO_LICENSE = /(?:^|[/_])(?:NoAssertionLicense|NoneLicense)$/;

/** Licence sets nest; deeper than this (or in a cycle) the BOM is refused. */
const MAX_LICENSE_SET_DEPTH = 16;

/** Longest text a licence set expands to: sets of sets would otherwise grow it exponentially. */
const MAX_LICENSE_SET_CHARS = 100_000;

function contextMatches(context: unknown): boolean {
  if (context === SPDX3_CONTEXT) return true;
  return Array.isArray(context) && context.includes(SPDX3_CONTEXT);
}

interface GraphElement {
  readonly value: Record<string, unknown>;
  readonly path: string;
  readonly type: string;
}

function idOf(element: Record<string, unknown>, path: string, context: BomReadContext): string | undefined {
  return context.optionalString(element, 'spdxId', path) ?? context.optionalString(element, '@id', path);
}

/** `to` of a relationship: an array of ids (JSON-LD may also write a single id as a string). */
function targets(element: Record<string, unknown>, path: string, context: BomReadContext): readonly string[] {
  const to = element.to;
  if (typeof to === 'string') return [to];
  const list = context.optionalArray(element, 'to', path, context.limits.maxElements, 'targets') ?? [];
  return list.map((target, i) => {
    if (typeof target === 'string') return target;
    if (isRecord(target)) {
      const id = idOf(target, `${fieldPath(path, 'to')}[${i}]`, context);
      if (id !== undefined) return id;
    }
    return context.fail(
      `${fieldPath(path, 'to')}[${i}]`,
      `expected an element id, got ${describeJsonType(target)}`,
    );
  });
}

/**
 * Resolves licence elements (and IRIs) to licence texts, each id once: licence sets reference other
 * licences, and without the memo a set of sets of sets could make the work grow exponentially.
 */
class LicenseResolver {
  private readonly memo = new Map<string, string | undefined>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly byId: ReadonlyMap<string, GraphElement>,
    private readonly context: BomReadContext,
  ) {}

  /** The licence text an id stands for; undefined for "no assertion" and "none". */
  text(id: string): string | undefined {
    if (this.memo.has(id)) return this.memo.get(id);
    const element = this.byId.get(id);
    if (this.resolving.has(id) || this.resolving.size >= MAX_LICENSE_SET_DEPTH)
      this.context.fail(
        element?.path ?? '@graph',
        `licence sets nested more than ${MAX_LICENSE_SET_DEPTH} deep, or in a cycle, at ${quote(id)}`,
        'LIMIT_EXCEEDED',
      );
    this.resolving.add(id);
    const text = this.resolve(id, element);
    this.resolving.delete(id);
    this.memo.set(id, text);
    return text;
  }

  private resolve(id: string, element: GraphElement | undefined): string | undefined {
    const context: BomReadContext = this.context;
    if (NO_LICENSE.test(id)) return undefined;
    if (element === undefined) {
      // A listed licence by IRI (`https://spdx.org/licenses/MIT`), or a reference the graph does not
      // resolve: kept as written, so a change of it still shows.
      return id.startsWith(LISTED_LICENSE_IRI) ? id.slice(LISTED_LICENSE_IRI.length) : id;
    }
    const { value, path, type } = element;
    switch (type) {
      case 'simplelicensing_LicenseExpression':
        return context.requiredString(value, 'simplelicensing_licenseExpression', path);
      case 'expandedlicensing_ListedLicense':
        return id.startsWith(LISTED_LICENSE_IRI)
          ? id.slice(LISTED_LICENSE_IRI.length)
          : (context.optionalString(value, 'name', path) ?? id);
      case 'expandedlicensing_CustomLicense':
        return context.optionalString(value, 'name', path) ?? id;
      case 'expandedlicensing_NoAssertionLicense':
      case 'expandedlicensing_NoneLicense':
        return undefined;
      case 'expandedlicensing_ConjunctiveLicenseSet':
      case 'expandedlicensing_DisjunctiveLicenseSet': {
        const members = context.optionalArray(
          value,
          'expandedlicensing_member',
          path,
          context.limits.maxLicenses,
          'licences',
        );
        const texts = (members ?? []).map((member, i) => {
          const where = `${fieldPath(path, 'expandedlicensing_member')}[${i}]`;
          if (typeof member !== 'string')
            context.fail(where, `expected an element id, got ${describeJsonType(member)}`);
          return this.text(member);
        });
        const known = texts.filter((t): t is string => t !== undefined).map((t) => `(${t})`);
        const operator = type === 'expandedlicensing_ConjunctiveLicenseSet' ? ' AND ' : ' OR ';
        // Sets of sets multiply the length of the text (a set of 1,000 copies of a set of 1,000...).
        const length = known.reduce((sum, t) => sum + t.length + operator.length, 0);
        if (length > MAX_LICENSE_SET_CHARS)
          context.fail(path, `licence set longer than ${MAX_LICENSE_SET_CHARS} characters`, 'LIMIT_EXCEEDED');
        return known.length > 0 ? known.join(operator) : undefined;
      }
      default:
        return id;
    }
  }
}

function parseSpdx3(document: Record<string, unknown>, context: BomReadContext): BomDocument {
  const graph = context.optionalArray(document, '@graph', '', context.limits.maxElements, 'elements');
  if (graph === undefined)
    context.fail('@graph', 'missing: an SPDX 3 JSON-LD document lists its elements in `@graph`');

  const byId = new Map<string, GraphElement>();
  const components: GraphElement[] = [];
  const relationships: GraphElement[] = [];
  for (const [i, entry] of graph.entries()) {
    const path = `@graph[${i}]`;
    const value = context.record(entry, path);
    const type = context.requiredString(value, 'type', path);
    const id = idOf(value, path, context);
    const element = { value, path, type };
    if (id !== undefined) {
      const previous = byId.get(id);
      if (previous !== undefined)
        context.fail(path, `spdxId ${quote(id)} is also the id of ${previous.path}`, 'BAD_VALUE');
      byId.set(id, element);
    }
    if (COMPONENT_CLASSES.has(type)) {
      if (id === undefined) context.fail(path, `a ${type} without spdxId`);
      context.countComponent(path);
      components.push(element);
    } else if (RELATIONSHIP_CLASSES.has(type)) relationships.push(element);
  }

  const resolver = new LicenseResolver(byId, context);
  const licensesOf = new Map<string, string[]>();
  const filesOf = new Map<string, string[]>();
  for (const { value, path } of relationships) {
    const kind = context.requiredString(value, 'relationshipType', path);
    if (kind !== 'hasDeclaredLicense' && kind !== 'hasConcludedLicense' && kind !== 'contains') continue;
    const from = context.requiredString(value, 'from', path);
    const to = targets(value, path, context);
    const into = kind === 'contains' ? filesOf : licensesOf;
    const list = into.get(from) ?? [];
    if (kind === 'contains') list.push(...to);
    else
      for (const id of to) {
        const text = resolver.text(id);
        if (text !== undefined) list.push(text);
      }
    if (list.length > context.limits.maxElements)
      context.fail(
        path,
        `more than ${context.limits.maxElements} targets for ${quote(from)}`,
        'LIMIT_EXCEEDED',
      );
    into.set(from, list);
  }

  const drafts: ComponentDraft[] = [];
  const draftById = new Map<string, ComponentDraft>();
  for (const { value, path, type } of components) {
    const id = idOf(value, path, context) as string;
    const name = context.requiredString(value, 'name', path);
    const purpose = context.optionalString(value, 'software_primaryPurpose', path);
    const cdxType =
      COMPONENT_CLASSES.get(type) ?? (purpose !== undefined ? PURPOSE_TYPES.get(purpose) : undefined);
    const version = context.optionalString(value, 'software_packageVersion', path);
    const purl =
      context.optionalString(value, 'software_packageUrl', path) ?? externalPurl(value, path, context);
    const verifiedUsing = context.optionalArray(
      value,
      'verifiedUsing',
      path,
      context.limits.maxHashes,
      'hashes',
    );
    const hashes = collectHashes(
      (verifiedUsing ?? []).flatMap((entry, i) => {
        const where = `${fieldPath(path, 'verifiedUsing')}[${i}]`;
        const method = context.record(entry, where);
        // PackageVerificationCode and other integrity methods are not digests of the content.
        if (context.optionalString(method, 'type', where) !== 'Hash') return [];
        return [
          {
            algorithm: context.requiredString(method, 'algorithm', where),
            value: context.requiredString(method, 'hashValue', where),
            path: where,
          },
        ];
      }),
      context,
    );
    const licenses = licensesOf.get(id) ?? [];
    if (licenses.length > context.limits.maxLicenses)
      context.fail(
        path,
        `${licenses.length} licences, more than the limit of ${context.limits.maxLicenses}`,
        'LIMIT_EXCEEDED',
      );
    const draft: ComponentDraft = {
      ref: id,
      location: path,
      name,
      hashes,
      licenses: [...licenses],
      files: [],
      ...(cdxType !== undefined ? { type: cdxType } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(purl !== undefined ? { purl } : {}),
    };
    drafts.push(draft);
    draftById.set(id, draft);
  }

  // A model's files: `contains` relationships from an AI package to files (SPDX 3.0.1 Core RelationshipType).
  for (const draft of drafts) {
    if (draft.type !== 'machine-learning-model') continue;
    for (const fileId of new Set(filesOf.get(draft.ref) ?? [])) {
      const file = draftById.get(fileId);
      const element = byId.get(fileId);
      if (file === undefined || element === undefined || element.type !== 'software_File') continue;
      const purpose = context.optionalString(element.value, 'software_primaryPurpose', element.path);
      draft.files.push({
        name: file.name,
        ref: file.ref,
        hashes: file.hashes,
        weights: isWeightFile(
          file.name,
          purpose === undefined ? undefined : purpose === 'model' ? 'weights' : purpose,
        ),
      });
    }
  }
  return { format: 'SPDX', specVersion: '3.0.1', components: finishComponents(drafts) };
}

/** A package URL given as an external identifier (`externalIdentifierType: packageUrl`). */
function externalPurl(
  value: Record<string, unknown>,
  path: string,
  context: BomReadContext,
): string | undefined {
  const identifiers = context.optionalArray(
    value,
    'externalIdentifier',
    path,
    context.limits.maxElements,
    'identifiers',
  );
  for (const [i, entry] of (identifiers ?? []).entries()) {
    const where = `${fieldPath(path, 'externalIdentifier')}[${i}]`;
    const identifier = context.record(entry, where);
    if (context.optionalString(identifier, 'externalIdentifierType', where) === 'packageUrl')
      return context.requiredString(identifier, 'identifier', where);
  }
  return undefined;
}

/** SPDX 3.0.1 JSON-LD: `@context` is the SPDX 3.0.1 context. */
export const spdx3Reader: BomFormatReader = {
  name: 'SPDX 3 JSON-LD',
  detect: (document) => document['@context'] !== undefined,
  parse(document, context) {
    if (!contextMatches(document['@context']))
      context.fail(
        '@context',
        `not the SPDX 3.0.1 context (${typeof document['@context'] === 'string' ? quote(document['@context']) : describeJsonType(document['@context'])}); expected ${quote(SPDX3_CONTEXT)}`,
        'UNSUPPORTED',
      );
    return parseSpdx3(document, context);
  },
};
