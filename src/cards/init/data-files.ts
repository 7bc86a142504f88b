import { compareStrings } from '../../core/finding.js';
import { isRecord } from '../../core/json.js';
import type { DataColumn, DataFormat, DataSplit, DatasetInfoFacts } from './facts.js';
import { cleanString, field, positiveInteger } from './json.js';

/**
 * Readers for dataset files: the format and split a file name gives, the columns of a CSV header or of the
 * first JSONL records, row counts streamed over the bytes, and `dataset_info.json`. Pure: text or bytes in,
 * facts out; the caller bounds what it reads.
 */

const COMPRESSION: Readonly<Record<string, string>> = {
  gz: 'gzip',
  bz2: 'bz2',
  xz: 'xz',
  zst: 'zst',
  zstd: 'zst',
};
const FORMATS: Readonly<Record<string, DataFormat>> = {
  csv: 'csv',
  tsv: 'tsv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  parquet: 'parquet',
  arrow: 'arrow',
  feather: 'arrow',
};

/** The data format (and compression) a file name gives, or undefined for other files. */
export function dataFormatOf(path: string): { format: DataFormat; compression?: string } | undefined {
  const parts = (path.split('/').pop() ?? '').toLowerCase().split('.');
  if (parts.length < 2) return undefined;
  let ext = parts.pop() as string;
  const compression = COMPRESSION[ext];
  if (compression !== undefined) {
    if (parts.length < 2) return undefined;
    ext = parts.pop() as string;
  }
  const format = FORMATS[ext];
  if (format === undefined) return undefined;
  return compression === undefined ? { format } : { format, compression };
}

/**
 * Split keywords of the Hub's data-files convention (huggingface_hub / datasets `data_files.py`
 * `KEYWORDS_IN_FILENAME_BASE_PATTERNS`): a keyword delimited by start, end or one of `._- /`, in the file
 * name or a folder name. Checked in this order, as the library does.
 */
const SPLIT_KEYWORDS: readonly (readonly [DataSplit, readonly string[]])[] = [
  ['train', ['train', 'training']],
  ['validation', ['validation', 'valid', 'dev', 'val']],
  ['test', ['test', 'testing', 'eval', 'evaluation']],
];

/** The split a path names by the Hub's convention, or undefined. */
export function splitOfPath(path: string): DataSplit | undefined {
  const words = path
    .toLowerCase()
    .replace(/\.[^./]*$/, '')
    .split(/[._\- /]+/);
  for (const [split, keywords] of SPLIT_KEYWORDS) {
    if (words.some((w) => keywords.includes(w))) return split;
  }
  return undefined;
}

/**
 * The first record of CSV/TSV text (RFC 4180: fields may be quoted, `""` is a quote, a quoted field may span
 * lines), read as the header, as `datasets`' CSV builder (pandas `read_csv`, `header=0`) does. Undefined when
 * the sample ends before the record does.
 */
export function parseCsvHeader(text: string, delimiter: string): string[] | undefined {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          current += '"';
          i++;
        } else quoted = false;
      } else current += c;
      continue;
    }
    if (c === '"' && current === '') quoted = true;
    else if (c === delimiter) {
      fields.push(current);
      current = '';
    } else if (c === '\n' || c === '\r') {
      fields.push(current);
      return fields;
    } else current += c;
  }
  return undefined;
}

/** JSON type names, as a person reading the data would say them. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

export interface JsonlSample {
  readonly columns: readonly DataColumn[];
  readonly records: number;
  /** Lines in the sample that were not a JSON object. */
  readonly invalid: number;
  readonly moreColumns: boolean;
}

/**
 * Columns of the complete JSONL records in a sample (the last line is dropped when the sample was cut), in
 * order of first appearance, with the JSON types seen for each.
 */
export function sampleJsonl(text: string, truncated: boolean, maxColumns: number): JsonlSample {
  const lines = text.split('\n');
  if (truncated) lines.pop();
  const columns = new Map<string, Set<string>>();
  let records = 0;
  let invalid = 0;
  let moreColumns = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      invalid++;
      continue;
    }
    if (!isRecord(value)) {
      invalid++;
      continue;
    }
    records++;
    for (const [key, v] of Object.entries(value)) {
      let types = columns.get(key);
      if (types === undefined) {
        if (columns.size >= maxColumns) {
          moreColumns = true;
          continue;
        }
        types = new Set();
        columns.set(key, types);
      }
      types.add(jsonType(v));
    }
  }
  return {
    columns: [...columns].map(([name, types]) => ({ name, types: [...types].sort(compareStrings) })),
    records,
    invalid,
    moreColumns,
  };
}

