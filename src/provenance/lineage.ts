import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describeError, ParseError, UsageError } from '../core/errors.js';
import { compareStrings } from '../core/finding.js';
import { sha256Hex } from '../core/hash.js';
import { ENVIRONMENT_DIRECTORIES, VERSION_CONTROL_DIRECTORIES } from '../discover/walk.js';
import { type DsseBundle, parseDsseBundle, statementJsonOf } from '../trust/oms/bundle.js';
import {
  byproduct,
  MAX_PROVENANCE_BYTES,
  type ProvenanceStatement,
  parseProvenance,
  type ResourceDescriptor,
  type RunStatus,
  runStatus,
} from './provenance.js';
import { readRegularFile } from './read-file.js';
import { createSnapshot, type DatasetSnapshot, MAX_SNAPSHOT_BYTES, parseSnapshot } from './snapshot.js';

/**
 * `pedigree lineage`: the graph of datasets, runs and models that provenance records (`pedigree run`) and
 * dataset snapshots (`pedigree data snapshot`) describe. Artifacts are identified by digest, never by
 * path: a folder by its pedigree dataset digest, a file by its SHA-256, a Hub model by its reference. A
 * run's output that a later run reads is therefore one node, whatever either run called it, and derived
 * datasets chain up without any naming convention.
 *
 * Reading is separate from building: {@link readLineageSources} walks a folder (bounded) and parses what
 * it finds, reporting each unreadable file as a problem; {@link buildLineage} is pure. Signed records are
 * read without checking their signature unless a check is given (verifying is `verify-attestation`'s job).
 */

/** Most provenance records and snapshots read: a walk into a folder of millions of records stops here. */
export const MAX_LINEAGE_FILES = 10_000;
/** Most directory entries looked at: a walk of a huge dataset folder (or of `/`) stops here. */
export const MAX_LINEAGE_ENTRIES = 1_000_000;
/** Deepest folder nesting walked. */
export const MAX_LINEAGE_DEPTH = 32;
/** Most bytes of records and snapshots read in all: many large snapshots cannot exhaust memory. */
export const MAX_LINEAGE_BYTES = 1024 * 1024 * 1024;

/** Installed packages, virtual environments and version-control data: never hold a project's records. */
function skippedDirectory(name: string): boolean {
  return VERSION_CONTROL_DIRECTORIES.has(name) || ENVIRONMENT_DIRECTORIES.has(name);
}

const PROVENANCE_SUFFIXES = ['.provenance.json', '.provenance.sigstore.json'] as const;
const SNAPSHOT_SUFFIX = '.snapshot.json';
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** The digest type `pedigree run` gives a folder (see snapshot.ts). */
const DATASET_DIGEST_TYPE = 'pedigree-dataset-snapshot/v1';

export interface LineageLimits {
  readonly maxFiles?: number;
  readonly maxEntries?: number;
  readonly maxDepth?: number;
  readonly maxBytes?: number;
}

export interface LineageProblem {
  /** The file, relative to the folder read (`.` for the walk itself). */
  readonly file: string;
  readonly message: string;
}

/** Whether a signed record's signature was checked, and with what result. */
export interface RecordSignature {
  readonly ok: boolean;
  readonly signer?: string;
  readonly reason?: string;
}

/** Checks a signed record's bundle (the CLI passes `checkBundleSignature` with the user's trust). */
export type RecordSignatureCheck = (bundle: DsseBundle, file: string) => RecordSignature;

export interface LineageRecord {
  readonly file: string;
  readonly statement: ProvenanceStatement;
  readonly signed: boolean;
  /** Present when the signature was checked. */
  readonly signature?: RecordSignature;
}

export interface LineageSnapshot {
  readonly file: string;
  readonly snapshot: DatasetSnapshot;
}

export interface LineageSources {
  readonly records: readonly LineageRecord[];
  readonly snapshots: readonly LineageSnapshot[];
  readonly problems: readonly LineageProblem[];
}

