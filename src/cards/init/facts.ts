/**
 * What `pedigree card init` could derive from a folder, each fact with the file it came from. Plain data:
 * gathering (gather.ts) fills it, rendering (render-*.ts) turns it into a card. Nothing here is a guess:
 * a field is set only when a file states it.
 */

/** Where in the card a note about an unreadable input is written. */
export type NoteTopic = 'model' | 'files' | 'data' | 'training' | 'evaluation' | 'software';

/** An input that could not be read or was left out: a TODO line in the card and a line on standard error. */
export interface InitNote {
  /** POSIX path relative to the folder; undefined for the folder as a whole. */
  readonly file: string | undefined;
  readonly message: string;
  readonly topic: NoteTopic;
}

/** `config.json` (transformers `PretrainedConfig.to_json_file`). */
export interface ModelConfigFacts {
  readonly file: string;
  readonly architectures: readonly string[];
  readonly modelType?: string;
  readonly layers?: number;
  readonly hiddenSize?: number;
  readonly attentionHeads?: number;
  readonly keyValueHeads?: number;
  readonly intermediateSize?: number;
  readonly vocabSize?: number;
  readonly maxPositions?: number;
  /** `torch_dtype` (or `dtype`, its name since transformers 4.56). */
  readonly dtype?: string;
  readonly transformersVersion?: string;
  /** `_name_or_path`: where the model was loaded from when it was saved, not a claim about its base. */
  readonly nameOrPath?: string;
  /** `quantization_config.quant_method`. */
  readonly quantization?: string;
  /** `auto_map` entries (`AutoModelForCausalLM: modeling_x.XForCausalLM`): loading runs repository code. */
  readonly autoMap: readonly (readonly [string, string])[];
}

/** `generation_config.json`: the defaults `generate()` uses. */
export interface GenerationConfigFacts {
  readonly file: string;
  readonly settings: readonly (readonly [string, string | number | boolean])[];
}

/** `tokenizer_config.json` and chat template files. */
export interface TokenizerFacts {
  readonly file: string | undefined;
  readonly tokenizerClass?: string;
  readonly modelMaxLength?: number;
  /** Files that hold a chat template (`tokenizer_config.json`, `chat_template.jinja`, ...). */
  readonly chatTemplateFiles: readonly string[];
}

/** `adapter_config.json` (PEFT `PeftConfig.save_pretrained`). */
export interface AdapterFacts {
  readonly file: string;
  readonly peftType?: string;
  readonly taskType?: string;
  readonly baseModel?: string;
  /** The base model is a Hub repository id (not a local path), so it may go into `base_model:`. */
  readonly baseModelIsHubId: boolean;
  readonly r?: number;
  readonly loraAlpha?: number;
  readonly loraDropout?: number;
  readonly targetModules: readonly string[];
}

/** Serialised formats told apart by content (the same magic and structure checks `pedigree scan` uses). */
export type SerialisedFormat =
  | 'safetensors'
  | 'gguf'
  | 'pytorch-zip'
  | 'torchscript'
  | 'pickle'
  | 'onnx'
  | 'hdf5'
  | 'keras'
  | 'skops'
  | 'npy'
  | 'npz'
  | 'tflite'
  | 'flax-msgpack'
  | 'zip'
  /** Named like a model file (`.bin`, `.pt`, ...) but its content is none of the above. */
  | 'unrecognised';

export interface GgufFacts {
  readonly architecture?: string;
  readonly name?: string;
  readonly contextLength?: number;
  readonly blockCount?: number;
  readonly embeddingLength?: number;
  readonly headCount?: number;
  readonly license?: string;
  readonly chatTemplate: boolean;
}

/** A file holding weights or another serialised object. */
export interface SerialisedFile {
  readonly path: string;
  readonly size: number;
  readonly format: SerialisedFormat;
  readonly sha256?: string;
  /** Sum of the tensor shapes in the header (safetensors, GGUF). */
  readonly parameters?: bigint;
  readonly tensors?: number;
  /** Tensors per dtype or ggml type, most frequent first. */
  readonly tensorTypes?: readonly (readonly [string, number])[];
  readonly gguf?: GgufFacts;
}

/** `model.safetensors.index.json` / `pytorch_model.bin.index.json`. */
export interface ShardIndexFacts {
  readonly path: string;
  /** `metadata.total_size`: bytes of tensor data over all shards. */
  readonly totalSize?: number;
  /** Shard files the `weight_map` names, relative to the folder, sorted. */
  readonly shards: readonly string[];
  /** Shards named but not in the folder. */
  readonly missing: readonly string[];
  /** Sum of the shards' header parameter counts, when every shard's header was read. */
  readonly parameters?: bigint;
}

export interface PackageVersion {
  readonly name: string;
  readonly version?: string;
  readonly requirement?: string;
}

/** A manifest or lockfile: the machine-learning packages it pins or asks for. */
export interface DependencyFacts {
  readonly path: string;
  readonly format: string;
  readonly packages: readonly PackageVersion[];
  /** Packages not in the machine-learning list. */
  readonly otherPackages: number;
}

/** One number read from a results file, exactly as the file has it. */
export interface MetricFact {
  readonly file: string;
  readonly key: string;
  readonly value: number;
}

