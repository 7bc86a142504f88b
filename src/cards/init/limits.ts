/**
 * Limits of `pedigree card init`. The folder is untrusted: anyone can hand over a model repository with a
 * million files, a 50 GB "config.json" or a CSV of one endless line. Each limit keeps one such folder from
 * exhausting time or memory; every one can be overridden per call.
 */
export interface CardInitLimits {
  /** Files walked in the folder (depth first, sorted); the rest are not looked at and a note says so. */
  readonly maxFiles: number;
  /** Bytes of one JSON file read (config, tokenizer config, results, shard index, trainer state). */
  readonly maxJsonBytes: number;
  /** Bytes of one manifest or lockfile read. */
  readonly maxDependencyFileBytes: number;
  /** Data files whose columns are read and rows counted; the rest are listed (with size and digest) only. */
  readonly maxSampledDataFiles: number;
  /** Bytes read from the start of a CSV/TSV/JSONL file to find its columns. */
  readonly maxSampleBytes: number;
  /** Bytes of one data file streamed to count its rows; larger files are not counted. */
  readonly maxCountBytes: number;
  /** Bytes streamed to count rows across all data files. */
  readonly maxCountTotalBytes: number;
  /** Bytes hashed (SHA-256) across all files; files past the budget are listed without a digest. 0: none. */
  readonly maxHashBytes: number;
  /** Files whose headers (safetensors, GGUF, zip directory) are parsed. */
  readonly maxHeaderFiles: number;
  /** Evaluation results files read. */
  readonly maxResultsFiles: number;
  /** Cards (README.md and dataset cards) read for the dataset names they state. */
  readonly maxCardFiles: number;
  /** Rows of one table written into the card; the rest are counted in one line. */
  readonly maxListedRows: number;
  /** Columns listed for one data file. */
  readonly maxColumns: number;
}

/** A Hub model repository has tens of files, a dataset repository thousands of shards at most. */
export const MAX_INIT_FILES = 100_000;
/** Real configs are kilobytes; tokenizer configs with inline chat templates a few hundred KB. */
export const MAX_INIT_JSON_BYTES = 16 * 1024 * 1024;
export const MAX_INIT_DEPENDENCY_FILE_BYTES = 16 * 1024 * 1024;
/** Shards of one split share their columns: a few dozen files say what thousands would. */
export const MAX_SAMPLED_DATA_FILES = 50;
export const MAX_SAMPLE_BYTES = 64 * 1024;
export const MAX_COUNT_BYTES = 256 * 1024 * 1024;
export const MAX_COUNT_TOTAL_BYTES = 1024 * 1024 * 1024;
/** A 70B model in bf16 is 140 GB; past this the user is better served by `--no-hash` or a manifest. */
export const MAX_HASH_BYTES = 256 * 1024 * 1024 * 1024;
export const MAX_HEADER_FILES = 500;
export const MAX_RESULTS_FILES = 20;
export const MAX_CARD_FILES = 20;
export const MAX_LISTED_ROWS = 200;
export const MAX_COLUMNS = 200;

export const DEFAULT_CARD_INIT_LIMITS: CardInitLimits = {
  maxFiles: MAX_INIT_FILES,
  maxJsonBytes: MAX_INIT_JSON_BYTES,
  maxDependencyFileBytes: MAX_INIT_DEPENDENCY_FILE_BYTES,
  maxSampledDataFiles: MAX_SAMPLED_DATA_FILES,
  maxSampleBytes: MAX_SAMPLE_BYTES,
  maxCountBytes: MAX_COUNT_BYTES,
  maxCountTotalBytes: MAX_COUNT_TOTAL_BYTES,
  maxHashBytes: MAX_HASH_BYTES,
  maxHeaderFiles: MAX_HEADER_FILES,
  maxResultsFiles: MAX_RESULTS_FILES,
  maxCardFiles: MAX_CARD_FILES,
  maxListedRows: MAX_LISTED_ROWS,
  maxColumns: MAX_COLUMNS,
};
