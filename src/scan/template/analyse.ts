import { parse, tokenize } from '@huggingface/jinja';
import {
  DATA,
  DUNDER,
  type Environment,
  Evaluator,
  formatFields,
  isBuilt,
  isInternalName,
  isNode,
  join,
  type Node,
  signature,
  strings,
  type Val,
} from './evaluate.js';
import { type JinjaSegment, lexJinja, toParserSource } from './lexer.js';

/**
 * Chat templates are lexed as Python's Jinja lexes them, parsed to an AST with @huggingface/jinja and
 * walked; they are never rendered. What is looked for is what server-side template injection needs
 * (CVE-2024-34359 and the SSTI literature): reaching an object's Python internals through a dunder or
 * private attribute, however the name is spelled (directly, through the `attr` filter or the filters and
 * methods that look attributes up by name, a subscript, a `str.format` field, or `getattr` where an
 * environment exposes Python builtins) and however it is built
 * (escapes, concatenation, `%c` formatting, joins, reversal, variables, macros, blocks); and the Jinja
 * globals whose `__init__.__globals__` lead to `os` (`cycler`, `joiner`, `lipsum`, `self`). A name used for
 * a lookup that was built at render time in ways pedigree cannot fold is reported too (high): real
 * templates look things up by literal names or by data from the chat. `namespace` is not flagged on its
 * own: chat templates use it legitimately for loop state. Text outside tags, comments and `{% raw %}`
 * blocks is not code and is not reported.
 */
export interface TemplateIssue {
  readonly severity: 'critical' | 'high';
  readonly what: string;
  /** The construct as written (or rebuilt), for the evidence. */
  readonly construct: string;
  /** The template text around the construct, when it can be found. */
  readonly excerpt?: string;
}

export interface TemplateAnalysis {
  readonly issues: readonly TemplateIssue[];
  /** Why the template could not be analysed structurally; the token or text search ran instead. */
  readonly parseError?: string;
}

/**
 * Longest template analysed structurally; longer ones are searched token by token only, so a huge template
 * cannot make the parser and the fixpoint (which re-evaluates every assignment per pass) run for minutes.
 */
export const MAX_TEMPLATE_CHARS = 1_000_000;
/** AST nodes visited per template; a larger template is searched token by token and reported unparsed. */
export const MAX_TEMPLATE_NODES = 500_000;

/** Limits of one analysis; each defaults to the constant of the same name. */
export interface TemplateLimits {
  readonly maxChars?: number;
  readonly maxNodes?: number;
  /** Tokens the lexer reads (MAX_JINJA_TOKENS). */
  readonly maxTokens?: number;
}
/** Passes of the variable fixpoint; values still changing after them are treated as built at render time. */
const MAX_FIXPOINT_PASSES = 8;
/** Issues kept per template. */
const MAX_ISSUES = 50;
/** Characters of template shown either side of a construct. */
const EXCERPT_CONTEXT = 60;

/** Jinja globals whose `__init__.__globals__` (or `_TemplateReference__context`) lead to the interpreter. */
const GADGET_GLOBALS = new Set(['cycler', 'joiner', 'lipsum', 'self']);
/** Flask's template globals, the classic SSTI entry points; a chat template never has them. */
const WEB_GLOBALS = new Set(['request', 'config', 'url_for', 'get_flashed_messages']);
// Not `system`, `eval` or `exec`: chat templates name their own state that way (`ns.system`).
const RUNNERS = new Set(['popen', 'check_output', 'getoutput', 'import_module', 'execv', 'execl', 'spawnv']);
/** Python builtins that read attributes by name, the payload's `getattr(x, '__class__')`. */
const ATTRIBUTE_BUILTINS = new Set(['getattr', 'setattr', 'delattr', 'hasattr']);
/** Python builtins that run code, import modules, open files or expose namespaces; never Jinja globals. */
const PYTHON_BUILTINS = new Set([
  ...ATTRIBUTE_BUILTINS,
  'eval',
  'exec',
  'compile',
  '__import__',
  'open',
  'globals',
  'locals',
  'vars',
  'breakpoint',
  'input',
]);
/** Filters that look an attribute up by a name given as an argument (jinja2 `make_attrgetter`). */
const ATTRIBUTE_FILTERS = new Set([
  'map',
  'selectattr',
  'rejectattr',
  'sort',
  'groupby',
  'sum',
  'unique',
  'min',
  'max',
  'join',
]);
/** Loop attributes that are numbers: indexing with them is not a name lookup. */
const NUMERIC_LOOP = new Set(['index', 'index0', 'revindex', 'revindex0', 'length', 'depth', 'depth0']);

type Issue = TemplateIssue & { readonly needles?: readonly string[] };

class IssueList {
  readonly issues: TemplateIssue[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly template: string) {}