/** `dataset`: a folder (or a file read as data); `file`: a single file; `model`: a base model or a run's output no run reads. */
export type ArtifactKind = 'dataset' | 'file' | 'model';

export interface ArtifactNode {
  readonly kind: ArtifactKind;
  /** `sha256:<hex>` for content, or the reference (`pkg:huggingface/org/name@revision`) for a Hub model. */
  readonly id: string;
  readonly form: 'folder' | 'file' | 'reference';
  readonly digest?: { readonly sha256: string };
  readonly uri?: string;
  /** Every name and path it was recorded under, sorted. */
  readonly names: readonly string[];
  readonly files?: number;
  readonly bytes?: number;
  /** Some recorded run produced it. */
  readonly derived: boolean;
  /** Snapshot files describing it. */
  readonly snapshots: readonly string[];
}

export interface RunRecordRef {
  readonly file: string;
  readonly signed: boolean;
  readonly signature?: RecordSignature;
}

export interface RunNode {
  readonly kind: 'run';
  /** `run:<invocationId>`. */
  readonly id: string;
  readonly invocationId: string;
  readonly status: RunStatus;
  readonly exitCode?: number | null;
  readonly command: readonly string[];
  readonly workingDirectory: string;
  readonly seed?: number | string;
  readonly startedOn: string;
  readonly finishedOn: string;
  readonly code?: { readonly commit?: string; readonly dirty: boolean };
  readonly metrics: Readonly<Record<string, number>>;
  readonly records: readonly RunRecordRef[];
  /** The invocation this run re-ran (`pedigree repro --record`). */
  readonly reproductionOf?: string;
}

export type LineageNode = ArtifactNode | RunNode;

/** `input`/`base-model`: artifact → run; `output`: run → artifact; `reproduces`: run → the run it re-ran. */
export type LineageRelation = 'input' | 'base-model' | 'output' | 'reproduces';

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: LineageRelation;
  /** The path the run gave it. */
  readonly name?: string;
}

export interface LineageGraph {
  /** Sorted by id. */
  readonly nodes: readonly LineageNode[];
  /** Sorted by from, to, relation, name. */
  readonly edges: readonly LineageEdge[];
  readonly problems: readonly LineageProblem[];
  /** Files inside folder artifacts (from snapshots and run subjects): artifact id → file SHA-256s. */
  readonly members: ReadonlyMap<string, ReadonlySet<string>>;
}

function fileKind(name: string): 'provenance' | 'snapshot' | undefined {
  if (PROVENANCE_SUFFIXES.some((s) => name.endsWith(s))) return 'provenance';
  if (name.endsWith(SNAPSHOT_SUFFIX)) return 'snapshot';
  return undefined;
}

/**
 * The provenance records (`*.provenance.json`, `*.provenance.sigstore.json`) and snapshots
 * (`*.snapshot.json`) under a folder, `.pedigree/` included, in path order. Symbolic links are not
 * followed; installed packages and virtual environments are skipped.
 */
