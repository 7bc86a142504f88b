/**
 * Keras metadata in SavedModels: `keras_metadata.pb` node metadata (tf-keras' SavedMetadata) and the
 * `metadata` of saved Keras objects in saved_model.pb (TF 2.0-2.4) are JSON layer and model configs. This
 * module parses them and finds the three things that make loading them as a Keras model run code: Lambda
 * layers, function references outside Keras, and classes from other modules.
 *
 * `findKerasMetadataIndicators` takes the parsed JSON and is the one seam to the rest of the analysis: it
 * can be pointed at the shared Keras configuration walker (src/scan/keras/config.ts) without touching the
 * SavedModel analyser.
 */
import { truncateText } from '../../core/byte-reader.js';
import type { Severity } from '../../core/finding.js';
import { isRecord } from '../../core/json.js';
import { marshalStrings } from '../../formats/pymarshal/reader.js';

/** Characters of one metadata JSON parsed. tf-keras writes one layer per node: kilobytes, a model a few MB. */
export const MAX_METADATA_JSON_CHARS = 32 * 1024 * 1024;
/** JSON values visited in one metadata document. */
export const MAX_METADATA_JSON_VALUES = 2_000_000;
/** Nesting followed in one document (sub-models in wrappers in sub-models). */
export const MAX_METADATA_JSON_DEPTH = 256;
/** Names shown from one Lambda's marshalled code. */
const MAX_CODE_NAMES = 24;
/** Longest string kept as a name. */
const MAX_CODE_NAME_LENGTH = 64;

export type KerasIndicatorKind = 'lambda' | 'function' | 'module';

export interface KerasMetadataIndicator {
  readonly kind: KerasIndicatorKind;
  readonly severity: Severity;
  /** JSON path of the object, e.g. `config.layers[2]`. */
  readonly path: string;
  /** Its `class_name` (`Lambda`, `function`, a custom class). */
  readonly className: string;
  readonly module: string;
  /** What it is, completing "... at <path>". */
  readonly detail: string;
  readonly evidence: string;
}

export interface KerasMetadataResult {
  readonly indicators: readonly KerasMetadataIndicator[];
  /** Why part of the document was not analysed (over a limit), if so. */
  readonly incomplete: string | undefined;
}

/** Parses one metadata string; throws SyntaxError (not JSON) or RangeError (over the size limit). */
export function parseKerasMetadataJson(text: string): unknown {
  if (text.length > MAX_METADATA_JSON_CHARS) {
    throw new RangeError(
      `metadata of ${text.length} characters is over the ${MAX_METADATA_JSON_CHARS} limit`,
    );
  }
  return JSON.parse(text);
}

/** Module roots whose classes and functions Keras loads as its own. */
const KERAS_ROOTS = new Set(['keras', 'tf_keras', 'tensorflow', 'tf']);
/** Builtin types Keras 3 serialises by module (tuples, dicts in configs). */
const BUILTIN_CONTAINERS = new Set([
  'tuple',
  'list',
  'dict',
  'set',
  'frozenset',
  'int',
  'float',
  'str',
  'bool',
]);

function isKerasModule(module: string): boolean {
  const root = module.split('.')[0] ?? '';
  return KERAS_ROOTS.has(root);
}

/**
 * Walks a parsed metadata document (iteratively, bounded) for Lambda layers, function references and
 * classes outside Keras.
 */
export function findKerasMetadataIndicators(document: unknown): KerasMetadataResult {
  const indicators: KerasMetadataIndicator[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: document, path: '$', depth: 0 }];
  let visited = 0;
  let incomplete: string | undefined;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (++visited > MAX_METADATA_JSON_VALUES) {
      incomplete = `more than ${MAX_METADATA_JSON_VALUES} JSON values`;
      break;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_METADATA_JSON_DEPTH) {
      incomplete = `JSON nested more than ${MAX_METADATA_JSON_DEPTH} deep at ${truncateText(path, 200)}`;
      continue;
    }
    const children: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [`${path}[${i}]`, v])
      : Object.keys(value).map((k) => [`${path}.${k}`, (value as Record<string, unknown>)[k]]);
    if (!Array.isArray(value)) inspectObject(value as Record<string, unknown>, path, indicators);
    // Reversed so the walk visits children in document order (deterministic, readable output).
    for (let i = children.length - 1; i >= 0; i--) {
      const [childPath, child] = children[i] as [string, unknown];
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return { indicators, incomplete };
}

