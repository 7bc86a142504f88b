import type { ByteSource } from '../../core/byte-reader.js';
import { decodeUtf8, truncateText } from '../../core/byte-reader.js';
import { compareStrings } from '../../core/finding.js';
import { isRecord } from '../../core/json.js';
import type { AnalysisContext } from '../context.js';
import { SKOPS_RULES } from './rules.js';

/** Largest schema.json read (real ones are kilobytes to a few megabytes). */
export const MAX_SKOPS_SCHEMA_BYTES = 64 * 1024 * 1024;
/** Nesting of schema nodes followed: stops stack exhaustion on hostile nesting. */
export const MAX_SKOPS_DEPTH = 500;
/** Nodes visited in one schema: stops work on hostile sizes. */
export const MAX_SKOPS_NODES = 1_000_000;
/** Types listed in one finding. */
const MAX_LISTED_TYPES = 30;

const BUILTIN_PRIMITIVES = ['int', 'float', 'str', 'bool', 'NoneType'].map((t) => `builtins.${t}`);
const BUILTIN_CONTAINERS = ['list', 'set', 'map', 'tuple'].map((t) => `builtins.${t}`);

/**
 * What each loader trusts without `trusted=` (skops/io/_general.py, _numpy.py, _scipy.py, _sklearn.py:
 * each Node's `_get_trusted(trusted, default)`). skops' own lists come from the installed libraries
 * (`sklearn.utils.all_estimators()`, NumPy ufuncs and dtypes, SciPy sparse types); they are approximated
 * by namespace here: public scikit-learn classes, `numpy.*` and `scipy.sparse.*`/`scipy.special.*`.
 * `undefined`: the loader trusts nothing by default (MethodNode, PartialNode, DTypeNode trusted = []).
 */
const LOADER_TRUST: Readonly<Record<string, ((type: string) => boolean) | undefined>> = {
  JsonNode: (t) => BUILTIN_PRIMITIVES.includes(t),
  DictNode: (t) => t === 'builtins.dict' || t === 'collections.OrderedDict',
  DefaultDictNode: (t) => t === 'collections.defaultdict',
  ListNode: (t) => t === 'builtins.list',
  SetNode: (t) => t === 'builtins.set',
  TupleNode: (t) => t === 'builtins.tuple',
  SliceNode: (t) => t === 'builtins.slice',
  BytesNode: (t) => t === 'builtins.bytes',
  BytearrayNode: (t) => t === 'builtins.bytearray',
  TypeNode: (t) => BUILTIN_PRIMITIVES.includes(t) || BUILTIN_CONTAINERS.includes(t) || isNumpy(t),
  FunctionNode: (t) => isNumpy(t) || t.startsWith('scipy.special.'),
  ObjectNode: isSklearn,
  ReduceNode: isSklearn,
  TreeNode: isSklearn,
  LossNode: isSklearn,
  _DictWithDeprecatedKeysNode: (t) => t.startsWith('sklearn.'),
  NdArrayNode: isNumpy,
  MaskedArrayNode: isNumpy,
  RandomStateNode: isNumpy,
  RandomGeneratorNode: isNumpy,
  SparseMatrixNode: (t) => t.startsWith('scipy.sparse.'),
  DTypeNode: undefined,
  PartialNode: undefined,
  MethodNode: undefined,
  ConstructorFromReduceNode: undefined,
  OperatorFuncNode: undefined,
  QuantileForestNode: undefined,
};

function isNumpy(type: string): boolean {
  return type.startsWith('numpy.');
}

/** Public scikit-learn classes (all_estimators() lists no private names; _loss internals are trusted too). */
function isSklearn(type: string): boolean {
  if (!type.startsWith('sklearn.')) return false;
  const name = type.slice(type.lastIndexOf('.') + 1);
  return !name.startsWith('_') || type.startsWith('sklearn._loss.');
}

interface SchemaWalk {
  /** Untrusted type name → loaders it appears under. */
  readonly untrusted: Map<string, Set<string>>;
  readonly unknownLoaders: Set<string>;
  nodes: number;
  stopped?: string;
}

