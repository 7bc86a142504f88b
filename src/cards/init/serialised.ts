import { type ByteSource, startsWith } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { compareStrings } from '../../core/finding.js';
import { ggmlTypeName } from '../../formats/gguf/ggml-types.js';
import { type GgufFile, isGguf, parseGguf } from '../../formats/gguf/reader.js';
import { HDF5_SIGNATURE } from '../../formats/hdf5/signature.js';
import { isNpy } from '../../formats/npy/header.js';
import { isOnnxModel } from '../../formats/onnx/model.js';
import { isSafetensorsHead, readSafetensorsHeader } from '../../formats/safetensors/header.js';
import { readZipDirectory } from '../../formats/zip/reader.js';
import { classifyZipLayout } from '../../scan/analysers/zip-layout.js';
import type { GgufFacts, SerialisedFormat } from './facts.js';
import { cleanString } from './json.js';

/**
 * Tells serialised model files apart by content, with the parsers `pedigree scan` uses: magic bytes and
 * structure decide, a name is only a hint. Nothing is loaded: a pickle is recognised by its PROTO opcode and
 * named, never unpickled; a zip's member names say whether it is a PyTorch checkpoint. Headers of
 * safetensors and GGUF files are parsed for their tensor shapes.
 */

/** PKZIP APPNOTE 4.3.7 local file header and 4.3.16 end of central directory signatures. */
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
/** TensorFlow Lite FlatBuffers carry the file identifier `TFL3` at offset 4 (schema.fbs `file_identifier`). */
const TFLITE_IDENTIFIER = [0x54, 0x46, 0x4c, 0x33];
/** Members listed from a zip to classify it; PyTorch's `data.pkl` is among the first. */
const MAX_ZIP_ENTRIES = 100_000;

/** Names model files go by (`.bin` is transformers' PyTorch checkpoint name). */
const MODEL_FILE_NAME =
  /\.(?:bin|pt|pth|ckpt|pkl|pickle|joblib|safetensors|gguf|ggml|onnx|h5|hdf5|keras|npy|npz|msgpack|tflite|skops)$/i;

/** Text and data files never sniffed (they cannot hold a model format the scanner recognises by magic). */
const TEXT_FILE_NAME =
  /\.(?:json|jsonl|ndjson|md|txt|py|ya?ml|toml|lock|cfg|ini|csv|tsv|parquet|arrow|jinja|j2|model|tiktoken|gitattributes|gitignore|sh|ipynb|html|png|jpe?g|gif|svg|webp|wav|mp3|flac)$/i;

/** Whether a file is worth sniffing for a model format. */
export function mayBeSerialised(name: string): boolean {
  return MODEL_FILE_NAME.test(name) || !TEXT_FILE_NAME.test(name);
}

/** Whether a name says "model file" (so unrecognised content is still worth listing). */
export function isModelFileName(name: string): boolean {
  return MODEL_FILE_NAME.test(name);
}

/**
 * The serialised format of a file, from its first bytes and (for zips, ONNX) its structure; undefined when it
 * is none and the name does not claim one, `unrecognised` when the name claims one the content does not show.
 */
export function identifySerialised(
  source: ByteSource,
  head: Uint8Array,
  name: string,
): SerialisedFormat | undefined {
  if (isSafetensorsHead(head, source.size)) return 'safetensors';
  if (isGguf(head)) return 'gguf';
  if (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY)) return zipFormat(source);
  if (isNpy(head)) return 'npy';
  if (startsWith(head, HDF5_SIGNATURE)) return 'hdf5';
  // Pickle protocol 2+ starts with PROTO (0x80) and the protocol number; torch.save's legacy format too.
  if (head.length >= 2 && head[0] === 0x80 && (head[1] as number) >= 2 && (head[1] as number) <= 5)
    return 'pickle';
  if (startsWith(head, TFLITE_IDENTIFIER, 4)) return 'tflite';
  if (isOnnxModel(head, source, name)) return 'onnx';
  // Flax `flax_model.msgpack`: a msgpack map (fixmap 0x80-0x8f, map16 0xde, map32 0xdf) of parameters.
  if (/\.msgpack$/i.test(name) && head.length > 0) {
    const b = head[0] as number;
    if ((b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf) return 'flax-msgpack';
  }
  return isModelFileName(name) ? 'unrecognised' : undefined;
}

function zipFormat(source: ByteSource): SerialisedFormat {
  try {
    const dir = readZipDirectory(source, { maxEntries: MAX_ZIP_ENTRIES });
    const layout = classifyZipLayout(dir.entries.map((e) => e.name));
    switch (layout.kind) {
      case 'pytorch':
        return 'pytorch-zip';
      case 'torchscript':
        return 'torchscript';
      case 'npz':
        return 'npz';
      case 'keras':
        return 'keras';
      case 'skops':
        return 'skops';
      case 'zip':
        return 'zip';
    }
  } catch (error) {
    if (error instanceof ParseError) return 'zip';
    throw error;
  }
}