function inspectObject(object: Record<string, unknown>, path: string, out: KerasMetadataIndicator[]): void {
  const className = typeof object.class_name === 'string' ? object.class_name : '';
  const module = typeof object.module === 'string' ? object.module : '';
  const config = isRecord(object.config) ? object.config : undefined;
  if (className === 'Lambda' || className === '__lambda__') {
    const code = lambdaCode(className === 'Lambda' ? config?.function : config);
    const names = code === undefined ? [] : marshalNames(code);
    const functionType = typeof config?.function_type === 'string' ? config.function_type : '';
    const lambdaModule = typeof config?.module === 'string' ? config.module : module;
    const evidence = [
      `${className} at ${truncateText(path, 200)}`,
      functionType ? `function_type '${truncateText(functionType, 40)}'` : '',
      lambdaModule ? `module '${truncateText(lambdaModule, 120)}'` : '',
      code !== undefined ? `marshalled code of ${code.length} base64 characters` : '',
      names.length > 0 ? `names in the code: ${names.join(', ')}` : '',
    ]
      .filter((s) => s !== '')
      .join('; ');
    out.push({
      kind: 'lambda',
      severity: 'high',
      path,
      className,
      module: lambdaModule,
      detail:
        code !== undefined
          ? 'a Lambda layer whose function is marshalled Python bytecode'
          : 'a Lambda layer whose function is Python code outside the file',
      evidence,
    });
    return;
  }
  // A Lambda's own config names the module of its function (`__main__`): reported with the Lambda.
  if (module === '' || isKerasModule(module) || 'function_type' in object) return;
  if (module === 'builtins' && BUILTIN_CONTAINERS.has(className)) return;
  if (className === 'function') {
    const name = typeof object.config === 'string' ? object.config : '';
    out.push({
      kind: 'function',
      severity: 'high',
      path,
      className,
      module,
      detail: `a reference to the function '${truncateText(`${module}.${name}`, 160)}', which Keras imports`,
      evidence: `{module: '${truncateText(module, 120)}', class_name: 'function', config: '${truncateText(name, 120)}'} at ${truncateText(path, 200)}`,
    });
    return;
  }
  out.push({
    kind: 'module',
    severity: 'medium',
    path,
    className,
    module,
    detail: `the class '${truncateText(className, 120)}' from the module '${truncateText(module, 120)}', outside Keras`,
    evidence: `{module: '${truncateText(module, 120)}', class_name: '${truncateText(className, 120)}'} at ${truncateText(path, 200)}`,
  });
}

/**
 * The base64 marshalled code of a Lambda: tf-keras writes `function` as `[code, defaults, closure]`, as
 * `{class_name: "__tuple__", items: [...]}` or as the code string alone, with `function_type: "lambda"`;
 * Keras 3 as `{class_name: "__lambda__", config: {code}}`.
 */
function lambdaCode(value: unknown): string | undefined {
  if (typeof value === 'string') return /^[A-Za-z0-9+/=\s]{16,}$/.test(value) ? value : undefined;
  if (Array.isArray(value)) return lambdaCode(value[0]);
  if (isRecord(value)) {
    if (typeof value.code === 'string') return value.code;
    // tf-keras 2.x encodes the tuple as {"class_name": "__tuple__", "items": [code, defaults, closure]}.
    if (Array.isArray(value.items)) return lambdaCode(value.items[0]);
    if (isRecord(value.config)) return lambdaCode(value.config);
  }
  return undefined;
}

/**
 * Names in a marshalled code object (CPython Python/marshal.c), as the marshal reader's string fallback
 * finds them, kept to identifier-sized strings. Evidence only: the bytecode is not interpreted.
 */
export function marshalNames(base64: string): string[] {
  return marshalStrings(Buffer.from(base64, 'base64'), MAX_CODE_NAMES, MAX_CODE_NAME_LENGTH);
}
