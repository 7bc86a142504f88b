import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { detectCardKind } from '../cards/audit/kind.js';
import { normalizeModelId } from '../cards/base-models.js';
import type { CardProblemCode } from '../cards/card-document.js';
import {
  isHubRepoId,
  parseAdapterConfig,
  parseModelConfig,
  parseShardIndex,
} from '../cards/init/config-files.js';
import type { ModelConfigFacts } from '../cards/init/facts.js';
import { parsePythonJson } from '../cards/init/json.js';
import {
  identifySerialised,
  isModelFormat,
  mayBeSerialised,
  summariseGguf,
} from '../cards/init/serialised.js';
import { readCard } from '../cards/read.js';
import { isCardFileName, isLicenseFileName } from '../cards/run.js';
import { describeError, UsageError } from '../core/errors.js';
import { openFileSource } from '../core/file-source.js';
import { compareStrings } from '../core/finding.js';
import { sha256File } from '../core/hash.js';
import { SNIFF_BYTES } from '../core/limits.js';
import { readFileHead } from '../core/read-head.js';
import { dependencyFileKind } from '../deps/file-kinds.js';
import type { DependencyFile } from '../deps/model.js';
import { readDependencyFile } from '../deps/readers/index.js';
import { decodeText, includeLoader, readBytes } from '../deps/run.js';
import { displayDir, displayName, joinDisplay } from '../discover/display-path.js';
import { type DiscoveredFile, ENVIRONMENT_DIRECTORIES, walkPaths } from '../discover/walk.js';
import { parseGguf } from '../formats/gguf/reader.js';
import { parseOnnxModel } from '../formats/onnx/model.js';
import { readSafetensorsHeader } from '../formats/safetensors/header.js';
import { externalReferences, unsafeLocation } from '../scan/onnx/external-data.js';
import { frontMatterLicenses } from './card-facts/licenses.js';
import {
  type DatasetCardFacts,
  datasetCardFacts,
  type ModelCardFacts,
  modelCardFacts,
} from './card-facts.js';
import { isDockerfileName, readDockerfile, toInventoryContainer } from './containers/dockerfile.js';
import { readDvcFile } from './dvc.js';
import { gitHubOrigin } from './git-origin.js';
import {
  EMPTY_CONSIDERATIONS,
  type ExternalLink,
  type FileRole,
  type Inventory,
  type InventoryContainer,
  type InventoryDataset,
  type InventoryFile,
  type InventoryHash,
  type InventoryLibrary,
  type InventoryLicense,
  type InventoryModel,
  type InventoryProblem,
  type InventoryRelationship,
} from './inventory.js';
import { buildLibraries } from './libraries.js';
import { uniqueSorted } from './text.js';

/**
 * Collects the inventory of a model project (`pedigree bom PATH`): one walk of the folder, each file
 * classified by name and, for possible model files, by content (the scan's magic-byte checks; nothing is
 * loaded); weight files grouped into models the way the frameworks group them (a folder with a
 * config/card/shard index is one model, a lone checkpoint is its own); cards, configs, lockfiles,
 * Dockerfiles and DVC files read with the readers the rest of pedigree uses. Whatever could not be read is
 * an `InventoryProblem`, never silently dropped.
 */

/** Folders never inventoried: installed packages, virtual environments, caches and DVC's own store. */
export const BOM_SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  ...ENVIRONMENT_DIRECTORIES,
  '.cache',
  '.dvc',
]);

/** Largest card, config or Dockerfile read (bigger ones are listed as problems). */
export const MAX_TEXT_FILE_BYTES = 8 * 1024 * 1024;
/** Most possible model files read to tell their format; past it one problem says the rest were not. */
export const MAX_SNIFFED_FILES = 100_000;
/** Missing shards listed one by one per index; the rest are counted in one problem. */
export const MAX_MISSING_SHARDS_LISTED = 20;
/** Most models, datasets and containers kept (each list); the rest are reported as problems. */
export const MAX_ENTRIES = 50_000;

export interface CollectOptions {
  readonly tool: { readonly name: string; readonly version: string };
  /** Globs of paths to leave out (as `scan --exclude`). */
  readonly exclude?: readonly string[];
  /** Hash files of interest (default true). */
  readonly hash?: boolean;
  /** Name and version of the project component (default: the card's or the folder's name). */
  readonly projectName?: string;
  readonly projectVersion?: string;
  /** Environment for `${VAR}` in requirements files. */
  readonly env?: Readonly<Record<string, string>>;
  /** Possible model files read to tell their format (default MAX_SNIFFED_FILES). */
  readonly maxSniffedFiles?: number;
}

/** Where the time went, so benchmarks can report hashing apart from the rest. */
export interface CollectTimings {
  readonly walkMs: number;
  readonly readMs: number;
  readonly hashMs: number;
}

export interface CollectResult {
  readonly inventory: Inventory;
  readonly timings: CollectTimings;
}

/** Config-like files that belong to the model in their folder. */
const MODEL_CONFIG_FILES = new Set([
  'config.json',
  'generation_config.json',
  'adapter_config.json',
  'model_index.json',
  'preprocessor_config.json',
  'processor_config.json',
  'feature_extractor_config.json',
  'params.json',
  'modules.json',
  'config_sentence_transformers.json',
  'sentence_bert_config.json',
  'quantize_config.json',
  'scheduler_config.json',
  'fingerprint.pb',
  'keras_metadata.pb',
]);

const TOKENIZER_FILES =
  /^(?:tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|added_tokens\.json|vocab\.(?:json|txt)|merges\.txt|tokenizer\.model|spiece\.model|sentencepiece\.bpe\.model|chat_template\.(?:jinja|json)|.*\.tiktoken)$/i;
const SHARD_INDEX = /\.index\.json$/i;
const DATA_FILE = /\.(?:csv|tsv|jsonl|ndjson|parquet|arrow|feather|avro|tfrecord)(?:\.(?:gz|bz2|xz|zst))?$/i;
const TF_VARIABLES = /^variables\.(?:index|data-\d{5}-of-\d{5})$/;

const MEDIA_TYPES: readonly (readonly [RegExp, string])[] = [
  [/\.json$/i, 'application/json'],
  [/\.(?:md|markdown)$/i, 'text/markdown'],
  [/\.ya?ml$/i, 'application/yaml'],
  [/\.toml$/i, 'application/toml'],
  [/\.txt$/i, 'text/plain'],
  [/\.csv$/i, 'text/csv'],
  [/\.tsv$/i, 'text/tab-separated-values'],
  [/\.py$/i, 'text/x-python'],
];

