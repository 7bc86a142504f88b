import { compareStrings } from '../../core/finding.js';
import {
  compareHashes,
  describeNotComparable,
  type HashComparison,
  hashListsDiffer,
  type NotComparableReason,
} from './compare-hashes.js';
import { isWeakAlgorithm } from './hashes.js';
import { identify, nameIdentity, normaliseFilePath } from './identity.js';
import type {
  BomComponent,
  BomDocument,
  BomFormatName,
  BomHash,
  BomModelFile,
  ComponentKind,
} from './model.js';

/** How a pair was recognised: by identity (identity.ts rules 1-2), by kind, group and name, or by content. */
export type MatchedBy = 'identity' | 'name' | 'content';

/** What can change between two matched components, in report order. */
export const CHANGED_FIELDS = ['name', 'type', 'version', 'purl', 'licenses', 'hashes', 'modelCard'] as const;
export type ChangedField = (typeof CHANGED_FIELDS)[number];

export interface ValueChange<T> {
  readonly before?: T;
  readonly after?: T;
}

export interface LicenseChange {
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** A component present in both BOMs with something different. */
export interface ComponentChange {
  /** The identity in B. */
  readonly identity: string;
  /** The identity in A, when the pair was matched by name or content and the identities differ. */
  readonly previousIdentity?: string;
  readonly matchedBy: MatchedBy;
  readonly a: BomComponent;
  readonly b: BomComponent;
  /** The fields that differ, in CHANGED_FIELDS order. */
  readonly fields: readonly ChangedField[];
  readonly name?: ValueChange<string>;
  readonly type?: ValueChange<string>;
  readonly version?: ValueChange<string>;
  readonly purl?: ValueChange<string>;
  readonly licenses?: LicenseChange;
  /** Always present; `hashes` is among `fields` when a digest changed or an algorithm was added or dropped. */
  readonly hashes: HashComparison;
  readonly modelCard?: ValueChange<boolean>;
}

/** A component in only one of the BOMs. */
export interface ComponentEntry {
  readonly identity: string;
  readonly component: BomComponent;
}

export type WeightFileStatus = 'added' | 'removed' | 'changed' | 'renamed' | 'unchanged' | 'not-comparable';

/** One weight file of a model, compared. */
export interface WeightFileDelta {
  readonly status: WeightFileStatus;
  /** The name in B (in A for a removed file). */
  readonly name: string;
  /** The name in A of a file found in B under another name with the same content. */
  readonly previousName?: string;
  readonly hashes: HashComparison;
}

/** An ML model in both BOMs, its weights compared: its own hashes and those of its weight files. */
export interface ModelWeightsDelta {
  readonly identity: string;
  readonly previousIdentity?: string;
  readonly a: BomComponent;
  readonly b: BomComponent;
  readonly modelHashes: HashComparison;
  /** Every weight file compared except unchanged ones, sorted by name. */
  readonly files: readonly WeightFileDelta[];
  /** Why the weights count as changed; empty when they do not. */
  readonly reasons: readonly ('model-hashes' | 'file-changed' | 'file-added' | 'file-removed')[];
  /** Why nothing could be said, for a model whose weights are neither shown changed nor shown the same. */
  readonly notComparable?: string;
}

/** A matched component whose content could not be compared by hash. */
export interface HashNotComparable {
  readonly identity: string;
  readonly kind: ComponentKind;
  readonly name: string;
  readonly reason: NotComparableReason;
}

export interface BomDiffSummary {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly unchanged: number;
  /** Models whose weights changed. */
  readonly modelsChanged: number;
  /** Models whose weights could not be compared (no hashes, only weak ones, files not listed). */
  readonly modelsNotComparable: number;
  /** Matched components (changed or not) whose hashes could not be compared. */
  readonly hashesNotComparable: number;
  /** No component added, removed or changed. */
  readonly identical: boolean;
}

export interface BomSideSummary {
  readonly format: BomFormatName;
  readonly specVersion: string;
  readonly components: number;
}

/** `diffBoms(a, b)`: every list sorted by identity, so the same two BOMs give the same diff. */
export interface BomDiff {
  readonly a: BomSideSummary;
  readonly b: BomSideSummary;
  readonly summary: BomDiffSummary;
  readonly added: readonly ComponentEntry[];
  readonly removed: readonly ComponentEntry[];
  readonly changed: readonly ComponentChange[];
  /** Models whose weights changed. */
  readonly modelsChanged: readonly ModelWeightsDelta[];
  readonly modelsNotComparable: readonly ModelWeightsDelta[];
  readonly hashesNotComparable: readonly HashNotComparable[];
}

interface Entry {
  readonly component: BomComponent;
  readonly identity: string;
  /** The package URL in canonical form (parsed once: packageurl-js is not cheap on 250,000 components). */
  readonly purl?: string;
}

function toEntry(component: BomComponent): Entry {
  const { identity, purl } = identify(component);
  return { component, identity, ...(purl !== undefined ? { purl } : {}) };
}

/** Fingerprints, computed only for identities held by several components (most have one). */
const fingerprints = new WeakMap<Entry, string>();

function fingerprintOf(entry: Entry): string {
  let value = fingerprints.get(entry);
  if (value === undefined) {
    value = fingerprint(entry.component, entry.purl);
    fingerprints.set(entry, value);
  }
  return value;
}

interface Pair {
  readonly a: Entry;
  readonly b: Entry;
  readonly matchedBy: MatchedBy;
}

/** Version strings in natural order: digit runs as numbers (`1.10` after `1.9`), the rest as text. */
export function compareVersions(x: string, y: string): number {
  const xs = x.match(/\d+|\D+/g) ?? [];
  const ys = y.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const p = xs[i] as string;
    const q = ys[i] as string;
    if (p === q) continue;
    if (/^\d/.test(p) && /^\d/.test(q)) {
      // Compared as digit strings without leading zeros: no precision lost on 30-digit "versions".
      const a = p.replace(/^0+(?=\d)/, '');
      const b = q.replace(/^0+(?=\d)/, '');
      if (a.length !== b.length) return a.length - b.length;
      if (a !== b) return compareStrings(a, b);
      continue;
    }
    return compareStrings(p, q);
  }
  return xs.length - ys.length || compareStrings(x, y);
}