export function findLineageFiles(
  root: string,
  limits: LineageLimits = {},
): {
  files: { absolute: string; display: string; kind: 'provenance' | 'snapshot' }[];
  problems: LineageProblem[];
} {
  const maxFiles = limits.maxFiles ?? MAX_LINEAGE_FILES;
  const maxEntries = limits.maxEntries ?? MAX_LINEAGE_ENTRIES;
  const maxDepth = limits.maxDepth ?? MAX_LINEAGE_DEPTH;
  const files: { absolute: string; display: string; kind: 'provenance' | 'snapshot' }[] = [];
  const problems: LineageProblem[] = [];
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(root);
  } catch (error) {
    throw new UsageError('PATH_NOT_FOUND', `cannot read ${root}: ${describeError(error)}`, { cause: error });
  }
  if (info.isFile()) {
    // A file given by name is read whatever it is called.
    const name = basename(root);
    return {
      files: [{ absolute: resolve(root), display: name, kind: fileKind(name) ?? 'provenance' }],
      problems,
    };
  }
  if (!info.isDirectory())
    throw new UsageError(
      'BAD_ARGUMENT',
      `${root} is not a folder or a record file (a FIFO, socket or device is never read)`,
    );
  let entries = 0;
  let stopped = false;
  const walk = (dir: string, rel: string, depth: number): void => {
    if (stopped) return;
    if (depth > maxDepth) {
      problems.push({ file: rel, message: `deeper than ${maxDepth} levels; not read` });
      return;
    }
    let list: import('node:fs').Dirent[];
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: rel || '.', message: `cannot be read: ${describeError(error)}` });
      return;
    }
    list.sort((a, b) => compareStrings(a.name, b.name));
    for (const entry of list) {
      if (++entries > maxEntries) {
        problems.push({ file: '.', message: `more than ${maxEntries} entries; the rest were not looked at` });
        stopped = true;
        return;
      }
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skippedDirectory(entry.name)) walk(join(dir, entry.name), childRel, depth + 1);
        if (stopped) return;
        continue;
      }
      // Links are not followed: a record is a file of the project, not something it points at.
      if (!entry.isFile()) continue;
      const kind = fileKind(entry.name);
      if (kind === undefined) continue;
      if (files.length >= maxFiles) {
        problems.push({ file: childRel, message: `more than ${maxFiles} records and snapshots; not read` });
        stopped = true;
        return;
      }
      files.push({ absolute: join(dir, entry.name), display: childRel, kind });
    }
  };
  walk(resolve(root), '', 0);
  return { files, problems };
}

/** A message without the `file: ` prefix parsers put in front (the problem names the file itself). */
function withoutPrefix(message: string, file: string, absolute: string): string {
  const text = message.split(absolute).join(file);
  return text.startsWith(`${file}: `) ? text.slice(file.length + 2) : text;
}

/** Parses a record's text: a plain statement, or a Sigstore bundle whose DSSE payload is one. */
export function parseLineageRecord(
  text: string,
  file: string,
  checkSignature?: RecordSignatureCheck,
): LineageRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ParseError('BAD_STRUCTURE', `${file}: not JSON (${describeError(error)})`, undefined, {
      cause: error,
    });
  }
  if (typeof json === 'object' && json !== null && 'dsseEnvelope' in json) {
    const bundle = parseDsseBundle(text, file);
    const statement = parseProvenance(statementJsonOf(bundle, file), file);
    return {
      file,
      statement,
      signed: true,
      ...(checkSignature ? { signature: checkSignature(bundle, file) } : {}),
    };
  }
  return { file, statement: parseProvenance(json, file), signed: false };
}

/**
 * Reads the records and snapshots under `root` (or the one file it names). A file that cannot be read or
 * parsed is a problem naming it and the field; the rest is read.
 */
export function readLineageSources(
  root: string,
  options: { readonly limits?: LineageLimits; readonly checkSignature?: RecordSignatureCheck } = {},
): LineageSources {
  const found = findLineageFiles(root, options.limits);
  const problems = [...found.problems];
  const records: LineageRecord[] = [];
  const snapshots: LineageSnapshot[] = [];
  const maxBytes = options.limits?.maxBytes ?? MAX_LINEAGE_BYTES;
  let total = 0;
  for (const file of found.files) {
    let size: number;
    try {
      size = statSync(file.absolute).size;
    } catch (error) {
      problems.push({ file: file.display, message: `cannot be read: ${describeError(error)}` });
      continue;
    }
    const limit = file.kind === 'snapshot' ? MAX_SNAPSHOT_BYTES : MAX_PROVENANCE_BYTES;
    if (size > limit) {
      problems.push({ file: file.display, message: `larger than ${limit} bytes; not read` });
      continue;
    }
    if (total + size > maxBytes) {
      problems.push({
        file: file.display,
        message: `more than ${maxBytes} bytes of records read; this and later files were not read`,
      });
      break;
    }
    try {
      // Read on an open descriptor, bounded: the file may have been swapped for a FIFO or have grown.
      const bytes = readRegularFile(
        file.absolute,
        Math.min(limit, maxBytes - total),
        file.kind === 'snapshot' ? 'snapshot' : 'record',
      );
      total += bytes.length;
      if (file.kind === 'snapshot')
        snapshots.push({
          file: file.display,
          snapshot: parseSnapshot(bytes.toString('utf8'), file.absolute),
        });
      else records.push(parseLineageRecord(bytes.toString('utf8'), file.display, options.checkSignature));
    } catch (error) {
      problems.push({
        file: file.display,
        message: withoutPrefix(describeError(error), file.display, file.absolute),
      });
    }
  }
  return { records, snapshots, problems };
}

