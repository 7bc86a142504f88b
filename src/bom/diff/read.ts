import { decodeUtf8 } from '../../core/byte-reader.js';
import { describeError, ParseError, UsageError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import { readFileHead } from '../../core/read-head.js';
import { BomReadContext, describeJsonType } from './fields.js';
import { cycloneDxReader } from './formats/cyclonedx.js';
import type { BomFormatReader } from './formats/reader.js';
import { spdx2Reader } from './formats/spdx2.js';
import { spdx3Reader } from './formats/spdx3.js';
import { type BomLimits, DEFAULT_BOM_LIMITS } from './limits.js';
import type { BomDocument } from './model.js';

/** The formats read, tried in this order by their marker key (`bomFormat`, `@context`, `spdxVersion`). */
export const BOM_READERS: readonly BomFormatReader[] = [cycloneDxReader, spdx3Reader, spdx2Reader];

export interface ReadBomOptions {
  /** Overrides of DEFAULT_BOM_LIMITS. */
  readonly limits?: Partial<BomLimits>;
}

function resolveLimits(options: ReadBomOptions): BomLimits {
  return { ...DEFAULT_BOM_LIMITS, ...options.limits };
}

/**
 * Parses a BOM (CycloneDX JSON 1.2-1.7, SPDX 3.0.1 JSON-LD, SPDX 2.2/2.3 JSON) into its comparable form.
 * `file` names the input in messages. Throws ParseError, naming the file, the JSON path and the reason,
 * for anything that is not one of those formats or has a field of the wrong type.
 */
export function parseBom(
  input: string | Uint8Array,
  file: string,
  options: ReadBomOptions = {},
): BomDocument {
  const limits = resolveLimits(options);
  if (typeof input !== 'string' && input.length > limits.maxBytes)
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `${file}: larger than ${limits.maxBytes} bytes (the limit for a BOM)`,
    );
  let text: string;
  try {
    text = typeof input === 'string' ? input : decodeUtf8(input, undefined, 'the BOM');
  } catch (error) {
    throw new ParseError('BAD_VALUE', `${file}: ${describeError(error)}`, undefined, { cause: error });
  }
  if (typeof input === 'string' && text.length > limits.maxBytes)
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `${file}: larger than ${limits.maxBytes} characters (the limit for a BOM)`,
    );
  // RFC 8259 §8.1 lets a parser ignore a byte order mark; JSON.parse does not.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const start = text.trimStart();
    const hint = start.startsWith('<')
      ? ' (it looks like XML: convert a CycloneDX XML BOM to JSON first)'
      : /^SPDXVersion:/m.test(start.slice(0, 4096))
        ? ' (it looks like SPDX tag-value: convert it to JSON first)'
        : '';
    throw new ParseError('BAD_STRUCTURE', `${file}: not JSON${hint}: ${describeError(error)}`, undefined, {
      cause: error,
    });
  }
  const context: BomReadContext = new BomReadContext(file, limits);
  if (!isRecord(data))
    context.fail(
      '',
      `expected a JSON object (a CycloneDX or SPDX document), got ${describeJsonType(data)}`,
      'BAD_MAGIC',
    );
  const reader = BOM_READERS.find((r) => r.detect(data));
  if (reader === undefined)
    context.fail(
      '',
      'not a CycloneDX or SPDX document: no `bomFormat` (CycloneDX JSON), `@context` (SPDX 3 JSON-LD) or `spdxVersion` (SPDX 2 JSON)',
      'BAD_MAGIC',
    );
  return reader.parse(data, context);
}

/**
 * Reads and parses a BOM file, at most `limits.maxBytes` of it. Throws UsageError when the file cannot be
 * read (missing, a directory, no permission) and ParseError when it is not a BOM the diff reads.
 */
export function readBom(path: string, options: ReadBomOptions = {}): BomDocument {
  const limits = resolveLimits(options);
  let head: { bytes: Buffer; truncated: boolean };
  try {
    head = readFileHead(path, limits.maxBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError('PATH_NOT_FOUND', `${path}: no such file`, { cause: error });
    if (code === 'EISDIR')
      throw new UsageError('PATH_UNREADABLE', `${path}: is a directory, not a BOM file`, { cause: error });
    throw new UsageError('PATH_UNREADABLE', `cannot read ${path}: ${describeError(error)}`, { cause: error });
  }
  if (head.truncated)
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `${path}: larger than ${limits.maxBytes} bytes (the limit for a BOM); not read`,
    );
  return parseBom(head.bytes, path, options);
}