function visit(value: unknown, depth: number, walk: SchemaWalk): void {
  if (walk.stopped !== undefined) return;
  if (depth > MAX_SKOPS_DEPTH) {
    walk.stopped = `nodes nested deeper than ${MAX_SKOPS_DEPTH}`;
    return;
  }
  if (++walk.nodes > MAX_SKOPS_NODES) {
    walk.stopped = `more than ${MAX_SKOPS_NODES} nodes`;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) visit(item, depth + 1, walk);
    return;
  }
  if (!isRecord(value)) return;
  const loader = value.__loader__;
  const module = value.__module__;
  const cls = value.__class__;
  if (
    typeof loader === 'string' &&
    typeof module === 'string' &&
    typeof cls === 'string' &&
    loader !== 'CachedNode'
  ) {
    const type = `${module}.${cls}`;
    const add = (name: string) => {
      const set = walk.untrusted.get(name) ?? new Set<string>();
      set.add(loader);
      walk.untrusted.set(name, set);
    };
    if (!Object.hasOwn(LOADER_TRUST, loader)) walk.unknownLoaders.add(loader);
    const trusts = Object.hasOwn(LOADER_TRUST, loader) ? LOADER_TRUST[loader] : undefined;
    if (trusts === undefined || !trusts(type)) add(type);
    // MethodNode: skops reports `<obj type>.<method>` as well (skops/io/_general.py MethodNode.get_unsafe_set).
    const content = value.content;
    if (loader === 'MethodNode' && isRecord(content) && typeof content.func === 'string') {
      add(`${type}.${content.func}`);
    }
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === '__loader__' || key === '__module__' || key === '__class__') continue;
    visit(child, depth + 1, walk);
  }
}

/**
 * Checks a skops archive's schema.json the way skops.io.load audits it before constructing anything
 * (skops/io/_audit.py `audit_tree`: every node's type must be trusted by default or passed in `trusted=`).
 * Untrusted types are reported at medium, known-dangerous callables (the pickle import policy's list:
 * os, subprocess, builtins.eval, operator.methodcaller ...) at high.
 */
export function reportSkopsSchema(ctx: AnalysisContext, source: ByteSource): void {
  const malformed = (why: string) =>
    ctx.notAnalysed({
      ruleId: SKOPS_RULES.malformed.id,
      severity: 'medium',
      title: SKOPS_RULES.malformed.title,
      message: `The skops schema could not be fully checked: ${why}.`,
      evidence: truncateText(why, 300),
      remediation: SKOPS_RULES.malformed.help,
      references: SKOPS_RULES.malformed.references,
    });
  if (source.size > MAX_SKOPS_SCHEMA_BYTES) {
    malformed(`schema.json has ${source.size} bytes, more than ${MAX_SKOPS_SCHEMA_BYTES}`);
    return;
  }
  let schema: unknown;
  try {
    schema = JSON.parse(decodeUtf8(source.readAt(0, source.size)));
  } catch (error) {
    malformed(`schema.json is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    return;
  }
  const walk: SchemaWalk = { untrusted: new Map(), unknownLoaders: new Set(), nodes: 0 };
  visit(schema, 0, walk);
  if (walk.stopped !== undefined) malformed(`the schema has ${walk.stopped}; the rest was not checked`);
  if (walk.unknownLoaders.size > 0) {
    malformed(
      `it uses loaders skops does not have: ${[...walk.unknownLoaders].sort(compareStrings).join(', ')}`,
    );
  }
  const types = [...walk.untrusted.keys()].sort(compareStrings);
  if (types.length === 0) return;
  const dangerous = types.filter((t) => {
    const dot = t.lastIndexOf('.');
    const verdict = ctx.policy.classify(t.slice(0, dot), t.slice(dot + 1));
    if (verdict.kind === 'dangerous') return true;
    // A method name after the class (MethodNode): classify the class's module path too.
    const cut = t.slice(0, dot);
    const dot2 = cut.lastIndexOf('.');
    return dot2 > 0 && ctx.policy.classify(cut.slice(0, dot2), cut.slice(dot2 + 1)).kind === 'dangerous';
  });
  const rule = SKOPS_RULES.untrustedType;
  const describe = (list: readonly string[]) =>
    truncateText(
      list
        .slice(0, MAX_LISTED_TYPES)
        .map((t) => `${t} (${[...(walk.untrusted.get(t) ?? [])].sort(compareStrings).join(', ')})`)
        .join(', '),
      800,
    );
  if (dangerous.length > 0) {
    ctx.report({
      ruleId: rule.id,
      severity: 'high',
      title: rule.title,
      message: `schema.json names callables that run code once trusted: ${describe(dangerous)}. skops refuses them unless you pass them in trusted=; a file that needs them is built to run code.`,
      evidence: truncateText(dangerous.join('\n'), 2000),
      remediation: rule.help,
      references: rule.references,
    });
  }
  const others = types.filter((t) => !dangerous.includes(t));
  if (others.length > 0) {
    ctx.report({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `skops will ask you to trust these types: ${describe(others)}.`,
      evidence: truncateText(others.join('\n'), 2000),
      remediation: rule.help,
      references: rule.references,
    });
  }
}
