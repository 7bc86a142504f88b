/**
 * A lexer for Jinja templates that splits them as Python's Jinja does (jinja2/lexer.py, default delimiters,
 * no line statements: the configuration of transformers' and llama-cpp-python's environments), so that what
 * pedigree analyses as code is exactly what Jinja runs as code:
 *
 *   - data (text) up to the first `{{`, `{%` or `{#`;
 *   - comments up to the first `#}`;
 *   - `{% raw %}` blocks up to the first `{% endraw %}`: text, never code;
 *   - tags (`{{ … }}`, `{% … %}`) as tokens, where an end delimiter inside brackets does not end the tag and
 *     string literals are decoded with Python's `unicode-escape` rules (`\x5f`, `\137`, `\u005f`, `\N{LOW
 *     LINE}` are all `_`).
 *
 * @huggingface/jinja, which builds the AST, accepts a subset of Jinja and decodes fewer escapes; the tokens
 * are re-emitted in a canonical form it reads (`toParserSource`), with statements it lacks rewritten to
 * equivalents for analysis. Nothing is rendered.
 */

export type JinjaToken =
  | { readonly kind: 'name'; readonly value: string; readonly at: number }
  | {
      readonly kind: 'string';
      readonly value: string;
      readonly at: number;
      /** `\N{…}` names pedigree cannot decode: the string's value is not known. */
      readonly unknownNames?: readonly string[];
    }
  | { readonly kind: 'integer' | 'float'; readonly value: number; readonly at: number }
  | { readonly kind: 'operator'; readonly value: string; readonly at: number };

export type JinjaSegment =
  | { readonly kind: 'data' | 'comment' | 'raw'; readonly text: string; readonly at: number }
  | { readonly kind: 'block' | 'variable'; readonly tokens: readonly JinjaToken[]; readonly at: number };

export interface JinjaLexResult {
  readonly segments: readonly JinjaSegment[];
  /** Why Jinja would refuse the template (it then never renders), with where; segments up to there. */
  readonly error?: { readonly message: string; readonly at: number };
}

/**
 * Tokens lexed per template; past this the rest is not lexed (reported as an error), so a template of
 * millions of one-character tokens cannot make the token arrays and the parser's work unbounded.
 */
export const MAX_JINJA_TOKENS = 1_000_000;

export interface JinjaLexLimits {
  /** Defaults to MAX_JINJA_TOKENS. */
  readonly maxTokens?: number;
}