interface MutableArtifact {
  id: string;
  form: 'folder' | 'file' | 'reference';
  digest?: { sha256: string };
  uri?: string;
  names: Set<string>;
  files?: number;
  bytes?: number;
  snapshots: Set<string>;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Builds the graph (pure). Runs recorded twice (a plain and a signed copy) are one node. */
export function buildLineage(
  records: readonly LineageRecord[],
  snapshots: readonly LineageSnapshot[],
  problems: readonly LineageProblem[] = [],
): LineageGraph {
  const artifacts = new Map<string, MutableArtifact>();
  const runs = new Map<string, RunNode & { records: RunRecordRef[] }>();
  const edges = new Map<string, LineageEdge>();
  const members = new Map<string, Set<string>>();
  const allProblems = [...problems];

  const artifact = (
    id: string,
    form: MutableArtifact['form'],
    extra: { digest?: string; uri?: string; name?: string; files?: number; bytes?: number },
  ): MutableArtifact => {
    let a = artifacts.get(id);
    if (!a) {
      a = {
        id,
        form,
        ...(extra.digest ? { digest: { sha256: extra.digest } } : {}),
        ...(extra.uri ? { uri: extra.uri } : {}),
        names: new Set(),
        snapshots: new Set(),
      };
      artifacts.set(id, a);
    }
    if (form === 'folder') a.form = 'folder';
    if (extra.name) a.names.add(extra.name);
    if (extra.files !== undefined) a.files ??= extra.files;
    if (extra.bytes !== undefined) a.bytes ??= extra.bytes;
    return a;
  };
  const edge = (from: string, to: string, relation: LineageRelation, name?: string) => {
    const e: LineageEdge = { from, to, relation, ...(name ? { name } : {}) };
    edges.set(`${from}\0${to}\0${relation}\0${name ?? ''}`, e);
  };
  const member = (id: string, sha256: string) => {
    let set = members.get(id);
    if (!set) {
      set = new Set();
      members.set(id, set);
    }
    set.add(sha256);
  };

  /** A content artifact from a descriptor, or undefined (reported) when its digest is not a SHA-256. */
  const contentArtifact = (
    d: ResourceDescriptor,
    where: string,
    file: string,
  ): MutableArtifact | undefined => {
    const sha = d.digest?.sha256;
    if (sha === undefined || !SHA256_HEX.test(sha)) {
      allProblems.push({
        file,
        message: `${where}.digest.sha256 ${sha === undefined ? 'is missing' : `${JSON.stringify(sha.slice(0, 80))} is not a SHA-256`}; left out`,
      });
      return undefined;
    }
    const folder = d.annotations?.digestType === DATASET_DIGEST_TYPE;
    return artifact(`sha256:${sha}`, folder ? 'folder' : 'file', {
      digest: sha,
      ...(d.name ? { name: d.name } : {}),
      ...(numberOr(d.annotations?.files) !== undefined ? { files: numberOr(d.annotations?.files) } : {}),
      ...(numberOr(d.annotations?.bytes) !== undefined ? { bytes: numberOr(d.annotations?.bytes) } : {}),
    });
  };

  // When one run is recorded more than once, the copy whose signature verified describes it, then a signed
  // one, then the first by file name: an unsigned copy never speaks for a run a signed copy vouches for.
  const trustRank = (r: LineageRecord) => (r.signature?.ok === true ? 0 : r.signed ? 1 : 2);
  const ordered = [...records].sort((a, b) => trustRank(a) - trustRank(b) || compareStrings(a.file, b.file));
  const used = new Map<string, LineageRecord>();
  for (const record of ordered) {
    const s = record.statement;
    const meta = s.predicate.runDetails.metadata;
    const runId = `run:${meta.invocationId}`;
    const ref: RunRecordRef = {
      file: record.file,
      signed: record.signed,
      ...(record.signature ? { signature: record.signature } : {}),
    };
    const existing = runs.get(runId);
    if (existing) {
      existing.records.push(ref);
      const first = used.get(runId);
      if (first && JSON.stringify(first.statement) !== JSON.stringify(s))
        allProblems.push({
          file: record.file,
          message: `invocation ${meta.invocationId} is also recorded in ${first.file} with other content; ${first.file} is used${
            trustRank(first) < trustRank(record)
              ? ` (${first.signature?.ok === true ? 'its signature verified' : 'it is signed'})`
              : ''
          }`,
        });
      continue;
    }
    used.set(runId, record);
    const params = s.predicate.buildDefinition.externalParameters;
    const runInfo = byproduct(s, 'pedigree.run')?.annotations;
    const exitCode = runInfo?.exitCode;
    const codeDep = s.predicate.buildDefinition.resolvedDependencies.find(
      (d) => d.annotations?.kind === 'code',
    );
    const metricsRaw = byproduct(s, 'pedigree.metrics')?.annotations?.metrics;
    // Keys come from the record: no prototype to reach.
    const metrics: Record<string, number> = Object.create(null);
    if (typeof metricsRaw === 'object' && metricsRaw !== null)
      for (const [k, v] of Object.entries(metricsRaw))
        if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
    const reproductionOf = s.predicate.buildDefinition.internalParameters?.reproductionOf;
    runs.set(runId, {
      kind: 'run',
      id: runId,
      invocationId: meta.invocationId,
      status: runStatus(s),
      ...(typeof exitCode === 'number' || exitCode === null ? { exitCode } : {}),
      command: params.command,
      workingDirectory: params.workingDirectory,
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      startedOn: meta.startedOn,
      finishedOn: meta.finishedOn,
      ...(codeDep
        ? {
            code: {
              ...(typeof codeDep.digest?.gitCommit === 'string' ? { commit: codeDep.digest.gitCommit } : {}),
              dirty: codeDep.annotations?.dirty !== false,
            },
          }
        : {}),
      metrics,
      records: [ref],
      ...(typeof reproductionOf === 'string' ? { reproductionOf } : {}),
    });
    if (typeof reproductionOf === 'string') edge(runId, `run:${reproductionOf}`, 'reproduces');

    for (const [i, d] of s.predicate.buildDefinition.resolvedDependencies.entries()) {
      const kind = d.annotations?.kind;
      const where = `statement.predicate.buildDefinition.resolvedDependencies[${i}]`;
      if (kind === 'dataset' || kind === 'file') {
        const a = contentArtifact(d, where, record.file);
        if (a) edge(a.id, runId, 'input', d.name);
      } else if (kind === 'model') {
        if (d.digest?.sha256 !== undefined) {
          const a = contentArtifact(d, where, record.file);
          if (a) edge(a.id, runId, 'base-model', d.name);
        } else if (d.uri !== undefined && d.uri !== '') {
          const a = artifact(d.uri, 'reference', { uri: d.uri, ...(d.name ? { name: d.name } : {}) });
          edge(a.id, runId, 'base-model', d.name);
        }
      }
    }
    // Outputs: folders (with their dataset digest) and files; each subject belongs to the output it is in.
    const outputsRaw = byproduct(s, 'pedigree.outputs')?.annotations?.outputs;
    const outputs: { name: string; artifact: MutableArtifact }[] = [];
    if (Array.isArray(outputsRaw))
      for (const [i, o] of outputsRaw.entries()) {
        if (typeof o !== 'object' || o === null) continue;
        const d = o as ResourceDescriptor;
        const a = contentArtifact(
          d,
          `statement.predicate.runDetails.byproducts(pedigree.outputs).annotations.outputs[${i}]`,
          record.file,
        );
        if (!a) continue;
        edge(runId, a.id, 'output', d.name);
        if (typeof d.name === 'string') outputs.push({ name: d.name, artifact: a });
      }
    for (const [i, subject] of s.subject.entries()) {
      const sha = subject.digest.sha256;
      if (sha === undefined || !SHA256_HEX.test(sha)) {
        allProblems.push({
          file: record.file,
          message: `statement.subject[${i}].digest.sha256 is not a SHA-256; left out`,
        });
        continue;
      }
      const owner = outputs.find(
        (o) => o.name === subject.name || o.name === '.' || subject.name.startsWith(`${o.name}/`),
      );
      if (owner) {
        if (owner.artifact.form === 'folder') member(owner.artifact.id, sha);
        continue;
      }
      // A subject no output descriptor covers (a record without pedigree.outputs) is an output of its own.
      const a = artifact(`sha256:${sha}`, 'file', { digest: sha, name: subject.name });
      edge(runId, a.id, 'output', subject.name);
    }
  }

  for (const { file, snapshot } of [...snapshots].sort((a, b) => compareStrings(a.file, b.file))) {
    const a = artifact(`sha256:${snapshot.digest.sha256}`, 'folder', {
      digest: snapshot.digest.sha256,
      name: snapshot.name,
      files: snapshot.files,
      bytes: snapshot.bytes,
    });
    a.snapshots.add(file);
    for (const e of snapshot.entries) member(a.id, e.sha256);
  }

  const edgeList = [...edges.values()].sort(
    (a, b) =>
      compareStrings(a.from, b.from) ||
      compareStrings(a.to, b.to) ||
      compareStrings(a.relation, b.relation) ||
      compareStrings(a.name ?? '', b.name ?? ''),
  );
  const asBase = new Set(edgeList.filter((e) => e.relation === 'base-model').map((e) => e.from));
  const asInput = new Set(edgeList.filter((e) => e.relation === 'input').map((e) => e.from));
  const produced = new Set(edgeList.filter((e) => e.relation === 'output').map((e) => e.to));
  const nodes: LineageNode[] = [
    ...[...artifacts.values()].map((a): ArtifactNode => {
      const kind: ArtifactKind =
        asBase.has(a.id) || a.form === 'reference'
          ? 'model'
          : asInput.has(a.id) || a.snapshots.size > 0
            ? a.form === 'folder'
              ? 'dataset'
              : 'file'
            : 'model';
      return {
        kind,
        id: a.id,
        form: a.form,
        ...(a.digest ? { digest: a.digest } : {}),
        ...(a.uri ? { uri: a.uri } : {}),
        names: [...a.names].sort(compareStrings),
        ...(a.files !== undefined ? { files: a.files } : {}),
        ...(a.bytes !== undefined ? { bytes: a.bytes } : {}),
        derived: produced.has(a.id),
        snapshots: [...a.snapshots].sort(compareStrings),
      };
    }),
    ...runs.values(),
  ].sort((a, b) => compareStrings(a.id, b.id));
  // An edge to a run that is not in the graph (a reproduction of a record not found) is kept out.
  const ids = new Set(nodes.map((n) => n.id));
  return {
    nodes,
    edges: edgeList.filter((e) => ids.has(e.from) && ids.has(e.to)),
    problems: allProblems.sort(
      (a, b) => compareStrings(a.file, b.file) || compareStrings(a.message, b.message),
    ),
    members,
  };
}

/** The digest `pedigree run` records for a path: a file's SHA-256, a folder's dataset digest. */
export async function digestOfPath(
  path: string,
  options: { readonly workers?: number } = {},
): Promise<{
  readonly sha256: string;
  readonly form: 'file' | 'folder';
  readonly files: number;
  readonly bytes: number;
}> {
  const info = statSync(path);
  const snapshot = await createSnapshot(
    path,
    options.workers !== undefined ? { workers: options.workers } : {},
  );
  if (info.isFile())
    return { sha256: snapshot.entries[0]?.sha256 as string, form: 'file', files: 1, bytes: snapshot.bytes };
  return { sha256: snapshot.digest.sha256, form: 'folder', files: snapshot.files, bytes: snapshot.bytes };
}

/** What a query names: content (by digest) or, for a path that no longer exists, a recorded name. */
export type LineageTarget =
  | { readonly by: 'digest'; readonly sha256: string; readonly path?: string }
  | { readonly by: 'name'; readonly name: string };

/**
 * Resolves a query argument: an existing file or folder is digested as `pedigree run` digests it; else
 * `sha256:<hex>` or 64 hex digits is a digest; else it is a name the records use (a path since removed).
 */
export async function resolveLineageTarget(
  spec: string,
  options: { readonly cwd?: string; readonly workers?: number } = {},
): Promise<LineageTarget> {
  const path = resolve(options.cwd ?? process.cwd(), spec);
  let exists = true;
  try {
    statSync(path);
  } catch {
    exists = false;
  }
  if (exists) {
    const digest = await digestOfPath(
      path,
      options.workers !== undefined ? { workers: options.workers } : {},
    );
    return { by: 'digest', sha256: digest.sha256, path: spec };
  }
  const hex = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(spec);
  if (hex) return { by: 'digest', sha256: (hex[1] as string).toLowerCase() };
  return { by: 'name', name: spec.replace(/^\.\/+/, '').replace(/\/+$/, '') };
}

/** Artifacts a target names: by digest (the artifact itself, or a folder holding a file with it), or by name. */
export function matchArtifacts(graph: LineageGraph, target: LineageTarget): string[] {
  const matched: string[] = [];
  for (const node of graph.nodes) {
    if (node.kind === 'run') continue;
    if (target.by === 'digest') {
      if (node.digest?.sha256 === target.sha256 || graph.members.get(node.id)?.has(target.sha256))
        matched.push(node.id);
    } else if (node.names.includes(target.name) || node.uri === target.name) matched.push(node.id);
  }
  return matched;
}

export type LineageDirection = 'upstream' | 'downstream';

/**
 * The part of the graph upstream of some artifacts (the runs that produced them, their inputs, and what
 * produced those, recursively) or downstream (the runs that read them, their outputs, and so on).
 */
export function traceLineage(
  graph: LineageGraph,
  from: readonly string[],
  direction: LineageDirection,
): LineageGraph {
  const keep = new Set<string>(from);
  const keptEdges = new Set<LineageEdge>();
  // Edges by the end the walk enters from, so a walk costs what the part it visits costs.
  const byEnd = new Map<string, LineageEdge[]>();
  for (const e of graph.edges) {
    if (e.relation === 'reproduces') continue;
    const end = direction === 'upstream' ? e.to : e.from;
    const list = byEnd.get(end);
    if (list) list.push(e);
    else byEnd.set(end, [e]);
  }
  const queue = [...from];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    for (const e of byEnd.get(id) ?? []) {
      const next = direction === 'upstream' ? e.from : e.to;
      keptEdges.add(e);
      if (!keep.has(next)) {
        keep.add(next);
        queue.push(next);
      }
    }
  }
  // A reproduction between two kept runs stays visible.
  for (const e of graph.edges)
    if (e.relation === 'reproduces' && keep.has(e.from) && keep.has(e.to)) keptEdges.add(e);
  const members = new Map<string, ReadonlySet<string>>();
  for (const id of keep) {
    const m = graph.members.get(id);
    if (m) members.set(id, m);
  }
  return {
    nodes: graph.nodes.filter((n) => keep.has(n.id)),
    edges: graph.edges.filter((e) => keptEdges.has(e)),
    problems: graph.problems,
    members,
  };
}