interface Classified {
  readonly file: DiscoveredFile;
  readonly name: string;
  readonly dir: string;
  readonly role: FileRole;
  readonly format?: string;
  /** For an ONNX external data file: the path of the ONNX model that reads it (they are one model). */
  readonly partOf?: string;
}

function isInside(dir: string, path: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

function sniffFormat(file: DiscoveredFile, name: string): string | undefined {
  const source = openFileSource(file.absolutePath);
  try {
    const head = source.readAt(0, SNIFF_BYTES);
    const format = identifySerialised(source, head, name);
    return format !== undefined && isModelFormat(format) ? format : undefined;
  } finally {
    source.close();
  }
}

/** One file's role: by name for text files, by content for anything that may be a model. */
function classify(
  file: DiscoveredFile,
  problems: InventoryProblem[],
  budget: { sniffs: number; max: number; reported?: boolean },
): Classified {
  const path = file.displayPath;
  const name = displayName(path);
  const dir = displayDir(path);
  const base = { file, name, dir };
  const lower = name.toLowerCase();
  if (dependencyFileKind(name) !== undefined) {
    return { ...base, role: lower.endsWith('.lock') || lower.includes('lock') ? 'lockfile' : 'manifest' };
  }
  if (isDockerfileName(name)) return { ...base, role: 'dockerfile' };
  if (lower.endsWith('.dvc') || lower === 'dvc.yaml' || lower === 'dvc.lock') return { ...base, role: 'dvc' };
  if (isCardFileName(name)) return { ...base, role: 'card' };
  if (isLicenseFileName(name)) return { ...base, role: 'license' };
  if (MODEL_CONFIG_FILES.has(lower) || SHARD_INDEX.test(name)) return { ...base, role: 'model-config' };
  if (TOKENIZER_FILES.test(name)) return { ...base, role: 'tokenizer' };
  if (lower === 'saved_model.pb' || lower === 'saved_model.pbtxt')
    return { ...base, role: 'weights', format: 'tf-savedmodel' };
  if (TF_VARIABLES.test(name) && displayName(dir) === 'variables')
    return { ...base, role: 'weights', format: 'tf-variables' };
  if (DATA_FILE.test(name)) return { ...base, role: 'data' };
  if (file.size > 0 && mayBeSerialised(name) && budget.sniffs >= budget.max && !budget.reported) {
    // Past the budget nothing is sniffed: say so once, so a model among the rest is not silently missing.
    budget.reported = true;
    problems.push({
      path,
      message: `more than ${budget.max} possible model files; this one and the rest were not read to tell their format`,
    });
  }
  if (file.size > 0 && mayBeSerialised(name) && budget.sniffs < budget.max) {
    budget.sniffs++;
    try {
      const format = sniffFormat(file, name);
      if (format !== undefined) return { ...base, role: 'weights', format };
    } catch (error) {
      problems.push({ path, message: `could not be read to tell its format: ${describeError(error)}` });
    }
  }
  if (/\.py$/i.test(name)) return { ...base, role: 'code' };
  return { ...base, role: 'other' };
}

function mediaTypeOf(name: string): string | undefined {
  for (const [pattern, type] of MEDIA_TYPES) if (pattern.test(name)) return type;
  return undefined;
}

function readText(file: DiscoveredFile): string {
  if (file.size > MAX_TEXT_FILE_BYTES) throw new Error(`larger than ${MAX_TEXT_FILE_BYTES} bytes`);
  return decodeText(readFileHead(file.absolutePath, MAX_TEXT_FILE_BYTES).bytes);
}

function readJson(file: DiscoveredFile): unknown {
  return parsePythonJson(readText(file));
}

/** A repository folder of the Hugging Face hub cache (`models--org--name`). */
const HUB_REPO_DIR = /^(?:models|datasets|spaces)--[^/]+$/;
/** The content-addressed store of such folders, below the inventoried folder. */
const HUB_BLOBS = ['**/models--*/blobs', '**/datasets--*/blobs', '**/spaces--*/blobs'];

/** `models--org--name/snapshots/<commit>/`: the Hugging Face hub cache layout names repo and revision. */
const HUB_CACHE = /(?:^|\/)models--([^/]+?)--([^/]+)\/snapshots\/([0-9a-f]{40})(?:\/|$)/;

function hubOrigin(path: string): { hubId: string; revision: string } | undefined {
  const m = HUB_CACHE.exec(path);
  if (!m) return undefined;
  // The cache joins `org/name` with `--`; names with `--` in them are ambiguous, so take the first split.
  return { hubId: `${m[1]}/${m[2]}`, revision: m[3] as string };
}

/** `pkg:huggingface/<org>/<name>@<revision>` (purl-spec type `huggingface`: namespace is the user or org). */
export function huggingFacePurl(hubId: string, revision?: string): string | undefined {
  const [org, name, ...rest] = hubId.split('/');
  if (!org || !name || rest.length > 0) return undefined;
  const enc = (s: string) => encodeURIComponent(s);
  return `pkg:huggingface/${enc(org)}/${enc(name)}${revision ? `@${enc(revision.toLowerCase())}` : ''}`;
}

interface ReadCardResult {
  readonly path: string;
  readonly kind: 'model' | 'dataset';
  readonly model?: ModelCardFacts;
  readonly dataset?: DatasetCardFacts;
}

function now(): number {
  return performance.now();
}

/** Builds the inventory of a project folder or a single model file. */
export async function collectInventory(path: string, options: CollectOptions): Promise<CollectResult> {
  const absolute = resolve(path);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(absolute, { throwIfNoEntry: false });
  } catch (error) {
    // A symbolic-link loop or a path under a file: the path cannot be inventoried, as if it were absent.
    throw new UsageError('PATH_NOT_FOUND', `${path}: ${describeError(error)}`, { cause: error });
  }
  if (stat === undefined) throw new UsageError('PATH_NOT_FOUND', `${path}: no such file or directory`);
  const isDirectory = stat.isDirectory();
  const t0 = now();
  // A Hugging Face cache stores each file once under `blobs/` and links it from `snapshots/<revision>/`:
  // the snapshot paths are the model (the walk lists each real file once, under its first path).
  const hubCache = isDirectory && HUB_REPO_DIR.test(basename(absolute)) ? ['blobs'] : [];
  const walked = await walkPaths([path], {
    exclude: [...(options.exclude ?? []), ...HUB_BLOBS, ...hubCache],
    skipDirectories: BOM_SKIPPED_FOLDERS,
  });
  // A single file is shown by its name, as files inside a folder are shown relative to it.
  const walk = isDirectory
    ? walked
    : { ...walked, files: walked.files.map((f) => ({ ...f, displayPath: basename(absolute) })) };
  const t1 = now();
  const problems: InventoryProblem[] = [];
  for (const p of walk.problems) problems.push({ path: p.displayPath, message: p.detail });

  const budget = { sniffs: 0, max: options.maxSniffedFiles ?? MAX_SNIFFED_FILES };
  const classified = onnxExternalData(
    arraysAsData(walk.files.map((f) => classify(f, problems, budget))),
    problems,
  );
  const byPath = new Map(classified.map((c) => [c.file.displayPath, c]));
  const byDir = new Map<string, Classified[]>();
  for (const c of classified) {
    const list = byDir.get(c.dir);
    if (list) list.push(c);
    else byDir.set(c.dir, [c]);
  }

  // Cards: read once each; a card's kind decides whether it describes a model or a dataset.
  const cards = new Map<string, ReadCardResult>();
  for (const c of classified) {
    if (c.role !== 'card') continue;
    try {
      const text = readText(c.file);
      const doc = readCard(c.file.displayPath, text);
      const kind = detectCardKind(c.file.displayPath, doc);
      const facts =
        kind === 'dataset' ? { dataset: datasetCardFacts(doc, text) } : { model: modelCardFacts(doc, text) };
      cards.set(c.file.displayPath, { path: c.file.displayPath, kind, ...facts });
      // What a card-facts limit cut (metrics past the model-index limit, texts or datasets past theirs) is
      // not in the BOM: say so, as for anything else that could not be read in full.
      for (const cut of (facts.dataset ?? facts.model)?.truncated ?? [])
        problems.push({ path: c.file.displayPath, message: `card only partly listed: ${cut}` });
      // What the reader could not read (binary content, front matter refused or over a limit) is not in
      // the BOM's facts either.
      for (const problem of doc.problems)
        if (UNREAD_CARD_PROBLEMS.has(problem.code))
          problems.push({
            path: c.file.displayPath,
            message: `card not fully read (line ${problem.line}): ${problem.message}`,
          });
    } catch (error) {
      problems.push({ path: c.file.displayPath, message: `card could not be read: ${describeError(error)}` });
    }
  }
  const cardIn = (dir: string): ReadCardResult | undefined => {
    const here = (byDir.get(dir) ?? []).filter((c) => c.role === 'card' && cards.has(c.file.displayPath));
    // README.md first (what the Hub renders), then the other card names in path order.
    here.sort((a, b) => rankCard(a.name) - rankCard(b.name) || compareStrings(a.name, b.name));
    const first = here[0];
    return first ? cards.get(first.file.displayPath) : undefined;
  };

  // Models.
  const models: InventoryModel[] = [];
  const weightDirs = new Map<string, Classified[]>();
  // A diffusers pipeline (a folder with `model_index.json`) is one model: its components (unet/, vae/,
  // text_encoder/, ...) are loaded together by `DiffusionPipeline.from_pretrained` and share the card and
  // licence at the pipeline's root. Listing each subfolder as a model of its own would leave them unnamed,
  // unlicensed and cut off from the card.
  // Only the component folders model_index.json names are the pipeline's (a `checkpoints/` beside them is not).
  const pipelineComponents = new Map<string, Set<string>>();
  for (const c of classified) {
    if (c.name !== 'model_index.json') continue;
    try {
      const json = readJson(c.file);
      if (json !== null && typeof json === 'object' && !Array.isArray(json))
        pipelineComponents.set(c.dir, new Set(Object.keys(json).filter((k) => !k.startsWith('_'))));
    } catch (error) {
      problems.push({ path: c.file.displayPath, message: `could not be read: ${describeError(error)}` });
    }
  }
  const pipelineOf = (dir: string): string | undefined => {
    for (let d = dir, child = ''; ; child = displayName(d), d = displayDir(d)) {
      if (pipelineComponents.get(d)?.has(child)) return d;
      if (d === '') return undefined;
    }
  };
  for (const c of classified) {
    if (c.role !== 'weights') continue;
    // TensorFlow's variables/ belong to the SavedModel folder above them; ONNX external data to the folder
    // of the model that reads it.
    const own =
      c.partOf !== undefined ? displayDir(c.partOf) : c.format === 'tf-variables' ? displayDir(c.dir) : c.dir;
    const owner = pipelineOf(own) ?? own;
    const list = weightDirs.get(owner);
    if (list) list.push(c);
    else weightDirs.set(owner, [c]);
  }
  const isRepoDir = (dir: string, weights: readonly Classified[]): boolean =>
    cardIn(dir)?.kind === 'model' ||
    (byDir.get(dir) ?? []).some((s) => s.role === 'model-config') ||
    weights.some((w) => w.format === 'tf-savedmodel');
  const repoDirs = new Set([...weightDirs].filter(([d, w]) => isRepoDir(d, w)).map(([d]) => d));
  // Configs and tokenizers in a model folder's subfolders that hold no weights of their own (a
  // sentence-transformers `1_Pooling/config.json`, a pipeline's `tokenizer/` and `scheduler/`) are part of
  // that model: they are loaded with it. Without this they were listed as loose files of the project.
  const membersOf = new Map<string, Classified[]>();
  for (const c of classified) {
    if ((c.role !== 'model-config' && c.role !== 'tokenizer') || weightDirs.has(c.dir)) continue;
    for (let d = c.dir; d !== ''; ) {
      d = displayDir(d);
      if (repoDirs.has(d)) {
        const list = membersOf.get(d);
        if (list) list.push(c);
        else membersOf.set(d, [c]);
        break;
      }
    }
  }
  const modelOfFile = new Map<string, string>();
  const modelFactsOf = new Map<InventoryModel, ModelCardFacts>();
  const adapterBaseOf = new Map<InventoryModel, AdapterBase>();
  const modelDirs = new Set<string>();
  for (const [dir, weights] of [...weightDirs].sort((a, b) => compareStrings(a[0], b[0]))) {
    const siblings = byDir.get(dir) ?? [];
    const card = cardIn(dir);
    const modelCard = card?.kind === 'model' ? card : undefined;
    const isRepo = repoDirs.has(dir);
    // A lone checkpoint is its own model; an ONNX file's external data goes with it.
    // (One pass: a folder may hold tens of thousands of lone checkpoints.)
    const dataOf = new Map<string, Classified[]>();
    for (const w of weights)
      if (w.partOf !== undefined) dataOf.set(w.partOf, [...(dataOf.get(w.partOf) ?? []), w]);
    const groups: Classified[][] = isRepo
      ? [weights]
      : weights
          .filter((w) => w.partOf === undefined)
          .map((w) => [w, ...(dataOf.get(w.file.displayPath) ?? [])]);
    for (const group of groups) {
      if (models.length >= MAX_ENTRIES) {
        problems.push({ path: dir, message: `more than ${MAX_ENTRIES} models; the rest are not listed` });
        break;
      }
      const { model, facts, adapterBase } = buildModel({
        dir,
        weights: group,
        isRepo,
        siblings,
        members: isRepo ? (membersOf.get(dir) ?? []) : [],
        ...(isRepo && modelCard ? { card: modelCard } : {}),
        problems,
        projectName: basename(absolute),
        root: isDirectory ? absolute : dirname(absolute),
      });
      models.push(model);
      if (facts) modelFactsOf.set(model, facts);
      if (adapterBase) adapterBaseOf.set(model, adapterBase);
      if (isRepo) modelDirs.add(dir);
      for (const w of group) modelOfFile.set(w.file.displayPath, model.ref);
    }
  }

  // Datasets: dataset cards in the project, DVC-tracked data, and those model cards name.
  const datasets = new Map<string, InventoryDataset>();
  let datasetsCut = false;
  const addDataset = (d: InventoryDataset) => {
    const existing = datasets.get(d.ref);
    if (!existing && datasets.size >= MAX_ENTRIES) {
      if (!datasetsCut)
        problems.push({
          path: d.path ?? d.name,
          message: `more than ${MAX_ENTRIES} datasets; the rest are not listed`,
        });
      datasetsCut = true;
      return;
    }
    datasets.set(d.ref, existing ? mergeDataset(existing, d) : d);
  };
  for (const card of [...cards.values()].sort((a, b) => compareStrings(a.path, b.path))) {
    if (card.kind !== 'dataset' || !card.dataset) continue;
    const dir = displayDir(card.path);
    const files = classified
      .filter((c) => c.role === 'data' && isInside(dir, c.file.displayPath))
      .map((c) => `file:${c.file.displayPath}`);
    addDataset(localDataset(card.path, dir, card.dataset, files, basename(absolute)));
  }
  for (const c of classified) {
    if (c.role !== 'dvc' || !c.name.toLowerCase().endsWith('.dvc')) continue;
    try {
      const dvc = readDvcFile(c.file.displayPath, readText(c.file));
      for (const p of dvc.problems) problems.push({ path: c.file.displayPath, message: p });
      for (const out of dvc.outs) {
        const outPath = joinDisplay(c.dir, out.path);
        addDataset({
          ref: `dataset:${outPath}`,
          name: outPath,
          path: outPath,
          licenses: [],
          files: [],
          hashes: out.md5 ? [{ algorithm: 'MD5', value: out.md5 }] : [],
          sensitiveData: [],
          owners: [],
          custodians: [],
          links: [],
          sources: [c.file.displayPath],
          external: false,
          ...(out.description ? { description: out.description } : {}),
        });
      }
    } catch (error) {
      problems.push({
        path: c.file.displayPath,
        message: `DVC file could not be read: ${describeError(error)}`,
      });
    }
  }
  const datasetRefOf = (mention: { hubId?: string; name: string; source: string }): string => {
    const ref = mention.hubId ? `hf-dataset:${mention.hubId}` : `named-dataset:${mention.name}`;
    if (!datasets.has(ref)) {
      addDataset({
        ref,
        name: mention.hubId ?? mention.name,
        ...(mention.hubId
          ? { hubId: mention.hubId, contentsUrl: `https://huggingface.co/datasets/${mention.hubId}` }
          : {}),
        licenses: [],
        files: [],
        hashes: [],
        sensitiveData: [],
        owners: [],
        custodians: [],
        links: mention.hubId
          ? [{ type: 'distribution', url: `https://huggingface.co/datasets/${mention.hubId}` }]
          : [],
        sources: [mention.source],
        external: true,
      });
    }
    return ref;
  };

  // Relationships from cards: datasets, base models.
  const relationships: InventoryRelationship[] = [];
  const externalModels = new Map<string, InventoryModel>();
  const finishedModels: InventoryModel[] = [];
  const adapterDependencies: InventoryRelationship[] = [];
  for (const model of models) {
    const facts = modelFactsOf.get(model);
    const adapterBase = adapterBaseOf.get(model);
    if (!facts && !adapterBase) {
      finishedModels.push(model);
      continue;
    }
    const trainedOn = uniqueSorted((facts?.trainedOn ?? []).map((m) => datasetRefOf(m)));
    const testedOn = uniqueSorted((facts?.testedOn ?? []).map((m) => datasetRefOf(m)));
    const derivedFrom: string[] = [];
    // The card's `base_model`, and the base model PEFT's adapter_config.json names: the latter is what
    // PEFT loads before applying the adapter, a hard fact even when the card is missing or says nothing.
    const bases: { id: string; hubId?: string; revision?: string; source: string }[] = [
      ...(facts?.baseModels ?? []),
      ...(adapterBase ? [adapterBase] : []),
    ];
    for (const base of bases) {
      const hubId = base.hubId;
      const ref = referencedModelRef(base);
      derivedFrom.push(ref);
      const existing = externalModels.get(ref);
      if (existing) {
        externalModels.set(ref, { ...existing, sources: uniqueSorted([...existing.sources, base.source]) });
        continue;
      }
      const purl = hubId ? huggingFacePurl(hubId, base.revision) : undefined;
      externalModels.set(ref, {
        ref,
        name: hubId ?? base.id,
        ...(base.revision ? { version: base.revision } : {}),
        ...(hubId ? { hubId } : {}),
        ...(purl ? { purl } : {}),
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
        links: hubId ? [{ type: 'distribution', url: `https://huggingface.co/${hubId}` }] : [],
        sources: [base.source],
        external: true,
      });
    }
    // An adapter does not run without its base model: that is a runtime dependency, not only ancestry.
    if (adapterBase) {
      adapterDependencies.push({ from: model.ref, kind: 'dependsOn', to: [referencedModelRef(adapterBase)] });
    }
    finishedModels.push({ ...model, trainedOn, testedOn, derivedFrom: uniqueSorted(derivedFrom) });
  }
  const allModels = [...finishedModels, ...externalModels.values()].sort((a, b) =>
    compareStrings(a.ref, b.ref),
  );

  // Libraries from every manifest and lockfile.
  const dependencyFiles: DependencyFile[] = [];
  const rootDir = isDirectory ? absolute : resolve(absolute, '..');
  const load = includeLoader(rootDir);
  for (const c of classified) {
    const kind = dependencyFileKind(c.name);
    if (kind === undefined) continue;
    try {
      const text = decodeText(readBytes(c.file.absolutePath));
      const read = readDependencyFile(kind, c.file.displayPath, text, {
        load,
        ...(options.env ? { env: options.env } : {}),
      });
      dependencyFiles.push(read);
      for (const p of read.problems)
        problems.push({ path: p.line !== undefined ? `${p.file}:${p.line}` : p.file, message: p.message });
    } catch (error) {
      problems.push({ path: c.file.displayPath, message: `could not be read: ${describeError(error)}` });
    }
  }
  const libraries: InventoryLibrary[] = buildLibraries(dependencyFiles);

  // Containers from Dockerfiles.
  const containers = new Map<string, InventoryContainer>();
  for (const c of classified) {
    if (c.role !== 'dockerfile') continue;
    try {
      const docker = readDockerfile(c.file.displayPath, readText(c.file));
      for (const p of docker.problems)
        problems.push({ path: `${c.file.displayPath}:${p.line}`, message: p.message });
      for (const image of docker.images) {
        const container = toInventoryContainer(c.file.displayPath, image);
        if (!container) {
          // An image whose reference could not be worked out is still pulled by the build: say so.
          problems.push({
            path: `${c.file.displayPath}:${image.line}`,
            message: `image ${JSON.stringify(image.written)} could not be determined${image.state !== 'resolved' ? `: ${image.problem}` : ''}`,
          });
          continue;
        }
        const existing = containers.get(container.ref);
        if (!existing && containers.size >= MAX_ENTRIES) {
          problems.push({
            path: c.file.displayPath,
            message: `more than ${MAX_ENTRIES} container images; the rest are not listed`,
          });
          break;
        }
        containers.set(
          container.ref,
          existing
            ? { ...existing, declaredIn: uniqueSorted([...existing.declaredIn, ...container.declaredIn]) }
            : container,
        );
      }
    } catch (error) {
      problems.push({
        path: c.file.displayPath,
        message: `Dockerfile could not be read: ${describeError(error)}`,
      });
    }
  }
  const t2 = now();

  // Files of interest, hashed.
  // Plain data files only where a dataset holds them (a project's scratch CSVs are not inventory);
  // serialised arrays always.
  const datasetFiles = new Set([...datasets.values()].flatMap((d) => d.files));
  const interesting = classified.filter(
    (c) =>
      c.role !== 'other' &&
      c.role !== 'code' &&
      (c.role !== 'data' || c.format !== undefined || datasetFiles.has(`file:${c.file.displayPath}`)),
  );
  const files: InventoryFile[] = [];
  for (const c of interesting) {
    const hashes: InventoryHash[] = [];
    if (options.hash !== false) {
      try {
        hashes.push({ algorithm: 'SHA-256', value: await sha256File(c.file.absolutePath) });
      } catch (error) {
        problems.push({ path: c.file.displayPath, message: `could not be hashed: ${describeError(error)}` });
      }
    }
    const mediaType = mediaTypeOf(c.name);
    files.push({
      ref: `file:${c.file.displayPath}`,
      path: c.file.displayPath,
      role: c.role,
      size: c.file.size,
      hashes,
      ...(c.format ? { format: c.format } : {}),
      ...(mediaType ? { mediaType } : {}),
    });
  }
  const t3 = now();
  const fileHashes = new Map(files.map((f) => [f.ref, f.hashes]));
  const withHashes = allModels.map((m) => {
    if (m.external || m.weightFiles.length !== 1) return m;
    return { ...m, hashes: fileHashes.get(m.weightFiles[0] as string) ?? [] };
  });

  // The project and what it depends on.
  // A card at the root describes the project, unless the root folder is itself a model (then it is that
  // model's card and says nothing about a project around it).
  const rootCard = isDirectory && !modelDirs.has('') ? cardIn('') : undefined;
  const rootFacts = rootCard?.model ?? rootCard?.dataset;
  const projectName = options.projectName ?? rootFacts?.name ?? basename(absolute);
  const project = {
    ref: `project:${projectName}`,
    name: projectName,
    ...(options.projectVersion ? { version: options.projectVersion } : {}),
    ...(rootFacts?.description ? { description: rootFacts.description.text } : {}),
    ...(rootFacts && rootFacts.licenses.length > 0 ? { licenses: rootFacts.licenses } : {}),
  };
  // When some file says which packages are direct (a manifest, or a lock that records it), the project
  // depends on those; only when nothing says so does it depend on every package not known to be transitive.
  const knownDirect = libraries.some((l) => l.direct === true);
  const directLibraries = libraries
    .filter((l) => (knownDirect ? l.direct === true : l.direct !== false))
    .map((l) => l.ref);
  relationships.push({
    from: project.ref,
    kind: 'dependsOn',
    to: uniqueSorted([
      ...withHashes.filter((m) => !m.external).map((m) => m.ref),
      // Datasets in the project (a dataset card's folder, DVC-tracked data) are part of it: without this
      // edge a dataset no model card names, or a dataset repository's own data, hangs loose in the graph.
      ...[...datasets.values()].filter((d) => !d.external).map((d) => d.ref),
      ...directLibraries,
      ...containers.keys(),
    ]),
  });
  for (const m of withHashes) {
    if (m.trainedOn.length > 0) relationships.push({ from: m.ref, kind: 'trainedOn', to: m.trainedOn });
    if (m.testedOn.length > 0) relationships.push({ from: m.ref, kind: 'testedOn', to: m.testedOn });
    if (m.derivedFrom.length > 0) relationships.push({ from: m.ref, kind: 'derivedFrom', to: m.derivedFrom });
    if (m.weightFiles.length > 0)
      relationships.push({
        from: m.ref,
        kind: 'contains',
        to: uniqueSorted(m.sources.filter((s) => byPath.has(s)).map((s) => `file:${s}`)),
      });
  }
  relationships.push(...adapterDependencies);
  for (const l of libraries)
    if (l.dependsOn.length > 0) relationships.push({ from: l.ref, kind: 'dependsOn', to: l.dependsOn });
  for (const d of datasets.values())
    if (d.files.length > 0) relationships.push({ from: d.ref, kind: 'contains', to: d.files });
  relationships.sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.kind, b.kind));

  void modelOfFile;
  const inventory: Inventory = {
    root: path,
    project,
    models: withHashes,
    datasets: [...datasets.values()].sort((a, b) => compareStrings(a.ref, b.ref)),
    libraries,
    containers: [...containers.values()].sort((a, b) => compareStrings(a.ref, b.ref)),
    files: files.sort((a, b) => compareStrings(a.path, b.path)),
    relationships,
    issues: [],
    problems: problems.sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.message, b.message)),
    tool: options.tool,
  };
  return { inventory, timings: { walkMs: t1 - t0, readMs: t2 - t1, hashMs: t3 - t2 } };
}