// Python's str.isspace() set, which `\s` means in Jinja's (str) regexes; JavaScript's differs slightly.
const WS = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const RAW_BEGIN = new RegExp(`\\{%[-+]?${WS}*raw${WS}*(?:-%\\}${WS}*|%\\})`, 'y');
const RAW_END = new RegExp(`\\{%[-+]?${WS}*endraw${WS}*(?:\\+%\\}|-%\\}${WS}*|%\\})`, 'g');
const TAG_START = /\{[{%#]/g;
const WHITESPACE = new RegExp(`${WS}+`, 'y');
// jinja2/lexer.py float_re, integer_re (case-insensitive), name (ASCII and Unicode identifiers), string_re.
const FLOAT = /(?<!\.)(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
const INTEGER = /(?:0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*)/iy;
const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const STRING = /'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"/sy;
const OPERATOR = /\/\/|\*\*|==|!=|>=|<=|[+\-/*%~[\](){}><=.:|,;]/y;
const CLOSING: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
/** Names after which a parenthesis groups rather than calls. */
const KEYWORDS = new Set([
  'in',
  'not',
  'and',
  'or',
  'if',
  'else',
  'is',
  'for',
  'set',
  'elif',
  'import',
  'as',
  'with',
]);

/** `\N{NAME}` names Python knows that spell ASCII, the ones a payload needs; matched case-insensitively. */
const UNICODE_NAMES: ReadonlyMap<string, string> = (() => {
  const names = new Map<string, string>([
    ['LOW LINE', '_'],
    ['SPACE', ' '],
    ['FULL STOP', '.'],
    ['COMMA', ','],
    ['APOSTROPHE', "'"],
    ['QUOTATION MARK', '"'],
    ['LEFT PARENTHESIS', '('],
    ['RIGHT PARENTHESIS', ')'],
    ['LEFT SQUARE BRACKET', '['],
    ['RIGHT SQUARE BRACKET', ']'],
    ['SOLIDUS', '/'],
    ['REVERSE SOLIDUS', '\\'],
    ['HYPHEN-MINUS', '-'],
    ['PERCENT SIGN', '%'],
    ['LINE FEED', '\n'],
  ]);
  const digits = ['ZERO', 'ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX', 'SEVEN', 'EIGHT', 'NINE'];
  digits.forEach((d, i) => {
    names.set(`DIGIT ${d}`, String(i));
  });
  for (let c = 0; c < 26; c++) {
    const letter = String.fromCharCode(65 + c);
    names.set(`LATIN CAPITAL LETTER ${letter}`, letter);
    names.set(`LATIN SMALL LETTER ${letter}`, letter.toLowerCase());
  }
  return names;
})();

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

/**
 * A Jinja string literal's value: Jinja normalises newlines, replaces non-ASCII characters with backslash
 * escapes, then decodes with Python's `unicode-escape` (jinja2/lexer.py `wrap`). Returns undefined when
 * Python would raise (a truncated `\x`, an out-of-range `\U`), which makes Jinja refuse the template.
 */
export function decodeJinjaString(body: string): { value: string; unknownNames: string[] } | undefined {
  const unknownNames: string[] = [];
  // `.encode("ascii", "backslashreplace")`: a non-ASCII character becomes \xhh, \uhhhh or \Uhhhhhhhh,
  // so a backslash before one escapes the backslash of its replacement, as in Python.
  let ascii = '';
  for (const ch of body.replace(/\r\n|\r/g, '\n')) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) ascii += ch;
    else if (cp <= 0xff) ascii += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) ascii += `\\u${cp.toString(16).padStart(4, '0')}`;
    else ascii += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  let out = '';
  for (let i = 0; i < ascii.length; i++) {
    const ch = ascii[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = ascii[i + 1];
    if (next === undefined) return undefined; // "\ at end of string"
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (next >= '0' && next <= '7') {
      const digits = /^[0-7]{1,3}/.exec(ascii.slice(i + 1, i + 4)) as RegExpExecArray;
      out += String.fromCodePoint(Number.parseInt(digits[0], 8));
      i += digits[0].length;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = ascii.slice(i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out += String.fromCodePoint(cp);
      i += 1 + width;
    } else if (next === 'N') {
      const m = /^\{([^}]*)\}/.exec(ascii.slice(i + 2));
      if (m === null) return undefined;
      const name = (m[1] as string).toUpperCase();
      const known = UNICODE_NAMES.get(name);
      if (known === undefined) {
        unknownNames.push(name);
        out += '\uFFFD';
      } else out += known;
      i += 2 + m[0].length - 1;
    } else {
      out += ch; // an unknown escape stays as written (Python warns, keeps both characters)
    }
  }
  return { value: out, unknownNames };
}

function parseNumber(text: string, kind: 'integer' | 'float'): number {
  const clean = text.replaceAll('_', '').toLowerCase();
  if (kind === 'float') return Number(clean);
  if (clean.startsWith('0b')) return Number.parseInt(clean.slice(2), 2);
  if (clean.startsWith('0o')) return Number.parseInt(clean.slice(2), 8);
  if (clean.startsWith('0x')) return Number.parseInt(clean.slice(2), 16);
  return Number(clean);
}

/** Splits a template into data, comments, raw blocks and tags, as Jinja's lexer does. */
export function lexJinja(template: string, limits: JinjaLexLimits = {}): JinjaLexResult {
  const maxTokens = limits.maxTokens ?? MAX_JINJA_TOKENS;
  const segments: JinjaSegment[] = [];
  let tokenCount = 0;
  let pos = 0;
  const fail = (message: string, at: number): JinjaLexResult => ({ segments, error: { message, at } });
  while (pos < template.length) {
    TAG_START.lastIndex = pos;
    const start = TAG_START.exec(template);
    if (start === null) {
      segments.push({ kind: 'data', text: template.slice(pos), at: pos });
      break;
    }
    if (start.index > pos) segments.push({ kind: 'data', text: template.slice(pos, start.index), at: pos });
    const at = start.index;
    const opener = start[0];
    if (opener === '{%') {
      RAW_BEGIN.lastIndex = at;
      const raw = RAW_BEGIN.exec(template);
      if (raw !== null) {
        RAW_END.lastIndex = RAW_BEGIN.lastIndex;
        const end = RAW_END.exec(template);
        if (end === null) return fail('missing end of raw directive', at);
        segments.push({ kind: 'raw', text: template.slice(RAW_BEGIN.lastIndex, end.index), at });
        pos = RAW_END.lastIndex;
        continue;
      }
    }
    let cursor = at + 2;
    if (template[cursor] === '-' || template[cursor] === '+') cursor++; // whitespace control
    if (opener === '{#') {
      const end = template.indexOf('#}', cursor);
      if (end < 0) return fail('missing end of comment tag', at);
      segments.push({ kind: 'comment', text: template.slice(cursor, end), at });
      pos = end + 2;
      continue;
    }
    const block = opener === '{%';
    const tokens: JinjaToken[] = [];
    const balance: string[] = [];
    let closed = false;
    while (cursor < template.length) {
      if (balance.length === 0) {
        // The end delimiter, tried first at every position while brackets are balanced (jinja2 lexer).
        const end = block ? /\+%\}|-%\}|%\}/y : /-\}\}|\}\}/y;
        end.lastIndex = cursor;
        const m = end.exec(template);
        if (m !== null) {
          cursor = end.lastIndex;
          closed = true;
          break;
        }
      }
      if (++tokenCount > maxTokens) return fail(`more than ${maxTokens} tokens`, cursor);
      const sticky = (re: RegExp) => {
        re.lastIndex = cursor;
        return re.exec(template);
      };
      const ws = sticky(WHITESPACE);
      if (ws !== null) {
        cursor += ws[0].length;
        tokenCount--;
        continue;
      }
      const float = sticky(FLOAT);
      if (float !== null) {
        tokens.push({ kind: 'float', value: parseNumber(float[0], 'float'), at: cursor });
        cursor += float[0].length;
        continue;
      }
      const integer = sticky(INTEGER);
      if (integer !== null) {
        tokens.push({ kind: 'integer', value: parseNumber(integer[0], 'integer'), at: cursor });
        cursor += integer[0].length;
        continue;
      }
      const name = sticky(NAME);
      if (name !== null) {
        tokens.push({ kind: 'name', value: name[0], at: cursor });
        cursor += name[0].length;
        continue;
      }
      const string = sticky(STRING);
      if (string !== null) {
        const decoded = decodeJinjaString(string[1] ?? string[2] ?? '');
        if (decoded === undefined) return fail('a string literal with an invalid escape', cursor);
        tokens.push({
          kind: 'string',
          value: decoded.value,
          at: cursor,
          ...(decoded.unknownNames.length > 0 ? { unknownNames: decoded.unknownNames } : {}),
        });
        cursor += string[0].length;
        continue;
      }
      const op = sticky(OPERATOR);
      if (op === null) return fail(`unexpected character ${JSON.stringify(template[cursor])}`, cursor);
      const value = op[0];
      if (CLOSING[value] !== undefined) balance.push(CLOSING[value] as string);
      else if (value === ')' || value === ']' || value === '}') {
        if (balance.pop() !== value) return fail(`unbalanced ${JSON.stringify(value)}`, cursor);
      }
      tokens.push({ kind: 'operator', value, at: cursor });
      cursor += value.length;
    }
    if (!closed) return fail(`missing end of ${block ? 'block' : 'variable'} tag`, at);
    segments.push({ kind: block ? 'block' : 'variable', tokens, at });
    pos = cursor;
  }
  return { segments };
}

