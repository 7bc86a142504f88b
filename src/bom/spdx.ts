import { MODALITY_LABELS, PIPELINE_DATA } from '@huggingface/tasks';
import parseSpdx from 'spdx-expression-parse';
import { InternalError, UsageError } from '../core/errors.js';
import { compareStrings } from '../core/finding.js';
import { sha256Hex } from '../core/hash.js';
import type {
  CardText,
  ExternalLink,
  FileRole,
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
  PerformanceMetric,
  RelationshipKind,
} from './inventory.js';
import { clipText, uniqueSorted } from './text.js';

/**
 * Writes an inventory as an SPDX 3.0.1 document in JSON-LD (https://spdx.github.io/spdx-spec/v3.0.1/), with
 * the AI and Dataset profiles for models and datasets.
 *
 * The document is one `SpdxDocument` whose root is one `software_Sbom`, whose root is the project, as in the
 * specification's own example (spdx-spec 3.0.1 `examples/jsonld/package_sbom.json`). Every element shares one
 * `CreationInfo` (a blank node). It validates against the official JSON schema
 * (https://spdx.org/schema/3.0.1/spdx-json-schema.json, vendored under test/schemas/spdx-3.0.1/).
 *
 * Deterministic: element ids are IRIs derived from the inventory's stable refs, the default namespace from
 * the document's content, `@graph` and every list are sorted, and object keys are in the order of the
 * specification's canonical serialization ("the name/value pairs are ordered by name", Model and
 * serializations §4.3), so the same inventory gives the same bytes.
 *
 * Nothing is invented: a property the inventory does not know is left out, and where SPDX requires a value
 * it cannot have (`created`, the licence relationships of the AI and Dataset profiles, `datasetType`) the
 * value written is SPDX's own "no assertion", or a documented placeholder.
 */

/** The JSON-LD context every SPDX 3.0.1 document names (Model and serializations §4.5.1). */
export const SPDX_CONTEXT = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';
export const SPDX_SPEC_VERSION = '3.0.1';

/**
 * `created` when no time is given. CreationInfo.created is mandatory (minCount 1) and the specification
 * recommends a reproducible value such as the last commit's date over the time of writing (Core/created).
 * Without one we write the Unix epoch, which no reader can take for a real creation time, and say so in the
 * CreationInfo's `comment`.
 */
export const PLACEHOLDER_CREATED = '1970-01-01T00:00:00Z';

/**
 * Base of the default namespace. `.invalid` is reserved never to resolve (RFC 6761 §6.4): the ids are names,
 * not addresses, and a reader is not invited to fetch them.
 */
export const DEFAULT_NAMESPACE_BASE = 'https://pedigree.invalid/spdx/';

/** Characters of a ref kept readable in its element id; the hash after it keeps ids unique. */
const MAX_ID_SLUG_CHARS = 48;
/** Hex digits of SHA-256 in an element id (48 bits: a collision is checked for, and refused, anyway). */
const ID_HASH_HEX = 12;
/** Hex digits of SHA-256 of the document's content in the default namespace (128 bits). */
const NAMESPACE_HASH_HEX = 32;

export interface SpdxOptions {
  /** ISO 8601 time with a zone (`2024-05-01T12:00:00Z`) written as `created`; see PLACEHOLDER_CREATED. */
  readonly timestamp?: string;
  /**
   * Absolute IRI, without `#`, that element ids are made under (`https://example.com/spdx/my-model-1.2`).
   * By default one derived from the inventory's content under DEFAULT_NAMESPACE_BASE.
   */
  readonly namespace?: string;
}

/** A JSON value of the document. */
export type SpdxValue = string | number | boolean | readonly SpdxValue[] | SpdxObject;
export interface SpdxObject {
  readonly [key: string]: SpdxValue;
}

export interface SpdxJsonLd {
  readonly '@context': typeof SPDX_CONTEXT;
  readonly '@graph': readonly SpdxObject[];
}

type Node = { [key: string]: SpdxValue };

/** The blank node every element's `creationInfo` refers to. */
const CREATION_INFO_ID = '_:creationinfo';

/**
 * The individual "no assertion" licence. The JSON-LD context maps this term to
 * `https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense`, which the model declares
 * `owl:sameAs` `https://spdx.org/rdf/3.0.1/terms/Licensing/NoAssertion` (ExpandedLicensing/NoAssertionLicense),
 * and the JSON schema accepts the term wherever an element is expected.
 */
export const NO_ASSERTION_LICENSE = 'expandedlicensing_NoAssertionLicense';

/** The SPDX Hash algorithm of each inventory algorithm (Core/HashAlgorithm). */
function hashAlgorithm(algorithm: InventoryHash['algorithm']): string {
  switch (algorithm) {
    case 'SHA-256':
      return 'sha256';
    case 'SHA-384':
      return 'sha384';
    case 'SHA-512':
      return 'sha512';
    case 'SHA-1':
      return 'sha1';
    case 'MD5':
      return 'md5';
    case 'BLAKE2b-256':
      return 'blake2b256';
    case 'BLAKE3':
      return 'blake3';
  }
}

/**
 * What a file is, as Software/SoftwarePurpose says it. A tokenizer's vocabulary and merges are data the
 * model reads; a lockfile, a DVC pointer file and a package manifest are manifests; a Dockerfile is the
 * source a container image is built from.
 */
function filePurpose(role: FileRole): string {
  switch (role) {
    case 'weights':
      return 'model';
    case 'model-config':
      return 'configuration';
    case 'tokenizer':
    case 'data':
      return 'data';
    case 'card':
    case 'license':
      return 'documentation';
    case 'lockfile':
    case 'manifest':
    case 'dvc':
      return 'manifest';
    case 'dockerfile':
    case 'code':
      return 'source';
    case 'other':
      return 'other';
  }
}