  add(issue: Issue): void {
    const key = `${issue.what}\u0000${issue.construct}`;
    if (this.seen.has(key) || this.issues.length >= MAX_ISSUES) return;
    this.seen.add(key);
    const excerpt = this.excerpt(issue.needles ?? []);
    this.issues.push({
      severity: issue.severity,
      what: issue.what,
      construct: issue.construct,
      ...(excerpt === undefined ? {} : { excerpt }),
    });
  }

  private excerpt(needles: readonly string[]): string | undefined {
    for (const needle of needles) {
      if (needle.length < 2) continue;
      const at = this.template.indexOf(needle);
      if (at < 0) continue;
      const start = Math.max(0, at - EXCERPT_CONTEXT);
      const end = Math.min(this.template.length, at + needle.length + EXCERPT_CONTEXT);
      return `${start > 0 ? '…' : ''}${this.template.slice(start, end)}${end < this.template.length ? '…' : ''}`;
    }
    return undefined;
  }
}

/**
 * Analyses a chat template. A template holding U+FFFD (invalid UTF-8 decoded leniently) is analysed a
 * second time with those characters removed, as a reader decoding with `errors="ignore"` would see it.
 */
export function analyseTemplate(template: string, limits: TemplateLimits = {}): TemplateAnalysis {
  const first = analyseOne(template, limits);
  if (!template.includes('\uFFFD')) return first;
  const second = analyseOne(template.replaceAll('\uFFFD', ''), limits);
  const issues = [...first.issues];
  for (const i of second.issues)
    if (!issues.some((j) => j.what === i.what && j.construct === i.construct)) issues.push(i);
  const parseError = first.parseError ?? second.parseError;
  return parseError === undefined ? { issues } : { issues, parseError };
}

