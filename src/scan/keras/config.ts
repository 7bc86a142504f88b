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
import { isRecord } from '../../core/json.js';
import type { ImportPolicy } from '../pickle/policy.js';
import { describeLambdaCode, pythonBase64Decode } from './lambda-code.js';
import {
  gadgetReason,
  isInPackages,
  isKnownKerasName,
  isModuleName,
  KERAS_PACKAGES,
  LAMBDA_FUNCTION_PACKAGES,
  nonModelingReason,
} from './namespace.js';
import type { KERAS_RULES } from './rules.js';

/**
 * Objects and arrays nested in each other. Real configurations nest a few dozen levels; Python's json
 * module gives up near its recursion limit (1000 by default), so anything Keras can load is below this.
 */
export const MAX_KERAS_CONFIG_DEPTH = 1100;
/**
 * Objects, arrays and function-name strings visited in one configuration (numbers and other scalars are
 * not counted: padding a config with them costs the attacker nothing): a 10,000-layer model has a few
 * hundred thousand.
 */
export const MAX_KERAS_CONFIG_NODES = 2_000_000;
/**
 * Values visited by the marker search that runs when a limit stopped the walk: JSON text under
 * MAX_KERAS_JSON_CHARS holds fewer, so this only bounds a configuration built in memory.
 */
const MAX_MARKER_VISITS = 64_000_000;
/** Class names that carry or load code, looked for past a limit (KERAS-LAMBDA / KERAS-TORCH-MODULE). */
const CODE_CLASS_NAMES: ReadonlySet<string> = new Set(['Lambda', '__lambda__', 'TorchModuleWrapper']);
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