/** Formats that only ever hold a network's weights (pickles and arrays may hold anything). */
const WEIGHT_FORMATS = new Set([
  'safetensors',
  'gguf',
  'onnx',
  'pytorch-zip',
  'torchscript',
  'hdf5',
  'keras',
  'tflite',
  'flax-msgpack',
  'tf-savedmodel',
  'tf-variables',
]);

/**
 * A NumPy array (`.npy`, `.npz`) is data (embeddings, features) unless it sits in a model's folder, next
 * to a config or network weights: only then is it part of a model.
 */
function arraysAsData(classified: readonly Classified[]): Classified[] {
  const modelDirs = new Set<string>();
  for (const c of classified)
    if (
      c.role === 'model-config' ||
      (c.role === 'weights' && c.format !== undefined && WEIGHT_FORMATS.has(c.format))
    )
      modelDirs.add(c.dir);
  return classified.map((c) =>
    (c.format === 'npy' || c.format === 'npz') && !modelDirs.has(c.dir) ? { ...c, role: 'data' } : c,
  );
}

/**
 * ONNX external data (https://onnx.ai/onnx/repo-docs/ExternalData.html): a model saved with
 * `save_as_external_data` keeps its tensors in other files (`model.onnx_data`, or any name) that the
 * loader reads from the model's folder. Those files are the weights: they are listed, hashed and made part
 * of the model, or the BOM would hash only the graph and a swapped weight file would go unnoticed. A
 * location that is missing, or that leaves the folder, is a problem (the scan reports its danger).
 */
