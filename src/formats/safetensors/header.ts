import { type ByteSource, decodeUtf8 } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';

/**
 * The safetensors header, validated as strictly as the reference implementation validates it
 * (huggingface/safetensors, safetensors/src/tensor.rs `read_metadata` and `Metadata::validate`), plus what
 * it lets through silently (duplicate keys), so files other readers would accept differently are found:
 *
 *   u64 LE N | N bytes of UTF-8 JSON starting with `{` | the byte buffer
 *
 * The JSON maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the byte
 * buffer) and may hold `__metadata__`, a map of strings to strings. Tensors must tile the buffer exactly:
 * sorted by offset, each starts where the previous ended, its length is elements × dtype bits / 8, and the
 * last one ends at the end of the file. Only the header is read, whatever the file size.
 */

/** safetensors' MAX_HEADER_SIZE: larger headers are refused by the reference reader. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;
/** Tensors listed in problems one by one; more are counted. */
export const MAX_LISTED_PROBLEMS = 50;

/** Bits per element of every dtype the reference implementation knows (safetensors/src/tensor.rs Dtype). */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Offsets relative to the byte buffer (after the header). */
  readonly begin: number;
  readonly end: number;
}

export type SafetensorsProblemKind =
  /** The JSON is not what a safetensors header must be: the reference reader refuses the file. */
  | 'schema'
  /** Tensors do not tile the byte buffer: gaps, overlaps, sizes that do not match, bytes after the last. */
  | 'layout';

export interface SafetensorsProblem {
  readonly kind: SafetensorsProblemKind;
  readonly message: string;
  readonly tensor?: string;
}

/** A byte range of the file that no tensor covers (a gap or bytes after the last tensor). */
export interface UncoveredRange {
  readonly start: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly headerLength: number;
  /** File offset of the byte buffer. */
  readonly dataStart: number;
  readonly tensors: readonly SafetensorsTensor[];
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly problems: readonly SafetensorsProblem[];
  /** File ranges (absolute offsets) no tensor covers; the reference reader refuses files that have any. */
  readonly uncovered: readonly UncoveredRange[];
}

function u64le(b: Uint8Array): number {
  let v = 0;
  for (let i = 7; i >= 0; i--) v = v * 256 + (b[i] as number);
  return v;
}

/** Whether a file starts like a safetensors file: a plausible header length, then `{`. */
export function isSafetensorsHead(head: Uint8Array, size: number): boolean {
  if (head.length < 9 || size < 10) return false;
  const n = u64le(head);
  return n >= 2 && n <= SAFETENSORS_MAX_HEADER_BYTES && n + 8 <= size && head[8] === 0x7b;
}

/**
 * Keys that appear twice in one JSON object. JSON.parse keeps the last silently, like serde_json into a map;
 * another reader may keep the first, so the same file would mean two different tensors to two tools.
 * Hand-written: JSON.parse exposes no duplicates and the text is already known to be valid JSON.
 */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  const stack: ({ keys: Set<string>; expectKey: boolean } | 'array')[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push('array');
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top !== undefined && top !== 'array') top.expectKey = true;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top !== undefined && top !== 'array' && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key) && found.length < MAX_LISTED_PROBLEMS) found.push(key);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    }
  }
  return found;
}

/**
 * Reads and validates the header. Throws ParseError when there is no header to read (length out of bounds,
 * not UTF-8, not a JSON object); every other problem is listed in `problems`.
 */
