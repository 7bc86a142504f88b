/**
 * One analysis of a Keras model configuration, whatever file it came from: `model_config` and
 * `training_config` of a legacy HDF5 file, `config.json` of a `.keras` archive, a `model.to_json()` file.
 *
 * Every node is visited, to any depth (bounded by MAX_KERAS_CONFIG_DEPTH and MAX_KERAS_CONFIG_NODES), so
 * nothing hides in nested Functional/Sequential models, wrappers (`TimeDistributed`, `Bidirectional`'s
 * `layer`/`forward_layer`/`backward_layer`, any layer whose config holds layers), compile and training
 * configurations, or in keys Keras does not read today. Both serializations are understood:
 * - Keras 2 (tf-keras `serialize_keras_object`): `{"class_name", "config"}`; functions as bare names;
 *   Lambda `function` as a `func_dump` triple with `function_type` "lambda" (or a name with "function").
 * - Keras 3 (keras/src/saving/serialization_lib.py): `{"module", "class_name", "config",
 *   "registered_name"}`; functions as `{"class_name": "function", "config": <name>}`; lambdas as
 *   `{"class_name": "__lambda__", "config": {"code", "defaults", "closure"}}` (Lambda layer) or
 *   `{"config": {"value": <func_dump triple>}}` (any other lambda).
 *
 * The walk is pure: it returns issues and embedded payloads; the caller reports them.
 */
import { truncateText } from '../../core/byte-reader.js';
import type { Severity } from '../../core/finding.js';
import type { ImportPolicy } from '../pickle/policy.js';
import { describeLambdaCode } from './lambda-code.js';
import {
  gadgetReason,
  isInPackages,
  isKnownKerasName,
  KERAS_PACKAGES,
  LAMBDA_FUNCTION_PACKAGES,
} from './namespace.js';
import type { KERAS_RULES } from './rules.js';

/** Objects and arrays nested in each other. Real configurations nest a few dozen levels. */
export const MAX_KERAS_CONFIG_DEPTH = 512;
/** Values visited in one configuration: a 10,000-layer model has a few hundred thousand. */
export const MAX_KERAS_CONFIG_NODES = 2_000_000;
/** Decoded bytes of one embedded payload (a TorchModuleWrapper checkpoint) handed on for analysis. */
export const MAX_KERAS_EMBEDDED_BYTES = 512 * 1024 * 1024;
/** Issues of one kind kept from one configuration (a model with 10,000 custom layers is one story). */
const MAX_ISSUES_PER_RULE = 100;

export type KerasRuleKey = keyof typeof KERAS_RULES;

export interface KerasIssue {
  readonly rule: KerasRuleKey;
  readonly severity: Severity;
  readonly message: string;
  readonly evidence: string;
}

export interface KerasEmbedded {
  /** Member name under which the payload is analysed. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface KerasWalkResult {
  readonly issues: readonly KerasIssue[];
  readonly embedded: readonly KerasEmbedded[];
  /** Issues not kept because MAX_ISSUES_PER_RULE was reached, per rule. */
  readonly omitted: Readonly<Partial<Record<KerasRuleKey, number>>>;
}

export interface KerasWalkOptions {
  /** Grades references outside Keras with the pickle analysis' dangerous table. */
  readonly policy: ImportPolicy;
  /** Added to Lambda messages (e.g. that legacy HDF5 loading ignored safe_mode). */
  readonly lambdaNote?: string;
  readonly maxDepth?: number;
  readonly maxNodes?: number;
}

/**
 * Keys whose string values Keras resolves as functions or classes by name (Keras 2 `activation: "relu"`,
 * `loss: "mse"`, `optimizer: "adam"`, metric names, MeanMetricWrapper `fn`). Objects and arrays under
 * them (per-output losses) are searched too.
 */
const FUNCTION_KEY =
  /^(?:activation|recurrent_activation|loss|losses|metrics|weighted_metrics|optimizer|fn|[a-z_]*_(?:initializer|regularizer|constraint))$/;