/**
 * The SPDX relationship type of each inventory relationship (Core/RelationshipType). `derivedFrom` becomes
 * `descendantOf` ("the `from` Element is a descendant of each `to` Element"): a fine-tune, quantisation,
 * adapter or merge is a descendant of its base model, and the direction stays the inventory's. The
 * alternatives say less or something else: `ancestorOf` is the same fact written from the base,
 * `hasInput`/`generates` belong to a Build, `hasVariant` implies siblings rather than lineage.
 */
function relationshipType(kind: RelationshipKind): string {
  switch (kind) {
    case 'dependsOn':
      return 'dependsOn';
    case 'trainedOn':
      return 'trainedOn';
    case 'testedOn':
      return 'testedOn';
    case 'derivedFrom':
      return 'descendantOf';
    case 'contains':
      return 'contains';
  }
}

/** Where each kind of link goes: the first website and distribution link become properties, the rest refs. */
function externalRefType(type: ExternalLink['type']): string {
  switch (type) {
    case 'website':
      return 'altWebPage';
    case 'distribution':
      return 'altDownloadLocation';
    case 'vcs':
      return 'vcs';
    case 'documentation':
    case 'model-card':
      return 'documentation';
    case 'license':
      return 'license';
    case 'other':
      return 'other';
  }
}

/** Builds the SPDX 3.0.1 JSON-LD document of an inventory as a plain object. */
export function buildSpdxDocument(inventory: Inventory, options: SpdxOptions = {}): SpdxJsonLd {
  const namespace =
    options.namespace !== undefined ? checkNamespace(options.namespace) : defaultNamespace(inventory);
  const created = options.timestamp !== undefined ? checkTimestamp(options.timestamp) : undefined;
  return build(inventory, namespace, created);
}

function build(inventory: Inventory, namespace: string, created: string | undefined): SpdxJsonLd {
  const graph = new GraphBuilder(namespace);
  graph.write(inventory, created);
  return graph.finish();
}

/** The document as pretty JSON (two spaces) with a final newline. */
export function serializeSpdx(inventory: Inventory, options: SpdxOptions = {}): string {
  return `${JSON.stringify(buildSpdxDocument(inventory, options), null, 2)}\n`;
}

/** The namespace the document is first written under to find its content hash (never in any output). */
const PROBE_NAMESPACE = 'urn:pedigree:spdx:probe';

/** Problems written as annotations; the rest are counted in one more. */
export const MAX_SPDX_PROBLEMS = 1_000;

/**
 * The default namespace: DEFAULT_NAMESPACE_BASE, the project's name and a SHA-256 of what the document says
 * (written once under a fixed namespace, without a creation time). SPDX ids must be unique to the element
 * (Core/spdxId); a content hash makes them so without a registry or a random UUID, keeps them the same for
 * the same project whatever the order of the inventory's lists, the time or the path it was reached by,
 * and changes them when anything the document says changes.
 */
export function defaultNamespace(inventory: Inventory): string {
  const probe = JSON.stringify(build(inventory, PROBE_NAMESPACE, undefined));
  const digest = sha256Hex(utf8(probe)).slice(0, NAMESPACE_HASH_HEX);
  const slug = slugOf(inventory.project.name);
  return `${DEFAULT_NAMESPACE_BASE}${slug === '' ? '' : `${slug}-`}${digest}`;
}

/** An absolute IRI (RFC 3987) without fragment, whitespace or characters IRIs forbid. */
const NAMESPACE_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s#<>"{}|\\^`\u0000-\u001f\u007f-\u009f]+$/u;

function checkNamespace(namespace: string): string {
  if (!NAMESPACE_PATTERN.test(namespace))
    throw new UsageError(
      'BAD_ARGUMENT',
      `the SPDX namespace must be an absolute IRI without "#" or spaces (like https://example.com/spdx/my-model), not ${JSON.stringify(namespace.slice(0, 120))}`,
    );
  return namespace;
}

/** ISO 8601 with a zone (or a bare date, which is UTC): never a local time that differs between machines. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

/**
 * A time as SPDX's DateTime: UTC, whole seconds, `Z` (Core/DateTime: "YYYY-MM-DDThh:mm:ssZ"), or undefined
 * when the text is not such a time.
 */
export function toSpdxDateTime(value: string): string | undefined {
  if (!ISO_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  // Years past 9999 are written `+010000-...` and have no DateTime form.
  return /^\d{4}-/.test(iso) ? `${iso.slice(0, 19)}Z` : undefined;
}

function checkTimestamp(timestamp: string): string {
  const time = toSpdxDateTime(timestamp);
  if (time === undefined)
    throw new UsageError(
      'BAD_ARGUMENT',
      `the SPDX creation time must be an ISO 8601 time with a zone (like 2024-05-01T12:00:00Z), not ${JSON.stringify(timestamp.slice(0, 60))}`,
    );
  return time;
}

/**
 * The readable part of an element id: ASCII letters, digits, `.` and `-`, so every id is a valid IRI
 * whatever the names and paths hold (spaces, `#`, `%`, non-Latin scripts).
 */
function slugOf(text: string): string {
  return text
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, MAX_ID_SLUG_CHARS)
    .replace(/[-.]+$/, '');
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Card texts as one string, each followed by the place it came from, under an optional label. */
function cardTexts(label: string | undefined, texts: readonly CardText[]): string | undefined {
  if (texts.length === 0) return undefined;
  const body = texts.map((t) => `${t.text} (${t.source})`).join('\n\n');
  return label === undefined ? body : `${label}: ${body}`;
}

function joinParts(parts: readonly (string | undefined)[], separator = '\n\n'): string | undefined {
  const kept = parts.filter((p): p is string => p !== undefined && p !== '');
  return kept.length > 0 ? clipText(kept.join(separator)) : undefined;
}

/** Sets a property only when it has a value (SPDX has no nulls, and empty lists say nothing). */
function put(node: Node, key: string, value: SpdxValue | undefined): void {
  if (value === undefined || value === '') return;
  if (Array.isArray(value) && value.length === 0) return;
  node[key] = value;
}

/** Object keys sorted by name, deep (the canonical serialization's order). */
function sortKeys(value: SpdxValue): SpdxValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object') {
    const out: Node = {};
    for (const key of Object.keys(value).sort(compareStrings))
      out[key] = sortKeys((value as SpdxObject)[key]!);
    return out;
  }
  return value;
}