/** A string literal @huggingface/jinja decodes back to `value` (it knows \\ \" \n \t \r and \uXXXX). */
function quote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function tokenText(t: JinjaToken): string {
  if (t.kind === 'string') return quote(t.value);
  if (t.kind === 'integer' || t.kind === 'float') return Number.isFinite(t.value) ? String(t.value) : '0';
  return t.value as string;
}

/** Tokens split at commas outside brackets. */
function splitTopLevel(tokens: readonly JinjaToken[]): JinjaToken[][] {
  const parts: JinjaToken[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'operator' && CLOSING[t.value] !== undefined) depth++;
    else if (t.kind === 'operator' && (t.value === ')' || t.value === ']' || t.value === '}')) depth--;
    if (depth === 0 && t.kind === 'operator' && t.value === ',') parts.push([]);
    else (parts[parts.length - 1] as JinjaToken[]).push(t);
  }
  return parts;
}

/**
 * Tokens as @huggingface/jinja reads them: a grouping parenthesis closed by a trailing comma is a tuple,
 * written as a list; other trailing commas are dropped.
 */
function expressionText(tokens: readonly JinjaToken[]): string {
  const out = tokens.map(tokenText);
  const stack: { index: number; grouping: boolean }[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'operator') return;
    if (CLOSING[t.value] !== undefined) {
      const prev = tokens[i - 1];
      const call =
        prev !== undefined &&
        ((prev.kind === 'name' && !KEYWORDS.has(prev.value)) ||
          prev.kind === 'string' ||
          [')', ']'].includes(prev.value as string));
      stack.push({ index: i, grouping: t.value === '(' && !call });
    } else if (t.value === ')' || t.value === ']' || t.value === '}') {
      const open = stack.pop();
      const prev = tokens[i - 1];
      if (open?.grouping === true && open.index === i - 1) {
        // `()`, the empty tuple
        out[open.index] = '[';
        out[i] = ']';
      } else if (prev?.kind === 'operator' && prev.value === ',') {
        out[i - 1] = '';
        if (open?.grouping === true) {
          out[open.index] = '[';
          out[i] = ']';
        }
      }
    }
  });
  return out.filter((s) => s !== '').join(' ');
}