/** lm-evaluation-harness `results*.json`: per task, the metrics and the dataset its config names. */
export interface LmEvalTask {
  readonly task: string;
  readonly datasetPath?: string;
  readonly datasetConfig?: string;
  readonly split?: string;
  readonly fewShot?: number;
  readonly metrics: readonly LmEvalMetric[];
}

export interface LmEvalMetric {
  /** The metric name before the filter: `acc_norm` of `acc_norm,none`. */
  readonly metric: string;
  /** The key as written in the file: `acc_norm,none`. */
  readonly key: string;
  readonly value: number;
  readonly stderr?: number;
}

export interface LmEvalFacts {
  readonly file: string;
  readonly tasks: readonly LmEvalTask[];
}

/** transformers `TrainerState` (`trainer_state.json`). */
export interface TrainerStateFacts {
  readonly file: string;
  readonly epoch?: number;
  readonly globalStep?: number;
  readonly maxSteps?: number;
  readonly numTrainEpochs?: number;
  readonly trainBatchSize?: number;
  readonly totalFlos?: number;
  readonly bestMetric?: number;
  /** Evaluation keys logged at the best checkpoint's step whose value equals `best_metric` exactly. */
  readonly bestMetricKeys: readonly string[];
  readonly bestCheckpoint?: string;
}

/** Dataset ids a card in the folder states in its `datasets:` metadata. */
export interface DatasetMention {
  readonly file: string;
  readonly datasets: readonly string[];
}

/** A dataset card found in the folder. */
export interface DatasetCardFacts {
  readonly file: string;
  readonly prettyName?: string;
}

export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'arrow';
export type DataSplit = 'train' | 'validation' | 'test';

export interface DataColumn {
  readonly name: string;
  /** JSON types seen in the sampled records (`string`, `number`, ...); empty for CSV headers. */
  readonly types: readonly string[];
}

export interface DataFileFacts {
  readonly path: string;
  readonly size: number;
  readonly format: DataFormat;
  /** `gzip`, `bz2`, `xz`, `zst` when the name says the file is compressed (its content is then not read). */
  readonly compression?: string;
  /** The split the Hub's data-files naming convention gives the path, if any. */
  readonly split?: DataSplit;
  readonly columns?: readonly DataColumn[];
  /** Columns were cut at the limit. */
  readonly moreColumns?: boolean;
  /** Records parsed to find the columns (JSONL). */
  readonly sampledRecords?: number;
  /** Data rows (CSV/TSV without the header, JSONL non-blank lines), when the whole file was counted. */
  readonly rows?: number;
  /** The file's content was read (columns, rows, magic); past the sampling limit files are only listed. */
  readonly sampled?: boolean;
  /** The format's magic bytes were checked and found (Parquet `PAR1`, Arrow `ARROW1`). */
  readonly magic?: boolean;
  readonly sha256?: string;
}

/** `dataset_info.json` (the `datasets` library's `DatasetInfo`), or `dataset_dict.json` for split names. */
export interface DatasetInfoFacts {
  readonly file: string;
  readonly features: readonly DataColumn[];
  readonly splits: readonly { readonly name: string; readonly examples?: number }[];
}

/** Libraries a file in the folder names itself as written by. */
export interface LibraryMarkers {
  /** `modules.json` or `config_sentence_transformers.json`. */
  readonly sentenceTransformers?: string;
  /** `model_index.json` with `_diffusers_version`. */
  readonly diffusers?: string;
}

export interface FolderFacts {
  /** Files walked. */
  readonly fileCount: number;
  readonly config?: ModelConfigFacts;
  readonly generation?: GenerationConfigFacts;
  readonly tokenizer?: TokenizerFacts;
  readonly adapter?: AdapterFacts;
  readonly libraries: LibraryMarkers;
  readonly serialised: readonly SerialisedFile[];
  readonly shardIndexes: readonly ShardIndexFacts[];
  readonly dependencies: readonly DependencyFacts[];
  /** Quality metrics of Trainer results files (`eval_results.json`, ...). */
  readonly metrics: readonly MetricFact[];
  /** Run statistics of the same files (runtime, samples per second, epoch, FLOs). */
  readonly runStats: readonly MetricFact[];
  /** Keys whose value was NaN or infinite, by file. */
  readonly nonFinite: readonly MetricFact[];
  readonly trainerState?: TrainerStateFacts;
  readonly lmEval: readonly LmEvalFacts[];
  readonly datasetMentions: readonly DatasetMention[];
  readonly datasetCards: readonly DatasetCardFacts[];
  readonly dataFiles: readonly DataFileFacts[];
  readonly datasetInfo?: DatasetInfoFacts;
  /** Other files by extension (dataset folders: images, audio, archives), most frequent first. */
  readonly otherFiles: readonly (readonly [string, number])[];
  /** LICENSE, COPYING, NOTICE ... at any depth. */
  readonly licenseFiles: readonly string[];
  /** SHA-256 was not computed for these (budget spent or `--no-hash`). */
  readonly unhashed: number;
  readonly hashingDisabled: boolean;
  readonly notes: readonly InitNote[];
}
