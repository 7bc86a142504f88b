import { open } from 'node:fs/promises';
import { decodeUtf8, truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { openFileSource } from '../../core/file-source.js';
import { compareStrings } from '../../core/finding.js';
import { sha256File } from '../../core/hash.js';
import { SNIFF_BYTES } from '../../core/limits.js';
import { readFileHead } from '../../core/read-head.js';
import { dependencyFileKind, readDependencyFile } from '../../deps/readers/index.js';
import { displayName } from '../../discover/display-path.js';
import { type DiscoveredFile, walkPaths } from '../../discover/walk.js';
import { detectCardKind } from '../audit/kind.js';
import type { CardKind } from '../audit/types.js';
import { readCard } from '../read.js';
import { isCardFileName, isLicenseFileName } from '../run.js';
import {
  isHubRepoId,
  isTransformersConfig,
  parseAdapterConfig,
  parseGenerationConfig,
  parseModelConfig,
  parseShardIndex,
  parseTokenizerConfig,
} from './config-files.js';
import {
  dataFormatOf,
  parseCsvHeader,
  parseDatasetInfo,
  RecordCounter,
  sampleJsonl,
  splitOfPath,
} from './data-files.js';
import type {
  AdapterFacts,
  DataFileFacts,
  DatasetCardFacts,
  DatasetInfoFacts,
  DatasetMention,
  DependencyFacts,
  FolderFacts,
  GenerationConfigFacts,
  InitNote,
  LibraryMarkers,
  LmEvalFacts,
  MetricFact,
  ModelConfigFacts,
  NoteTopic,
  SerialisedFile,
  ShardIndexFacts,
  TokenizerFacts,
  TrainerStateFacts,
} from './facts.js';
import { cleanString, field, parsePythonJson } from './json.js';
import { type CardInitLimits, DEFAULT_CARD_INIT_LIMITS } from './limits.js';
import {
  isLmEvalResults,
  parseLmEvalResults,
  parseTrainerResults,
  parseTrainerState,
  TRAINER_RESULTS_FILES,
} from './results.js';
import {
  identifySerialised,
  isModelFormat,
  mayBeSerialised,
  summariseGguf,
  summariseSafetensors,
  type TensorSummary,
} from './serialised.js';

/**
 * Gathers what a folder's files say about the model or dataset in it. All I/O of `pedigree card init` is
 * here; the parsers it calls are pure. Every read is bounded (limits.ts), symbolic links out of the folder
 * are not followed (the walk reports them), pickles are never loaded, and a file that cannot be read becomes
 * a note, never an exception.
 */

/** Folders not walked: installed packages and caches are not part of a model (`.git` the walk skips itself). */
const SKIPPED_FOLDERS = ['**/node_modules', '**/.venv', '**/venv', '**/__pycache__', '**/.cache'];

/** Packages whose versions a card's "Software" section should name. */
const ML_PACKAGES: ReadonlySet<string> = new Set([
  'accelerate',
  'bitsandbytes',
  'datasets',
  'deepspeed',
  'diffusers',
  'flash-attn',
  'flax',
  'jax',
  'keras',
  'llama-cpp-python',
  'numpy',
  'onnx',
  'onnxruntime',
  'optimum',
  'peft',
  'pytorch',
  'safetensors',
  'scikit-learn',
  'sentence-transformers',
  'tensorflow',
  'timm',
  'tokenizers',
  'torch',
  'torchaudio',
  'torchvision',
  'transformers',
  'trl',
  'vllm',
  'xformers',
]);

/** lm-evaluation-harness writes `results.json` (v0.3) or `results_<timestamp>.json` (v0.4). */
const LM_EVAL_FILE = /^results(?:[_-][^/]*)?\.json$/i;
/** Files that hold a chat template next to the tokenizer (transformers ≥ 4.43 writes `chat_template.jinja`). */
const CHAT_TEMPLATE_FILES = ['chat_template.jinja', 'chat_template.json'];
/** JSON files named like metadata are not data, wherever they are. */
const METADATA_JSON =
  /(?:^|_)(?:config|index|info|dict|state|results|metadata|schema|manifest)\.json$|^(?:package|tsconfig|modules)\.json$/i;

export interface GatherOptions {
  /** Force the kind instead of deciding it from the files. */
  readonly kind?: CardKind;
  /** Compute SHA-256 of weight and data files (default true). */
  readonly hash?: boolean;
  readonly limits?: Partial<CardInitLimits>;
}

export interface GatheredFolder {
  readonly kind: CardKind;
  readonly facts: FolderFacts;
}

/** Streams up to `max` bytes of a file through `push`; false when the file is larger. */
async function streamFile(path: string, max: number, push: (chunk: Uint8Array) => void): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(1 << 20);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return true;
      position += bytesRead;
      if (position > max) return false;
      push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

/** UTF-8 text without a byte order mark. */
function textOf(bytes: Uint8Array, what: string): string {
  const text = decodeUtf8(bytes, undefined, what);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

class Gatherer {
  readonly notes: InitNote[] = [];
  private readonly byPath = new Map<string, DiscoveredFile>();
  private hashBudget: number;
  unhashed = 0;

  constructor(
    readonly files: readonly DiscoveredFile[],
    readonly limits: CardInitLimits,
    readonly hashing: boolean,
  ) {
    for (const f of files) this.byPath.set(f.displayPath, f);
    this.hashBudget = hashing ? limits.maxHashBytes : 0;
  }

  note(file: string | undefined, topic: NoteTopic, message: string): void {
    this.notes.push({ file, topic, message: truncateText(message, 300) });
  }

  get(path: string): DiscoveredFile | undefined {
    return this.byPath.get(path);
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  /** A JSON file parsed (Python's NaN allowed), or undefined with a note when it cannot be read. */
  async readJson(file: DiscoveredFile, topic: NoteTopic): Promise<unknown> {
    if (file.size > this.limits.maxJsonBytes) {
      this.note(file.displayPath, topic, `larger than ${this.limits.maxJsonBytes} bytes; not read`);
      return undefined;
    }
    try {
      const { bytes } = readFileHead(file.absolutePath, this.limits.maxJsonBytes);
      return parsePythonJson(textOf(bytes, file.displayPath));
    } catch (error) {
      this.note(file.displayPath, topic, `could not be read: ${describeError(error)}`);
      return undefined;
    }
  }

  /** A root-level JSON file by name, parsed, or undefined (absent, or unreadable with a note). */
  async rootJson(name: string, topic: NoteTopic): Promise<{ file: string; json: unknown } | undefined> {
    const file = this.get(name);
    if (file === undefined) return undefined;
    const json = await this.readJson(file, topic);
    return json === undefined ? undefined : { file: name, json };
  }

  /** SHA-256 of a file while the hashing budget lasts. */
  async hash(file: DiscoveredFile, topic: NoteTopic): Promise<string | undefined> {
    if (file.size > this.hashBudget) {
      this.unhashed++;
      return undefined;
    }
    try {
      const digest = await sha256File(file.absolutePath);
      this.hashBudget -= file.size;
      return digest;
    } catch (error) {
      this.note(file.displayPath, topic, `could not be hashed: ${describeError(error)}`);
      return undefined;
    }
  }
}

/** Walks `root` (a folder) and gathers the facts its files state. */
export async function gatherFolder(root: string, options: GatherOptions = {}): Promise<GatheredFolder> {
  const limits: CardInitLimits = { ...DEFAULT_CARD_INIT_LIMITS, ...options.limits };
  const walk = await walkPaths([root], { maxFiles: limits.maxFiles, exclude: SKIPPED_FOLDERS });
  const g = new Gatherer(walk.files, limits, options.hash !== false);
  for (const problem of walk.problems) {
    const message =
      problem.kind === 'symlink-outside-root'
        ? 'symbolic link out of the folder; not followed'
        : problem.kind === 'limit'
          ? `not walked: ${problem.detail}`
          : `could not be read: ${problem.detail}`;
    g.note(problem.displayPath, 'files', message);
  }

  const config = await readConfig(g);
  const generation = await readGeneration(g);
  const tokenizer = await readTokenizer(g);
  const adapter = await readAdapter(g);
  const libraries = await readLibraryMarkers(g);

  // Serialised files: sniffed by content; headers parsed for tensor shapes.
  const identified: { file: DiscoveredFile; format: SerialisedFile['format'] }[] = [];
  for (const file of walk.files) {
    if (!mayBeSerialised(displayName(file.displayPath)) || dataFormatOf(file.displayPath) !== undefined)
      continue;
    const format = sniff(g, file);
    if (format !== undefined) identified.push({ file, format });
  }
  const dataCandidates = walk.files.filter((f) => isDataFile(f.displayPath));
  const hasModel = identified.some((i) => isModelFormat(i.format));
  const kind: CardKind =
    options.kind ??
    (!hasModel && dataCandidates.some((f) => dataFormatOf(f.displayPath)?.format !== 'json')
      ? 'dataset'
      : 'model');

  const serialised: SerialisedFile[] = [];
  let headers = 0;
  for (const { file, format } of identified) {
    let summary: TensorSummary | undefined;
    if ((format === 'safetensors' || format === 'gguf') && headers++ < limits.maxHeaderFiles)
      summary = summariseHeader(g, file, format);
    if (format === 'unrecognised') await noteUnrecognised(g, file);
    const sha256 = kind === 'model' && isModelFormat(format) ? await g.hash(file, 'files') : undefined;
    serialised.push({
      path: file.displayPath,
      size: file.size,
      format,
      ...(sha256 !== undefined ? { sha256 } : {}),
      ...(summary !== undefined
        ? {
            parameters: summary.parameters,
            tensors: summary.tensors,
            tensorTypes: summary.tensorTypes,
            ...(summary.gguf !== undefined ? { gguf: summary.gguf } : {}),
          }
        : {}),
    });
  }
  if (headers > limits.maxHeaderFiles)
    g.note(undefined, 'files', `more than ${limits.maxHeaderFiles} weight headers; the rest were not read`);

  const shardIndexes = await readShardIndexes(g, serialised);
  const dependencies = await readDependencies(g);
  const results = await readResults(g);
  const trainerState = await readTrainerState(g);
  const lmEval = await readLmEval(g);
  const cards = await readCards(g);
  // A model folder's data files are only listed; a dataset's are sampled, counted and hashed.
  const data = await readDataFiles(g, dataCandidates, kind === 'dataset');
  const datasetInfo = await readDatasetInfo(g);
  const licenseFiles = walk.files
    .filter((f) => isLicenseFileName(displayName(f.displayPath)))
    .map((f) => f.displayPath);
  const otherFiles =
    kind === 'dataset' ? countOtherFiles(walk.files, identified, dataCandidates, licenseFiles) : [];
  if (g.unhashed > 0 && options.hash !== false)
    g.note(
      undefined,
      'files',
      `${g.unhashed} file(s) not hashed: the hashing budget of ${limits.maxHashBytes} bytes was spent`,
    );

  const facts: FolderFacts = {
    fileCount: walk.files.length,
    ...(config !== undefined ? { config } : {}),
    ...(generation !== undefined ? { generation } : {}),
    ...(tokenizer !== undefined ? { tokenizer } : {}),
    ...(adapter !== undefined ? { adapter } : {}),
    libraries,
    serialised,
    shardIndexes,
    dependencies,
    metrics: results.metrics,
    runStats: results.runStats,
    nonFinite: results.nonFinite,
    ...(trainerState !== undefined ? { trainerState } : {}),
    lmEval,
    datasetMentions: cards.mentions,
    datasetCards: cards.datasetCards,
    dataFiles: data,
    ...(datasetInfo !== undefined ? { datasetInfo } : {}),
    otherFiles,
    licenseFiles,
    unhashed: g.unhashed,
    hashingDisabled: options.hash === false,
    notes: g.notes,
  };
  return { kind, facts };
}

async function readConfig(g: Gatherer): Promise<ModelConfigFacts | undefined> {
  const read = await g.rootJson('config.json', 'model');
  if (read === undefined) return undefined;
  // Keras, timm and others also write a config.json; only a transformers one is read for architecture.
  if (!isTransformersConfig(read.json)) return undefined;
  return parseModelConfig(read.json, read.file);
}

async function readGeneration(g: Gatherer): Promise<GenerationConfigFacts | undefined> {
  const read = await g.rootJson('generation_config.json', 'model');
  return read === undefined ? undefined : parseGenerationConfig(read.json, read.file);
}

async function readTokenizer(g: Gatherer): Promise<TokenizerFacts | undefined> {
  const read = await g.rootJson('tokenizer_config.json', 'model');
  const parsed = read === undefined ? undefined : parseTokenizerConfig(read.json, read.file);
  const templates = [...(parsed?.chatTemplateFiles ?? []), ...CHAT_TEMPLATE_FILES.filter((n) => g.has(n))];
  if (parsed === undefined && templates.length === 0) return undefined;
  return { ...(parsed ?? { file: undefined }), chatTemplateFiles: templates };
}

async function readAdapter(g: Gatherer): Promise<AdapterFacts | undefined> {
  const read = await g.rootJson('adapter_config.json', 'model');
  return read === undefined ? undefined : parseAdapterConfig(read.json, read.file);
}

async function readLibraryMarkers(g: Gatherer): Promise<LibraryMarkers> {
  const markers: { sentenceTransformers?: string; diffusers?: string } = {};
  for (const name of ['config_sentence_transformers.json', 'modules.json']) {
    if (g.has(name)) {
      markers.sentenceTransformers = name;
      break;
    }
  }
  const index = await g.rootJson('model_index.json', 'model');
  const version = cleanString(field(index?.json, '_diffusers_version'), 40);
  if (index !== undefined && version !== undefined)
    markers.diffusers = `${index.file}: _diffusers_version ${version}`;
  return markers;
}

function sniff(g: Gatherer, file: DiscoveredFile): SerialisedFile['format'] | undefined {
  let source: ReturnType<typeof openFileSource> | undefined;
  try {
    source = openFileSource(file.absolutePath);
    const head = source.readAt(0, SNIFF_BYTES);
    return identifySerialised(source, head, displayName(file.displayPath));
  } catch (error) {
    g.note(file.displayPath, 'files', `could not be read: ${describeError(error)}`);
    return undefined;
  } finally {
    source?.close();
  }
}

function summariseHeader(
  g: Gatherer,
  file: DiscoveredFile,
  format: 'safetensors' | 'gguf',
): TensorSummary | undefined {
  let source: ReturnType<typeof openFileSource> | undefined;
  try {
    source = openFileSource(file.absolutePath);
    const summary = format === 'safetensors' ? summariseSafetensors(source) : summariseGguf(source);
    if (summary.problems > 0) {
      g.note(
        file.displayPath,
        'files',
        `its ${format} header has ${summary.problems} problem(s) (run \`pedigree scan\`); its tensor counts are not stated`,
      );
      return undefined;
    }
    return summary;
  } catch (error) {
    g.note(file.displayPath, 'files', `${format} header could not be read: ${describeError(error)}`);
    return undefined;
  } finally {
    source?.close();
  }
}

/** Git LFS pointer files (git-lfs docs/spec.md): what a clone without `git lfs pull` holds instead of weights. */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/';

/** Says why a file named like a model file is not one: an LFS pointer, a broken header, or unknown content. */
async function noteUnrecognised(g: Gatherer, file: DiscoveredFile): Promise<void> {
  const name = displayName(file.displayPath);
  let head: Uint8Array;
  try {
    head = readFileHead(file.absolutePath, LFS_POINTER.length).bytes;
  } catch (error) {
    g.note(file.displayPath, 'files', `could not be read: ${describeError(error)}`);
    return;
  }
  if (String.fromCharCode(...head) === LFS_POINTER) {
    g.note(file.displayPath, 'files', 'is a Git LFS pointer, not the file itself (run `git lfs pull`)');
    return;
  }
  // A header whose length runs past the file is not recognised by content; the parser says what is wrong.
  if (/\.safetensors$/i.test(name) && summariseHeader(g, file, 'safetensors') === undefined) return;
  if (/\.gguf$/i.test(name) && summariseHeader(g, file, 'gguf') === undefined) return;
  g.note(
    file.displayPath,
    'files',
    'is named like a model file but its content is no format pedigree recognises (run `pedigree scan`)',
  );
}

async function readShardIndexes(
  g: Gatherer,
  serialised: readonly SerialisedFile[],
): Promise<ShardIndexFacts[]> {
  const out: ShardIndexFacts[] = [];
  const byPath = new Map(serialised.map((s) => [s.path, s]));
  for (const file of g.files) {
    if (!/\.index\.json$/i.test(file.displayPath)) continue;
    const json = await g.readJson(file, 'files');
    if (json === undefined) continue;
    const index = parseShardIndex(json, file.displayPath, (p) => g.has(p));
    if (index === undefined) continue;
    let parameters: bigint | undefined = 0n;
    for (const shard of index.shards) {
      const counted = byPath.get(shard)?.parameters;
      if (counted === undefined) {
        parameters = undefined;
        break;
      }
      parameters += counted;
    }
    out.push(parameters !== undefined && index.shards.length > 0 ? { ...index, parameters } : index);
  }
  return out;
}

async function readDependencies(g: Gatherer): Promise<DependencyFacts[]> {
  const out: DependencyFacts[] = [];
  for (const file of g.files) {
    const kind = dependencyFileKind(displayName(file.displayPath));
    // npm lockfiles describe JavaScript tooling, not the model's software.
    if (kind === undefined || kind === 'package-lock.json') continue;
    if (file.size > g.limits.maxDependencyFileBytes) {
      g.note(file.displayPath, 'software', `larger than ${g.limits.maxDependencyFileBytes} bytes; not read`);
      continue;
    }
    let text: string;
    try {
      text = textOf(readFileHead(file.absolutePath, g.limits.maxDependencyFileBytes).bytes, file.displayPath);
    } catch (error) {
      g.note(file.displayPath, 'software', `could not be read: ${describeError(error)}`);
      continue;
    }
    // Included files (`-r other.txt`) are not followed: each file in the folder is read on its own.
    const read = readDependencyFile(kind, file.displayPath, text);
    const packages = new Map<string, { name: string; version?: string; requirement?: string }>();
    let others = 0;
    for (const p of read.packages) {
      if (!ML_PACKAGES.has(p.normalizedName)) {
        others++;
        continue;
      }
      if (packages.has(p.normalizedName)) continue;
      const version = cleanString(p.version, 80);
      const requirement = cleanString(p.requirement, 120);
      packages.set(p.normalizedName, {
        name: p.normalizedName,
        ...(version !== undefined ? { version } : {}),
        ...(version === undefined && requirement !== undefined ? { requirement } : {}),
      });
    }
    out.push({
      path: file.displayPath,
      format: read.format,
      packages: [...packages.values()].sort((a, b) => compareStrings(a.name, b.name)),
      otherPackages: others,
    });
  }
  return out;
}

async function readResults(
  g: Gatherer,
): Promise<{ metrics: MetricFact[]; runStats: MetricFact[]; nonFinite: MetricFact[] }> {
  const metrics: MetricFact[] = [];
  const runStats: MetricFact[] = [];
  const nonFinite: MetricFact[] = [];
  // `all_results.json` repeats what the split files say: a value already read from one is not listed twice.
  const seen = new Set<string>();
  const fresh = (m: MetricFact) => {
    const key = `${m.key}\u0000${m.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const name of TRAINER_RESULTS_FILES) {
    const read = await g.rootJson(name, 'evaluation');
    if (read === undefined) continue;
    const parsed = parseTrainerResults(read.json, read.file);
    if (parsed === undefined) {
      g.note(name, 'evaluation', 'is not a JSON object of metrics; not read');
      continue;
    }
    metrics.push(...parsed.metrics.filter(fresh));
    runStats.push(...parsed.runStats.filter(fresh));
    nonFinite.push(...parsed.nonFinite);
  }
  return { metrics, runStats, nonFinite };
}

async function readTrainerState(g: Gatherer): Promise<TrainerStateFacts | undefined> {
  const read = await g.rootJson('trainer_state.json', 'training');
  return read === undefined ? undefined : parseTrainerState(read.json, read.file);
}

async function readLmEval(g: Gatherer): Promise<LmEvalFacts[]> {
  const out: LmEvalFacts[] = [];
  let read = 0;
  for (const file of g.files) {
    if (!LM_EVAL_FILE.test(displayName(file.displayPath))) continue;
    if (read++ >= g.limits.maxResultsFiles) {
      g.note(file.displayPath, 'evaluation', `more than ${g.limits.maxResultsFiles} results files; not read`);
      break;
    }
    const json = await g.readJson(file, 'evaluation');
    if (json === undefined || !isLmEvalResults(json)) continue;
    const parsed = parseLmEvalResults(json, file.displayPath);
    if (parsed !== undefined) out.push(parsed);
    else
      g.note(
        file.displayPath,
        'evaluation',
        'is an lm-evaluation-harness results file without a numeric metric; not read',
      );
  }
  return out;
}

/** Bytes of a card read for its front matter. */
const MAX_CARD_READ_BYTES = 1024 * 1024;

async function readCards(
  g: Gatherer,
): Promise<{ mentions: DatasetMention[]; datasetCards: DatasetCardFacts[] }> {
  const mentions: DatasetMention[] = [];
  const datasetCards: DatasetCardFacts[] = [];
  let read = 0;
  for (const file of g.files) {
    if (!isCardFileName(displayName(file.displayPath))) continue;
    if (read++ >= g.limits.maxCardFiles) break;
    let text: string;
    try {
      text = textOf(readFileHead(file.absolutePath, MAX_CARD_READ_BYTES).bytes, file.displayPath);
    } catch (error) {
      g.note(file.displayPath, 'training', `could not be read: ${describeError(error)}`);
      continue;
    }
    const doc = readCard(file.displayPath, text);
    const meta = doc.frontMatter?.data;
    if (detectCardKind(file.displayPath, doc) === 'dataset' && file.displayPath.includes('/')) {
      const prettyName = cleanString(field(meta, 'pretty_name'), 120);
      datasetCards.push({ file: file.displayPath, ...(prettyName !== undefined ? { prettyName } : {}) });
      continue;
    }
    const datasets = field(meta, 'datasets');
    const list = (Array.isArray(datasets) ? datasets : [datasets])
      .map((d) => cleanString(d, 200))
      .filter((d): d is string => d !== undefined && isHubRepoId(d));
    if (list.length > 0)
      mentions.push({ file: file.displayPath, datasets: [...new Set(list)].sort(compareStrings) });
  }
  return { mentions, datasetCards };
}

/** A data file by name: CSV, TSV, JSONL, Parquet, Arrow anywhere; JSON only in `data/` or named for a split. */
function isDataFile(path: string): boolean {
  const found = dataFormatOf(path);
  if (found === undefined) return false;
  if (found.format !== 'json') return true;
  const name = displayName(path);
  if (
    METADATA_JSON.test(name) ||
    /tokenizer|vocab|merges|special_tokens|added_tokens|generation|preprocessor/i.test(name)
  )
    return false;
  return /(?:^|\/)data\//i.test(path) || splitOfPath(name) !== undefined;
}

/** Parquet files start and end with `PAR1` (Apache Parquet file format); Arrow IPC files with `ARROW1`. */
async function checkMagic(file: DiscoveredFile, format: 'parquet' | 'arrow'): Promise<boolean> {
  const { bytes } = readFileHead(file.absolutePath, 8);
  const ascii = String.fromCharCode(...bytes);
  if (format === 'parquet') return ascii.startsWith('PAR1');
  // `datasets` writes the Arrow IPC *stream* format (continuation marker 0xFFFFFFFF), not the file format.
  return (
    ascii.startsWith('ARROW1') ||
    (bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff)
  );
}

async function readDataFiles(
  g: Gatherer,
  candidates: readonly DiscoveredFile[],
  read: boolean,
): Promise<DataFileFacts[]> {
  const out: DataFileFacts[] = [];
  let countBudget = g.limits.maxCountTotalBytes;
  let sampled = 0;
  for (const file of candidates) {
    const found = dataFormatOf(file.displayPath);
    if (found === undefined) continue;
    const split = splitOfPath(file.displayPath);
    const facts: {
      -readonly [K in keyof DataFileFacts]: DataFileFacts[K];
    } = {
      path: file.displayPath,
      size: file.size,
      format: found.format,
      ...(found.compression !== undefined ? { compression: found.compression } : {}),
      ...(split !== undefined ? { split } : {}),
    };
    if (!read) {
      out.push(facts);
      continue;
    }
    try {
      if (found.compression === undefined && sampled < g.limits.maxSampledDataFiles) {
        sampled++;
        facts.sampled = true;
        if (found.format === 'parquet' || found.format === 'arrow')
          facts.magic = await checkMagic(file, found.format);
        else
          await sampleTextData(
            g,
            file,
            found.format,
            facts,
            () => countBudget,
            (n) => {
              countBudget -= n;
            },
          );
      }
    } catch (error) {
      g.note(file.displayPath, 'data', `could not be read: ${describeError(error)}`);
    }
    const sha256 = await g.hash(file, 'data');
    if (sha256 !== undefined) facts.sha256 = sha256;
    out.push(facts);
  }
  return out;
}

async function sampleTextData(
  g: Gatherer,
  file: DiscoveredFile,
  format: 'csv' | 'tsv' | 'jsonl' | 'json',
  facts: { -readonly [K in keyof DataFileFacts]: DataFileFacts[K] },
  budget: () => number,
  spend: (bytes: number) => void,
): Promise<void> {
  const { bytes, truncated } = readFileHead(file.absolutePath, g.limits.maxSampleBytes);
  // A sample may end inside a UTF-8 sequence: decode leniently, the last partial record is dropped anyway.
  const text = new TextDecoder('utf-8').decode(bytes);
  if (format === 'csv' || format === 'tsv') {
    const header = parseCsvHeader(text, format === 'tsv' ? '\t' : ',');
    if (header === undefined) {
      g.note(file.displayPath, 'data', `no complete first row in the first ${g.limits.maxSampleBytes} bytes`);
    } else {
      facts.columns = header.slice(0, g.limits.maxColumns).map((name) => ({ name: name.trim(), types: [] }));
      if (header.length > g.limits.maxColumns) facts.moreColumns = true;
    }
  } else if (format === 'jsonl') {
    const sample = sampleJsonl(text, truncated, g.limits.maxColumns);
    facts.columns = sample.columns;
    facts.sampledRecords = sample.records;
    if (sample.moreColumns) facts.moreColumns = true;
    if (sample.invalid > 0)
      g.note(file.displayPath, 'data', `${sample.invalid} line(s) of the sample are not JSON objects`);
  }
  if (format === 'json') return;
  if (file.size > g.limits.maxCountBytes || file.size > budget()) return;
  const counter = new RecordCounter(format !== 'jsonl');
  const whole = await streamFile(file.absolutePath, g.limits.maxCountBytes, (chunk) => counter.push(chunk));
  spend(file.size);
  if (!whole) return;
  const records = counter.finish();
  // The CSV header row is not a data row.
  facts.rows = format === 'jsonl' ? records : Math.max(0, records - 1);
}

async function readDatasetInfo(g: Gatherer): Promise<DatasetInfoFacts | undefined> {
  for (const name of ['dataset_info.json', 'dataset_dict.json']) {
    const read = await g.rootJson(name, 'data');
    const parsed = read === undefined ? undefined : parseDatasetInfo(read.json, read.file);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}

function countOtherFiles(
  files: readonly DiscoveredFile[],
  identified: readonly { file: DiscoveredFile }[],
  data: readonly DiscoveredFile[],
  licenses: readonly string[],
): [string, number][] {
  const skip = new Set([
    ...identified.map((i) => i.file.displayPath),
    ...data.map((d) => d.displayPath),
    ...licenses,
  ]);
  const counts = new Map<string, number>();
  for (const file of files) {
    const name = displayName(file.displayPath);
    if (
      skip.has(file.displayPath) ||
      isCardFileName(name) ||
      name.startsWith('.') ||
      METADATA_JSON.test(name)
    )
      continue;
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? name.slice(dot).toLowerCase() : '(no extension)';
    if (!/^(?:\.[a-z0-9]{1,10}|\(no extension\))$/.test(ext)) continue;
    counts.set(ext, (counts.get(ext) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
}