function hashes(list: readonly InventoryHash[], comment?: string): Node[] {
  return uniqueSorted(list.map((h) => `${hashAlgorithm(h.algorithm)}\u0000${h.value.toLowerCase()}`)).map(
    (key) => {
      const [algorithm, hashValue] = key.split('\u0000') as [string, string];
      const hash: Node = { type: 'Hash', algorithm, hashValue };
      put(hash, 'comment', comment);
      return hash;
    },
  );
}

/** An OCI/Docker digest (`sha256:<hex>`) as a Hash. */
function digestHash(digest: string | undefined): Node[] {
  const match = digest === undefined ? null : /^(sha256|sha384|sha512):([0-9a-f]+)$/i.exec(digest);
  if (match === null) return [];
  return [{ type: 'Hash', algorithm: match[1]!.toLowerCase(), hashValue: match[2]!.toLowerCase() }];
}

/**
 * The licence expression of one licence statement: an SPDX expression as written when it parses, a name
 * that is no SPDX id as `LicenseRef-<name>` (SPDX license expressions annex: `license-ref`, idstring of
 * letters, digits, `.` and `-`).
 */
function licenseExpressionOf(license: InventoryLicense): string | undefined {
  if (license.expression !== undefined) {
    try {
      parseSpdx(license.expression);
      return license.expression;
    } catch {
      return licenseRef(license.expression);
    }
  }
  return license.name !== undefined ? licenseRef(license.name) : undefined;
}

function licenseRef(name: string): string | undefined {
  const id = name.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return id === '' ? undefined : `LicenseRef-${id}`;
}

/**
 * All licence statements of a component as one expression. Statements from several files (card, LICENSE,
 * lockfile) are joined with AND: each was declared, and AND claims that every one applies, the reading
 * that promises a user the least. A compound operand is parenthesised so the meaning of each is kept.
 */
function declaredExpression(licenses: readonly InventoryLicense[]): string | undefined {
  const expressions = uniqueSorted(
    licenses.map(licenseExpressionOf).filter((e): e is string => e !== undefined),
  );
  if (expressions.length <= 1) return expressions[0];
  return expressions.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' AND ');
}