function onnxExternalData(classified: readonly Classified[], problems: InventoryProblem[]): Classified[] {
  const byPath = new Map(classified.map((c) => [c.file.displayPath, c]));
  const partOf = new Map<string, string>();
  for (const c of classified) {
    if (c.format !== 'onnx') continue;
    let source: ReturnType<typeof openFileSource> | undefined;
    try {
      source = openFileSource(c.file.absolutePath);
      const locations = new Set(
        externalReferences(parseOnnxModel(source).tensors).flatMap((r) =>
          r.locations.length > 0 ? r.locations : [''],
        ),
      );
      for (const location of [...locations].sort(compareStrings)) {
        const why = location === '' ? 'is missing' : unsafeLocation(location);
        const path = joinDisplay(c.dir, location.replace(/\\/g, '/').replace(/^(?:\.\/)+/, ''));
        if (why !== undefined) {
          problems.push({
            path: c.file.displayPath,
            message: `external data location ${JSON.stringify(location.slice(0, 200))} ${why}; not inventoried`,
          });
        } else if (!byPath.has(path)) {
          problems.push({
            path: c.file.displayPath,
            message: `names external data ${path}, which is not in the folder`,
          });
        } else if (!partOf.has(path)) partOf.set(path, c.file.displayPath);
      }
    } catch (error) {
      problems.push({
        path: c.file.displayPath,
        message: `could not be read to list its external data files: ${describeError(error)}`,
      });
    } finally {
      source?.close();
    }
  }
  return classified.map((c) => {
    const model = partOf.get(c.file.displayPath);
    if (model === undefined || model === c.file.displayPath) return c;
    // Only a file that is nothing else becomes external data: a model, card, config, lockfile or Dockerfile
    // named as a location keeps its role (an ONNX file cannot turn a project's card into weights).
    if (c.role !== 'other' && c.role !== 'data') {
      problems.push({
        path: model,
        message: `names ${c.file.displayPath} (a ${c.role} file) as external data; it is listed as what it is`,
      });
      return c;
    }
    return { ...c, role: 'weights', format: 'onnx-external-data', partOf: model };
  });
}