/** Lambda (Keras 2) fields holding functions, with the fields naming their kind and module. */
const LAMBDA_FUNCTION_FIELDS: readonly (readonly [field: string, type: string, module: string])[] = [
  ['function', 'function_type', 'module'],
  ['output_shape', 'output_shape_type', 'output_shape_module'],
  ['mask', 'mask_type', 'mask_module'],
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A JSON excerpt for evidence. */
function excerpt(v: unknown, max = 600): string {
  try {
    return truncateText(JSON.stringify(v) ?? String(v), max);
  } catch {
    return '(not representable)';
  }
}

/** The last component of a registered or dotted name: `Custom>Lambda` and `keras.layers.Lambda` are Lambda. */
function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('>'), name.lastIndexOf('.')) + 1);
}

class Walker {
  private readonly issues: KerasIssue[] = [];
  private readonly embedded: KerasEmbedded[] = [];
  private readonly omitted: Partial<Record<KerasRuleKey, number>> = {};
  private readonly perRule = new Map<KerasRuleKey, number>();
  private nodes = 0;
  private stopped = false;
  private readonly maxDepth: number;
  private readonly maxNodes: number;

  constructor(private readonly options: KerasWalkOptions) {
    this.maxDepth = options.maxDepth ?? MAX_KERAS_CONFIG_DEPTH;
    this.maxNodes = options.maxNodes ?? MAX_KERAS_CONFIG_NODES;
  }

  result(): KerasWalkResult {
    return { issues: this.issues, embedded: this.embedded, omitted: this.omitted };
  }

  private add(rule: KerasRuleKey, severity: Severity, message: string, evidence: string): void {
    const n = (this.perRule.get(rule) ?? 0) + 1;
    this.perRule.set(rule, n);
    if (n > MAX_ISSUES_PER_RULE) {
      this.omitted[rule] = (this.omitted[rule] ?? 0) + 1;
      return;
    }
    this.issues.push({ rule, severity, message, evidence });
  }

