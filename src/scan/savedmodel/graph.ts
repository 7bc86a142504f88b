/**
 * Finds what a TensorFlow graph does outside the computation: ops that call Python, touch files or the
 * network, control the process, or need a native kernel library, in the main graph and in every function
 * of the library (which TensorFlow loads whole, reachable or not). Paths are resolved through the graph to
 * the Const node that holds them, so a constant path is shown; the SavedModel's own checkpoint saver is
 * told apart from save/restore ops an attacker adds.
 *
 * Pure: graph in, hits out. Every walk is bounded by the size of the decoded graph and named limits.
 */
import { truncateText } from '../../core/byte-reader.js';
import { maxSeverity, type Severity } from '../../core/finding.js';
import type {
  TfAsset,
  TfFunction,
  TfFunctionRef,
  TfGraph,
  TfNode,
  TfSavedObject,
  TfSaver,
} from '../../formats/savedmodel/model.js';
import { isPythonOp, isRegisteredOp, OP_SPECS, type OpSpec, type PathSpec } from './ops.js';

/**
 * Pass-through hops followed back from an op's input to the node that produces the value. An attacker
 * makes Identity chains as long as they like to push a constant path out of sight; each node's result is
 * cached per scope, so a long chain costs its length once, not once per op that reads it.
 */
export const MAX_RESOLVE_HOPS = 1_000_000;
/** StringJoin / Add operands resolved inside one another (each operand may be another join). */
export const MAX_JOIN_DEPTH = 16;
/**
 * Nodes searched above a path computed by an op pedigree does not evaluate (Substr, StringFormat,
 * RegexReplace, Select...) for string constants that point outside a directory: `Substr("xx/etc/passwd")`
 * is as constant as `/etc/passwd`.
 */
export const MAX_ANCESTOR_NODES = 1024;
/** Nodes visited when checking that a checkpoint path comes from the saver's filename. */
export const MAX_SAVER_TRACE_NODES = 256;
/** Findings for one op in one graph; further nodes with the same op are counted in the last one. */
export const MAX_HITS_PER_OP = 10;
/** Callers shown in a function's call chain. */
const MAX_CHAIN = 6;
/** Characters of a path or address shown. */
const MAX_SHOWN = 300;

export type HitKind = 'python' | 'file' | 'network' | 'system' | 'custom';

export interface GraphHit {
  readonly kind: HitKind;
  readonly severity: Severity;
  readonly op: string;
  /** The node's name; for a custom op, the first node using it. */
  readonly node: string;
  /** `main graph` or `function '<name>'`. */
  readonly scope: string;
  /** How the function is reached (empty for the main graph). */
  readonly reachedBy: string;
  /** What happens, completing "op X in node Y ...". */
  readonly detail: string;
  readonly evidence: string;
  /** Further nodes of the same kind and op not reported separately. */
  readonly more: number;
}

export interface GraphContext {
  readonly saver?: TfSaver | undefined;
  readonly assets?: readonly TfAsset[];
  readonly objects?: readonly TfSavedObject[];
}

const MAIN = 'main graph';

/** Where a string input comes from. */
type Source =
  | { readonly kind: 'const'; readonly values: readonly string[]; readonly node: string }
  | { readonly kind: 'asset'; readonly filename: string; readonly node: string }
  | { readonly kind: 'saver-filename'; readonly node: string }
  | { readonly kind: 'argument'; readonly name: string }
  | { readonly kind: 'placeholder'; readonly node: string; readonly op: string }
  | { readonly kind: 'computed'; readonly node: string; readonly op: string }
  | { readonly kind: 'missing'; readonly ref: string };