/** Card reader problems that mean part of the card's content was not read (the others are style). */
const UNREAD_CARD_PROBLEMS: ReadonlySet<CardProblemCode> = new Set<CardProblemCode>([
  'card-too-large',
  'binary-content',
  'front-matter-unterminated',
  'front-matter-too-large',
  'front-matter-too-deep',
  'front-matter-too-many-aliases',
  'front-matter-yaml-error',
  'front-matter-not-mapping',
  'too-many-sections',
]);

/**
 * The ref of a model only referenced (a base model): `hf-model:` for a Hub id, `named-model:` otherwise, so
 * it never meets a local model's `model:<path>`.
 */
function referencedModelRef(mention: { readonly hubId?: string; readonly id: string }): string {
  return mention.hubId ? `hf-model:${mention.hubId}` : `named-model:${mention.id}`;
}

/** README.md is what the Hub renders; other card names follow. */
function rankCard(name: string): number {
  const lower = name.toLowerCase();
  if (lower === 'readme.md') return 0;
  if (lower === 'model_card.md' || lower === 'dataset_card.md') return 1;
  return 2;
}

interface BuildModelInput {
  readonly dir: string;
  readonly weights: readonly Classified[];
  readonly isRepo: boolean;
  readonly siblings: readonly Classified[];
  /** Configs and tokenizers of the model in its subfolders (see `membersOf`). */
  readonly members: readonly Classified[];
  readonly card?: ReadCardResult;
  readonly problems: InventoryProblem[];
  readonly projectName: string;
  /** Absolute path of the folder inventoried (of the file's folder for a single file). */
  readonly root: string;
}