/** Objects and arrays: what the walk descends into. */
function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** Python's truth test on a JSON value: false, 0, "", null, [] and {} are false. */
function isFalsy(v: unknown): boolean {
  if (v === false || v === 0 || v === '' || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isRecord(v) && Object.keys(v).length === 0;
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
  /** Whether a limit kept part of the configuration from being walked. */
  limited = false;
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
      this.limited = true;
      this.add(
        'malformed',
        'medium',
        `The configuration has more than ${this.maxNodes} values; the rest (from ${truncateText(path, 200)}) was not analysed.`,
        `node limit ${this.maxNodes}`,
      );
      return;
    }
    if (depth > this.maxDepth) {
      this.limited = true;
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
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        // Scalars say nothing (strings only under function keys): skipped before a path is built.
        if (!isContainer(item) && !(functions && typeof item === 'string')) continue;
        this.walk(item, `${path}[${i}]`, chain, depth + 1, functions);
      }
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
      // Keras writes no safe_mode into configurations; Python tests it for truth (`if safe_mode:`), so
      // 0, "", null, [] and {} switch it off as well as false.
      if (key === 'safe_mode' && isFalsy(value)) {
        this.add(
          'gadget',
          'high',
          `The configuration sets safe_mode to ${truncateText(JSON.stringify(value) ?? String(value), 40)} at ${path}.${key}${this.where(here)}: passed to a loading function (keras.models.load_model as a Lambda function, CVE-2025-9906), it loads more code with safe mode off.`,
          excerpt(node),
        );
      }
      // Below an object with a class name, its fields are that object's own (its config, its module).
      const fn = className === undefined ? functions || FUNCTION_KEY.test(key) : FUNCTION_KEY.test(key);
      if (!isContainer(value) && !(fn && typeof value === 'string')) continue;
      this.walk(value, `${path}.${key}`, here, depth + 1, fn);
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
      // tf-keras resolves the name in the `tf` API (`tf.<function>`), any of it, not only tensor math.
      const fn = stringOf(config.function);
      const dot = fn?.lastIndexOf('.') ?? -1;
      const reason =
        fn !== undefined
          ? (gadgetReason(fn) ??
            nonModelingReason(fn.slice(dot + 1), dot > 0 ? `tensorflow.${fn.slice(0, dot)}` : 'tensorflow'))
          : undefined;
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
    // torch.load(buffer, weights_only=False). b64decode drops every character outside the standard
    // alphabet, URL-safe '-' and '_' included, which Node's base64 decoder would read as data: decoded the
    // Python way, so padding the text with them cannot shift the pickle out of shape.
    const clipped = blob.slice(0, Math.ceil((MAX_KERAS_EMBEDDED_BYTES * 4) / 3));
    const asPython = clipped.length === blob.length ? pythonBase64Decode(clipped) : undefined;
    const bytes = asPython ?? new Uint8Array(Buffer.from(clipped, 'base64'));
    const how =
      asPython !== undefined
        ? ''
        : clipped.length === blob.length
          ? ' (base64.b64decode refuses the text, so this loader fails; it is decoded leniently anyway)'
          : ` (only its first ${MAX_KERAS_EMBEDDED_BYTES} bytes)`;
    this.add(
      'torchModule',
      'high',
      `A TorchModuleWrapper at ${path}${this.where(chain)} carries a ${bytes.length}-byte torch.save checkpoint that loading unpickles with torch.load(weights_only=False); it is analysed as '${at}'${how}.`,
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
    if (!isModuleName(module)) {
      // `keras.utils\u0000`, `keras.layers `, `keras..x`: no import resolves it as written, so it is no Keras
      // module, only made to look like one to a prefix check.
      this.add(
        'moduleReference',
        'medium',
        `The configuration names ${what} ${truncateText(JSON.stringify(name), 120)} in ${truncateText(JSON.stringify(module), 120)} at ${path}${this.where(chain)}, which is not a Python module path: a lookalike of a real module, made to pass a name check. A loader fails on it as written.`,
        excerpt(node),
      );
      return;
    }
    if (isInPackages(module, KERAS_PACKAGES)) {
      // Classes in the namespace are Keras' own layers; functions may be file, network or loader calls
      // (graded high), or utilities no model needs (the allowlist half, medium).
      const reason = what === 'function' ? gadgetReason(name, module) : undefined;
      if (reason !== undefined) {
        this.add(
          'gadget',
          'high',
          `The configuration references ${truncateText(qualified, 160)} at ${path}${this.where(chain)}, which ${reason}. It is inside the Keras namespace, so older Keras versions accept it even with safe_mode=True (CVE-2025-8747).`,
          excerpt(node),
        );
        return;
      }
      const other = what === 'function' ? nonModelingReason(name, module) : undefined;
      if (other !== undefined) {
        this.add(
          'gadget',
          'medium',
          `The configuration references ${truncateText(qualified, 160)} at ${path}${this.where(chain)}, which ${other}. Keras before 3.11 calls it during loading like any other function (CVE-2025-8747 class).`,
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
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      // `"activation": "os.system"`: Keras' own string lookups do not import, but a dotted name is how
      // pickle-style loaders and custom `deserialize` helpers (importlib + getattr) find a callable.
      const verdict = this.options.policy.classify(name.slice(0, dot), name.slice(dot + 1));
      if (verdict.kind === 'dangerous') {
        this.add(
          'moduleReference',
          'high',
          `The configuration names ${truncateText(name, 160)} as a function at ${path}${this.where(chain)}: ${verdict.reason}. Keras' own lookup does not import dotted names, but any loader that resolves them by import runs it; no model needs it.`,
          JSON.stringify(name),
        );
        return;
      }
    }
    this.customObject(name, path, chain, name);
  }

  /**
   * After a limit stopped the walk: an iterative search (no recursion, so no depth limit) of the whole
   * configuration for code-carrying objects, so padding or nesting cannot hide a Lambda behind a limit.
   */
  searchPastLimits(root: unknown, rootName: string): void {
    const found = new Map<string, number>();
    const stack: unknown[] = [root];
    let visits = 0;
    while (stack.length > 0 && visits++ < MAX_MARKER_VISITS) {
      const node = stack.pop();
      if (Array.isArray(node)) {
        for (const item of node) if (isContainer(item)) stack.push(item);
        continue;
      }
      if (!isRecord(node)) continue;
      const className = stringOf(node.class_name);
      const code = className !== undefined ? baseName(className) : undefined;
      if (code !== undefined && CODE_CLASS_NAMES.has(code)) found.set(code, (found.get(code) ?? 0) + 1);
      for (const value of Object.values(node)) if (isContainer(value)) stack.push(value);
    }
    for (const [code, count] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
      const torch = code === 'TorchModuleWrapper';
      this.add(
        torch ? 'torchModule' : 'lambda',
        'high',
        `${rootName} holds ${count} ${code} object(s), and part of it was over pedigree's limits and not analysed: what they carry (${torch ? 'a pickled torch module' : 'Python code'}) may be among what was not read. Loading runs it.${!torch && this.options.lambdaNote ? ` ${this.options.lambdaNote}` : ''}`,
        `${count} × ${code}`,
      );
    }
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
  if (walker.limited) walker.searchPastLimits(root, rootName);
  return walker.result();
}