interface Scope {
  readonly label: string;
  readonly byName: ReadonlyMap<string, TfNode>;
  readonly args: ReadonlySet<string>;
  /** Main graph: nodes of the checkpoint saver's subgraph. */
  readonly saverNodes: ReadonlySet<string>;
  /** Nodes whose value is the checkpoint path the loader feeds (saver_def.filename_tensor_name). */
  readonly saverFilenames: ReadonlySet<string>;
  /** A function reached only from the saver (TF2's `__inference__traced_save/restore`). */
  readonly saverOnly: boolean;
  /** TF1 asset Const nodes (asset_file_def.tensor_info), whose value the loader replaces with the asset path. */
  readonly assets: ReadonlyMap<string, string>;
  readonly reachedBy: string;
  /** Where each input reference was resolved to, so shared chains are walked once. */
  readonly resolved: Map<string, Source>;
}

/** Ops that pass their (first) input through unchanged. */
const PASS_THROUGH = new Set([
  'Identity',
  'Snapshot',
  'StopGradient',
  'PreventGradient',
  'EnsureShape',
  'RefIdentity',
  'PlaceholderWithDefault',
  'Enter',
  'RefEnter',
]);

/** Analyses a graph (the main graph and its function library). Hits are in graph order, main graph first. */
export function analyseGraph(graph: TfGraph, context: GraphContext = {}): GraphHit[] {
  const functions = new Map<string, TfFunction>();
  for (const fn of graph.functions) if (!functions.has(fn.name)) functions.set(fn.name, fn);
  const mainByName = indexNodes(graph.nodes);
  const saver = saverSubgraph(graph.nodes, mainByName, context.saver);
  const calls = callGraph(graph, functions, saver.nodes, context.objects ?? []);
  const collector = new HitCollector();

  const assets = new Map<string, string>();
  for (const asset of context.assets ?? []) {
    if (asset.tensorName !== '') assets.set(tensorNode(asset.tensorName), asset.filename);
  }
  const main: Scope = {
    label: MAIN,
    byName: mainByName,
    args: new Set(),
    saverNodes: saver.nodes,
    saverFilenames: saver.filenames,
    saverOnly: false,
    assets,
    reachedBy: '',
    resolved: new Map(),
  };
  for (const node of graph.nodes) classifyNode(node, main, functions, collector);
  for (const fn of graph.functions) {
    const scope: Scope = {
      label: `function '${fn.name}'`,
      byName: indexNodes(fn.nodes),
      args: new Set(fn.args),
      saverNodes: new Set(),
      saverFilenames: new Set(),
      saverOnly: calls.saverOnly.has(fn.name),
      assets: new Map(),
      reachedBy: calls.describe(fn.name),
      resolved: new Map(),
    };
    for (const node of fn.nodes) classifyNode(node, scope, functions, collector);
  }
  return collector.hits();
}

function indexNodes(nodes: readonly TfNode[]): Map<string, TfNode> {
  const byName = new Map<string, TfNode>();
  // TensorFlow refuses duplicate node names; the first is kept for resolving inputs, all are analysed.
  for (const node of nodes) if (!byName.has(node.name)) byName.set(node.name, node);
  return byName;
}