/** Formats that hold a model (or part of one): a plain zip is an archive, not a model. */
export function isModelFormat(format: SerialisedFormat): boolean {
  return format !== 'zip';
}

/** Formats whose loading runs a pickle (torch.load, pickle.load, joblib.load, skops' trusted types aside). */
export function isPickleFormat(format: SerialisedFormat): boolean {
  return format === 'pickle' || format === 'pytorch-zip' || format === 'torchscript';
}

/** What a person would call the format. */
export function describeFormat(format: SerialisedFormat): string {
  switch (format) {
    case 'safetensors':
      return 'safetensors';
    case 'gguf':
      return 'GGUF';
    case 'pytorch-zip':
      return 'PyTorch checkpoint (zip with a pickle; not loaded)';
    case 'torchscript':
      return 'TorchScript archive (zip with pickles and code; not loaded)';
    case 'pickle':
      return 'pickle (not loaded)';
    case 'onnx':
      return 'ONNX';
    case 'hdf5':
      return 'HDF5 (Keras/h5py)';
    case 'keras':
      return 'Keras v3 archive';
    case 'skops':
      return 'skops archive';
    case 'npy':
      return 'NumPy array';
    case 'npz':
      return 'NumPy archive (npz)';
    case 'tflite':
      return 'TensorFlow Lite';
    case 'flax-msgpack':
      return 'Flax msgpack';
    case 'zip':
      return 'zip archive';
    case 'unrecognised':
      return 'not recognised (named like a model file; run `pedigree scan`)';
  }
}

export interface TensorSummary {
  readonly parameters: bigint;
  readonly tensors: number;
  readonly tensorTypes: readonly (readonly [string, number])[];
  readonly gguf?: GgufFacts;
  /** Header problems the scanner reports in detail (layout gaps, schema errors). */
  readonly problems: number;
}

function countTypes(types: Iterable<string>): [string, number][] {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
}

/** Parameters (sum of shape products), tensor count and dtypes from a safetensors header. */
export function summariseSafetensors(source: ByteSource): TensorSummary {
  const header = readSafetensorsHeader(source);
  let parameters = 0n;
  for (const t of header.tensors) parameters += t.shape.reduce((a, d) => a * BigInt(d), 1n);
  return {
    parameters,
    tensors: header.tensors.length,
    tensorTypes: countTypes(header.tensors.map((t) => t.dtype)),
    problems: header.problems.length,
  };
}

function ggufString(file: GgufFile, key: string): string | undefined {
  const entry = file.metadata.find((e) => e.key === key);
  return entry?.value.type === 'string' ? cleanString(entry.value.value) : undefined;
}

function ggufInteger(file: GgufFile, key: string): number | undefined {
  const value = file.metadata.find((e) => e.key === key)?.value;
  if (value === undefined || value.type === 'array' || value.type === 'string' || value.type === 'bool')
    return undefined;
  const n = Number(value.value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Parameters and the metadata a card can state from a GGUF header (ggml docs/gguf.md "Standardized key-value
 * pairs": `general.architecture`, `general.name`, `[arch].context_length`, ...).
 */
export function summariseGguf(source: ByteSource): TensorSummary {
  const file = parseGguf(source);
  let parameters = 0n;
  for (const t of file.tensors) parameters += t.dims.reduce((a, d) => a * d, 1n);
  const architecture = ggufString(file, 'general.architecture');
  const arch = architecture ?? '';
  const template = file.metadata.find((e) => e.key === 'tokenizer.chat_template');
  const gguf: GgufFacts = {
    ...(architecture !== undefined ? { architecture } : {}),
    ...defined('name', ggufString(file, 'general.name')),
    ...defined('license', ggufString(file, 'general.license')),
    ...defined('contextLength', ggufInteger(file, `${arch}.context_length`)),
    ...defined('blockCount', ggufInteger(file, `${arch}.block_count`)),
    ...defined('embeddingLength', ggufInteger(file, `${arch}.embedding_length`)),
    ...defined('headCount', ggufInteger(file, `${arch}.attention.head_count`)),
    chatTemplate: template?.value.type === 'string' && template.value.value.trim() !== '',
  };
  return {
    parameters,
    tensors: file.tensors.length,
    tensorTypes: countTypes(file.tensors.map((t) => ggmlTypeName(t.type))),
    gguf,
    problems: file.issues.length,
  };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