function compareComponents(x: BomComponent, y: BomComponent): number {
  return (
    compareVersions(x.version ?? '', y.version ?? '') ||
    compareStrings(x.purl ?? '', y.purl ?? '') ||
    compareStrings(x.name, y.name) ||
    compareStrings(x.ref, y.ref) ||
    compareStrings(x.location, y.location)
  );
}

const compareEntries = (x: Entry, y: Entry) =>
  compareStrings(x.identity, y.identity) || compareComponents(x.component, y.component);

/** Everything the diff compares, as one string: two components with equal fingerprints are unchanged. */
function fingerprint(c: BomComponent, canonicalPurl: string | undefined): string {
  return JSON.stringify([
    c.kind,
    c.type ?? null,
    c.group ?? null,
    c.name,
    c.version ?? null,
    canonicalPurl ?? null,
    c.hashes,
    c.licenses,
    c.modelCard ?? null,
    c.files.map((f) => [f.name, f.hashes]),
  ]);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

/**
 * Pairs the components of one identity: first those equal in everything, then those of equal version, then
 * the rest newest with newest (so `torch 2.1, 2.2` against `torch 2.3` pairs 2.2 with 2.3 and reports 2.1
 * removed). Returns the leftovers.
 */
function pairWithin(
  xs: readonly Entry[],
  ys: readonly Entry[],
  matchedBy: MatchedBy,
  pairs: Pair[],
): { restA: Entry[]; restB: Entry[] } {
  if (xs.length === 1 && ys.length === 1) {
    pairs.push({ a: xs[0] as Entry, b: ys[0] as Entry, matchedBy });
    return { restA: [], restB: [] };
  }
  let restA = [...xs].sort(compareEntries);
  let restB = [...ys].sort(compareEntries);
  for (const key of [fingerprintOf, (e: Entry) => e.component.version ?? '']) {
    const queues = groupBy(restB, key);
    const taken = new Set<Entry>();
    const left: Entry[] = [];
    for (const x of restA) {
      const y = queues.get(key(x))?.shift();
      if (y === undefined) left.push(x);
      else {
        pairs.push({ a: x, b: y, matchedBy });
        taken.add(y);
      }
    }
    restA = left;
    restB = restB.filter((y) => !taken.has(y));
  }
  const newestFirst = (x: Entry, y: Entry) =>
    compareVersions(y.component.version ?? '', x.component.version ?? '') || compareEntries(x, y);
  restA.sort(newestFirst);
  restB.sort(newestFirst);
  const n = Math.min(restA.length, restB.length);
  for (let i = 0; i < n; i++) pairs.push({ a: restA[i] as Entry, b: restB[i] as Entry, matchedBy });
  return { restA: restA.slice(n), restB: restB.slice(n) };
}

/** One matching pass: entries grouped by their key on each side, each group paired by pairWithin. */
function matchPass(
  as: readonly Entry[],
  bs: readonly Entry[],
  keyA: (e: Entry) => string | undefined,
  keyB: (e: Entry) => string | undefined,
  matchedBy: MatchedBy,
  pairs: Pair[],
): { restA: Entry[]; restB: Entry[] } {
  const groupsA = groupBy(as, keyA);
  const groupsB = groupBy(bs, keyB);
  const restA = as.filter((e) => keyA(e) === undefined);
  const restB = bs.filter((e) => keyB(e) === undefined);
  for (const k of [...groupsA.keys()].sort(compareStrings)) {
    const xs = groupsA.get(k) as Entry[];
    const ys = groupsB.get(k);
    if (ys === undefined) {
      restA.push(...xs);
      continue;
    }
    const rest = pairWithin(xs, ys, matchedBy, pairs);
    restA.push(...rest.restA);
    restB.push(...rest.restB);
  }
  for (const [k, ys] of groupsB) if (!groupsA.has(k)) restB.push(...ys);
  return { restA, restB };
}

/** Keys of the collision-resistant digests of a hash list (`SHA-256:ab12...`). */
function strongKeys(hashes: readonly BomHash[]): string[] {
  return hashes.filter((h) => !isWeakAlgorithm(h.algorithm)).map((h) => `${h.algorithm}:${h.value}`);
}

/**
 * Pairs items found under another name with the same content: a strong digest held by exactly one item on
 * each side, and hashes that compare `unchanged`. Ambiguous cases (three copies of one empty file) stay
 * unpaired, and so are reported added and removed, never guessed.
 */
function pairByContent<T>(
  xs: readonly T[],
  ys: readonly T[],
  hashesOf: (item: T) => readonly BomHash[],
): { pairs: [T, T][]; restA: T[]; restB: T[] } {
  const index = (items: readonly T[]) => {
    const byKey = new Map<string, T[]>();
    for (const item of items)
      for (const key of strongKeys(hashesOf(item))) {
        const list = byKey.get(key);
        if (list === undefined) byKey.set(key, [item]);
        else list.push(item);
      }
    return byKey;
  };
  const byKeyA = index(xs);
  const byKeyB = index(ys);
  const partnersA = new Map<T, Set<T>>();
  const partnersB = new Map<T, Set<T>>();
  for (const [key, listA] of byKeyA) {
    const listB = byKeyB.get(key);
    if (listA.length !== 1 || listB?.length !== 1) continue;
    const x = listA[0] as T;
    const y = listB[0] as T;
    if (compareHashes(hashesOf(x), hashesOf(y)).status !== 'unchanged') continue;
    partnersA.set(x, (partnersA.get(x) ?? new Set()).add(y));
    partnersB.set(y, (partnersB.get(y) ?? new Set()).add(x));
  }
  const pairs: [T, T][] = [];
  const paired = new Set<T>();
  for (const x of xs) {
    const candidates = partnersA.get(x);
    if (candidates?.size !== 1) continue;
    const y = [...candidates][0] as T;
    if (partnersB.get(y)?.size !== 1) continue;
    pairs.push([x, y]);
    paired.add(x).add(y);
  }
  return { pairs, restA: xs.filter((x) => !paired.has(x)), restB: ys.filter((y) => !paired.has(y)) };
}

const displayName = (c: BomComponent) => (c.group !== undefined ? `${c.group}/${c.name}` : c.name);

function sortedDifference(xs: readonly string[], ys: readonly string[]): string[] {
  const other = new Set(ys);
  return xs.filter((x) => !other.has(x));
}

function describeChange(pair: Pair): ComponentChange {
  const { a, b } = { a: pair.a.component, b: pair.b.component };
  const hashes = compareHashes(a.hashes, b.hashes);
  const fields: ChangedField[] = [];
  const change: {
    -readonly [K in keyof ComponentChange]?: ComponentChange[K];
  } = {};
  if (displayName(a) !== displayName(b)) {
    fields.push('name');
    change.name = { before: displayName(a), after: displayName(b) };
  }
  if (a.type !== undefined && b.type !== undefined && a.type !== b.type) {
    fields.push('type');
    change.type = { before: a.type, after: b.type };
  }
  if (a.version !== b.version) {
    fields.push('version');
    change.version = {
      ...(a.version !== undefined ? { before: a.version } : {}),
      ...(b.version !== undefined ? { after: b.version } : {}),
    };
  }
  if (pair.a.purl !== pair.b.purl) {
    fields.push('purl');
    change.purl = {
      ...(a.purl !== undefined ? { before: a.purl } : {}),
      ...(b.purl !== undefined ? { after: b.purl } : {}),
    };
  }
  if (a.licenses.join('\n') !== b.licenses.join('\n')) {
    fields.push('licenses');
    change.licenses = {
      before: a.licenses,
      after: b.licenses,
      added: sortedDifference(b.licenses, a.licenses),
      removed: sortedDifference(a.licenses, b.licenses),
    };
  }
  if (hashListsDiffer(hashes)) fields.push('hashes');
  if (a.modelCard !== undefined && b.modelCard !== undefined && a.modelCard !== b.modelCard) {
    fields.push('modelCard');
    change.modelCard = { before: a.modelCard, after: b.modelCard };
  }
  return {
    identity: pair.b.identity,
    ...(pair.a.identity !== pair.b.identity ? { previousIdentity: pair.a.identity } : {}),
    matchedBy: pair.matchedBy,
    a,
    b,
    fields,
    ...change,
    hashes,
  };
}

/**
 * The files of a model whose weights are compared: those known to hold weights; when neither side marks any
 * file as weights (names without a weight extension and no stated role), every file, since any of them
 * may be what the model loads.
 */
function weightFiles(a: BomComponent, b: BomComponent): [BomModelFile[], BomModelFile[]] {
  const anyWeights = a.files.some((f) => f.weights) || b.files.some((f) => f.weights);
  const pick = (files: readonly BomModelFile[]) => files.filter((f) => !anyWeights || f.weights);
  return [pick(a.files), pick(b.files)];
}

function compareWeightFiles(
  filesA: readonly BomModelFile[],
  filesB: readonly BomModelFile[],
): WeightFileDelta[] {
  const deltas: WeightFileDelta[] = [];
  const byName = groupBy(filesB, (f) => normaliseFilePath(f.name));
  const unmatchedA: BomModelFile[] = [];
  for (const x of filesA) {
    const y = byName.get(normaliseFilePath(x.name))?.shift();
    if (y === undefined) {
      unmatchedA.push(x);
      continue;
    }
    const hashes = compareHashes(x.hashes, y.hashes);
    deltas.push({
      status:
        hashes.status === 'changed'
          ? 'changed'
          : hashes.status === 'unchanged'
            ? 'unchanged'
            : 'not-comparable',
      name: y.name,
      hashes,
    });
  }
  const unmatchedB = [...byName.values()].flat();
  const renamed = pairByContent(unmatchedA, unmatchedB, (f) => f.hashes);
  for (const [x, y] of renamed.pairs)
    deltas.push({
      status: 'renamed',
      name: y.name,
      previousName: x.name,
      hashes: compareHashes(x.hashes, y.hashes),
    });
  for (const x of renamed.restA)
    deltas.push({ status: 'removed', name: x.name, hashes: compareHashes(x.hashes, []) });
  for (const y of renamed.restB)
    deltas.push({ status: 'added', name: y.name, hashes: compareHashes([], y.hashes) });
  return deltas.sort((p, q) => compareStrings(p.name, q.name) || compareStrings(p.status, q.status));
}

function compareModelWeights(pair: Pair): ModelWeightsDelta {
  const a = pair.a.component;
  const b = pair.b.component;
  const modelHashes = compareHashes(a.hashes, b.hashes);
  const [filesA, filesB] = weightFiles(a, b);
  const filesListed = filesA.length > 0 && filesB.length > 0;
  // Files added or removed mean something only when both BOMs list the model's files.
  const deltas = filesListed ? compareWeightFiles(filesA, filesB) : [];
  const reasons: ModelWeightsDelta['reasons'][number][] = [];
  if (modelHashes.status === 'changed') reasons.push('model-hashes');
  if (deltas.some((d) => d.status === 'changed')) reasons.push('file-changed');
  if (deltas.some((d) => d.status === 'added')) reasons.push('file-added');
  if (deltas.some((d) => d.status === 'removed')) reasons.push('file-removed');
  const filesShowSame =
    filesListed && deltas.every((d) => d.status === 'unchanged' || d.status === 'renamed');
  let notComparable: string | undefined;
  if (reasons.length === 0 && modelHashes.status !== 'unchanged' && !filesShowSame) {
    const why: string[] = [
      `model hashes: ${describeNotComparable(modelHashes.reason as NotComparableReason)}`,
    ];
    if (modelHashes.reason === 'no-hashes' && a.files.length === 0 && b.files.length === 0)
      why.push('no files listed in either BOM (a model only referenced, such as a base model, has none)');
    else if (!filesListed)
      why.push(
        `weight files: ${filesA.length === 0 && filesB.length === 0 ? 'listed in neither BOM' : filesA.length === 0 ? 'not listed in A' : 'not listed in B'}`,
      );
    const unknown = deltas.filter((d) => d.status === 'not-comparable');
    if (unknown.length > 0) why.push(`${unknown.length} weight file(s) without comparable hashes`);
    notComparable = why.join('; ');
  }
  return {
    identity: pair.b.identity,
    ...(pair.a.identity !== pair.b.identity ? { previousIdentity: pair.a.identity } : {}),
    a,
    b,
    modelHashes,
    files: deltas.filter((d) => d.status !== 'unchanged'),
    reasons,
    ...(notComparable !== undefined ? { notComparable } : {}),
  };
}

/**
 * Compares two BOMs: components added, removed and changed (name, type, version, purl, licences, hashes,
 * model card), and ML models whose weights changed. Components are matched by identity (identity.ts),
 * then by kind, group and name, then (files only) by content.
 */
export function diffBoms(a: BomDocument, b: BomDocument): BomDiff {
  const entriesA = a.components.map(toEntry);
  const entriesB = b.components.map(toEntry);
  const pairs: Pair[] = [];
  const byIdentity = (e: Entry) => e.identity;
  const first = matchPass(entriesA, entriesB, byIdentity, byIdentity, 'identity', pairs);
  // By kind, group and name, when one side has no package URL: two different package URLs (another
  // registry, another ecosystem) are two packages, whatever their names.
  const byName = (e: Entry) => (e.component.kind === 'file' ? undefined : nameIdentity(e.component));
  const byNameWithoutPurl = (e: Entry) => (e.identity.startsWith('purl:') ? undefined : byName(e));
  const second = matchPass(first.restA, first.restB, byNameWithoutPurl, byName, 'name', pairs);
  const third = matchPass(second.restA, second.restB, byName, byNameWithoutPurl, 'name', pairs);
  const isFile = (e: Entry) => e.component.kind === 'file';
  const byContent = pairByContent(
    third.restA.filter(isFile),
    third.restB.filter(isFile),
    (e) => e.component.hashes,
  );
  for (const [x, y] of byContent.pairs) pairs.push({ a: x, b: y, matchedBy: 'content' });
  const paired = new Set<Entry>(pairs.flatMap((p) => [p.a, p.b]));

  const changed: ComponentChange[] = [];
  const modelsChanged: ModelWeightsDelta[] = [];
  const modelsNotComparable: ModelWeightsDelta[] = [];
  const hashesNotComparable: HashNotComparable[] = [];
  let unchanged = 0;
  for (const pair of pairs) {
    const change = describeChange(pair);
    if (change.fields.length > 0) changed.push(change);
    else unchanged++;
    if (change.hashes.status === 'not-comparable')
      hashesNotComparable.push({
        identity: change.identity,
        kind: change.b.kind,
        name: displayName(change.b),
        reason: change.hashes.reason as NotComparableReason,
      });
    if (pair.a.component.kind === 'model' && pair.b.component.kind === 'model') {
      const weights = compareModelWeights(pair);
      if (weights.reasons.length > 0) modelsChanged.push(weights);
      else if (weights.notComparable !== undefined) modelsNotComparable.push(weights);
    }
  }
  const toComponentEntry = (e: Entry): ComponentEntry => ({ identity: e.identity, component: e.component });
  const byEntry = (x: ComponentEntry, y: ComponentEntry) =>
    compareStrings(x.identity, y.identity) || compareComponents(x.component, y.component);
  const byPair = (x: { identity: string; a: BomComponent; b: BomComponent }, y: typeof x) =>
    compareStrings(x.identity, y.identity) || compareComponents(x.b, y.b) || compareComponents(x.a, y.a);
  const added = entriesB
    .filter((e) => !paired.has(e))
    .map(toComponentEntry)
    .sort(byEntry);
  const removed = entriesA
    .filter((e) => !paired.has(e))
    .map(toComponentEntry)
    .sort(byEntry);
  changed.sort(byPair);
  modelsChanged.sort(byPair);
  modelsNotComparable.sort(byPair);
  hashesNotComparable.sort(
    (x, y) => compareStrings(x.identity, y.identity) || compareStrings(x.reason, y.reason),
  );
  return {
    a: { format: a.format, specVersion: a.specVersion, components: a.components.length },
    b: { format: b.format, specVersion: b.specVersion, components: b.components.length },
    summary: {
      added: added.length,
      removed: removed.length,
      changed: changed.length,
      unchanged,
      modelsChanged: modelsChanged.length,
      modelsNotComparable: modelsNotComparable.length,
      hashesNotComparable: hashesNotComparable.length,
      identical:
        added.length === 0 && removed.length === 0 && changed.length === 0 && modelsChanged.length === 0,
    },
    added,
    removed,
    changed,
    modelsChanged,
    modelsNotComparable,
    hashesNotComparable,
  };
}
