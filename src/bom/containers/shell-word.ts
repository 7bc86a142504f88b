/**
 * BuildKit's word lexer (moby/buildkit frontend/dockerfile/shell/lex.go), which expands `$VAR`,
 * `${VAR}`, `${VAR:-default}`, `${VAR:+alt}`, `${VAR?msg}`, `${VAR#pattern}`, `${VAR%pattern}` and removes
 * quotes and escapes in `FROM` and `ARG`, and splits the words of a line when looking for heredocs. It is
 * mirrored branch for branch, because a reader that expands differently from the builder would report a
 * different image from the one that is pulled.
 *
 * Two things differ on purpose: a variable whose value is not known (an `ARG` without a default, a
 * platform variable the builder sets) is never replaced by a guess but recorded as a cause, and the result
 * is then "unresolved"; and `${VAR/pattern/replacement}` is not evaluated (recorded the same way).
 * Nesting depth and result length are bounded, so hostile input costs linear time.
 */

/** Why a variable's value could not be known. */
export type UnresolvedReason =
  /** Declared by `ARG` without a default, or not declared at all: only `--build-arg` gives it a value. */
  | 'no-default'
  /** One of the platform variables the builder sets (`TARGETARCH`, `BUILDPLATFORM`, ...). */
  | 'builder'
  /** `${VAR?message}` or `${VAR:?message}`: the build stops unless `--build-arg` sets it. */
  | 'required'
  /** A substitution pedigree does not evaluate (`${VAR/pattern/replacement}`). */
  | 'unsupported'
  /** An `ARG` whose default the builder cannot expand (a syntax error, reported on its own line). */
  | 'invalid-default';

export interface UnresolvedVariable {
  readonly name: string;
  readonly reason: UnresolvedReason;
}

/** What a variable holds when a word is expanded. Unset variables are `undefined`. */
export type VariableValue =
  | { readonly known: true; readonly value: string }
  | { readonly known: false; readonly because: readonly UnresolvedVariable[] };

export interface ShellWordOptions {
  /** The Dockerfile's escape character (`\` or `` ` ``, set by `# escape=`). */
  readonly escapeToken: string;
  /** Keep quotes in the result (heredoc detection). */
  readonly rawQuotes?: boolean;
  /** Keep escape characters in the result (heredoc detection). */
  readonly rawEscapes?: boolean;
  /** Leave unset variables as written instead of expanding them (heredoc detection). */
  readonly skipUnsetEnv?: boolean;
  readonly lookup: (name: string) => VariableValue | undefined;
  /** Deepest `${a:-${b:-...}}` nesting: stops stack exhaustion. */
  readonly maxDepth: number;
  /** Longest result: stops `ARG B=$A$A`, `ARG C=$B$B`, ... from doubling without end. */
  readonly maxChars: number;
}

export type ShellWordResult =
  | { readonly kind: 'expanded'; readonly value: string; readonly words: readonly string[] }
  | { readonly kind: 'unresolved'; readonly because: readonly UnresolvedVariable[] }
  /** The builder refuses the word (a syntax error), or (`limit`) one of the bounds above was reached. */
  | { readonly kind: 'error'; readonly message: string; readonly limit: boolean };

/** Longest `#`/`%` pattern evaluated; longer ones are not evaluated (the word is unresolved). */
const MAX_PATTERN_CHARS = 1024;

const EOF = -1;
const CHAR_DOLLAR = 0x24;
const CHAR_LT = 0x3c;
const CHAR_SQUOTE = 0x27;
const CHAR_DQUOTE = 0x22;
const CHAR_LBRACE = 0x7b;
const CHAR_RBRACE = 0x7d;
const CHAR_COLON = 0x3a;
const CHAR_SLASH = 0x2f;
const CHAR_BACKSLASH = 0x5c;