  walk(node: unknown, path: string, chain: readonly string[], depth: number, functions: boolean): void {
    if (this.stopped) return;
    if (++this.nodes > this.maxNodes) {
      this.stopped = true;
      this.add(
        'malformed',
        'medium',
        `The configuration has more than ${this.maxNodes} values; the rest (from ${truncateText(path, 200)}) was not analysed.`,
        `node limit ${this.maxNodes}`,
      );
      return;
    }
    if (depth > this.maxDepth) {
      this.add(
        'malformed',
        'medium',
        `The configuration nests deeper than ${this.maxDepth} levels at ${truncateText(path, 200)}; what is below was not analysed.`,
        `depth limit ${this.maxDepth}`,
      );
      return;
    }
    if (typeof node === 'string') {
      if (functions) this.checkFunctionName(node, path, chain);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        this.walk(item, `${path}[${i}]`, chain, depth + 1, functions);
      });
      return;
    }
    if (!isRecord(node)) return;
    const className = stringOf(node.class_name);
    let here = chain;
    if (className !== undefined) {
      const config = node.config;
      const name = isRecord(config) ? stringOf(config.name) : stringOf(node.name);
      here = [...chain, name !== undefined ? `${className} "${truncateText(name, 80)}"` : className];
      this.inspectObject(node, className, path, here);
    }
    for (const [key, value] of Object.entries(node)) {
      const childPath = `${path}.${key}`;
      if (key === 'safe_mode' && value === false) {
        this.add(
          'gadget',
          'high',
          `The configuration sets safe_mode to false at ${childPath}${this.where(here)}: passed to a loading function (keras.models.load_model as a Lambda function, CVE-2025-9906), it loads more code with safe mode off.`,
          excerpt(node),
        );
      }
      // Below an object with a class name, its fields are that object's own (its config, its module).
      const fn = className === undefined ? functions || FUNCTION_KEY.test(key) : FUNCTION_KEY.test(key);
      this.walk(value, childPath, here, depth + 1, fn);
    }
  }

  private where(chain: readonly string[]): string {
    return chain.length > 0 ? ` (${chain.join(' → ')})` : '';
  }

  private inspectObject(
    node: Record<string, unknown>,
    className: string,
    path: string,
    chain: readonly string[],
  ): void {
    const config = node.config;
    const registered = stringOf(node.registered_name);
    const module = node.module;
    const base = baseName(className);
    if (className === '__lambda__') {
      // Keras 3: a Lambda layer writes {code, defaults, closure}; serialize_keras_object writes {value: triple}.
      const inner = isRecord(config) ? config : {};
      const code = inner.code ?? (Array.isArray(inner.value) ? inner.value[0] : inner.value);
      this.reportLambdaCode(code, path, chain, node);
      return;
    }
    if (base === 'Lambda' && isRecord(config)) this.inspectKeras2Lambda(config, path, chain);
    if (base === 'TorchModuleWrapper' && isRecord(config)) this.inspectTorchModule(config, path, chain);
    if ((base === 'TFOpLambda' || base === 'SlicingOpLambda') && isRecord(config)) {
      const fn = stringOf(config.function);
      const reason = fn !== undefined ? gadgetReason(fn) : undefined;
      if (fn !== undefined && reason !== undefined) {
        this.add(
          'gadget',
          'high',
          `The ${base} layer at ${path}${this.where(chain)} calls TensorFlow's ${truncateText(fn, 120)}, which ${reason}.`,
          excerpt(node),
        );
      }
    }
    if (className === 'function') {
      // Keras 3 function reference: the name is the config, resolved in `module` or the registry.
      const name = stringOf(config) ?? registered;
      if (name !== undefined)
        this.checkReference(stringOf(module), name, registered, path, chain, node, 'function');
      return;
    }
    if (typeof module === 'string') {
      this.checkReference(module, className, registered, path, chain, node, 'class');
      return;
    }
    if (registered?.includes('>')) {
      this.customObject(`${className} (registered as ${registered})`, path, chain, node);
      return;
    }
    if (className.includes('.')) {
      // A dotted class name without a module: read as module.name by loaders that import by name.
      const dot = className.lastIndexOf('.');
      this.checkReference(
        className.slice(0, dot),
        className.slice(dot + 1),
        registered,
        path,
        chain,
        node,
        'class',
      );
      return;
    }
    if (className.includes('>')) {
      this.customObject(className, path, chain, node);
      return;
    }
    if (!isKnownKerasName(className) && isRecord(config)) this.customObject(className, path, chain, node);
  }

  /** Keras 2 Lambda: functions serialized in place, their kind in a sibling field. */
  private inspectKeras2Lambda(config: Record<string, unknown>, path: string, chain: readonly string[]): void {
    for (const [field, typeField, moduleField] of LAMBDA_FUNCTION_FIELDS) {
      const value = config[field];
      if (value === undefined || value === null || isRecord(value)) continue; // Keras 3 forms are walked
      const kind = stringOf(config[typeField]);
      const at = `${path}.config.${field}`;
      if (kind === 'raw') continue; // a plain value (an output shape), never called
      if (kind === 'function') {
        const name = stringOf(value);
        if (name !== undefined)
          this.checkLambdaFunction(stringOf(config[moduleField]), name, at, chain, config);
        continue;
      }
      if (
        field !== 'function' &&
        kind === undefined &&
        Array.isArray(value) &&
        value.every((v) => typeof v !== 'string')
      ) {
        continue; // an output shape written as a list of sizes by old Keras versions
      }
      // "lambda", or a missing/unknown kind (func_load is what a lambda means; report rather than guess).
      this.reportLambdaCode(Array.isArray(value) ? value[0] : value, at, chain, config);
    }
  }

  private reportLambdaCode(code: unknown, path: string, chain: readonly string[], node: unknown): void {
    const note = this.options.lambdaNote ? ` ${this.options.lambdaNote}` : '';
    if (typeof code !== 'string') {
      this.add(
        'lambda',
        'high',
        `A Lambda function at ${path}${this.where(chain)} is serialized as ${code === null ? 'null' : typeof code}, not as marshalled code: Keras cannot rebuild it as written, but a lambda is there to run code.${note}`,
        excerpt(node),
      );
      return;
    }
    const described = describeLambdaCode(code);
    const danger =
      described.dangerous.length > 0 ? ` It names ${truncateText(described.dangerous.join(', '), 200)}.` : '';
    const severity: Severity = described.dangerous.length > 0 ? 'critical' : 'high';
    const what =
      described.form === 'bytecode'
        ? 'marshalled Python bytecode that runs when the layer is called'
        : described.form === 'strings'
          ? `marshalled Python code that pedigree could not fully decode (${truncateText(described.problem, 160)}); the strings in it are listed`
          : 'Python source text instead of marshalled code (func_load cannot rebuild it as written, but it states code meant to run)';
    this.add(
      'lambda',
      severity,
      `A Lambda function at ${path}${this.where(chain)} holds ${what}.${danger}${note}`,
      truncateText(described.summary, 2000),
    );
  }

  /** Keras 2 Lambda with function_type "function": a function looked up by name (and module). */
  private checkLambdaFunction(
    module: string | undefined,
    name: string,
    path: string,
    chain: readonly string[],
    node: unknown,
  ): void {
    const dot = name.lastIndexOf('.');
    const mod = module ?? (dot > 0 ? name.slice(0, dot) : undefined);
    const fn = dot > 0 && module === undefined ? name.slice(dot + 1) : name;
    const qualified = mod !== undefined ? `${mod}.${fn}` : fn;
    if (mod !== undefined && isInPackages(mod, LAMBDA_FUNCTION_PACKAGES)) {
      const reason = isInPackages(mod, KERAS_PACKAGES) ? gadgetReason(fn, mod) : undefined;
      if (reason !== undefined) {
        this.add(
          'gadget',
          'high',
          `A Lambda at ${path}${this.where(chain)} calls ${qualified}, which ${reason}.`,
          excerpt(node),
        );
      } else {
        this.add(
          'lambda',
          'low',
          `A Lambda at ${path}${this.where(chain)} calls the named function ${truncateText(qualified, 160)}.`,
          excerpt(node),
        );
      }
      return;
    }
    if (mod === undefined || mod === '__main__') {
      this.add(
        'customObject',
        'medium',
        `A Lambda at ${path}${this.where(chain)} calls ${truncateText(fn, 120)}, a function the loading program must supply: that code is not in the file.`,
        excerpt(node),
      );
      return;
    }
    const verdict = this.options.policy.classify(mod, fn);
    const severity: Severity =
      verdict.kind === 'dangerous' && verdict.severity === 'critical' ? 'critical' : 'high';
    const why = verdict.kind === 'dangerous' ? ` (${verdict.reason})` : '';
    this.add(
      'lambda',
      severity,
      `A Lambda at ${path}${this.where(chain)} calls ${truncateText(qualified, 160)}${why}, a function outside Keras, TensorFlow, NumPy and math.${this.options.lambdaNote ? ` ${this.options.lambdaNote}` : ''}`,
      excerpt(node),
    );
  }

  private inspectTorchModule(config: Record<string, unknown>, path: string, chain: readonly string[]): void {
    const blob = stringOf(config.module);
    const at = `${path}.config.module`;
    if (blob === undefined) {
      this.add(
        'torchModule',
        'high',
        `A TorchModuleWrapper at ${path}${this.where(chain)} has no base64 module; a loader would fail, but the layer exists to unpickle one.`,
        excerpt(config, 300),
      );
      return;
    }
    // keras/src/utils/torch_utils.py from_config: base64.b64decode(config["module"]) then
    // torch.load(buffer, weights_only=False). b64decode drops characters outside the alphabet, like Buffer.
    const bytes = new Uint8Array(
      Buffer.from(blob.slice(0, Math.ceil((MAX_KERAS_EMBEDDED_BYTES * 4) / 3)), 'base64'),
    );
    this.add(
      'torchModule',
      'high',
      `A TorchModuleWrapper at ${path}${this.where(chain)} carries a ${bytes.length}-byte torch.save checkpoint that loading unpickles with torch.load(weights_only=False); it is analysed as '${at}'.`,
      truncateText(blob, 200),
    );
    if (bytes.length > 0) this.embedded.push({ name: at, bytes });
  }

  /** A class or function named with a module (Keras 3) or as a dotted name. */
  private checkReference(
    module: string | undefined,
    name: string,
    registered: string | undefined,
    path: string,
    chain: readonly string[],
    node: unknown,
    what: 'class' | 'function',
  ): void {
    const qualified = module !== undefined ? `${module}.${name}` : name;
    if (module === undefined || module === '__main__') {
      if (isKnownKerasName(name)) return;
      this.customObject(registered ?? name, path, chain, node);
      return;
    }
    if (isInPackages(module, KERAS_PACKAGES)) {
      // Classes in the namespace are Keras' own layers; functions may be file, network or loader calls.
      const reason = what === 'function' ? gadgetReason(name, module) : undefined;
      if (reason !== undefined) {
        this.add(
          'gadget',
          'high',
          `The configuration references ${truncateText(qualified, 160)} at ${path}${this.where(chain)}, which ${reason}. It is inside the Keras namespace, so older Keras versions accept it even with safe_mode=True (CVE-2025-8747).`,
          excerpt(node),
        );
      }
      return;
    }
    const verdict = this.options.policy.classify(module, name);
    if (verdict.kind === 'dangerous') {
      this.add(
        'moduleReference',
        verdict.severity === 'critical' ? 'critical' : 'high',
        `The configuration names ${what} ${truncateText(qualified, 160)} at ${path}${this.where(chain)}: ${verdict.reason}. Keras before 3.9 imports it even with safe_mode=True (CVE-2025-1550).`,
        excerpt(node),
      );
      return;
    }
    if (module === 'builtins' && what === 'function' && isKnownKerasName(name)) return; // Keras' own built-ins
    if (verdict.kind === 'allowed' || registered?.includes('>')) {
      this.customObject(`${registered ?? name} from module ${module}`, path, chain, node);
      return;
    }
    this.add(
      'moduleReference',
      'high',
      `The configuration names ${what} ${truncateText(qualified, 160)} at ${path}${this.where(chain)}, from a module outside Keras and TensorFlow. Keras before 3.9 imports that module even with safe_mode=True (CVE-2025-1550), running its code.`,
      excerpt(node),
    );
  }

  private customObject(name: string, path: string, chain: readonly string[], node: unknown): void {
    this.add(
      'customObject',
      'medium',
      `The configuration needs the custom object ${truncateText(name, 160)} at ${path}${this.where(chain)}: loading needs custom code to supply it, and that code is not in the file.`,
      excerpt(node, 300),
    );
  }

  /** A function or class given by name only (Keras 2 strings under activation, loss, metrics, ...). */
  private checkFunctionName(name: string, path: string, chain: readonly string[]): void {
    if (name === '' || isKnownKerasName(name)) return;
    const reason = /^(?:keras|tf|tensorflow)\./.test(name) ? gadgetReason(name) : undefined;
    if (reason !== undefined) {
      this.add(
        'gadget',
        'high',
        `The configuration names ${truncateText(name, 160)} at ${path}${this.where(chain)}, which ${reason}.`,
        JSON.stringify(name),
      );
      return;
    }
    this.customObject(name, path, chain, name);
  }
}

/**
 * Whether a JSON document is a whole Keras model configuration (`model.to_json()`, a Keras 3
 * `config.json`): a top-level `class_name` with a `config`, which Hugging Face and other configurations
 * do not have.
 */
export function isKerasModelConfig(value: unknown): boolean {
  return isRecord(value) && typeof value.class_name === 'string' && 'config' in value;
}

/** Walks a parsed Keras configuration. `rootName` starts every path (`model_config`, `config.json`). */
export function walkKerasConfig(root: unknown, rootName: string, options: KerasWalkOptions): KerasWalkResult {
  const walker = new Walker(options);
  walker.walk(root, rootName, [], 0, false);
  return walker.result();
}