/**
 * Counts records in a stream of bytes: non-blank lines, and for CSV/TSV only line ends outside quoted fields
 * (a quoted field may hold line breaks). pandas skips blank lines (`skip_blank_lines=True`), so they are not
 * records either way.
 */
export class RecordCounter {
  private records = 0;
  private quoted = false;
  private lineHasContent = false;
  constructor(private readonly csv: boolean) {}

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (this.csv && b === 0x22) this.quoted = !this.quoted;
      if (b === 0x0a && !this.quoted) {
        if (this.lineHasContent) this.records++;
        this.lineHasContent = false;
      } else if (b !== 0x20 && b !== 0x09 && b !== 0x0d) this.lineHasContent = true;
    }
  }

  /** Records counted, the last one included when the data does not end with a line break. */
  finish(): number {
    return this.records + (this.lineHasContent ? 1 : 0);
  }
}

/** Most features kept from `dataset_info.json`. */
const MAX_FEATURES = 500;

/** A `datasets` feature type as a person reads it: `string`, `ClassLabel (2 names)`, `Sequence`, `struct`. */
function featureType(feature: unknown): string {
  if (Array.isArray(feature)) return 'list';
  const type = cleanString(field(feature, '_type'), 60);
  if (type === 'Value') return cleanString(field(feature, 'dtype'), 60) ?? 'Value';
  if (type === 'ClassLabel') {
    const names = field(feature, 'names');
    return Array.isArray(names) ? `ClassLabel (${names.length} names)` : 'ClassLabel';
  }
  if (type !== undefined) return type;
  return isRecord(feature) ? 'struct' : 'unknown';
}

/**
 * `dataset_info.json` as `datasets` writes it (`DatasetInfo._dump_info`): `features` (name to type) and
 * `splits` (name to `num_examples`); or `dataset_dict.json` (`{"splits": ["train", "test"]}`).
 */
export function parseDatasetInfo(json: unknown, file: string): DatasetInfoFacts | undefined {
  if (!isRecord(json)) return undefined;
  const features: DataColumn[] = [];
  const rawFeatures = field(json, 'features');
  if (isRecord(rawFeatures)) {
    for (const [key, value] of Object.entries(rawFeatures).slice(0, MAX_FEATURES)) {
      const name = cleanString(key, 120);
      if (name !== undefined) features.push({ name, types: [featureType(value)] });
    }
  }
  const splits: { name: string; examples?: number }[] = [];
  const rawSplits = field(json, 'splits');
  if (isRecord(rawSplits)) {
    for (const [key, value] of Object.entries(rawSplits).slice(0, MAX_FEATURES)) {
      const name = cleanString(key, 120);
      const examples = positiveInteger(field(value, 'num_examples'));
      if (name !== undefined) splits.push({ name, ...(examples !== undefined ? { examples } : {}) });
    }
  } else if (Array.isArray(rawSplits)) {
    for (const value of rawSplits.slice(0, MAX_FEATURES)) {
      const name = cleanString(value, 120);
      if (name !== undefined) splits.push({ name });
    }
  }
  if (features.length === 0 && splits.length === 0) return undefined;
  splits.sort((a, b) => compareStrings(a.name, b.name));
  return { file, features, splits };
}

/**
 * The Hub's `size_categories` bucket for a number of examples (hub-docs `datasetcard.md`; the `datasets`
 * library's `size_categories` list).
 */
export function sizeCategory(rows: number): string {
  const buckets: readonly [number, string][] = [
    [1e3, 'n<1K'],
    [1e4, '1K<n<10K'],
    [1e5, '10K<n<100K'],
    [1e6, '100K<n<1M'],
    [1e7, '1M<n<10M'],
    [1e8, '10M<n<100M'],
    [1e9, '100M<n<1B'],
    [1e10, '1B<n<10B'],
    [1e11, '10B<n<100B'],
    [1e12, '100B<n<1T'],
  ];
  for (const [limit, name] of buckets) if (rows < limit) return name;
  return 'n>1T';
}