function analyseOne(template: string, limits: TemplateLimits): TemplateAnalysis {
  const list = new IssueList(template);
  const maxChars = limits.maxChars ?? MAX_TEMPLATE_CHARS;
  const maxNodes = limits.maxNodes ?? MAX_TEMPLATE_NODES;
  const lexLimits = limits.maxTokens === undefined ? {} : { maxTokens: limits.maxTokens };
  if (template.length > maxChars) {
    const lexed = lexJinja(template, lexLimits);
    searchTokens(lexed.segments, list);
    searchJoinedStrings(lexed.segments, list);
    if (lexed.error !== undefined) searchText(template, list);
    return { issues: list.issues, parseError: `template longer than ${maxChars} characters` };
  }
  const lexed = lexJinja(template, lexLimits);
  if (lexed.error !== undefined) {
    // Jinja refuses such a template too (it never renders); what was lexed and the text are searched.
    searchTokens(lexed.segments, list);
    searchJoinedStrings(lexed.segments, list);
    searchText(template, list);
    return {
      issues: list.issues,
      parseError: `${lexed.error.message} at character ${lexed.error.at} (Jinja refuses it too)`,
    };
  }
  const { source, loads } = toParserSource(lexed.segments);
  checkTokens(lexed.segments, list);
  for (const load of loads)
    list.add({
      severity: 'high',
      what: 'a statement that loads another template (file access where a loader is configured)',
      construct: load,
      needles: [load.split(' ')[1] ?? ''],
    });
  let program = parseSource(source);
  let parseError: string | undefined;
  if (program === undefined) {
    // Leave out the tags the parser refuses on their own and analyse the rest; search what was left out.
    const repaired = toParserSource(lexed.segments, (s) => parseSource(s) !== undefined);
    program = parseSource(repaired.source);
    if (program === undefined) {
      searchTokens(lexed.segments, list);
      searchJoinedStrings(lexed.segments, list);
      return { issues: list.issues, parseError: parseFailure(source) };
    }
    searchTokens(repaired.skipped, list);
    searchJoinedStrings(lexed.segments, list);
    const first = repaired.skipped[0];
    parseError = `${repaired.skipped.length} tag(s) the parser does not read were left out${
      first === undefined
        ? ''
        : ` (the first at character ${first.at}: ${parseFailure(template.slice(first.at, first.at + 200))})`
    }; the rest was analysed`;
  }
  try {
    const complete = new TemplateWalk(program, list, maxNodes).run();
    if (!complete) {
      searchTokens(lexed.segments, list);
      searchJoinedStrings(lexed.segments, list);
      return { issues: list.issues, parseError: `template has more than ${maxNodes} syntax nodes` };
    }
  } catch (error) {
    // A RangeError from a pathologically nested template: fall back rather than report it clean.
    searchTokens(lexed.segments, list);
    searchJoinedStrings(lexed.segments, list);
    return {
      issues: list.issues,
      parseError: `template could not be walked (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  return parseError === undefined ? { issues: list.issues } : { issues: list.issues, parseError };
}

function parseSource(source: string): unknown {
  try {
    return parse(tokenize(source));
  } catch {
    return undefined;
  }
}

function parseFailure(source: string): string {
  try {
    parse(tokenize(source));
    return 'not parsed';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Every string literal of the template joined in order: names split across literals that a skipped or
 * unparsed tag puts back together (`{% set a = '__cl' %}…{{ x[a ~ 'ass__'] is … }}`).
 */
function searchJoinedStrings(segments: readonly JinjaSegment[], list: IssueList): void {
  let joined = '';
  for (const s of segments) {
    if (s.kind !== 'block' && s.kind !== 'variable') continue;
    for (const t of s.tokens)
      if (t.kind === 'string' && joined.length < MAX_TEMPLATE_CHARS) joined += t.value;
  }
  const hit = /__[A-Za-z0-9]\w*?__/.exec(joined);
  if (hit)
    list.add({
      severity: 'high',
      what: 'string literals that spell a dunder name when joined, in a template not fully parsed',
      construct: JSON.stringify(hit[0].slice(0, 80)),
    });
}

/** Checks on the tokens that hold whatever the parser later makes of them. */
function checkTokens(segments: readonly JinjaSegment[], list: IssueList): void {
  for (const s of segments) {
    if (s.kind !== 'block' && s.kind !== 'variable') continue;
    for (const t of s.tokens) {
      if (t.kind === 'string' && t.unknownNames !== undefined)
        list.add({
          severity: 'high',
          what: 'a string spelled with \\N{…} escapes pedigree cannot decode',
          construct: t.unknownNames.map((n) => `\\N{${n}}`).join(''),
          needles: t.unknownNames,
        });
    }
  }
}

/**
 * When the template cannot be parsed: every name and string of its tags, decoded, and runs of string
 * literals joined by `~`, `+` or nothing (and repeated by `*`), folded.
 */
function searchTokens(segments: readonly JinjaSegment[], list: IssueList): void {
  for (const s of segments) {
    if (s.kind !== 'block' && s.kind !== 'variable') continue;
    const tokens = s.tokens;
    let run: string | undefined;
    let pending = false;
    const flush = () => {
      if (run !== undefined && pending && isInternalName(run))
        list.add({
          severity: 'critical',
          what: 'a dunder name built from strings',
          construct: JSON.stringify(run.slice(0, 80)),
        });
      run = undefined;
      pending = false;
    };
    tokens.forEach((t, i) => {
      const prev = tokens[i - 1];
      if (t.kind === 'name') {
        flush();
        const after = prev?.kind === 'operator' && prev.value === '.';
        if (isInternalName(t.value))
          list.add({
            severity: 'critical',
            what: 'a dunder attribute',
            construct: t.value,
            needles: [t.value],
          });
        else if (GADGET_GLOBALS.has(t.value) && !after)
          list.add({
            severity: 'high',
            what: 'a Jinja global used by injection payloads',
            construct: t.value,
            needles: [t.value],
          });
        else if (t.value === 'attr')
          list.add({
            severity: 'high',
            what: 'the attr filter (attribute access by name)',
            construct: '|attr(...)',
            needles: ['attr'],
          });
        else if (RUNNERS.has(t.value) && after)
          list.add({
            severity: 'high',
            what: 'a method that runs commands or code',
            construct: `.${t.value}(...)`,
            needles: [t.value],
          });
        return;
      }
      if (t.kind === 'string') {
        stringChecks(t.value, list, false);
        if (run === undefined) run = t.value;
        else {
          run += t.value;
          pending = true;
        }
        return;
      }
      if (t.kind === 'operator' && (t.value === '~' || t.value === '+') && run !== undefined) return;
      if (t.kind === 'integer' && prev?.kind === 'operator' && prev.value === '*' && run !== undefined) {
        const n = t.value;
        if (n > 0 && run.length * n <= 4096) {
          run = run.repeat(n);
          pending = true;
        }
        return;
      }
      if (t.kind === 'operator' && t.value === '*' && run !== undefined) return;
      flush();
    });
    flush();
  }
}

/** Checks every string literal of an expression: names of internals, `%c` formatting. */
function stringChecks(value: string, list: IssueList, folded: boolean): void {
  if (isInternalName(value))
    list.add({
      severity: folded ? 'critical' : 'high',
      what: folded ? 'a dunder name built from strings' : 'a string naming a dunder attribute',
      construct: JSON.stringify(value.slice(0, 80)),
      needles: [value.match(DUNDER)?.[0] ?? value],
    });
  if (/%[-+ #0]*\d*c/.test(value))
    list.add({
      severity: 'high',
      what: 'a %c format (characters built from numbers, which hides names)',
      construct: JSON.stringify(value.slice(0, 80)),
      needles: ['%c'],
    });
}

/** The last resort when even Jinja's lexer would fail: markers in the raw text. */
function searchText(template: string, list: IssueList): void {
  const dunder = DUNDER.exec(template);
  if (dunder)
    list.add({
      severity: 'critical',
      what: 'a dunder attribute',
      construct: dunder[0],
      needles: [dunder[0]],
    });
  const attr = /\|\s*attr\s*\(/.exec(template);
  if (attr)
    list.add({
      severity: 'high',
      what: 'the attr filter (attribute access by name)',
      construct: attr[0],
      needles: [attr[0]],
    });
  const gadget = /\b(cycler|joiner|lipsum)\b/.exec(template);
  if (gadget)
    list.add({
      severity: 'high',
      what: 'a Jinja global used by injection payloads',
      construct: gadget[0],
      needles: [gadget[0]],
    });
  const escaped = /\\(?:x5f|u005f|U0000005f|137|N\{LOW LINE\})/i.exec(template);
  if (escaped)
    list.add({
      severity: 'high',
      what: 'an escaped underscore (hides dunder names)',
      construct: escaped[0],
      needles: [escaped[0]],
    });
}

interface Macro {
  readonly params: readonly string[];
  readonly body: unknown;
}

/** Collects what the template binds, computes its variables to a fixpoint, then checks every lookup. */
class TemplateWalk implements Environment {
  readonly vars = new Map<string, Val>();
  private readonly macros = new Map<string, Macro[]>();
  private readonly assignments: { target: unknown; value: unknown; body: unknown }[] = [];
  private readonly loops: { loopvar: unknown; iterable: unknown }[] = [];
  private readonly calls: { name: string; args: readonly unknown[] }[] = [];
  private readonly callerBodies: unknown[] = [];
  /** Parameters of `{% call(a, b) m() %}` blocks, which `caller(x, y)` calls bind. */
  private readonly callerParams: string[][] = [];
  /** Names the template binds itself (variables, loop variables, macros and their parameters). */
  private readonly bound = new Set<string>();
  private readonly evaluator = new Evaluator(this);
  private macroCache = new Map<string, Val>();
  private readonly changedKeys = new Set<string>();
  private readonly inProgress = new Set<string>();
  private nodes: Node[] = [];
  /** Identifiers that are attribute names (`x.name`) or keyword-argument keys, not variables. */
  private readonly propertyNames = new WeakSet<object>();
  private readonly keywordKeys = new WeakSet<object>();

  constructor(
    private readonly program: unknown,
    private readonly list: IssueList,
    private readonly maxNodes: number,
  ) {}

  /** False when the template has more nodes than `maxNodes`. */
  run(): boolean {
    if (!this.collect()) return false;
    this.fixpoint();
    for (const n of this.nodes) this.check(n);
    return true;
  }

  macroResult(name: string): Val | undefined {
    const macros = this.macros.get(name);
    if (macros === undefined) return undefined;
    const cached = this.macroCache.get(name);
    if (cached !== undefined) return cached;
    if (this.inProgress.has(name)) return DATA;
    this.inProgress.add(name);
    const result = macros.map((m) => this.evaluator.evalBody(m.body)).reduce(join);
    this.inProgress.delete(name);
    this.macroCache.set(name, result);
    return result;
  }

  callerResult(): Val {
    const key = '\u0000caller';
    const cached = this.macroCache.get(key);
    if (cached !== undefined) return cached;
    if (this.inProgress.has(key)) return DATA;
    this.inProgress.add(key);
    const result = this.callerBodies.map((b) => this.evaluator.evalBody(b)).reduce(join, strings(''));
    this.inProgress.delete(key);
    this.macroCache.set(key, result);
    return result;
  }

  /** Every node, in document order, without recursion (templates may nest deeply). */
  private collect(): boolean {
    const stack: unknown[] = [this.program];
    while (stack.length > 0) {
      const n = stack.pop();
      if (Array.isArray(n)) {
        for (let i = n.length - 1; i >= 0; i--) stack.push(n[i]);
        continue;
      }
      if (n instanceof Map) {
        const pairs = [...n].flat();
        for (let i = pairs.length - 1; i >= 0; i--) stack.push(pairs[i]);
        continue;
      }
      if (!isNode(n)) continue;
      if (this.nodes.length >= this.maxNodes) return false;
      this.nodes.push(n);
      this.record(n);
      const children = Object.entries(n).filter(([k]) => k !== 'type');
      for (let i = children.length - 1; i >= 0; i--) stack.push((children[i] as [string, unknown])[1]);
    }
    return true;
  }

  private bind(target: unknown): void {
    if (!isNode(target)) return;
    if (target.type === 'Identifier') this.bound.add(target.value as string);
    else if (target.type === 'TupleLiteral' && Array.isArray(target.value))
      for (const t of target.value) this.bind(t);
  }

  private record(n: Node): void {
    if (n.type === 'MemberExpression' && n.computed !== true && isNode(n.property))
      this.propertyNames.add(n.property);
    if (n.type === 'KeywordArgumentExpression' && isNode(n.key)) this.keywordKeys.add(n.key);
    switch (n.type) {
      case 'Set':
        this.assignments.push({ target: n.assignee, value: n.value, body: n.body });
        this.bind(n.assignee);
        break;
      case 'For':
        this.loops.push({ loopvar: n.loopvar, iterable: n.iterable });
        this.bind(n.loopvar);
        break;
      case 'Macro': {
        const name = isNode(n.name) ? (n.name.value as string) : '';
        const params: string[] = [];
        for (const a of Array.isArray(n.args) ? n.args : []) {
          if (!isNode(a)) continue;
          if (a.type === 'Identifier') params.push(a.value as string);
          else if (a.type === 'KeywordArgumentExpression' && isNode(a.key)) {
            params.push(a.key.value as string);
            this.assignments.push({ target: a.key, value: a.value, body: undefined });
          }
        }
        for (const p of params) this.bound.add(p);
        this.bound.add(name);
        this.macros.set(name, [...(this.macros.get(name) ?? []), { params, body: n.body }]);
        break;
      }
      case 'CallStatement': {
        this.callerBodies.push(n.body);
        const params: string[] = [];
        for (const a of Array.isArray(n.callerArgs) ? n.callerArgs : []) {
          const param = isNode(a) && a.type === 'KeywordArgumentExpression' ? a.key : a;
          this.bind(param);
          if (isNode(param) && param.type === 'Identifier') params.push(param.value as string);
          if (isNode(a) && a.type === 'KeywordArgumentExpression')
            this.assignments.push({ target: a.key, value: a.value, body: undefined });
        }
        this.callerParams.push(params);
        break;
      }
      case 'CallExpression':
        if (isNode(n.callee) && n.callee.type === 'Identifier' && Array.isArray(n.args))
          this.calls.push({ name: n.callee.value as string, args: n.args });
        break;
    }
  }

  /** Joins `value` into the variable `key`; true when that changed it. */
  private assign(key: string, value: Val): boolean {
    const old = this.vars.get(key);
    const next = old === undefined ? value : join(old, value);
    if (old !== undefined && signature(old) === signature(next)) return false;
    this.vars.set(key, next);
    this.changedKeys.add(key);
    return true;
  }

  private assignTarget(target: unknown, value: Val, valueNode?: unknown): boolean {
    if (!isNode(target)) return false;
    let changed = false;
    if (target.type === 'Identifier') {
      const name = target.value as string;
      changed = this.assign(name, value);
      // namespace(a=…): the namespace's attributes, looked up later as ns.a.
      if (
        isNode(valueNode) &&
        valueNode.type === 'CallExpression' &&
        isNode(valueNode.callee) &&
        valueNode.callee.value === 'namespace'
      )
        for (const a of Array.isArray(valueNode.args) ? valueNode.args : [])
          if (isNode(a) && a.type === 'KeywordArgumentExpression' && isNode(a.key))
            changed =
              this.assign(`${name}.${a.key.value as string}`, this.evaluator.eval(a.value)) || changed;
    } else if (
      target.type === 'MemberExpression' &&
      target.computed !== true &&
      isNode(target.object) &&
      isNode(target.property)
    ) {
      changed = this.assign(`${target.object.value as string}.${target.property.value as string}`, value);
    } else if (target.type === 'TupleLiteral' && Array.isArray(target.value)) {
      target.value.forEach((t, i) => {
        const part =
          value.items?.[i] ??
          (value.items !== undefined && value.items.length === 1 ? value.items[0] : undefined);
        changed = this.assignTarget(t, part ?? (isBuilt(value) ? { built: true } : DATA)) || changed;
      });
    }
    return changed;
  }

  private fixpoint(): void {
    for (let pass = 0; pass < MAX_FIXPOINT_PASSES; pass++) {
      this.macroCache = new Map();
      this.changedKeys.clear();
      let changed = false;
      for (const a of this.assignments) {
        const value =
          a.value !== null && a.value !== undefined
            ? this.evaluator.eval(a.value)
            : this.evaluator.evalBody(a.body);
        changed = this.assignTarget(a.target, value, a.value) || changed;
      }
      for (const l of this.loops) {
        const iterable = this.evaluator.eval(l.iterable);
        const element =
          iterable.items !== undefined
            ? iterable.items.length > 0
              ? iterable.items.reduce(join)
              : DATA
            : iterable.entries !== undefined
              ? strings(...iterable.entries.map(([k]) => k))
              : iterable.strs !== undefined
                ? strings(...iterable.strs.flatMap((s) => [...s]))
                : isBuilt(iterable) || iterable.object
                  ? { built: true as const }
                  : DATA;
        changed = this.assignTarget(l.loopvar, element) || changed;
      }
      for (const c of this.calls) {
        // caller(x) binds the parameters of every call block (flow-insensitively, like the variables).
        const macros =
          c.name === 'caller'
            ? this.callerParams.map((params) => ({ params, body: undefined }))
            : this.macros.get(c.name);
        if (macros === undefined) continue;
        for (const m of macros) {
          let i = 0;
          for (const arg of c.args) {
            if (isNode(arg) && arg.type === 'KeywordArgumentExpression' && isNode(arg.key))
              changed = this.assign(arg.key.value as string, this.evaluator.eval(arg.value)) || changed;
            else {
              const param = m.params[i++];
              if (param !== undefined) changed = this.assign(param, this.evaluator.eval(arg)) || changed;
            }
          }
        }
      }
      if (!changed) {
        this.finish();
        return;
      }
    }
    // Still growing: an accumulator of strings holds text built at render time; a counter is a number
    // (`{% set ns.i = ns.i + 1 %}` indexes messages in real templates, so it must not become a name).
    for (const k of this.changedKeys) this.vars.set(k, widen(this.vars.get(k) as Val));
    this.finish();
  }

  private finish(): void {
    this.macroCache = new Map();
    this.evaluator.freeze();
  }

  private add(
    severity: 'critical' | 'high',
    what: string,
    construct: string,
    needles: readonly string[],
  ): void {
    this.list.add({ severity, what, construct, needles });
  }

  /** A name used to look something up: an attribute, a subscript, an `attr`-like filter's argument. */
  private checkName(value: Val, node: unknown, how: string, allowData: boolean): void {
    const internal = (value.strs ?? []).find(isInternalName);
    const text = printNode(node);
    if (internal !== undefined) {
      this.add(
        'critical',
        `${how} that reaches Python internals`,
        `${text} = ${JSON.stringify(internal.slice(0, 80))}`,
        [internal, ...needlesOf(node)],
      );
    } else if (isBuilt(value) || (!allowData && value.object === true)) {
      this.add('high', `${how} built at render time (a hidden name)`, text, needlesOf(node));
    }
  }

  private check(n: Node): void {
    switch (n.type) {
      case 'Identifier': {
        const name = n.value as string;
        if (this.propertyNames.has(n)) break; // checked as an attribute
        if (isInternalName(name)) this.add('critical', 'a dunder name', name, [name]);
        else if (this.keywordKeys.has(n)) break;
        else if (GADGET_GLOBALS.has(name) && !this.bound.has(name))
          this.add('high', 'a Jinja global used by injection payloads', name, [name]);
        else if (WEB_GLOBALS.has(name) && !this.bound.has(name))
          this.add('high', 'a web framework global used by injection payloads', name, [name]);
        break;
      }
      case 'MemberExpression':
        this.checkMember(n);
        break;
      case 'FilterExpression':
      case 'FilterStatement':
        this.checkFilter(n.filter);
        break;
      case 'CallExpression':
        this.checkCall(n);
        break;
      case 'StringLiteral':
        break;
      case 'BinaryExpression':
      case 'SelectExpression':
      case 'Ternary':
        this.checkBuilt(n);
        break;
    }
    // String literals anywhere in an expression (not output text: that is statement-level).
    if (n.type !== 'StringLiteral')
      for (const child of childExpressions(n))
        if (isNode(child) && child.type === 'StringLiteral')
          stringChecks(child.value as string, this.list, false);
  }

  /** An expression that folds to a dunder name is one even before it is used. */
  private checkBuilt(n: Node): void {
    const v = this.evaluator.eval(n);
    const internal = (v.strs ?? []).find(isInternalName);
    if (internal !== undefined)
      this.add(
        'critical',
        'a dunder name built from strings',
        JSON.stringify(internal.slice(0, 80)),
        needlesOf(n),
      );
  }

  private checkMember(n: Node): void {
    const prop = n.property;
    if (n.computed !== true) {
      const name = isNode(prop) && prop.type === 'Identifier' ? (prop.value as string) : undefined;
      if (name === undefined) return;
      if (isInternalName(name)) this.add('critical', 'a dunder attribute', `.${name}`, [name]);
      else if (name.startsWith('_'))
        this.add('high', 'a private attribute (Jinja sandboxes refuse names starting with _)', `.${name}`, [
          name,
        ]);
      else if (RUNNERS.has(name))
        this.add('high', 'a method that runs commands or code', `.${name}(...)`, [name]);
      return;
    }
    if (!isNode(prop) || prop.type === 'SliceExpression' || prop.type === 'IntegerLiteral') return;
    if (
      isNode(prop) &&
      prop.type === 'MemberExpression' &&
      isNode(prop.object) &&
      prop.object.value === 'loop' &&
      isNode(prop.property) &&
      NUMERIC_LOOP.has(prop.property.value as string)
    )
      return;
    const key = this.evaluator.eval(prop);
    this.checkName(key, n, 'a subscript', true);
    if (key.nums !== undefined || key.number === true || key.strs !== undefined || isBuilt(key)) return;
    // A name from the chat looked up on a string literal: no template indexes text by a word.
    const object = isNode(n.object) ? n.object : undefined;
    if (object?.type === 'StringLiteral' && !isNumericExpression(prop))
      this.add('high', 'a lookup on a string literal by a name from data', printNode(n), needlesOf(n));
  }

  private checkFilter(filter: unknown): void {
    const call = isNode(filter) && filter.type === 'CallExpression' ? filter : undefined;
    const ident = call ? call.callee : filter;
    const name = isNode(ident) && ident.type === 'Identifier' ? (ident.value as string) : undefined;
    if (name === undefined) return;
    const args = call && Array.isArray(call.args) ? call.args : [];
    const positional = args.filter((a) => !(isNode(a) && a.type === 'KeywordArgumentExpression'));
    const keyword = (k: string) =>
      args.find(
        (a) => isNode(a) && a.type === 'KeywordArgumentExpression' && isNode(a.key) && a.key.value === k,
      ) as Node | undefined;
    if (name === 'attr') {
      const arg = positional[0];
      const v = this.evaluator.eval(arg);
      const internal = (v.strs ?? []).find(isInternalName);
      if (internal !== undefined)
        this.add(
          'critical',
          'the attr filter with a dunder name',
          `|attr(${JSON.stringify(internal.slice(0, 80))})`,
          [internal, 'attr'],
        );
      else
        this.add(
          'high',
          'the attr filter (attribute access by a computed name)',
          `|attr(${printNode(arg)})`,
          ['attr', ...needlesOf(arg)],
        );
      return;
    }
    if (!ATTRIBUTE_FILTERS.has(name)) return;
    const names: unknown[] = [];
    if (name === 'map') {
      const filterName = this.evaluator.eval(positional[0]);
      if ((filterName.strs ?? []).includes('attr') || isBuilt(filterName)) {
        names.push(positional[1]);
        // map('attr', name) is the attr filter applied to every item: reported as |attr(name) is.
        const v = this.evaluator.eval(positional[1]);
        if (!(v.strs ?? []).some(isInternalName))
          this.add(
            'high',
            'the attr filter through map (attribute access by a computed name)',
            `|map(${printNode(positional[0])}, ${printNode(positional[1])})`,
            ['attr', ...needlesOf(positional[1])],
          );
      }
      if (isBuilt(filterName))
        this.add(
          'high',
          'a filter name built at render time',
          `|map(${printNode(positional[0])})`,
          needlesOf(positional[0]),
        );
    } else if (name === 'selectattr' || name === 'rejectattr' || name === 'groupby')
      names.push(positional[0]);
    const attribute = keyword('attribute');
    if (attribute !== undefined) names.push(attribute.value);
    for (const arg of names) {
      if (arg === undefined) continue;
      this.checkName(this.evaluator.eval(arg), arg, `the ${name} filter's attribute name`, true);
    }
  }

  private checkCall(n: Node): void {
    const callee = n.callee;
    if (isNode(callee) && callee.type === 'Identifier') {
      this.checkBuiltinCall(n, callee.value as string);
      return;
    }
    if (
      !isNode(callee) ||
      callee.type !== 'MemberExpression' ||
      callee.computed === true ||
      !isNode(callee.property)
    )
      return;
    const method = callee.property.value as string;
    if (method !== 'format' && method !== 'format_map') return;
    // str.format looks up attributes and items named in its fields: '{0.__class__}'.format(x).
    const format = this.evaluator.eval(callee.object);
    for (const s of format.strs ?? []) {
      for (const field of formatFields(s)) {
        if (isInternalName(field))
          this.add('critical', 'a str.format field that reaches Python internals', `{${field}}`, [
            field,
            ...needlesOf(callee.object),
          ]);
        else if (/[.[]/.test(field))
          this.add('high', 'a str.format field that looks up attributes', `{${field}}`, [field]);
      }
    }
    if (format.strs === undefined)
      this.add(
        'high',
        'str.format with a format string not known in advance (its fields can read any attribute)',
        printNode(n),
        needlesOf(n),
      );
  }

  /**
   * A call of a Python builtin the template does not define. Jinja provides none of them, so the template
   * expects an environment that exposes builtins (some servers add them), where `getattr(x, '__class__')`
   * is the attr filter by another name.
   */
  private checkBuiltinCall(n: Node, name: string): void {
    if (this.bound.has(name) || !PYTHON_BUILTINS.has(name)) return;
    const args = Array.isArray(n.args) ? n.args : [];
    if (ATTRIBUTE_BUILTINS.has(name) && args[1] !== undefined) {
      const v = this.evaluator.eval(args[1]);
      const internal = (v.strs ?? []).find(isInternalName);
      if (internal !== undefined) {
        this.add(
          'critical',
          `${name} with a name that reaches Python internals`,
          `${name}(…, ${JSON.stringify(internal.slice(0, 80))})`,
          [internal, name],
        );
        return;
      }
    }
    this.add('high', 'a Python builtin no Jinja environment provides', `${name}(...)`, [name]);
  }
}

/** A variable's value after the fixpoint gave up on it: strings become `built`, numbers any number. */
function widen(v: Val): Val {
  if (v.strs !== undefined || v.built === true || v.object === true) return { ...v, built: true };
  if (v.nums !== undefined || v.number === true) {
    const { nums: _nums, ...rest } = v;
    return { ...rest, number: true };
  }
  return v;
}

function isNumericExpression(n: unknown): boolean {
  if (!isNode(n)) return false;
  if (n.type === 'IntegerLiteral' || n.type === 'FloatLiteral') return true;
  if (n.type === 'UnaryExpression') return isNumericExpression(n.argument);
  if (
    n.type === 'BinaryExpression' &&
    isNode(n.operator) &&
    ['+', '-', '*', '//', '%'].includes(n.operator.value as string)
  )
    return isNumericExpression(n.left) || isNumericExpression(n.right);
  if (n.type === 'FilterExpression') {
    const f = isNode(n.filter) && n.filter.type === 'CallExpression' ? n.filter.callee : n.filter;
    return isNode(f) && ['length', 'count', 'int'].includes(f.value as string);
  }
  return n.type === 'MemberExpression' && isNode(n.object) && n.object.value === 'loop';
}

/** The direct sub-expressions of a node (not statement bodies: text there is output). */
function childExpressions(n: Node): unknown[] {
  const out: unknown[] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'type' || k === 'body' || k === 'alternate' || k === 'defaultBlock') continue;
    if (Array.isArray(v)) out.push(...v);
    else if (v instanceof Map) for (const [a, b] of v) out.push(a, b);
    else out.push(v);
  }
  return out;
}