export interface ParserSource {
  /** The template in the form @huggingface/jinja parses. */
  readonly source: string;
  /** Statements that load other templates (`include`, `import`, `from`, `extends`), as written. */
  readonly loads: readonly string[];
  /** Tags left out because the parser refused them on their own (only when `accepts` was given). */
  readonly skipped: readonly JinjaSegment[];
}

const isName = (t: JinjaToken | undefined, value?: string) =>
  t?.kind === 'name' && (value === undefined || t.value === value);

/** Statements that only make sense around others: kept as they are when repairing. */
const STRUCTURAL = new Set([
  'else',
  'endif',
  'endfor',
  'endmacro',
  'endcall',
  'endfilter',
  'endset',
  'endgeneration',
  'break',
  'continue',
]);

/**
 * The template re-emitted for @huggingface/jinja: comments and raw blocks dropped (they are not code),
 * strings re-quoted with their decoded values, numbers in decimal, and statements the library lacks
 * rewritten to equivalents for analysis (`with` as `set`, `do` as an output, `include`/`import`/`extends`
 * as their expression, `block`/`autoescape` tags dropped around their bodies). Statements Jinja itself
 * would refuse are left as they are, so the parser refuses them too.
 *
 * With `accepts` (does the parser read this source?), each tag the parser refuses on its own is left out
 * (an opening tag is replaced by a neutral one, so its body is still there), so one construct the library
 * lacks cannot hide the rest of the template from the analysis; what was left out is listed in `skipped`.
 */