/** Go's `unicode.IsSpace`: ASCII and Latin-1 spaces plus Unicode White_Space (JS `\s` differs: it has U+FEFF, lacks U+0085). */
const GO_SPACE_RE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const LETTER_RE = /^\p{L}$/u;
const DIGIT_RE = /^\p{Nd}$/u;

export function isGoSpace(codePoint: number): boolean {
  if (codePoint < 0x80) return codePoint === 0x20 || (codePoint >= 0x09 && codePoint <= 0x0d);
  return GO_SPACE_RE.test(String.fromCodePoint(codePoint));
}

class WordError extends Error {}
/** A limit was reached: reported as it is, never rephrased as a syntax error. */
class LimitError extends WordError {}

/** lex.go `wordsStruct`: splits the result into words on unquoted, unescaped white space. */
class Words {
  private buffer = '';
  private inWord = false;
  readonly words: string[] = [];

  addChar(ch: number): void {
    if (isGoSpace(ch)) {
      if (this.inWord && this.buffer.length > 0) {
        this.words.push(this.buffer);
        this.buffer = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: number): void {
    this.buffer += String.fromCodePoint(ch);
    this.inWord = true;
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch.codePointAt(0) as number);
  }

  addRawString(text: string): void {
    this.buffer += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buffer.length > 0) {
      this.words.push(this.buffer);
      this.buffer = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class Lexer {
  private pos = 0;
  private depth = 0;
  private rawEscapes: boolean;
  private readonly escape: number;
  readonly causes = new Map<string, UnresolvedVariable>();

  constructor(
    private readonly text: string,
    private readonly options: ShellWordOptions,
  ) {
    this.rawEscapes = options.rawEscapes === true;
    this.escape = options.escapeToken.codePointAt(0) ?? CHAR_BACKSLASH;
  }

  private peek(): number {
    return this.pos < this.text.length ? (this.text.codePointAt(this.pos) as number) : EOF;
  }

  private next(): number {
    const ch = this.peek();
    if (ch !== EOF) this.pos += ch > 0xffff ? 2 : 1;
    return ch;
  }

  private cause(variable: UnresolvedVariable): void {
    if (!this.causes.has(variable.name)) this.causes.set(variable.name, variable);
  }

  private checkLength(length: number): void {
    if (length > this.options.maxChars) {
      throw new LimitError(`expands to more than ${this.options.maxChars} characters`);
    }
  }

  /** lex.go `processStopOn`: reads up to `stop` (or the end), expanding as it goes. */
  processStopOn(stop: number, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new Words();
      while (this.peek() !== EOF) {
        let ch = this.peek();
        if (stop !== EOF && ch === stop) {
          this.next();
          return { result, words: words.finish() };
        }
        if (ch === CHAR_DOLLAR || ch === CHAR_LT || ch === CHAR_SQUOTE || ch === CHAR_DQUOTE) {
          const piece =
            ch === CHAR_DOLLAR
              ? this.processDollar()
              : ch === CHAR_LT
                ? this.processPossibleHeredoc()
                : ch === CHAR_SQUOTE
                  ? this.processSingleQuote()
                  : this.processDoubleQuote();
          result += piece;
          if (ch === CHAR_DOLLAR) words.addString(piece);
          else words.addRawString(piece);
        } else {
          ch = this.next();
          if (ch === this.escape) {
            if (this.rawEscapes) {
              words.addRawChar(ch);
              result += String.fromCodePoint(ch);
            }
            ch = this.next();
            if (ch === EOF) break;
            words.addRawChar(ch);
          } else {
            words.addChar(ch);
          }
          result += String.fromCodePoint(ch);
        }
        this.checkLength(result.length);
      }
      if (stop !== EOF) {
        throw new WordError(
          `unexpected end of statement while looking for matching ${String.fromCodePoint(stop)}`,
        );
      }
      return { result, words: words.finish() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; a ' cannot be escaped inside.
    let result = '';
    const open = this.next();
    if (this.options.rawQuotes) result += String.fromCodePoint(open);
    for (;;) {
      const ch = this.next();
      if (ch === EOF)
        throw new WordError('unexpected end of statement while looking for matching single-quote');
      if (ch === CHAR_SQUOTE) {
        if (this.options.rawQuotes) result += "'";
        return result;
      }
      result += String.fromCodePoint(ch);
    }
  }

  private processDoubleQuote(): string {
    // Literal except $, and the escape character before ", $ or itself.
    let result = '';
    const open = this.next();
    if (this.options.rawQuotes) result += String.fromCodePoint(open);
    for (;;) {
      const peeked = this.peek();
      if (peeked === EOF) {
        throw new WordError('unexpected end of statement while looking for matching double-quote');
      }
      if (peeked === CHAR_DQUOTE) {
        this.next();
        if (this.options.rawQuotes) result += '"';
        return result;
      }
      if (peeked === CHAR_DOLLAR) {
        result += this.processDollar();
      } else {
        let ch = this.next();
        if (ch === this.escape) {
          if (this.rawEscapes) result += String.fromCodePoint(ch);
          const after = this.peek();
          if (after === EOF) continue;
          if (after === CHAR_DQUOTE || after === CHAR_DOLLAR || after === this.escape) ch = this.next();
        }
        result += String.fromCodePoint(ch);
      }
      this.checkLength(result.length);
    }
  }

  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== CHAR_LT) return '<';
    this.next();
    // lex.go `isWhitespace`: only tab, CR and space may stand between << and the word.
    let space = '';
    for (let ch = this.peek(); ch === 0x09 || ch === 0x0d || ch === 0x20; ch = this.peek()) {
      space += String.fromCodePoint(this.next());
    }
    return `<<${space}`;
  }

  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
      const char = String.fromCodePoint(ch);
      if (name.length === 0 && DIGIT_RE.test(char)) {
        while (this.peek() !== EOF && DIGIT_RE.test(String.fromCodePoint(this.peek()))) {
          name += String.fromCodePoint(this.next());
        }
        return name;
      }
      // Special parameters (POSIX 2.5.2) are one character long.
      if (name.length === 0 && '@*#?-$!0'.includes(char)) return String.fromCodePoint(this.next());
      if (!LETTER_RE.test(char) && !DIGIT_RE.test(char) && char !== '_') break;
      name += String.fromCodePoint(this.next());
    }
    return name;
  }