/** Identifiers and strings in an expression, to find it in the template text. */
function needlesOf(n: unknown, out: string[] = [], depth = 0): string[] {
  if (!isNode(n) || depth > 20 || out.length > 8) return out;
  if ((n.type === 'Identifier' || n.type === 'StringLiteral') && typeof n.value === 'string')
    out.push(n.value);
  for (const c of childExpressions(n)) needlesOf(c, out, depth + 1);
  return out;
}

const PRINT_LIMIT = 160;

/** An expression written back as Jinja, for the evidence (bounded). */
export function printNode(n: unknown, depth = 0): string {
  const text = print(n, depth);
  return text.length > PRINT_LIMIT ? `${text.slice(0, PRINT_LIMIT)}…` : text;
}

function print(n: unknown, depth: number): string {
  if (!isNode(n)) return '';
  if (depth > 12) return '…';
  const p = (x: unknown) => print(x, depth + 1);
  const list = (xs: unknown) => (Array.isArray(xs) ? xs.map(p).join(', ') : '');
  switch (n.type) {
    case 'Identifier':
      return String(n.value);
    case 'StringLiteral':
      return JSON.stringify(n.value);
    case 'IntegerLiteral':
    case 'FloatLiteral':
      return String(n.value);
    case 'ArrayLiteral':
      return `[${list(n.value)}]`;
    case 'TupleLiteral':
      return `(${list(n.value)})`;
    case 'ObjectLiteral':
      return n.value instanceof Map
        ? `{${[...n.value].map(([k, v]) => `${p(k)}: ${p(v)}`).join(', ')}}`
        : '{}';
    case 'MemberExpression':
      return n.computed === true ? `${p(n.object)}[${p(n.property)}]` : `${p(n.object)}.${p(n.property)}`;
    case 'CallExpression':
      return `${p(n.callee)}(${list(n.args)})`;
    case 'FilterExpression':
      return `${p(n.operand)}|${p(n.filter)}`;
    case 'BinaryExpression':
      return `${p(n.left)} ${isNode(n.operator) ? String(n.operator.value) : '?'} ${p(n.right)}`;
    case 'UnaryExpression':
      return `${isNode(n.operator) ? String(n.operator.value) : '?'} ${p(n.argument)}`;
    case 'KeywordArgumentExpression':
      return `${p(n.key)}=${p(n.value)}`;
    case 'SliceExpression':
      return `${p(n.start)}:${p(n.stop)}${n.step ? `:${p(n.step)}` : ''}`;
    case 'Ternary':
      return `${p(n.trueExpr)} if ${p(n.condition)} else ${p(n.falseExpr)}`;
    case 'SelectExpression':
      return `${p(n.lhs)} if ${p(n.test)}`;
    case 'TestExpression':
      return `${p(n.operand)} is ${n.negate === true ? 'not ' : ''}${p(n.test)}`;
    default:
      return n.type ?? '';
  }
}