/** `save/Const:0` -> `save/Const`; `^node` -> `node`; `fn_node:output:0` -> `fn_node`. */
export function tensorNode(ref: string): string {
  const name = ref.startsWith('^') ? ref.slice(1) : ref;
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/** The output index a data input names (`n:1` in a graph, `n:output:1` in a function body). */
function outputIndex(ref: string): number {
  const last = ref.slice(ref.lastIndexOf(':') + 1);
  return ref.includes(':') && /^\d+$/.test(last) ? Number(last) : 0;
}

const dataInputs = (node: TfNode) => node.inputs.filter((input) => !input.startsWith('^'));

function attrOf(node: TfNode, name: string) {
  return node.attrs.find((a) => a.name === name);
}

/** Functions a node calls: through its attributes, or as its op (a library function used as an op). */
function calledBy(node: TfNode, functions: ReadonlyMap<string, TfFunction>): TfFunctionRef[] {
  const refs = node.attrs.flatMap((a) => a.functions);
  if (functions.has(node.op)) refs.push({ name: node.op, via: 'op' });
  return refs;
}

interface SaverSubgraph {
  readonly nodes: ReadonlySet<string>;
  readonly filenames: ReadonlySet<string>;
}

/**
 * The main-graph nodes of the checkpoint saver: everything the saver_def's save tensor and restore op
 * depend on (TF1: the `save/` subgraph; TF2: the two StatefulPartitionedCalls of `_traced_save` and
 * `_traced_restore`), and the filename tensor the loader feeds. Without a saver_def (a bare GraphDef), the
 * `save/`-scoped nodes of tf.compat.v1.train.Saver and its `save/Const` filename.
 */
function saverSubgraph(
  nodes: readonly TfNode[],
  byName: ReadonlyMap<string, TfNode>,
  saver: TfSaver | undefined,
): SaverSubgraph {
  if (saver === undefined) {
    const scoped = nodes.filter((n) => /^save(?:_\d+)?\//.test(n.name)).map((n) => n.name);
    const prefixes = new Set(scoped.map((name) => name.slice(0, name.indexOf('/'))));
    return { nodes: new Set(scoped), filenames: new Set([...prefixes].map((p) => `${p}/Const`)) };
  }
  const closure = new Set<string>();
  const queue = [tensorNode(saver.saveTensor), tensorNode(saver.restoreOp)];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (closure.has(name)) continue;
    const node = byName.get(name);
    if (node === undefined) continue;
    closure.add(name);
    for (const input of node.inputs) queue.push(tensorNode(input));
  }
  return { nodes: closure, filenames: new Set([tensorNode(saver.filenameTensor)]) };
}

interface CallGraph {
  /** Functions reached from the saver subgraph and from nothing else. */
  readonly saverOnly: ReadonlySet<string>;
  /** How a function is reached, for messages. */
  describe(name: string): string;
}

interface Caller {
  readonly from: string | undefined;
  readonly description: string;
}

/**
 * Which functions the main graph, the object graph and gradient definitions call, directly or through
 * other functions, and which only the saver calls. Breadth-first, each function visited once.
 */
function callGraph(
  graph: TfGraph,
  functions: ReadonlyMap<string, TfFunction>,
  saverNodes: ReadonlySet<string>,
  objects: readonly TfSavedObject[],
): CallGraph {
  const callers = new Map<string, Caller>();
  const reach = (roots: readonly { name: string; caller: Caller }[], record: boolean): Set<string> => {
    const seen = new Set<string>();
    const queue = [...roots];
    for (let i = 0; i < queue.length; i++) {
      const { name, caller } = queue[i] as { name: string; caller: Caller };
      if (seen.has(name) || !functions.has(name)) continue;
      seen.add(name);
      if (record && !callers.has(name)) callers.set(name, caller);
      const fn = functions.get(name) as TfFunction;
      for (const ref of fn.attrFunctions) {
        queue.push({ name: ref.name, caller: { from: name, description: `[attr ${ref.via}]` } });
      }
      for (const node of fn.nodes) {
        for (const ref of calledBy(node, functions)) {
          queue.push({
            name: ref.name,
            caller: { from: name, description: `node '${node.name}' [${ref.via}]` },
          });
        }
      }
    }
    return seen;
  };
  const mainRoots = (saver: boolean) =>
    graph.nodes
      .filter((node) => saverNodes.has(node.name) === saver)
      .flatMap((node) =>
        calledBy(node, functions).map((ref) => ({
          name: ref.name,
          caller: { from: undefined, description: `${MAIN} node '${node.name}' [${ref.via}]` },
        })),
      );
  const objectRoots = objects.flatMap((object) =>
    object.concreteFunctions.map((name) => ({
      name,
      caller: { from: undefined, description: `object graph node ${object.id} (${object.kind})` },
    })),
  );
  const gradientRoots = graph.gradients.flatMap((g) =>
    [g.functionName, g.gradientFunc].map((name) => ({
      name,
      caller: { from: undefined, description: `the gradient of '${g.functionName}'` },
    })),
  );
  // Callers are recorded main graph first, so messages show the call chain from a signature when there is one.
  const fromMain = reach(mainRoots(false), true);
  const others = new Set([...fromMain, ...reach([...objectRoots, ...gradientRoots], true)]);
  const fromSaver = reach(mainRoots(true), true);
  const saverOnly = new Set([...fromSaver].filter((name) => !others.has(name)));
  return {
    saverOnly,
    describe(name) {
      const chain: string[] = [];
      let current: string | undefined = name;
      for (let i = 0; i < MAX_CHAIN && current !== undefined; i++) {
        const caller = callers.get(current);
        if (caller === undefined) break;
        chain.push(
          caller.from === undefined ? caller.description : `function '${caller.from}' ${caller.description}`,
        );
        current = caller.from;
      }
      if (chain.length === 0)
        return 'not called from the main graph or the object graph (loaded with the library)';
      const cut = current !== undefined && callers.has(current) ? '… → ' : '';
      return `reached via ${cut}${chain.reverse().join(' → ')}`;
    },
  };
}

/** Collects hits, capped per (kind, op, scope-independent) with the overflow counted. */
class HitCollector {
  private readonly list: GraphHit[] = [];
  private readonly counts = new Map<string, number>();
  private readonly custom = new Map<string, { first: GraphHit; scopes: Set<string>; nodes: number }>();

  add(hit: Omit<GraphHit, 'more'>): void {
    const key = `${hit.kind}\u0000${hit.op}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count <= MAX_HITS_PER_OP) this.list.push({ ...hit, more: 0 });
    else {
      // Count the overflow in the last hit reported for this op (raised to the worst severity seen).
      const index = this.list.findLastIndex((h) => h.kind === hit.kind && h.op === hit.op);
      const last = this.list[index] as GraphHit;
      this.list[index] = { ...last, severity: maxSeverity(last.severity, hit.severity), more: last.more + 1 };
    }
  }

  addCustom(node: TfNode, scope: Scope): void {
    const entry = this.custom.get(node.op);
    if (entry !== undefined) {
      entry.nodes++;
      entry.scopes.add(scope.label);
      return;
    }
    const first: GraphHit = {
      kind: 'custom',
      severity: 'medium',
      op: node.op,
      node: node.name,
      scope: scope.label,
      reachedBy: scope.reachedBy,
      detail: 'is not a TensorFlow op: it needs a kernel library loaded with tf.load_op_library',
      evidence: `op '${truncateText(node.op, 120)}' in node '${truncateText(node.name, 120)}' (${scope.label})`,
      more: 0,
    };
    this.custom.set(node.op, { first, scopes: new Set([scope.label]), nodes: 1 });
  }

  hits(): GraphHit[] {
    const custom = [...this.custom.values()].map(({ first, scopes, nodes }) => ({
      ...first,
      more: nodes - 1,
      evidence:
        nodes === 1
          ? first.evidence
          : `${first.evidence}; ${nodes} nodes in all, in ${[...scopes].slice(0, 5).join(', ')}${scopes.size > 5 ? ', …' : ''}`,
    }));
    return [...this.list, ...custom];
  }
}

/**
 * Function attributes (`f`, `body`, dataset `f`s) that name an op instead of a library function. No writer
 * produces this, but TensorFlow's runtimes fall back to the op registry when a function name is not in
 * the library (eager's KernelAndDeviceFunc::InstantiateFunc: `OpDefForOp(ndef.op())`), so `f: PyFunc` or
 * a tf.data map over `f: ReadFile` runs the op without any node having it as its op.
 */
function classifyAttrOps(
  node: TfNode,
  scope: Scope,
  functions: ReadonlyMap<string, TfFunction>,
  collector: HitCollector,
): void {
  for (const attr of node.attrs) {
    for (const ref of attr.functions) {
      if (functions.has(ref.name)) continue;
      const at = `node '${truncateText(node.name, 120)}' (${scope.label}), attribute ${truncateText(ref.via, 80)}`;
      const base = { op: ref.name, node: node.name, scope: scope.label, reachedBy: scope.reachedBy };
      if (isPythonOp(ref.name)) {
        collector.add({
          ...base,
          kind: 'python',
          severity: 'critical',
          detail: `is named as a function by attribute '${truncateText(ref.via, 80)}' of a ${truncateText(node.op, 80)} node: it calls a Python function in the loading process`,
          evidence: `op '${truncateText(ref.name, 120)}' named by ${at}`,
        });
        continue;
      }
      const spec = OP_SPECS.get(ref.name);
      if (spec === undefined) continue;
      // The op's path arguments are whatever the caller passes: unknown here, and the indirection is itself
      // an evasion, so graded as a constant path would be.
      collector.add({
        ...base,
        kind: spec.category,
        severity: spec.paths.length === 0 ? 'medium' : (spec.constant ?? 'high'),
        detail: `is named as a function by attribute '${truncateText(ref.via, 80)}' of a ${truncateText(node.op, 80)} node, which runs the op directly: it ${spec.what}`,
        evidence: `op '${truncateText(ref.name, 120)}' named by ${at}`,
      });
    }
  }
}

function classifyNode(
  node: TfNode,
  scope: Scope,
  functions: ReadonlyMap<string, TfFunction>,
  collector: HitCollector,
): void {
  const op = node.op;
  if (op === '') return; // TensorFlow refuses a node without an op: the graph does not load
  classifyAttrOps(node, scope, functions, collector);
  const base = { op, node: node.name, scope: scope.label, reachedBy: scope.reachedBy };
  const at = `node '${truncateText(node.name, 120)}' (${scope.label})`;
  if (isPythonOp(op)) {
    const token = attrOf(node, 'token')?.strings[0];
    collector.add({
      ...base,
      kind: 'python',
      severity: 'critical',
      detail: `calls a Python function${token ? ` registered as '${truncateText(token, 80)}'` : ''} in the loading process`,
      evidence: `op '${truncateText(op, 120)}' in ${at}${token ? `, token '${truncateText(token, 80)}'` : ''}`,
    });
    return;
  }
  const spec = OP_SPECS.get(op);
  if (spec !== undefined) {
    const hit = classifySpec(node, spec, scope);
    if (hit !== undefined) {
      collector.add({
        ...base,
        kind: spec.category,
        ...hit,
        evidence: `op '${op}' in ${at}: ${hit.evidence}`,
      });
    }
    return;
  }
  if (!isRegisteredOp(op) && !functions.has(op)) collector.addCustom(node, scope);
}

/** The severity and description of an op that reaches outside, or undefined when it is normal here. */
function classifySpec(
  node: TfNode,
  spec: OpSpec,
  scope: Scope,
): { severity: Severity; detail: string; evidence: string } | undefined {
  if (spec.paths.length === 0) {
    return { severity: 'medium', detail: spec.what, evidence: spec.what };
  }
  const parts: { severity: Severity; text: string }[] = [];
  for (const path of spec.paths) {
    const part = classifyPath(node, spec, path, scope);
    if (part !== undefined) parts.push(part);
  }
  if (parts.length === 0) return undefined;
  const severity = parts.reduce<Severity>((worst, p) => maxSeverity(worst, p.severity), 'info');
  const text = parts.map((p) => p.text).join('; ');
  return { severity, detail: `${spec.what}: ${text}`, evidence: text };
}

function classifyPath(
  node: TfNode,
  spec: OpSpec,
  path: PathSpec,
  scope: Scope,
): { severity: Severity; text: string } | undefined {
  const constant = spec.constant ?? 'high';
  if (path.kind === 'attr') {
    const attr = attrOf(node, path.attr);
    const values = [...(attr?.strings ?? []), ...(attr?.tensorStrings ?? [])].filter(
      (v) => v !== '' && (spec.attrValue?.(v) ?? true),
    );
    if (values.length === 0) return undefined;
    return { severity: constant, text: `${path.attr} = ${quoteList(values)}` };
  }
  const ref = dataInputs(node)[path.index];
  if (ref === undefined) return undefined; // TensorFlow refuses a node with missing inputs
  if (spec.checkpoint && isSaverCheckpoint(node, ref, scope)) return undefined;
  const source = resolve(ref, scope);
  switch (source.kind) {
    case 'const': {
      const values = source.values.filter((v) => v !== '');
      if (values.length === 0) return undefined; // an empty path (CacheDataset in memory) or no string at all
      return {
        severity: constant,
        text: `${path.arg} is the constant ${quoteList(values)} (Const node '${truncateText(source.node, 120)}')`,
      };
    }
    case 'asset':
      return undefined; // the loader feeds the asset's path; the asset name itself is checked separately
    case 'computed': {
      const outside = outsideConstantAbove(ref, scope);
      if (outside !== undefined) {
        return {
          severity: constant,
          text: `${path.arg} ${describeSource(source)} from the constant '${truncateText(outside.value, MAX_SHOWN)}' (Const node '${truncateText(outside.node, 120)}')`,
        };
      }
      if (spec.quietWhenNotConstant) return undefined;
      return { severity: spec.computed ?? 'medium', text: `${path.arg} ${describeSource(source)}` };
    }
    default:
      if (spec.quietWhenNotConstant) return undefined;
      return { severity: spec.computed ?? 'medium', text: `${path.arg} ${describeSource(source)}` };
  }
}

function quoteList(values: readonly string[]): string {
  const shown = values.slice(0, 3).map((v) => `'${truncateText(v, MAX_SHOWN)}'`);
  return values.length > 3 ? `${shown.join(', ')} and ${values.length - 3} more` : shown.join(', ');
}

function describeSource(source: Source): string {
  switch (source.kind) {
    case 'argument':
      return `comes from the function argument '${truncateText(source.name, 120)}'`;
    case 'placeholder':
      return `is fed at run time (${source.op} '${truncateText(source.node, 120)}')`;
    case 'computed':
      return `is computed by ${source.op} node '${truncateText(source.node, 120)}'`;
    case 'saver-filename':
      return `is the checkpoint path the loader feeds ('${truncateText(source.node, 120)}')`;
    case 'missing':
      return `names '${truncateText(source.ref, 120)}', which is not in the graph`;
    default:
      return 'is a constant';
  }
}

/** Ops that concatenate their string operands: tf.strings.join, and `+` on string tensors (Add). */
const CONCATENATING = new Set(['StringJoin', 'Add', 'AddV2']);

/**
 * Follows an input back through pass-through ops to the Const, argument, placeholder or op producing it;
 * joins of constants (StringJoin, string Add) are constants too. Iterative along pass-through chains,
 * cached per scope.
 */
function resolve(ref: string, scope: Scope, depth = 0): Source {
  const cached = scope.resolved.get(ref);
  if (cached !== undefined) return cached;
  const walked: string[] = [];
  const result = resolveUncached(ref, scope, depth, walked);
  // Every reference on the chain resolves to the same source: a graph's chains cost their length once.
  for (const passed of walked) scope.resolved.set(passed, result);
  return result;
}

function resolveUncached(ref: string, scope: Scope, depth: number, walked: string[]): Source {
  let current = ref;
  for (let hops = 0; ; hops++) {
    walked.push(current);
    const name = tensorNode(current);
    if (scope.saverFilenames.has(name)) return { kind: 'saver-filename', node: name };
    const node = scope.byName.get(name);
    if (node === undefined || (!current.includes(':') && scope.args.has(current))) {
      return scope.args.has(name) ? { kind: 'argument', name } : { kind: 'missing', ref: current };
    }
    const asset = scope.assets.get(name);
    if (asset !== undefined) return { kind: 'asset', filename: asset, node: name };
    if (node.op === 'Const' || node.op === 'HostConst') {
      return { kind: 'const', values: attrOf(node, 'value')?.tensorStrings ?? [], node: node.name };
    }
    // A cycle of pass-through ops (TensorFlow refuses it) ends at the hop limit.
    if (hops >= Math.min(MAX_RESOLVE_HOPS, scope.byName.size))
      return { kind: 'computed', node: node.name, op: node.op };
    const inputs = dataInputs(node);
    const next = PASS_THROUGH.has(node.op)
      ? inputs[0]
      : node.op === 'IdentityN'
        ? inputs[outputIndex(current)]
        : undefined;
    if (next !== undefined) {
      const known = scope.resolved.get(next);
      if (known !== undefined) return known;
      current = next;
      continue;
    }
    if (CONCATENATING.has(node.op) && inputs.length > 0 && depth < MAX_JOIN_DEPTH) {
      // tf.strings.join of constants ("/etc/" + "passwd") is a constant too, and so is "/etc/" + "passwd".
      const parts = (node.op === 'StringJoin' ? inputs : inputs.slice(0, 2)).map((input) =>
        resolve(input, scope, depth + 1),
      );
      if (parts.every((p) => p.kind === 'const' && p.values.length > 0)) {
        const separator = node.op === 'StringJoin' ? (attrOf(node, 'separator')?.strings[0] ?? '') : '';
        const values = parts.map((p) => (p.kind === 'const' ? (p.values[0] as string) : ''));
        return { kind: 'const', values: [values.join(separator)], node: node.name };
      }
    }
    if (node.op === 'Placeholder') return { kind: 'placeholder', node: node.name, op: node.op };
    return { kind: 'computed', node: node.name, op: node.op };
  }
}

/** A constant that names a place outside any directory it is joined to, or a system directory inside it. */
function isOutsidePath(value: string): boolean {
  return (
    escapesDirectory(value) ||
    value.includes('..') ||
    /(?:^|[\\/])(?:etc|root|home|proc|dev|var|usr|tmp|Users|Windows)[\\/]/.test(value)
  );
}

/**
 * The first string constant above a computed value that points outside a directory: breadth-first over
 * data inputs, at most MAX_ANCESTOR_NODES nodes.
 */
function outsideConstantAbove(ref: string, scope: Scope): { value: string; node: string } | undefined {
  const seen = new Set<string>();
  const queue = [tensorNode(ref)];
  for (let i = 0; i < queue.length && seen.size < MAX_ANCESTOR_NODES; i++) {
    const name = queue[i] as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = scope.byName.get(name);
    if (node === undefined) continue;
    if (node.op === 'Const' || node.op === 'HostConst') {
      const value = (attrOf(node, 'value')?.tensorStrings ?? []).find(isOutsidePath);
      if (value !== undefined) return { value, node: node.name };
      continue;
    }
    for (const input of dataInputs(node)) queue.push(tensorNode(input));
  }
  return undefined;
}

/**
 * Whether a checkpoint op is the SavedModel's own saver at work: the op is in the saver's subgraph (or in a
 * function only the saver calls) and its path is built from the filename the loader feeds (the saver_def's
 * filename tensor, or the saver function's argument), with no constant that leaves that directory.
 */
function isSaverCheckpoint(node: TfNode, ref: string, scope: Scope): boolean {
  if (!scope.saverOnly && !scope.saverNodes.has(node.name)) return false;
  let fromSaver = false;
  const seen = new Set<string>();
  const queue = [ref];
  while (queue.length > 0 && seen.size < MAX_SAVER_TRACE_NODES) {
    const input = queue.pop() as string;
    const name = tensorNode(input);
    if (seen.has(name)) continue;
    seen.add(name);
    if (
      scope.saverFilenames.has(name) ||
      (scope.saverOnly && scope.args.has(name) && !scope.byName.has(name))
    ) {
      fromSaver = true;
      continue;
    }
    const producer = scope.byName.get(name);
    if (producer === undefined) continue;
    if (producer.op === 'Const' || producer.op === 'HostConst') {
      // ".part" and "_temp/part" suffixes are normal; an absolute path or ".." escapes the checkpoint folder.
      if ((attrOf(producer, 'value')?.tensorStrings ?? []).some(escapesDirectory)) return false;
      continue;
    }
    queue.push(...dataInputs(producer));
  }
  return fromSaver;
}

/** A path part that points outside the directory it is joined to: absolute, a drive, a URL, or `..`. */
export function escapesDirectory(value: string): boolean {
  return /(^|[\\/])\.\.([\\/]|$)/.test(value) || /^(?:[\\/]|[A-Za-z]:|[A-Za-z][\w+.-]*:\/\/)/.test(value);
}