/** CVSS qualitative rating of a base score (CVSS v3.1 specification §5; the same bands in v4.0). */
function cvssSeverity(score: number): string {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** `CVE-` ids are SPDX `cve` identifiers; GHSA, PYSEC and the rest are `securityOther`. */
function vulnerabilityIdentifier(id: string): Node {
  return {
    type: 'ExternalIdentifier',
    externalIdentifierType: /^CVE-\d{4}-\d+$/i.test(id) ? 'cve' : 'securityOther',
    identifier: id,
    identifierLocator: [`https://osv.dev/vulnerability/${encodeURIComponent(id)}`],
  };
}

/** An http(s) URL without characters a URI may not hold (RFC 3986). */
function isHttpUrl(url: string): boolean {
  return /^https?:\/\/[^\s<>"{}|\\^`]+$/.test(url);
}

/**
 * An absolute URI (RFC 3986 §4.3) without characters a URI may not hold: `https:`, `git+https:`, `s3:`.
 * Schemes that run or embed content in a reader (`javascript:`, `data:`, `vbscript:`) are no locations.
 */
function isLocation(uri: string): boolean {
  return (
    /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/.test(uri) && !/^(?:javascript|data|vbscript):/i.test(uri)
  );
}

/** A media type as Core/MediaType takes it: `type/subtype`, parameters allowed, no second `/`. */
function isMediaType(value: string): boolean {
  return /^[^/\s]+\/[^/\s;]+(?:\s*;[^/]*)?$/.test(value);
}

class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly nodeOfId = new Map<string, Node>();
  /** Element id → the key it was derived from, to refuse two keys that give one id. */
  private readonly keyOfId = new Map<string, string>();
  /** Inventory ref → element id, for the refs that have an element. */
  private readonly idOfRef = new Map<string, string>();
  private readonly agents = new Map<string, Node>();
  /** Inventory ref → the entry's name, for texts that name other entries. */
  private readonly nameOfRef = new Map<string, string>();
  private readonly licenses = new Map<string, Node>();
  /** `from` id, relationship type and scope → `to` ids. */
  private readonly edges = new Map<string, { from: string; type: string; scope?: string; to: Set<string> }>();
  private hasVulnerabilities = false;

  constructor(private readonly namespace: string) {}

  /** The element id of a key: `<namespace>#SPDXRef-<readable part>-<hash of the key>`. */
  private idOf(key: string): string {
    const slug = slugOf(key);
    const digest = sha256Hex(utf8(key)).slice(0, ID_HASH_HEX);
    const id = `${this.namespace}#SPDXRef-${slug === '' ? '' : `${slug}-`}${digest}`;
    const previous = this.keyOfId.get(id);
    if (previous !== undefined && previous !== key)
      throw new InternalError(
        'UNEXPECTED',
        `two SPDX elements would share the id ${id}: ${previous}, ${key}`,
      );
    this.keyOfId.set(id, key);
    return id;
  }

  private element(type: string, id: string, props: Node = {}): Node {
    if (this.nodeOfId.has(id))
      throw new InternalError('UNEXPECTED', `the SPDX element ${id} is written twice`);
    const node: Node = { type, spdxId: id, creationInfo: CREATION_INFO_ID, ...props };
    this.nodes.push(node);
    this.nodeOfId.set(id, node);
    return node;
  }

  /** The element of an id when it was written already (the same advisory or finding listed twice). */
  private existing(id: string): Node | undefined {
    return this.nodeOfId.get(id);
  }

  /** What follows `#SPDXRef-` in an id of this document (the whole IRI for any other). */
  private local(id: string): string {
    const prefix = `${this.namespace}#SPDXRef-`;
    return id.startsWith(prefix) ? id.slice(prefix.length) : id;
  }

  /** An element for an inventory entry, its id derived from the entry's ref. */
  private entry(type: string, ref: string, name: string): Node {
    if (this.idOfRef.has(ref)) throw new InternalError('UNEXPECTED', `the inventory lists ${ref} twice`);
    const id = this.idOf(ref);
    this.idOfRef.set(ref, id);
    return this.element(type, id, { name });
  }

  private relate(from: string, type: string, to: Iterable<string>, scope?: string): void {
    const key = `${from}\u0000${type}\u0000${scope ?? ''}`;
    let edge = this.edges.get(key);
    if (edge === undefined) {
      edge = { from, type, ...(scope !== undefined ? { scope } : {}), to: new Set() };
      this.edges.set(key, edge);
    }
    for (const t of to) edge.to.add(t);
  }

  /** An Organization, Person or (kind unknown) Agent, one per kind and name. */
  private agent(party: InventoryParty): string {
    const type =
      party.kind === 'organization' ? 'Organization' : party.kind === 'person' ? 'Person' : 'Agent';
    const key = `agent:${party.kind}:${party.name}`;
    let node = this.agents.get(key);
    if (node === undefined) {
      node = this.element(type, this.idOf(key), { name: party.name });
      this.agents.set(key, node);
    }
    if (party.url !== undefined && isLocation(party.url)) {
      const refs = (node.externalRef as Node[] | undefined) ?? [];
      if (!refs.some((r) => (r.locator as string[])[0] === party.url))
        refs.push({ type: 'ExternalRef', externalRefType: 'other', locator: [party.url] });
      // Sorted, so the order the inventory names the agent's pages in does not show.
      node.externalRef = refs.sort((a, b) =>
        compareStrings((a.locator as string[])[0]!, (b.locator as string[])[0]!),
      );
    }
    return node.spdxId as string;
  }

  /**
   * The Hub account a repository is served from (`org` of `org/name`) as its supplier: Core/suppliedBy is
   * "the actual distribution source", which for a Hub repository is the account that publishes it. Whether
   * the account is a person or an organisation the id does not say, so it is an Agent.
   */
  private hubSupplier(hubId: string | undefined, parties: readonly InventoryParty[]): string | undefined {
    const account = hubId?.includes('/') ? hubId.slice(0, hubId.indexOf('/')) : undefined;
    if (!account) return undefined;
    // The card's own author or owner of that name, when there is one, is that account.
    const named = parties.find((p) => p.name.toLowerCase() === account.toLowerCase());
    return this.agent(named ?? { name: account, kind: 'unknown' });
  }

  private licenseExpression(expression: string): string {
    const key = `license:${expression}`;
    let node = this.licenses.get(key);
    if (node === undefined) {
      node = this.element('simplelicensing_LicenseExpression', this.idOf(key), {
        simplelicensing_licenseExpression: expression,
      });
      this.licenses.set(key, node);
    }
    return node.spdxId as string;
  }

  /** `hasDeclaredLicense` when the inventory states a licence; with `always`, NOASSERTION otherwise. */
  private declaredLicense(from: string, licenses: readonly InventoryLicense[], always: boolean): void {
    const expression = declaredExpression(licenses);
    if (expression !== undefined)
      this.relate(from, 'hasDeclaredLicense', [this.licenseExpression(expression)]);
    else if (always) this.relate(from, 'hasDeclaredLicense', [NO_ASSERTION_LICENSE]);
  }

  /**
   * The AI and Dataset profiles require exactly one `hasConcludedLicense` and one `hasDeclaredLicense` per
   * AIPackage and DatasetPackage (AI and Dataset profile conformance, items 1 and 2). pedigree reports what
   * files declare and concludes nothing, so the concluded licence is NOASSERTION.
   */
  private profileLicenses(from: string, licenses: readonly InventoryLicense[]): void {
    this.declaredLicense(from, licenses, true);
    this.relate(from, 'hasConcludedLicense', [NO_ASSERTION_LICENSE]);
  }

  private links(node: Node, links: readonly ExternalLink[]): void {
    const valid = links.filter((l) => isLocation(l.url));
    const home = valid.find((l) => l.type === 'website');
    const download = valid.find((l) => l.type === 'distribution');
    if (home !== undefined) put(node, 'software_homePage', home.url);
    if (download !== undefined) put(node, 'software_downloadLocation', download.url);
    const refs = valid
      .filter((l) => l !== home && l !== download)
      .map((l) => {
        const ref: Node = { type: 'ExternalRef', externalRefType: externalRefType(l.type), locator: [l.url] };
        put(ref, 'comment', l.comment);
        return ref;
      })
      .sort(
        (a, b) =>
          compareStrings(a.externalRefType as string, b.externalRefType as string) ||
          compareStrings((a.locator as string[])[0]!, (b.locator as string[])[0]!),
      );
    put(node, 'externalRef', refs);
  }

  private hubIdentifier(node: Node, hubId: string | undefined, kind: 'model' | 'dataset'): void {
    if (hubId === undefined) return;
    const path = kind === 'dataset' ? `datasets/${hubId}` : hubId;
    put(node, 'externalIdentifier', [
      {
        type: 'ExternalIdentifier',
        externalIdentifierType: 'other',
        identifier: hubId,
        issuingAuthority: 'https://huggingface.co',
        identifierLocator: [`https://huggingface.co/${path.split('/').map(encodeURIComponent).join('/')}`],
      },
    ]);
  }

  write(inventory: Inventory, created: string | undefined): void {
    const tool = `${inventory.tool.name} ${inventory.tool.version}`;
    // CreationInfo.createdBy must be an Agent and createdUsing a Tool (Core/CreationInfo): pedigree is
    // both, the program that acted and the tool it used. Who ran it the inventory does not know.
    const agentId = this.element('SoftwareAgent', this.idOf(`agent:software:${tool}`), { name: tool })
      .spdxId as string;
    const toolId = this.element('Tool', this.idOf(`tool:${tool}`), { name: tool }).spdxId as string;
    const creationInfo: Node = {
      type: 'CreationInfo',
      '@id': CREATION_INFO_ID,
      specVersion: SPDX_SPEC_VERSION,
      created: created ?? PLACEHOLDER_CREATED,
      createdBy: [agentId],
      createdUsing: [toolId],
    };
    if (created === undefined)
      creationInfo.comment =
        'No creation time was given: created is the Unix epoch as a placeholder, so that the same project gives the same document.';
    this.nodes.push(creationInfo);

    for (const e of [...inventory.models, ...inventory.datasets]) this.nameOfRef.set(e.ref, e.name);
    const project = this.entry('software_Package', inventory.project.ref, inventory.project.name);
    // No primaryPurpose: a project folder may be an application, a model repository or a training codebase,
    // and SPDX does not require one on a Package.
    put(project, 'software_packageVersion', inventory.project.version);
    put(project, 'description', inventory.project.description && clipText(inventory.project.description));
    this.declaredLicense(project.spdxId as string, inventory.project.licenses ?? [], false);

    for (const file of inventory.files) this.file(file);
    for (const model of inventory.models) this.model(model);
    const files = new Map(inventory.files.map((f) => [f.ref, f]));
    for (const dataset of inventory.datasets) this.dataset(dataset, files);
    const optional = new Set(inventory.libraries.filter((l) => l.optional).map((l) => l.ref));
    for (const library of inventory.libraries) this.library(library);
    for (const container of inventory.containers) this.container(container);

    // Relationships: the inventory's list, and the same facts from each entry (merged, so either is enough).
    const edges: { from: string; kind: RelationshipKind; to: readonly string[] }[] = [
      ...inventory.relationships,
      ...inventory.models.flatMap((m) => [
        { from: m.ref, kind: 'trainedOn' as const, to: m.trainedOn },
        { from: m.ref, kind: 'testedOn' as const, to: m.testedOn },
        { from: m.ref, kind: 'derivedFrom' as const, to: m.derivedFrom },
        { from: m.ref, kind: 'contains' as const, to: m.weightFiles },
      ]),
      ...inventory.datasets.map((d) => ({ from: d.ref, kind: 'contains' as const, to: d.files })),
      ...inventory.libraries.map((l) => ({ from: l.ref, kind: 'dependsOn' as const, to: l.dependsOn })),
    ];
    for (const edge of edges) {
      const from = this.idOfRef.get(edge.from);
      // A ref without an entry is left out, as the CycloneDX writer leaves it out: a relationship must
      // point at an element, and inventing one would claim more than the project shows.
      if (from === undefined) continue;
      const type = relationshipType(edge.kind);
      const required: string[] = [];
      const development: string[] = [];
      for (const ref of edge.to) {
        const to = this.idOfRef.get(ref);
        if (to === undefined || to === from) continue;
        // A library only in dev/test groups is needed while developing, not to run: a dependsOn scoped to
        // development (Core/LifecycleScopedRelationship, LifecycleScopeType `development`).
        (edge.kind === 'dependsOn' && optional.has(ref) ? development : required).push(to);
      }
      if (required.length > 0) this.relate(from, type, required);
      if (development.length > 0) this.relate(from, type, development, 'development');
    }

    for (const issue of inventory.issues) this.issue(issue);

    const sbomId = `${this.namespace}#SPDXRef-SBOM`;
    // Problems make the inventory incomplete; the document says where, on the SBOM.
    // At most MAX_SPDX_PROBLEMS, as the CycloneDX writer lists at most its own limit: a project of a
    // million unreadable entries must not make a document too large to write; the rest are counted.
    const shown = inventory.problems.slice(0, MAX_SPDX_PROBLEMS);
    for (const problem of shown) {
      const id = this.idOf(`annotation:${problem.path}:${problem.message}`);
      if (this.existing(id) !== undefined) continue;
      this.element('Annotation', id, {
        annotationType: 'other',
        subject: sbomId,
        statement: clipText(`${inventory.tool.name} could not read ${problem.path}: ${problem.message}`),
      });
    }
    if (inventory.problems.length > shown.length)
      this.element('Annotation', this.idOf('annotation:more-problems'), {
        annotationType: 'other',
        subject: sbomId,
        statement: `${inventory.problems.length - shown.length} more problems not listed (${inventory.problems.length} in all).`,
      });

    this.writeRelationships();
    this.writeCollections(inventory, project.spdxId as string, sbomId);
  }

  private namesOf(refs: readonly string[]): string {
    return uniqueSorted(refs.map((r) => this.nameOfRef.get(r) ?? r)).join(', ');
  }

  private file(file: InventoryFile): void {
    const node = this.entry('software_File', file.ref, file.path);
    node.software_fileKind = 'file';
    node.software_primaryPurpose = filePurpose(file.role);
    put(node, 'verifiedUsing', hashes(file.hashes));
    if (file.mediaType !== undefined && isMediaType(file.mediaType)) node.contentType = file.mediaType;
    put(node, 'comment', file.format !== undefined ? `Serialisation format: ${file.format}.` : undefined);
  }

  /**
   * A model as an AI/AIPackage. The class's property restrictions (releaseTime, suppliedBy, downloadLocation,
   * packageVersion: minCount 1) are met where the inventory knows the value and never filled with a guess;
   * neither the JSON schema nor the SHACL shapes of 3.0.1 check them, and spdx-3-model#1158 drops them
   * (all but primaryPurpose) because the values "may not always be available".
   */
  private model(model: InventoryModel): void {
    const node = this.entry('ai_AIPackage', model.ref, model.name);
    const p = model.parameters;
    node.software_primaryPurpose = 'model';
    put(node, 'software_packageVersion', model.version);
    put(node, 'software_packageUrl', model.purl);
    put(node, 'description', model.description && clipText(model.description));
    put(node, 'verifiedUsing', hashes(model.hashes));
    this.links(node, model.links);
    this.hubIdentifier(node, model.hubId, 'model');
    put(node, 'originatedBy', uniqueSorted(model.authors.map((a) => this.agent(a))));
    put(node, 'suppliedBy', this.hubSupplier(model.hubId, model.authors));

    // AI/typeOfModel: "supervised model, unsupervised model, ..." and, as free text, the architecture.
    put(
      node,
      'ai_typeOfModel',
      uniqueSorted([p.approach, p.architectureFamily, p.architecture].filter(isText)),
    );
    // AI/domain: "computer vision, natural language processing": the task's modality in the Hub's
    // taxonomy (@huggingface/tasks PIPELINE_DATA), and the task itself.
    const task = p.task;
    const modality =
      task !== undefined && Object.hasOwn(PIPELINE_DATA, task)
        ? MODALITY_LABELS[PIPELINE_DATA[task as keyof typeof PIPELINE_DATA].modality]
        : undefined;
    put(node, 'ai_domain', uniqueSorted([modality, task].filter(isText)));

    const c = model.considerations;
    put(
      node,
      'ai_informationAboutApplication',
      joinParts([
        cardTexts('Intended users', c.users),
        cardTexts('Use cases', c.useCases),
        cardTexts('Out of scope', c.outOfScope),
      ]),
    );
    // The model card template's "Bias, Risks, and Limitations" section holds all three; SPDX's example of a
    // limitation is itself a bias ("cannot be used on datasets from a certain demography", AI/limitation).
    put(
      node,
      'ai_limitation',
      joinParts([
        cardTexts(undefined, c.technicalLimitations),
        cardTexts('Ethical considerations', c.ethicalConsiderations),
        cardTexts('Fairness', c.fairness),
      ]),
    );
    put(node, 'ai_metric', metricEntries(model));
    put(
      node,
      'ai_informationAboutTraining',
      joinParts(
        [
          p.approach !== undefined ? `Training approach: ${p.approach}.` : undefined,
          model.trainedOn.length > 0 ? `Trained on: ${this.namesOf(model.trainedOn)}.` : undefined,
          model.derivedFrom.length > 0 ? `Derived from: ${this.namesOf(model.derivedFrom)}.` : undefined,
        ],
        ' ',
      ),
    );
    put(
      node,
      'comment',
      joinParts(
        [
          model.external ? 'Named by a card, not present in the project.' : undefined,
          model.formats.length > 0 ? `Weight formats: ${model.formats.join(', ')}.` : undefined,
          p.parameterCount !== undefined
            ? `Parameters: ${p.parameterCount} (from the weight headers).`
            : undefined,
          c.environmental.length > 0 ? cardTexts('Environmental impact', c.environmental) : undefined,
          model.sources.length > 0 ? `Stated in: ${model.sources.join(', ')}.` : undefined,
        ],
        ' ',
      ),
    );
    this.profileLicenses(node.spdxId as string, model.licenses);
  }

  /**
   * A dataset as a Dataset/DatasetPackage. `datasetType` is required (minCount 1) and the inventory does not
   * know what kind of data it is, so it is `noAssertion` ("data type is not known"). The card's text on
   * personal information is kept as a comment: hasSensitivePersonalInformation is yes/no/noAssertion and
   * reading a yes or no out of prose would be a guess. The class restrictions are met as for models.
   */
  private dataset(dataset: InventoryDataset, files: ReadonlyMap<string, InventoryFile>): void {
    const node = this.entry('dataset_DatasetPackage', dataset.ref, dataset.name);
    node.software_primaryPurpose = 'data';
    node.dataset_datasetType = ['noAssertion'];
    // Dataset/datasetSize is "measured in bytes": the sum of the dataset's files when every one is in the
    // project as data (a DVC pointer or a file not read would make the sum a size of something else).
    const own = dataset.files.map((ref) => files.get(ref));
    if (!dataset.external && own.length > 0 && own.every((f) => f !== undefined && f.role === 'data'))
      node.dataset_datasetSize = own.reduce((sum, f) => sum + f!.size, 0);
    put(node, 'description', dataset.description && clipText(dataset.description));
    put(node, 'verifiedUsing', hashes(dataset.hashes, "A digest over the dataset's files, not of one file."));
    this.links(node, dataset.links);
    if (dataset.contentsUrl !== undefined && isLocation(dataset.contentsUrl))
      node.software_downloadLocation = dataset.contentsUrl;
    this.hubIdentifier(node, dataset.hubId, 'dataset');
    put(node, 'originatedBy', uniqueSorted(dataset.owners.map((a) => this.agent(a))));
    put(node, 'suppliedBy', this.hubSupplier(dataset.hubId, dataset.owners));
    // Dataset/ConfidentialityLevelType is the Traffic Light Protocol's four levels; another word a card
    // uses (`public`, `internal`) is not mapped onto them.
    const level = dataset.classification?.toLowerCase();
    const tlp = level !== undefined && ['red', 'amber', 'green', 'clear'].includes(level) ? level : undefined;
    put(node, 'dataset_confidentialityLevel', tlp);
    put(
      node,
      'comment',
      joinParts(
        [
          dataset.external ? 'Named by a model card, not present in the project.' : undefined,
          dataset.path !== undefined ? `Folder: ${dataset.path}.` : undefined,
          dataset.classification !== undefined && tlp === undefined
            ? `Classification: ${dataset.classification}.`
            : undefined,
          // SPDX has no custodian; the names are kept rather than dropped.
          dataset.custodians.length > 0
            ? `Custodians: ${dataset.custodians.map((c) => c.name).join(', ')}.`
            : undefined,
          cardTexts('Personal or sensitive information', dataset.sensitiveData),
          dataset.sources.length > 0 ? `Stated in: ${dataset.sources.join(', ')}.` : undefined,
        ],
        ' ',
      ),
    );
    this.profileLicenses(node.spdxId as string, dataset.licenses);
  }

  private library(library: InventoryLibrary): void {
    const node = this.entry('software_Package', library.ref, library.name);
    node.software_primaryPurpose = 'library';
    put(node, 'software_packageVersion', library.version);
    put(node, 'software_packageUrl', library.purl);
    put(node, 'verifiedUsing', hashes(library.hashes));
    if (library.sourceUrl !== undefined && isLocation(library.sourceUrl))
      node.software_downloadLocation = library.sourceUrl;
    put(
      node,
      'comment',
      joinParts(
        [
          library.requirement !== undefined ? `Required as ${library.requirement} (not locked).` : undefined,
          library.sourceUrl !== undefined && !isLocation(library.sourceUrl)
            ? `Fetched from ${library.sourceUrl}.`
            : undefined,
          library.declaredIn.length > 0 ? `Declared in: ${library.declaredIn.join(', ')}.` : undefined,
        ],
        ' ',
      ),
    );
    this.declaredLicense(node.spdxId as string, library.licenses, false);
  }

  private container(container: InventoryContainer): void {
    const node = this.entry('software_Package', container.ref, container.name);
    node.software_primaryPurpose = 'container';
    put(node, 'software_packageVersion', container.tag);
    put(node, 'software_packageUrl', container.purl);
    put(node, 'verifiedUsing', digestHash(container.digest));
    put(
      node,
      'comment',
      joinParts(
        [
          container.platform !== undefined ? `Platform: ${container.platform}.` : undefined,
          container.declaredIn.length > 0 ? `Declared in: ${container.declaredIn.join(', ')}.` : undefined,
        ],
        ' ',
      ),
    );
  }

  /**
   * An OSV advisory is a Security/Vulnerability associated with each component it affects, with a CVSS
   * assessment for each scored vector. A pedigree finding (a scan or card rule) is no vulnerability: it is
   * written as a review Annotation on the element it concerns (Core/Annotation, AnnotationType `review`).
   */
  private issue(issue: InventoryIssue): void {
    const affected = uniqueSorted(issue.affects.map((r) => this.idOfRef.get(r)).filter(isText));
    if (issue.source === 'pedigree') {
      for (const subject of affected) {
        const id = this.idOf(`annotation:${issue.id}:${this.local(subject)}:${issue.location ?? ''}`);
        if (this.existing(id) !== undefined) continue;
        this.element('Annotation', id, {
          annotationType: 'review',
          subject,
          statement: clipText(
            [
              `${issue.id} (${issue.severity}): ${issue.title}`,
              issue.location !== undefined ? `At ${issue.location}.` : undefined,
              issue.detail,
              issue.recommendation !== undefined ? `Recommendation: ${issue.recommendation}` : undefined,
            ]
              .filter(isText)
              .join('\n'),
          ),
        });
      }
      return;
    }
    this.hasVulnerabilities = true;
    const key = `vulnerability:${issue.id}`;
    const id = this.idOf(key);
    let node = this.existing(id);
    if (node === undefined) {
      node = this.element('security_Vulnerability', id, { name: issue.id, summary: clipText(issue.title) });
      put(node, 'description', issue.detail && clipText(issue.detail));
      put(
        node,
        'externalIdentifier',
        uniqueSorted([issue.id, ...issue.aliases]).map(vulnerabilityIdentifier),
      );
      const references: Node[] = [
        ...uniqueSorted(issue.references.filter(isHttpUrl)).map((url) => ({
          type: 'ExternalRef',
          externalRefType: 'securityOther',
          locator: [url],
        })),
        ...uniqueSorted(issue.cwes.map(String)).map((cwe) => ({
          type: 'ExternalRef',
          externalRefType: 'cwe',
          locator: [`https://cwe.mitre.org/data/definitions/${cwe}.html`],
        })),
      ];
      put(node, 'externalRef', references);
      put(node, 'security_publishedTime', issue.published && toSpdxDateTime(issue.published));
      put(node, 'security_modifiedTime', issue.modified && toSpdxDateTime(issue.modified));
      put(
        node,
        'comment',
        joinParts(
          [
            `Severity (${issue.source}): ${issue.severity}.`,
            issue.recommendation !== undefined ? `Recommendation: ${issue.recommendation}` : undefined,
          ],
          ' ',
        ),
      );
    }
    for (const from of affected) this.relate(from, 'hasAssociatedVulnerability', [id]);
    if (affected.length === 0) return;
    for (const cvss of issue.cvss) {
      if (cvss.score === undefined || !Number.isFinite(cvss.score) || cvss.score < 0 || cvss.score > 10)
        continue;
      const major = cvss.version.trim().charAt(0);
      const type =
        major === '2'
          ? 'security_CvssV2VulnAssessmentRelationship'
          : major === '3'
            ? 'security_CvssV3VulnAssessmentRelationship'
            : major === '4'
              ? 'security_CvssV4VulnAssessmentRelationship'
              : undefined;
      if (type === undefined) continue;
      // The score is written as a decimal string, as in the specification's example: a JSON number would
      // become an xsd:double literal in RDF, which is not the xsd:decimal the model asks for.
      const assessmentId = this.idOf(`cvss:${issue.id}:${cvss.vector}`);
      const previous = this.existing(assessmentId);
      if (previous !== undefined) {
        previous.to = uniqueSorted([...(previous.to as string[]), ...affected]);
        continue;
      }
      const assessment = this.element(type, assessmentId, {
        relationshipType: 'hasAssessmentFor',
        from: id,
        to: affected,
        security_score: cvss.score.toFixed(1),
        security_vectorString: cvss.vector,
      });
      // CVSS v2 has no qualitative severity in SPDX (Security/CvssV2VulnAssessmentRelationship).
      if (major !== '2') assessment.security_severity = cvssSeverity(cvss.score);
    }
  }

  private writeRelationships(): void {
    for (const edge of this.edges.values()) {
      const to = uniqueSorted(edge.to);
      if (to.length === 0) continue;
      const key = `relationship:${edge.type}:${this.local(edge.from)}${edge.scope !== undefined ? `:${edge.scope}` : ''}`;
      const props: Node = { from: edge.from, relationshipType: edge.type, to };
      if (edge.scope !== undefined) props.scope = edge.scope;
      this.element(
        edge.scope !== undefined ? 'LifecycleScopedRelationship' : 'Relationship',
        this.idOf(key),
        props,
      );
    }
  }

  private writeCollections(inventory: Inventory, projectId: string, sbomId: string): void {
    const elements = this.nodes.filter((n) => typeof n.spdxId === 'string').map((n) => n.spdxId as string);
    // The licence data of the document itself: SPDX metadata is CC0-1.0 (Core/dataLicense).
    const dataLicense = this.licenseExpression('CC0-1.0');
    // What pedigree reads is the project as it sits on disk: its manifests and lockfiles (a source SBOM)
    // and the headers of built artifacts such as weight files (an analyzed SBOM) (Software/SbomType).
    this.element('software_Sbom', sbomId, {
      name: `SBOM of ${inventory.project.name}`,
      rootElement: [projectId],
      element: uniqueSorted(elements),
      software_sbomType: ['analyzed', 'source'],
    });
    const profiles = ['ai', 'core', 'dataset', 'simpleLicensing', 'software'];
    if (this.hasVulnerabilities) profiles.push('security');
    this.element('SpdxDocument', `${this.namespace}#SPDXRef-DOCUMENT`, {
      name: `${inventory.project.name} (${inventory.tool.name} BOM)`,
      dataLicense,
      rootElement: [sbomId],
      element: uniqueSorted([...elements, dataLicense, sbomId]),
      profileConformance: profiles.sort(compareStrings),
    });
  }

  finish(): SpdxJsonLd {
    const creation = this.nodes.filter((n) => n.spdxId === undefined);
    const document = this.nodes.filter((n) => n.type === 'SpdxDocument');
    const rest = this.nodes
      .filter((n) => n.spdxId !== undefined && n.type !== 'SpdxDocument')
      .sort((a, b) => compareStrings(a.spdxId as string, b.spdxId as string));
    const ids = new Set(rest.map((n) => n.spdxId));
    if (ids.size !== rest.length) throw new InternalError('UNEXPECTED', 'two SPDX elements share an id');
    const graph = [...creation, ...document, ...rest].map((n) => sortKeys(n) as SpdxObject);
    return { '@context': SPDX_CONTEXT, '@graph': graph };
  }
}

/**
 * Metrics as DictionaryEntry key/value pairs (AI/metric). The key is the metric type, with what it was
 * measured on when the card says, so that two results of one metric on different data stay apart.
 */
function metricEntries(model: InventoryModel): Node[] {
  const keyOf = (m: PerformanceMetric) => {
    const on = m.slice ?? m.datasetId;
    return on !== undefined ? `${m.type} on ${on}` : m.type;
  };
  const values = new Map<string, Set<string>>();
  for (const m of model.metrics) values.set(keyOf(m), (values.get(keyOf(m)) ?? new Set()).add(m.value));
  // A key with different values (the same metric reported twice) names each value's source instead.
  const entries = new Map<string, string>();
  for (const m of model.metrics) {
    const key = keyOf(m);
    entries.set(values.get(key)!.size > 1 ? `${key} [${m.source}]` : key, m.value);
  }
  return [...entries.keys()]
    .sort(compareStrings)
    .map((key) => ({ type: 'DictionaryEntry', key, value: entries.get(key)! }));
}

function isText(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