export function toParserSource(
  segments: readonly JinjaSegment[],
  accepts?: (source: string) => boolean,
): ParserSource {
  const parts: string[] = [];
  const loads: string[] = [];
  const skipped: JinjaSegment[] = [];
  for (const s of segments) {
    if (s.kind === 'data') parts.push(s.text);
    else if (s.kind === 'variable') {
      const text = `{{ ${expressionText(s.tokens)} }}`;
      if (accepts === undefined || accepts(text)) parts.push(text);
      else skipped.push(s);
    } else if (s.kind === 'block') {
      const text = blockText(s.tokens, loads);
      const repaired = accepts === undefined ? text : repairBlock(s.tokens, text, accepts);
      if (repaired !== text) skipped.push(s);
      parts.push(repaired);
    }
    // comments and raw blocks: not code
  }
  return { source: parts.join(''), loads, skipped };
}

/** A block tag the parser accepts: itself when it does, else a neutral stand-in keeping the structure. */
function repairBlock(
  tokens: readonly JinjaToken[],
  text: string,
  accepts: (source: string) => boolean,
): string {
  const head = tokens[0];
  const keyword = head?.kind === 'name' ? head.value : '';
  const opens = (end: string) => accepts(`${text}{% ${end} %}`);
  switch (keyword) {
    case 'if':
      return opens('endif') ? text : '{% if true %}';
    case 'elif':
      return accepts(`{% if true %}${text}{% endif %}`) ? text : '{% elif true %}';
    case 'for':
      return opens('endfor') ? text : '{% for _ in [] %}';
    case 'macro': {
      const name = tokens[1];
      return opens('endmacro') ? text : `{% macro ${name?.kind === 'name' ? name.value : '_'}() %}`;
    }
    case 'call':
      return opens('endcall') ? text : '{% call _() %}';
    case 'filter':
      return opens('endfilter') ? text : '{% filter string %}';
    case 'set':
      if (tokens.some((t) => t.kind === 'operator' && t.value === '=')) return accepts(text) ? text : '';
      return opens('endset') ? text : '{% set _ %}';
    default:
      if (STRUCTURAL.has(keyword)) return text;
      return accepts(text) ? text : '';
  }
}

function blockText(tokens: readonly JinjaToken[], loads: string[]): string {
  const [head, ...rest] = tokens;
  const keyword = head?.kind === 'name' ? head.value : '';
  const output = (ts: readonly JinjaToken[]) => (ts.length === 0 ? '' : `{{ ${expressionText(ts)} }}`);
  switch (keyword) {
    case 'with':
      // {% with a = x, b = y %} binds names for its body: sets, for analysis.
      return splitTopLevel(rest)
        .filter((p) => p.length > 0)
        .map((p) => `{% set ${expressionText(p)} %}`)
        .join('');
    case 'endwith':
    case 'endblock':
    case 'endautoescape':
      return '';
    case 'block':
      return '';
    case 'do':
    case 'autoescape':
      return output(rest);
    case 'for': {
      // `recursive` ends a for statement that may call `loop(...)`; the library has no such keyword.
      const last = rest[rest.length - 1];
      const body = isName(last, 'recursive') ? rest.slice(0, -1) : rest;
      return `{% for ${expressionText(body)} %}`;
    }
    case 'include':
    case 'extends':
    case 'import':
    case 'from': {
      loads.push(`{% ${keyword} ${expressionText(rest)} %}`);
      // The loaded name is an expression up to the clause keywords.
      const stop = rest.findIndex(
        (t) =>
          isName(t, 'import') ||
          isName(t, 'as') ||
          isName(t, 'ignore') ||
          isName(t, 'with') ||
          isName(t, 'without'),
      );
      const target = stop < 0 ? rest : rest.slice(0, stop);
      const alias = keyword === 'import' && isName(rest[stop], 'as') ? rest[stop + 1] : undefined;
      if (alias?.kind === 'name') return `{% set ${alias.value} = ${expressionText(target)} %}`;
      return output(target);
    }
    default:
      return `{% ${expressionText(tokens)} %}`;
  }
}