/** A short, stable identifier for diagrams: Mermaid and DOT ids cannot hold every character a name can. */
function diagramId(id: string): string {
  return `n${sha256Hex(Buffer.from(id, 'utf8')).slice(0, 16)}`;
}

function shortCommand(command: readonly string[]): string {
  const text = command.join(' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** The lines a node is labelled with in a diagram (plain text; each renderer escapes them). */
export function nodeLabel(node: LineageNode): string[] {
  if (node.kind === 'run')
    return [
      `run ${node.invocationId.slice(0, 8)}${node.status === 'failed' ? ' FAILED' : ''}`,
      shortCommand(node.command),
      node.startedOn,
    ];
  const name = node.names.length > 0 ? node.names.join(', ') : node.kind;
  return [
    `${node.kind}${node.derived && node.kind !== 'model' ? ' (derived)' : ''}: ${name.length > 60 ? `${name.slice(0, 59)}…` : name}`,
    node.digest ? `sha256:${node.digest.sha256.slice(0, 12)}…` : (node.uri ?? ''),
  ];
}

/** Mermaid text is quoted, and every character that could end the quote or start markup is an entity code. */
function mermaidText(text: string): string {
  let out = '';
  for (const ch of text) out += /[A-Za-z0-9 .,:/_@+=()-]/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

/** The graph as a Mermaid flowchart (left to right), deterministic. */
export function lineageToMermaid(graph: LineageGraph): string {
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) {
    const label = `"${nodeLabel(node).map(mermaidText).join('<br/>')}"`;
    const id = diagramId(node.id);
    if (node.kind === 'run') lines.push(`  ${id}[${label}]${node.status === 'failed' ? ':::failed' : ''}`);
    else if (node.kind === 'model') lines.push(`  ${id}[[${label}]]`);
    else lines.push(`  ${id}[(${label})]`);
  }
  for (const e of graph.edges) {
    const arrow = e.relation === 'reproduces' ? '-.->' : '-->';
    lines.push(`  ${diagramId(e.from)} ${arrow}|${mermaidText(e.relation)}| ${diagramId(e.to)}`);
  }
  lines.push('  classDef failed stroke:#d00,stroke-width:2px,color:#d00');
  return `${lines.join('\n')}\n`;
}

/** A DOT string's content: backslashes and quotes escaped, so no escape sequence of a name is honoured. */
function dotText(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** The graph as Graphviz DOT (left to right), deterministic. */
export function lineageToDot(graph: LineageGraph): string {
  const lines = [
    'digraph lineage {',
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const node of graph.nodes) {
    const label = nodeLabel(node).map(dotText).join('\\n');
    const style =
      node.kind === 'run'
        ? `shape=box, style=rounded${node.status === 'failed' ? ', color=red, fontcolor=red' : ''}`
        : node.kind === 'model'
          ? 'shape=box3d'
          : 'shape=cylinder';
    lines.push(`  ${diagramId(node.id)} [${style}, label="${label}", tooltip="${dotText(node.id)}"];`);
  }
  for (const e of graph.edges)
    lines.push(
      `  ${diagramId(e.from)} -> ${diagramId(e.to)} [label="${dotText(e.relation)}"${e.relation === 'reproduces' ? ', style=dashed' : ''}];`,
    );
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The graph as JSON-ready data (members left out: a snapshot's file list can be huge). */
export function lineageToJson(graph: LineageGraph): {
  nodes: readonly LineageNode[];
  edges: readonly LineageEdge[];
  problems: readonly LineageProblem[];
} {
  return { nodes: graph.nodes, edges: graph.edges, problems: graph.problems };
}