/** Roles of the files in a model's folder that are part of the model (loaded with it or describing it). */
const MODEL_FILE_ROLES = new Set<FileRole>(['weights', 'model-config', 'tokenizer', 'card', 'license']);

function readModelConfig(input: BuildModelInput): ModelConfigFacts | undefined {
  const config = input.siblings.find((s) => s.name === 'config.json');
  if (!config) return undefined;
  try {
    const facts = parseModelConfig(readJson(config.file), config.file.displayPath);
    if (facts === undefined)
      input.problems.push({ path: config.file.displayPath, message: 'is not a JSON object; not read' });
    return facts;
  } catch (error) {
    input.problems.push({
      path: config.file.displayPath,
      message: `could not be read: ${describeError(error)}`,
    });
    return undefined;
  }
}

interface HeaderFacts {
  readonly architecture?: string;
  readonly parameters?: bigint;
  /** `general.license` of each GGUF file that states one. */
  readonly ggufLicenses: readonly { readonly file: string; readonly value: string }[];
}

/**
 * What the weight headers say: the GGUF architecture, and the parameter count when every weight file is
 * safetensors or GGUF and every header was read (a partial sum would understate the model).
 *
 * Parameters are counted per tensor name (within a folder), not summed per file: a folder often holds
 * several copies of one network (GGUF quantisations `Q4_K_M` and `Q8_0`, diffusers' `*.fp16.safetensors`
 * variant beside the full one, `consolidated.safetensors` beside the shards), and a sum would count the
 * model once per copy. Shards and GGUF splits hold different tensors, so they still add up. A name whose
 * shape differs between files means the files are not copies of one network: no count is given.
 */
