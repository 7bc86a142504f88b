import { parse, tokenize } from '@huggingface/jinja';

/**
 * Chat templates are parsed to an AST with @huggingface/jinja and walked; they are never rendered. What is
 * looked for is what server-side template injection needs (CVE-2024-34359 and the SSTI literature): reaching
 * an object's Python internals through dunder attributes, whether written directly, through the `attr`
 * filter or a computed subscript, or spelled by concatenating strings; and the Jinja globals whose
 * `__init__.__globals__` lead to `os` (`cycler`, `joiner`, `lipsum`, `self`). `namespace` is not flagged on
 * its own: chat templates use it legitimately for loop state.
 */
export interface TemplateIssue {
  readonly severity: 'critical' | 'high';
  readonly what: string;
  /** The construct as written (or rebuilt), for the evidence. */
  readonly construct: string;
}

export interface TemplateAnalysis {
  readonly issues: readonly TemplateIssue[];
  /** Why the parser refused the template; the text search ran instead. */
  readonly parseError?: string;
}

/** Longest template analysed structurally; longer ones are searched as text only. */
export const MAX_TEMPLATE_CHARS = 1_000_000;
/** AST nodes visited per template. */
const MAX_NODES = 200_000;
/** Issues kept per template. */
const MAX_ISSUES = 50;

const DUNDER = /__[A-Za-z0-9_]*__/;
/** Attributes that walk from any object to modules, frames or code without dunders. */
const INTERNALS = new Set([
  'mro',
  'func_globals',
  'f_globals',
  'f_locals',
  'f_back',
  'gi_frame',
  'cr_frame',
  'ag_frame',
  'tb_frame',
  'co_code',
  'im_func',
  'func_code',
]);
const GADGET_GLOBALS = new Set(['cycler', 'joiner', 'lipsum', 'self']);
// Not `system`, `eval` or `exec`: chat templates name their own state that way (`ns.system`).
const RUNNERS = new Set(['popen', 'check_output', 'getoutput', 'import_module', 'execv', 'execl']);

type Node = { type?: string; [key: string]: unknown };

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
}