export function readSafetensorsHeader(source: ByteSource): SafetensorsHeader {
  const prefix = source.readAt(0, 8);
  if (prefix.length < 8) throw new ParseError('TRUNCATED', 'file shorter than the 8-byte header length', 0);
  const n = u64le(prefix);
  if (n > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new ParseError('LIMIT_EXCEEDED', `header length ${n} exceeds ${SAFETENSORS_MAX_HEADER_BYTES}`, 0);
  }
  if (n + 8 > source.size) {
    throw new ParseError(
      'TRUNCATED',
      `header length ${n} runs past the end of the ${source.size}-byte file`,
      0,
    );
  }
  const bytes = source.readAt(8, n);
  const text = decodeUtf8(bytes, 8, 'header');
  if (!text.startsWith('{')) throw new ParseError('BAD_VALUE', 'header does not start with {', 8);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ParseError('BAD_VALUE', `header is not JSON: ${(error as Error).message}`, 8);
  }
  if (!isRecord(json)) throw new ParseError('BAD_VALUE', 'header is not a JSON object', 8);

  const problems: SafetensorsProblem[] = [];
  const problem = (p: SafetensorsProblem) => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(p);
  };
  for (const key of duplicateKeys(text)) {
    problem({
      kind: 'schema',
      message: `key '${key}' appears more than once; readers disagree on which is used`,
    });
  }

  let metadata: Record<string, string> | undefined;
  const tensors: SafetensorsTensor[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isRecord(value)) {
        problem({ kind: 'schema', message: '__metadata__ is not an object of strings' });
        continue;
      }
      metadata = {};
      for (const [k, v] of Object.entries(value)) {
        if (typeof v === 'string') metadata[k] = v;
        else problem({ kind: 'schema', message: `__metadata__ value '${k}' is not a string` });
      }
      continue;
    }
    const tensor = readTensor(name, value, problem);
    if (tensor !== undefined) tensors.push(tensor);
  }

  const dataStart = 8 + n;
  const bufferLength = source.size - dataStart;
  const uncovered = checkLayout(tensors, dataStart, bufferLength, problem);
  return { headerLength: n, dataStart, tensors, metadata, problems, uncovered };
}

function readTensor(
  name: string,
  value: unknown,
  problem: (p: SafetensorsProblem) => void,
): SafetensorsTensor | undefined {
  const bad = (why: string) => {
    problem({ kind: 'schema', message: `tensor '${name}': ${why}`, tensor: name });
    return undefined;
  };
  if (!isRecord(value)) return bad('its entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || SAFETENSORS_DTYPE_BITS[dtype] === undefined)
    return bad(`unknown dtype ${JSON.stringify(dtype)?.slice(0, 40)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    return bad('shape is not a list of non-negative integers');
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  )
    return bad('data_offsets is not [begin, end]');
  const [begin, end] = offsets as [number, number];
  if (end < begin) return bad(`data_offsets [${begin}, ${end}] end before they begin`);
  const bits = SAFETENSORS_DTYPE_BITS[dtype] as number;
  let elements = 1n;
  for (const d of shape as number[]) elements *= BigInt(d);
  const totalBits = elements * BigInt(bits);
  if (totalBits % 8n !== 0n) return bad(`${elements} elements of ${dtype} do not fill whole bytes`);
  if (totalBits / 8n !== BigInt(end - begin)) {
    problem({
      kind: 'layout',
      message: `tensor '${name}': ${dtype}${JSON.stringify(shape)} needs ${totalBits / 8n} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      tensor: name,
    });
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Tensors sorted by offset must tile [0, bufferLength) exactly (Metadata::validate, MetadataIncompleteBuffer). */
function checkLayout(
  tensors: readonly SafetensorsTensor[],
  dataStart: number,
  bufferLength: number,
  problem: (p: SafetensorsProblem) => void,
): UncoveredRange[] {
  const uncovered: UncoveredRange[] = [];
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const t of sorted) {
    if (t.begin > covered) {
      problem({
        kind: 'layout',
        message: `${t.begin - covered} byte(s) at buffer offset ${covered} belong to no tensor (before '${t.name}')`,
        tensor: t.name,
      });
      uncovered.push({ start: dataStart + covered, end: dataStart + Math.min(t.begin, bufferLength) });
    } else if (t.begin < covered) {
      problem({
        kind: 'layout',
        message: `tensor '${t.name}' at buffer offset ${t.begin} overlaps the tensor before it (which ends at ${covered})`,
        tensor: t.name,
      });
    }
    if (t.end > bufferLength) {
      problem({
        kind: 'layout',
        message: `tensor '${t.name}' ends at buffer offset ${t.end}, past the end of the ${bufferLength}-byte buffer`,
        tensor: t.name,
      });
    }
    covered = Math.max(covered, t.end);
  }
  if (covered < bufferLength) {
    problem({
      kind: 'layout',
      message: `${bufferLength - covered} byte(s) follow the last tensor (the reference reader refuses the file; other readers ignore them)`,
    });
    uncovered.push({ start: dataStart + covered, end: dataStart + bufferLength });
  }
  return uncovered.filter((r) => r.end > r.start);
}