  /** The value of `name`, or `undefined` with its cause recorded when it is not known. */
  private valueOf(name: string, reasonWhenUnset: UnresolvedReason = 'no-default'): string | undefined {
    const value = this.options.lookup(name);
    if (value === undefined) {
      this.cause({ name, reason: reasonWhenUnset });
      return undefined;
    }
    if (!value.known) {
      for (const cause of value.because) this.cause(cause);
      return undefined;
    }
    return value.value;
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== CHAR_LBRACE) {
      const name = this.processName();
      if (name === '') return '$';
      if (this.options.skipUnsetEnv && this.options.lookup(name) === undefined) return `$${name}`;
      return this.valueOf(name) ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new WordError("syntax error: missing '}'");
    if (first === CHAR_LBRACE || first === CHAR_RBRACE || first === CHAR_COLON) {
      throw new WordError('syntax error: bad substitution');
    }
    const name = this.processName();
    const ch = this.next();
    if (ch === CHAR_RBRACE) {
      if (this.options.skipUnsetEnv && this.options.lookup(name) === undefined) return `\${${name}}`;
      return this.valueOf(name) ?? '';
    }
    if (ch === CHAR_SLASH) return this.processReplacement(name);
    if (ch === EOF) throw new WordError("syntax error: missing '}'");

    let modifier = String.fromCodePoint(ch);
    let op = ch;
    const nullIsUnset = ch === CHAR_COLON;
    if (nullIsUnset) {
      op = this.next();
      if (op === EOF) throw new WordError("syntax error: missing '}'");
      modifier += String.fromCodePoint(op);
    } else if (!'+-?#%'.includes(modifier)) {
      throw new WordError(`unsupported modifier (${modifier}) in substitution`);
    }
    const opChar = String.fromCodePoint(op);
    const trims = opChar === '#' || opChar === '%';
    if (nullIsUnset && trims) throw new WordError(`unsupported modifier (${modifier}) in substitution`);
    const word = this.nested(() => this.processStopOn(CHAR_RBRACE, trims)).result;

    const value = this.options.lookup(name);
    if (this.options.skipUnsetEnv && value === undefined) return `\${${name}${modifier}${word}}`;
    const isSet = value !== undefined;
    const isEmpty = value?.known === true && value.value === '';
    switch (opChar) {
      case '-':
        // ${VAR-word}: word when unset; ${VAR:-word}: also when empty.
        if (!isSet || (nullIsUnset && isEmpty)) return word;
        return this.valueOf(name) ?? '';
      case '+':
        // ${VAR+word}: word when set; ${VAR:+word}: only when set and not empty.
        if (!isSet || (nullIsUnset && isEmpty)) return '';
        if (!nullIsUnset) return word;
        return this.valueOf(name) === undefined ? '' : word;
      case '?':
        if (!isSet || (nullIsUnset && isEmpty)) {
          this.cause({ name, reason: 'required' });
          return '';
        }
        return this.valueOf(name) ?? '';
      case '#':
      case '%': {
        const known = this.valueOf(name);
        if (known === undefined) return '';
        return this.trim(word, known, opChar);
      }
      default:
        throw new WordError(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** `${VAR/pattern/replacement}` and `${VAR//pattern/replacement}`: read, never evaluated. */
  private processReplacement(name: string): string {
    if (this.peek() === CHAR_SLASH) this.next();
    const pattern = this.nested(() => this.readUntil(CHAR_SLASH, "syntax error: missing '/' in $" + '{}'));
    const replacement = this.nested(() => this.readUntil(CHAR_RBRACE, "syntax error: missing '}'"));
    if (this.options.skipUnsetEnv && this.options.lookup(name) === undefined) {
      return `\${${name}/${pattern}/${replacement}}`;
    }
    if (this.valueOf(name) !== undefined) this.cause({ name, reason: 'unsupported' });
    return '';
  }

  private readUntil(stop: number, missing: string): string {
    try {
      return this.processStopOn(stop, true).result;
    } catch (error) {
      if (this.peek() === EOF && error instanceof WordError && !(error instanceof LimitError)) {
        throw new WordError(missing);
      }
      throw error;
    }
  }

  private nested<T>(read: () => T): T {
    if (++this.depth > this.options.maxDepth) {
      throw new LimitError(`substitutions nested deeper than ${this.options.maxDepth}`);
    }
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  /** `${VAR#p}`/`${VAR##p}` remove the shortest/longest prefix matching p; `%`/`%%` the suffix. */
  private trim(word: string, value: string, op: '#' | '%'): string {
    let pattern = word;
    let greedy = false;
    if (pattern.startsWith(op)) {
      greedy = true;
      pattern = pattern.slice(1);
    }
    if (pattern.length > MAX_PATTERN_CHARS) {
      throw new LimitError(`pattern longer than ${MAX_PATTERN_CHARS} characters`);
    }
    if (op === '#') return value.slice(matchedPrefixLength(parseGlob(pattern), value, greedy));
    // lex.go trimSuffix: reverse both and trim a prefix.
    const reversedValue = [...value].reverse().join('');
    const cut = matchedPrefixLength(parseGlob(reversePattern(pattern)), reversedValue, greedy);
    return [...reversedValue.slice(cut)].reverse().join('');
  }
}

type GlobToken =
  | { readonly type: 'star' }
  | { readonly type: 'any' }
  | { readonly type: 'char'; readonly char: string };

/**
 * lex.go `convertShellPatternToRegex`: `*` any run, `?` one character, `\` escapes `*`, `?` and `\`
 * (and is dropped before `}` and `/`); no bracket expressions. Matched below without regular expressions.
 */
function parseGlob(pattern: string): GlobToken[] {
  const chars = [...pattern];
  const tokens: GlobToken[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '*') tokens.push({ type: 'star' });
    else if (ch === '?') tokens.push({ type: 'any' });
    else if (ch === '\\') {
      const after = chars[i + 1];
      if (after === '}' || after === '/') continue;
      if (after !== '*' && after !== '?' && after !== '\\') {
        throw new WordError(
          `invalid pattern (${pattern}) in substitution: invalid escape '\\${after ?? ''}'`,
        );
      }
      tokens.push({ type: 'char', char: after });
      i++;
    } else tokens.push({ type: 'char', char: ch });
  }
  return tokens;
}

/** lex.go `reversePattern`: reverses a pattern, keeping each `\x` escape in front of its character. */
function reversePattern(pattern: string): string {
  const chars = [...pattern];
  const out: string[] = new Array(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    const ch = chars[i] as string;
    const at = last - i;
    if (ch === '\\' && i !== last) {
      out[at - 1] = ch;
      out[at] = chars[i + 1] as string;
      i += 2;
    } else {
      out[at] = ch;
      i++;
    }
  }
  return out.join('');
}

/**
 * Length (in UTF-16 units) of the shortest or longest prefix of `value` the whole pattern matches, or 0.
 * A set of pattern positions is advanced one character at a time: O(value × pattern), no backtracking.
 * As in Go's regexp, `*` and `?` do not match a newline.
 */
function matchedPrefixLength(tokens: readonly GlobToken[], value: string, greedy: boolean): number {
  const end = tokens.length;
  let states = closure(new Uint8Array(end + 1).fill(0, 0), tokens, [0]);
  let best = states[end] === 1 ? 0 : -1;
  if (best === 0 && !greedy) return 0;
  let offset = 0;
  for (const ch of value) {
    offset += ch.length;
    const reached: number[] = [];
    for (let p = 0; p < end; p++) {
      if (states[p] !== 1) continue;
      const token = tokens[p] as GlobToken;
      if (token.type === 'star') {
        if (ch !== '\n') reached.push(p);
      } else if (token.type === 'any') {
        if (ch !== '\n') reached.push(p + 1);
      } else if (token.char === ch) reached.push(p + 1);
    }
    if (reached.length === 0) break;
    states = closure(new Uint8Array(end + 1), tokens, reached);
    if (states[end] === 1) {
      best = offset;
      if (!greedy) break;
    }
  }
  return Math.max(best, 0);
}

/** Marks the positions and everything reachable from them through `*` matching nothing. */
function closure(states: Uint8Array, tokens: readonly GlobToken[], from: readonly number[]): Uint8Array {
  for (const start of from) {
    for (let p = start; p <= tokens.length && states[p] !== 1; p++) {
      states[p] = 1;
      if (tokens[p]?.type !== 'star') break;
    }
  }
  return states;
}

/**
 * Expands a word as BuildKit's `ProcessWordWithMatches` does (or splits it, for `ProcessWords`). Never
 * throws: syntax errors and limits are an `error` result, unknown variables an `unresolved` one.
 */
export function expandWord(word: string, options: ShellWordOptions): ShellWordResult {
  const lexer = new Lexer(word, options);
  try {
    const { result, words } = lexer.processStopOn(EOF, options.rawEscapes === true);
    if (lexer.causes.size > 0) return { kind: 'unresolved', because: [...lexer.causes.values()] };
    return { kind: 'expanded', value: result, words };
  } catch (error) {
    if (error instanceof WordError) {
      return { kind: 'error', message: error.message, limit: error instanceof LimitError };
    }
    if (error instanceof RangeError)
      return { kind: 'error', message: 'too deeply nested to expand', limit: true };
    throw error;
  }
}