function readHeaders(input: BuildModelInput): HeaderFacts {
  const shapes = new Map<string, string>();
  let total = 0n;
  // A pipeline folder with a single-file checkpoint at its root beside the component folders holds the
  // network twice under different tensor names: a sum would double it.
  const mixedPipeline =
    input.siblings.some((s) => s.name === 'model_index.json') &&
    input.weights.some((w) => w.dir === input.dir) &&
    input.weights.some((w) => w.dir !== input.dir);
  let complete = input.weights.length > 0 && !mixedPipeline;
  let architecture: string | undefined;
  const ggufLicenses: { file: string; value: string }[] = [];
  const count = (dir: string, name: string, dims: readonly (number | bigint)[]) => {
    const key = `${dir}\0${name}`;
    const shape = dims.join(',');
    const seen = shapes.get(key);
    if (seen === undefined) {
      shapes.set(key, shape);
      total += dims.reduce<bigint>((a, d) => a * BigInt(d), 1n);
    } else if (seen !== shape) complete = false;
  };
  for (const w of input.weights) {
    if (w.format !== 'safetensors' && w.format !== 'gguf') {
      complete = false;
      continue;
    }
    let source: ReturnType<typeof openFileSource> | undefined;
    try {
      source = openFileSource(w.file.absolutePath);
      if (w.format === 'safetensors') {
        for (const t of readSafetensorsHeader(source).tensors) count(w.dir, t.name, t.shape);
      } else {
        const facts = summariseGguf(source).gguf;
        architecture ??= facts?.architecture;
        if (facts?.license) ggufLicenses.push({ file: w.file.displayPath, value: facts.license });
        for (const t of parseGguf(source).tensors) count(w.dir, t.name, t.dims);
      }
    } catch (error) {
      complete = false;
      input.problems.push({
        path: w.file.displayPath,
        message: `weight header could not be read: ${describeError(error)}`,
      });
    } finally {
      source?.close();
    }
  }
  return {
    ...(architecture ? { architecture } : {}),
    ...(complete ? { parameters: total } : {}),
    ggufLicenses,
  };
}

/** A diffusers pipeline's class (`model_index.json` `_class_name`, e.g. `StableDiffusionPipeline`). */
function readPipelineClass(input: BuildModelInput): string | undefined {
  const file = input.siblings.find((s) => s.name === 'model_index.json');
  if (!file) return undefined;
  try {
    const json = readJson(file.file);
    const name =
      json !== null && typeof json === 'object' ? (json as Record<string, unknown>)._class_name : undefined;
    return typeof name === 'string' && /^[A-Za-z_][\w.]{0,199}$/.test(name) ? name : undefined;
  } catch (error) {
    input.problems.push({
      path: file.file.displayPath,
      message: `could not be read: ${describeError(error)}`,
    });
    return undefined;
  }
}

/** The base model a PEFT adapter names (`adapter_config.json` `base_model_name_or_path`, `revision`). */
interface AdapterBase {
  readonly id: string;
  readonly hubId?: string;
  /** A commit the adapter config pins the base model to (40 hex digits only; a branch name moves). */
  readonly revision?: string;
  readonly source: string;
}

function readAdapterBase(input: BuildModelInput): AdapterBase | undefined {
  const file = input.siblings.find((s) => s.name === 'adapter_config.json');
  if (!file) return undefined;
  try {
    const json = readJson(file.file);
    const adapter = parseAdapterConfig(json, file.file.displayPath);
    const id = normalizeModelId(adapter?.baseModel);
    if (id === undefined) return undefined;
    const revision =
      json !== null && typeof json === 'object' ? (json as Record<string, unknown>).revision : undefined;
    return {
      id,
      ...(isHubRepoId(id) ? { hubId: id } : {}),
      ...(typeof revision === 'string' && /^[0-9a-f]{40}$/i.test(revision)
        ? { revision: revision.toLowerCase() }
        : {}),
      source: `${file.file.displayPath} (base_model_name_or_path)`,
    };
  } catch (error) {
    input.problems.push({
      path: file.file.displayPath,
      message: `could not be read: ${describeError(error)}`,
    });
    return undefined;
  }
}

