import { parseDocument } from 'yaml';
import { ParseError } from '../../core/errors.js';

/**
 * The one way DVC's YAML files are read: bounded, aliases capped, and as DVC reads them. DVC loads
 * `.dvc`, `dvc.yaml` and `dvc.lock` with ruamel.yaml's safe loader (YAML 1.2, merge keys `<<` honoured,
 * duplicate keys an error: dvc/utils/serialize/_yaml.py), so the same document means the same here.
 */

export interface YamlInputOptions {
  /** Name used in messages: the file's path relative to the project. */
  readonly file: string;
  readonly maxBytes: number;
  readonly maxAliases: number;
  /** ruamel.yaml refuses duplicate keys; the BOM's tolerant reader takes the last value instead. */
  readonly allowDuplicateKeys?: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses DVC YAML to plain data (`unknown`, to be validated by the caller). Integers come back as
 * `bigint` so that an unquoted all-digit MD5 keeps every digit. Throws {@link ParseError} for input DVC
 * itself would refuse: too large, not UTF-8, not YAML, duplicate keys, alias bombs.
 */
export function parseDvcYamlInput(input: string | Uint8Array, options: YamlInputOptions): unknown {
  const { file } = options;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > options.maxBytes)
    throw new ParseError('LIMIT_EXCEEDED', `${file}: larger than ${options.maxBytes} bytes (${size})`);
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = UTF8.decode(input);
    } catch (error) {
      throw new ParseError('BAD_VALUE', `${file}: not UTF-8`, undefined, { cause: error });
    }
  }
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, {
      uniqueKeys: options.allowDuplicateKeys !== true,
      intAsBigInt: true,
      merge: true,
    });
  } catch (error) {
    // The parser recurses on nesting; a stack overflow is hostile input, not our failure.
    throw new ParseError('LIMIT_EXCEEDED', `${file}: not readable as YAML`, undefined, { cause: error });
  }
  const first = doc.errors[0];
  if (first) {
    const what = first.code === 'DUPLICATE_KEY' ? 'has a duplicate key' : 'is not valid YAML';
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file} ${what}: ${first.message.split('\n')[0] ?? ''}`,
      first.pos[0],
    );
  }
  try {
    return doc.toJS({ maxAliasCount: options.maxAliases });
  } catch (error) {
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `${file} could not be read: ${(error as Error).message.split('\n')[0] ?? ''}`,
      undefined,
      { cause: error },
    );
  }
}