/** The string a literal or a concatenation of literals evaluates to, if it is constant. */
function constantString(n: unknown): string | undefined {
  if (!isNode(n)) return undefined;
  if (n.type === 'StringLiteral' && typeof n.value === 'string') return n.value;
  if (
    n.type === 'BinaryExpression' &&
    isNode(n.operator) &&
    (n.operator.value === '~' || n.operator.value === '+')
  ) {
    const l = constantString(n.left);
    const r = constantString(n.right);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (n.type === 'FilterExpression') {
    const filter = isNode(n.filter)
      ? n.filter.type === 'CallExpression'
        ? n.filter.callee
        : n.filter
      : undefined;
    const name = isNode(filter) && filter.type === 'Identifier' ? filter.value : undefined;
    // "_CLASS_"|lower, "__ssalc__"|reverse and friends: constant strings in disguise.
    const inner = constantString(n.operand);
    if (inner === undefined || typeof name !== 'string') return undefined;
    if (name === 'lower') return inner.toLowerCase();
    if (name === 'upper') return inner.toUpperCase();
    if (name === 'reverse') return [...inner].reverse().join('');
    if (name === 'trim') return inner.trim();
    return undefined;
  }
  return undefined;
}

export function analyseTemplate(template: string): TemplateAnalysis {
  const issues: TemplateIssue[] = [];
  const seen = new Set<string>();
  const add = (issue: TemplateIssue) => {
    const key = `${issue.what}\u0000${issue.construct}`;
    if (seen.has(key) || issues.length >= MAX_ISSUES) return;
    seen.add(key);
    issues.push(issue);
  };
  const textSearch = () => {
    const dunder = DUNDER.exec(template);
    if (dunder) add({ severity: 'critical', what: 'a dunder attribute', construct: dunder[0] });
    const attr = /\|\s*attr\s*\(/.exec(template);
    if (attr)
      add({ severity: 'high', what: 'the attr filter (attribute access by name)', construct: attr[0] });
    const gadget = /\b(cycler|joiner|lipsum)\b/.exec(template);
    if (gadget)
      add({ severity: 'high', what: 'a Jinja global used by injection payloads', construct: gadget[0] });
  };
  if (template.length > MAX_TEMPLATE_CHARS) {
    textSearch();
    return { issues, parseError: `template longer than ${MAX_TEMPLATE_CHARS} characters` };
  }
  let program: unknown;
  try {
    program = parse(tokenize(template));
  } catch (error) {
    textSearch();
    return { issues, parseError: error instanceof Error ? error.message : String(error) };
  }
  let budget = MAX_NODES;
  const visit = (n: unknown): void => {
    if (budget-- <= 0) return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    if (n instanceof Map) {
      for (const [k, v] of n) {
        visit(k);
        visit(v);
      }
      return;
    }
    if (!isNode(n)) return;
    if (n.type === 'MemberExpression') {
      const prop = n.property;
      const name =
        isNode(prop) && prop.type === 'Identifier' && n.computed !== true ? prop.value : constantString(prop);
      if (typeof name === 'string') {
        if (DUNDER.test(name))
          add({ severity: 'critical', what: 'a dunder attribute', construct: `.${name}` });
        else if (INTERNALS.has(name))
          add({
            severity: 'critical',
            what: 'an attribute that reaches Python internals',
            construct: `.${name}`,
          });
        else if (RUNNERS.has(name))
          add({ severity: 'high', what: 'a method that runs commands or code', construct: `.${name}(...)` });
      } else if (
        n.computed === true &&
        isNode(prop) &&
        prop.type !== 'IntegerLiteral' &&
        prop.type !== 'Identifier' &&
        prop.type !== 'MemberExpression' &&
        prop.type !== 'SliceExpression' &&
        prop.type !== 'UnaryExpression' &&
        prop.type !== 'BinaryExpression'
      ) {
        // other computed keys (calls, filters) may spell anything; flag only when they build strings
        const built = constantString(prop);
        if (built !== undefined && DUNDER.test(built))
          add({
            severity: 'critical',
            what: 'a dunder key built from strings',
            construct: `[${JSON.stringify(built)}]`,
          });
      }
    } else if (n.type === 'FilterExpression') {
      const filter = n.filter;
      const call = isNode(filter) && filter.type === 'CallExpression' ? filter : undefined;
      const ident = call ? call.callee : filter;
      if (isNode(ident) && ident.type === 'Identifier' && ident.value === 'attr') {
        const arg = call && Array.isArray(call.args) ? constantString(call.args[0]) : undefined;
        if (arg !== undefined && DUNDER.test(arg))
          add({
            severity: 'critical',
            what: 'the attr filter with a dunder name',
            construct: `|attr(${JSON.stringify(arg)})`,
          });
        else
          add({
            severity: 'high',
            what: 'the attr filter (attribute access by a computed name)',
            construct: '|attr(...)',
          });
      }
      const built = constantString(n);
      if (built !== undefined && DUNDER.test(built))
        add({
          severity: 'critical',
          what: 'a dunder name built by filters',
          construct: JSON.stringify(built.slice(0, 80)),
        });
    } else if (n.type === 'Identifier' && typeof n.value === 'string' && GADGET_GLOBALS.has(n.value)) {
      add({ severity: 'high', what: 'a Jinja global used by injection payloads', construct: n.value });
    } else if (n.type === 'BinaryExpression' || n.type === 'StringLiteral') {
      const built = constantString(n);
      if (built !== undefined && DUNDER.test(built))
        add({
          severity: n.type === 'StringLiteral' ? 'high' : 'critical',
          what:
            n.type === 'StringLiteral'
              ? 'a string naming a dunder attribute'
              : 'a dunder name built from strings',
          construct: JSON.stringify(built.slice(0, 80)),
        });
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'type') visit(value);
  };
  visit(program);
  return { issues };
}