function buildModel(input: BuildModelInput): {
  model: InventoryModel;
  facts?: ModelCardFacts;
  adapterBase?: AdapterBase;
} {
  const first = input.weights[0] as Classified;
  const path = input.isRepo ? input.dir : first.file.displayPath;
  // Matched on the absolute path, so a snapshot folder given itself still names its repository.
  const origin =
    hubOrigin(`${input.root}/${path}/`.replace(/\\/g, '/')) ??
    (input.isRepo ? gitHubOrigin(join(input.root, input.dir)) : undefined);
  const config = input.isRepo ? readModelConfig(input) : undefined;
  const adapterBase = input.isRepo ? readAdapterBase(input) : undefined;
  const headers = readHeaders(input);
  const facts = input.card?.model;
  const modelFiles = input.isRepo
    ? [...input.siblings.filter((s) => MODEL_FILE_ROLES.has(s.role)), ...input.members].map(
        (s) => s.file.displayPath,
      )
    : [];
  // Shard indexes name the shards: a shard listed but absent is a problem (the model is incomplete).
  const present = new Set([...input.siblings, ...input.weights].map((x) => x.file.displayPath));
  for (const s of input.isRepo ? [...input.siblings, ...input.members] : []) {
    if (!SHARD_INDEX.test(s.name)) continue;
    try {
      const index = parseShardIndex(readJson(s.file), s.file.displayPath, (shard) => present.has(shard));
      const missing = index?.missing ?? [];
      for (const shard of missing.slice(0, MAX_MISSING_SHARDS_LISTED))
        input.problems.push({
          path: s.file.displayPath,
          message: `names shard ${shard}, which is not in the folder`,
        });
      if (missing.length > MAX_MISSING_SHARDS_LISTED)
        input.problems.push({
          path: s.file.displayPath,
          message: `names ${missing.length - MAX_MISSING_SHARDS_LISTED} more shards that are not in the folder (${missing.length} in all)`,
        });
    } catch (error) {
      input.problems.push({
        path: s.file.displayPath,
        message: `could not be read: ${describeError(error)}`,
      });
    }
  }
  const weightFiles = uniqueSorted(input.weights.map((w) => `file:${w.file.displayPath}`));
  const sources = uniqueSorted([...modelFiles, ...input.weights.map((w) => w.file.displayPath)]);
  const folderName = displayName(input.dir) || input.projectName;
  const name = facts?.name ?? origin?.hubId ?? (input.isRepo ? folderName : first.name);
  const hubId = origin?.hubId ?? facts?.hubId;
  const purl = origin ? huggingFacePurl(origin.hubId, origin.revision) : undefined;
  const links: ExternalLink[] = [...(facts?.links ?? [])];
  if (hubId) links.push({ type: 'distribution', url: `https://huggingface.co/${hubId}` });
  const architectureFamily = config?.modelType ?? headers.architecture;
  const architecture = config?.architectures[0] ?? (input.isRepo ? readPipelineClass(input) : undefined);
  const model: InventoryModel = {
    ref: `model:${path === '' ? '.' : path}`,
    name,
    ...(origin?.revision ? { version: origin.revision } : {}),
    ...(purl ? { purl } : {}),
    ...(hubId ? { hubId } : {}),
    path,
    ...(facts?.description ? { description: facts.description.text } : {}),
    formats: uniqueSorted(input.weights.map((w) => w.format ?? 'unknown')),
    weightFiles,
    hashes: [],
    licenses: facts && facts.licenses.length > 0 ? facts.licenses : ggufLicenses(headers),
    authors: facts?.authors ?? [],
    parameters: {
      ...(facts?.approach ? { approach: facts.approach } : {}),
      ...(facts?.task ? { task: facts.task } : {}),
      ...(architectureFamily ? { architectureFamily } : {}),
      ...(architecture ? { architecture } : {}),
      ...(headers.parameters !== undefined ? { parameterCount: headers.parameters.toString() } : {}),
      inputs: facts?.inputs ?? [],
      outputs: facts?.outputs ?? [],
    },
    metrics: facts?.metrics ?? [],
    considerations: facts?.considerations ?? EMPTY_CONSIDERATIONS,
    trainedOn: [],
    testedOn: [],
    derivedFrom: [],
    ...(input.card ? { cardPath: input.card.path } : {}),
    links: dedupeLinks(links),
    sources,
    external: false,
  };
  return { model, ...(facts ? { facts } : {}), ...(adapterBase ? { adapterBase } : {}) };
}

/**
 * The licence GGUF files state in their header (`general.license`, a Hub licence id such as `apache-2.0`),
 * for a model whose card states none: the weights say it, so the BOM does not call the model unlicensed.
 */
function ggufLicenses(headers: HeaderFacts): InventoryLicense[] {
  const out: InventoryLicense[] = [];
  for (const { file, value } of headers.ggufLicenses) {
    for (const license of frontMatterLicenses({ license: value }, file)) {
      const source = `${file} (GGUF general.license)`;
      if (!out.some((l) => l.expression === license.expression && l.name === license.name))
        out.push({ ...license, source });
    }
  }
  return out;
}

function dedupeLinks(links: readonly ExternalLink[]): ExternalLink[] {
  const seen = new Map<string, ExternalLink>();
  for (const l of links) if (!seen.has(`${l.type}\0${l.url}`)) seen.set(`${l.type}\0${l.url}`, l);
  return [...seen.values()].sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.url, b.url));
}

function localDataset(
  cardPath: string,
  dir: string,
  facts: DatasetCardFacts,
  files: readonly string[],
  projectName: string,
): InventoryDataset {
  const name = facts.name ?? facts.hubId ?? (displayName(dir) || projectName);
  const links: ExternalLink[] = [...facts.links];
  if (facts.hubId)
    links.push({ type: 'distribution', url: `https://huggingface.co/datasets/${facts.hubId}` });
  return {
    ref: facts.hubId ? `hf-dataset:${facts.hubId}` : `dataset:${dir === '' ? '.' : dir}`,
    name,
    ...(facts.hubId ? { hubId: facts.hubId } : {}),
    path: dir,
    ...(facts.description ? { description: facts.description.text } : {}),
    licenses: facts.licenses,
    ...(facts.contentsUrl ? { contentsUrl: facts.contentsUrl } : {}),
    files: uniqueSorted(files),
    hashes: [],
    sensitiveData: facts.sensitiveData,
    ...(facts.classification ? { classification: facts.classification } : {}),
    owners: facts.owners,
    custodians: facts.custodians,
    cardPath,
    links: dedupeLinks(links),
    sources: [cardPath],
    external: false,
  };
}

/** A dataset found twice (a local card and a model card's mention): the local facts win, sources join. */
function mergeDataset(a: InventoryDataset, b: InventoryDataset): InventoryDataset {
  const [local, other] = a.external && !b.external ? [b, a] : [a, b];
  return {
    ...local,
    links: dedupeLinks([...local.links, ...other.links]),
    sources: uniqueSorted([...local.sources, ...other.sources]),
    // Two local copies of one Hub dataset: both folders' data files are part of it.
    files: uniqueSorted([...local.files, ...other.files]),
    external: local.external && other.external,
  };
}
