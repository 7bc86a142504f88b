/**
 * PEP 508 dependency specifiers (https://peps.python.org/pep-0508/, now the "Dependency specifiers" page of
 * the PyPA specifications): `name [extras] (versionspec | @ url) ; marker`. Hand-written because no npm
 * library parses them; a single left-to-right scan with no backtracking, so any input costs linear time.
 * Markers are kept as written (only checked for balanced quotes and parentheses): matching never evaluates
 * them, it reports them.
 */

/** A requirement longer than this is refused: real ones (a long direct URL with a hash) stay far below. */
export const MAX_REQUIREMENT_LENGTH = 16 * 1024;
/** Extras named by one requirement; a longer list is garbage or an attempt to blow up output. */
export const MAX_EXTRAS = 64;

export interface Pep508Requirement {
  /** The name as written. */
  readonly name: string;
  /** Extras as written, in order, duplicates removed. */
  readonly extras: readonly string[];
  /** Version clauses joined by `,` with whitespace removed (`>=1.0,<2`); `''` when there is none. */
  readonly specifier: string;
  /** The direct reference after `@`, when the requirement is a URL requirement. */
  readonly url?: string;
  /** The environment marker after `;`, trimmed, as written. */
  readonly marker?: string;
}

/** PEP 508 `version_cmp`, longest first so `===` is not read as `==` followed by `=`. */
const COMPARISON_OPERATORS = ['===', '~=', '==', '!=', '<=', '>=', '<', '>'] as const;

/**
 * Parses one PEP 508 requirement. Never throws: a string that is not a requirement gives `{ error }`
 * saying what is wrong, for the caller to report with its file and entry.
 */
export function parsePep508(line: string): Pep508Requirement | { error: string } {
  if (line.length > MAX_REQUIREMENT_LENGTH) {
    return { error: `requirement longer than ${MAX_REQUIREMENT_LENGTH} characters` };
  }
  const text = line.trim();
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  };

  // name = letterOrDigit ( (letterOrDigit | [-_.])* letterOrDigit )?
  const nameStart = i;
  while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
  const name = text.slice(nameStart, i);
  if (!isValidName(name)) {
    return { error: name === '' ? 'no package name' : `invalid package name ${quoteShort(name)}` };
  }
  skipSpace();

  const extras: string[] = [];
  if (text[i] === '[') {
    const close = text.indexOf(']', i + 1);
    if (close < 0) return { error: 'unclosed "[" in extras' };
    const inner = text.slice(i + 1, close).trim();
    const seen = new Set<string>();
    if (inner !== '') {
      for (const part of inner.split(',')) {
        const extra = part.trim();
        if (!isValidName(extra)) return { error: `invalid extra ${quoteShort(extra)}` };
        if (!seen.has(extra)) {
          seen.add(extra);
          extras.push(extra);
        }
        if (extras.length > MAX_EXTRAS) return { error: `more than ${MAX_EXTRAS} extras` };
      }
    }
    i = close + 1;
    skipSpace();
  }

  // url_req: '@' wsp* URI, and the marker after a URL needs whitespace before ';' (PEP 508 grammar
  // `urlspec (wsp+ | end) quoted_marker?`), because ';' is legal inside a URI.
  if (text[i] === '@') {
    i++;
    skipSpace();
    const urlStart = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    const url = text.slice(urlStart, i);
    if (url === '') return { error: 'no URL after "@"' };
    skipSpace();
    if (i === text.length) return { name, extras, specifier: '', url };
    if (text[i] !== ';') return { error: `unexpected text after URL: ${quoteShort(text.slice(i))}` };
    const marker = checkMarker(text.slice(i + 1));
    if (typeof marker !== 'string') return marker;
    return { name, extras, specifier: '', url, marker };
  }

  // versionspec = '(' version_many ')' | version_many; it ends at ';' or at the end.
  let specText: string;
  if (text[i] === '(') {
    const close = text.indexOf(')', i + 1);
    if (close < 0) return { error: 'unclosed "(" in version specifier' };
    specText = text.slice(i + 1, close);
    i = close + 1;
    skipSpace();
    if (i < text.length && text[i] !== ';') {
      return { error: `unexpected text after version specifier: ${quoteShort(text.slice(i))}` };
    }
  } else {
    const semicolon = text.indexOf(';', i);
    const end = semicolon < 0 ? text.length : semicolon;
    specText = text.slice(i, end);
    i = end;
  }
  const specifier = normaliseSpecifier(specText);
  if (typeof specifier !== 'string') return specifier;
  if (i >= text.length) return { name, extras, specifier };
  const marker = checkMarker(text.slice(i + 1));
  if (typeof marker !== 'string') return marker;
  return { name, extras, specifier, marker };
}

/**
 * The version a specifier pins exactly (`==1.2.3`, `===1.2.3`), or `undefined` when it only constrains.
 * A wildcard (`==1.2.*`) or any second clause makes it a range (PEP 440 "Version matching").
 */
export function exactPin(specifier: string): string | undefined {
  if (specifier.includes(',')) return undefined;
  const match = /^(===|==)([^*]+)$/.exec(specifier);
  return match?.[2];
}

/** Checks and normalises `version_many`: each clause an operator and a version, whitespace removed. */
function normaliseSpecifier(specText: string): string | { error: string } {
  const trimmed = specText.trim();
  if (trimmed === '') return '';
  const clauses: string[] = [];
  for (const raw of trimmed.split(',')) {
    const clause = raw.trim();
    const operator = COMPARISON_OPERATORS.find((op) => clause.startsWith(op));
    if (operator === undefined) return { error: `invalid version clause ${quoteShort(clause)}` };
    const version = clause.slice(operator.length).trim();
    // PEP 440 versions use letters, digits and `.+!-_*`; `===` allows any string without whitespace.
    const versionPattern = operator === '===' ? /^[^\s,;]+$/ : /^[A-Za-z0-9.+!_*-]+$/;
    if (!versionPattern.test(version)) return { error: `invalid version in clause ${quoteShort(clause)}` };
    clauses.push(`${operator}${version}`);
  }
  return clauses.join(',');
}

/** A marker is kept as written; only an empty one or unbalanced quotes or parentheses are refused. */
function checkMarker(raw: string): string | { error: string } {
  const marker = raw.trim();
  if (marker === '') return { error: 'empty environment marker after ";"' };
  let depth = 0;
  let quote: string | undefined;
  for (const ch of marker) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
      if (depth < 0) return { error: `unbalanced ")" in marker ${quoteShort(marker)}` };
    }
  }
  if (quote !== undefined) return { error: `unclosed string in marker ${quoteShort(marker)}` };
  if (depth !== 0) return { error: `unbalanced "(" in marker ${quoteShort(marker)}` };
  return marker;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isNameChar(code: number): boolean {
  return isAlnum(code) || code === 0x2d || code === 0x2e || code === 0x5f;
}

/** PEP 508 `identifier`: starts and ends with a letter or digit, `-_.` only inside. */
export function isValidName(name: string): boolean {
  if (name === '' || name.length > 256) return false;
  if (!isAlnum(name.charCodeAt(0)) || !isAlnum(name.charCodeAt(name.length - 1))) return false;
  for (let k = 0; k < name.length; k++) if (!isNameChar(name.charCodeAt(k))) return false;
  return true;
}

function quoteShort(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
