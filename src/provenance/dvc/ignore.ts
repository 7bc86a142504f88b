/**
 * What DVC leaves out of a directory it hashes (dvc/ignore.py `DvcIgnoreFilter`, `DvcIgnorePatterns`).
 *
 * - Always: `.hg/`, `.git/`, `.git` and `.dvc/` at any depth (DVC 2 had no bare `.git`, so a `.git`
 *   file, a worktree or submodule link, was hashed by DVC 2 and is not by DVC 3), and sub-repositories:
 *   folders below the project root that hold a `.dvc` entry.
 * - `.dvcignore` files, in gitignore syntax as python-pathspec's `GitWildMatchPattern` (0.10-0.12) reads
 *   it, in the project root and any folder below; patterns of a file apply to paths below its folder. Each
 *   line is stripped; empty lines and lines starting with `#` are skipped. The last matching pattern
 *   decides (`!` re-includes), patterns ending in `/` match folders only, and nothing below an ignored
 *   folder comes back. A `.dvcignore` that an earlier pattern ignores is not read.
 *
 * Matching differs from Python's `re` only for file names with line breaks.
 */

/** A compiled pattern: gitwildmatch semantics, as a regular expression over `/`-separated paths. */
export interface CompiledPattern {
  /** The pattern as a regular expression, for reading and testing; matching uses {@link matches}. */
  readonly regex: RegExp;
  /**
   * Whether a path matches, in time linear in the path's length (see {@link compileMatcher}): the regular
   * expression backtracks, and a `.dvcignore` of a repository someone else wrote (`**\/a/**\/a/**\/b`,
   * `*a*a*a*b`) with paths made for it would otherwise take minutes per path.
   */
  readonly matches: (path: string) => boolean;
  /** True for a pattern that ignores, false for a `!` pattern that re-includes. */
  readonly ignore: boolean;
  /** The pattern ends in `/` and only matches folders. */
  readonly dirOnly: boolean;
}

/** Thrown text for a pattern pathspec would refuse. */
export class InvalidPatternError extends Error {}

const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/g;

/**
 * A piece of a compiled pattern: one character out of a set (its regex text, a test, how many times), or
 * an optional group. Patterns are built from these, and both the regex and the matcher are made from them.
 */
type Atom =
  | {
      readonly kind: 'set';
      readonly source: string;
      readonly test: (char: string) => boolean;
      readonly repeat: '' | '*' | '+';
    }
  | { readonly kind: 'optional'; readonly body: readonly Atom[] };

function literal(char: string): Atom {
  return { kind: 'set', source: char.replace(REGEX_SYNTAX, '\\$&'), test: (c) => c === char, repeat: '' };
}
const notSlash = (repeat: '' | '*' | '+'): Atom => ({
  kind: 'set',
  source: '[^/]',
  test: (c) => c !== '/',
  repeat,
});
/** `.` of Python's `re` without DOTALL: anything but a newline. */
const ANY = '[^\\n]';
const anyChar = (repeat: '' | '*' | '+'): Atom => ({
  kind: 'set',
  source: ANY,
  test: (c) => c !== '\n',
  repeat,
});
const optional = (...body: Atom[]): Atom => ({ kind: 'optional', body });

function atomsSource(atoms: readonly Atom[]): string {
  return atoms
    .map((a) => (a.kind === 'set' ? `${a.source}${a.repeat}` : `(?:${atomsSource(a.body)})?`))
    .join('');
}

/** One path segment's glob (pathspec `_translate_segment_glob`, after `fnmatch.translate`). */
function segmentGlob(glob: string): Atom[] {
  // By code point, as the regex (`u` flag) and the matcher read paths.
  const chars = Array.from(glob);
  const out: Atom[] = [];
  let i = 0;
  let escaping = false;
  while (i < chars.length) {
    const char = chars[i++] as string;
    if (escaping) {
      escaping = false;
      out.push(literal(char));
    } else if (char === '\\') escaping = true;
    else if (char === '*') out.push(notSlash('*'));
    else if (char === '?') out.push(notSlash(''));
    else if (char === '[') {
      let j = i;
      if (j < chars.length && (chars[j] === '!' || chars[j] === '^')) j++;
      if (j < chars.length && chars[j] === ']') j++;
      while (j < chars.length && chars[j] !== ']') j++;
      if (j < chars.length) {
        j++;
        let expr = '[';
        if (chars[i] === '!' || chars[i] === '^') {
          expr += '^';
          i++;
        }
        // A `]` first in the set is a member in Python's `re`; JavaScript needs it escaped.
        const members = chars.slice(i, j).join('').replace(/\\/g, '\\\\');
        expr += members.startsWith(']') ? `\\${members}` : members;
        let set: RegExp;
        try {
          set = new RegExp(`^${expr}$`, 'u');
        } catch (error) {
          throw new InvalidPatternError(`not a valid pattern: ${glob} (${(error as Error).message})`);
        }
        // A class matches one character: testing it alone cannot backtrack.
        out.push({ kind: 'set', source: expr, test: (c) => set.test(c), repeat: '' });
        i = j;
      } else out.push(literal('['));
    } else out.push(literal(char));
  }
  if (escaping) throw new InvalidPatternError(`ends in an escape with nothing to escape: ${glob}`);
  return out;
}

/** Most states of one pattern's matcher: a `.dvcignore` line of a megabyte is not a pattern. */
export const MAX_PATTERN_STATES = 10_000;

type State =
  | { readonly kind: 'char'; readonly test: (char: string) => boolean; next: number }
  | { readonly kind: 'split'; a: number; b: number }
  | { readonly kind: 'match' };

/**
 * A matcher for a whole path (the regex's `^...$`) that runs in O(path × pattern) whatever the input: the
 * atoms as a Thompson NFA, simulated one code point at a time over the set of live states, never
 * backtracking.
 */
function compileMatcher(atoms: readonly Atom[]): (path: string) => boolean {
  const states: State[] = [{ kind: 'match' }];
  const build = (list: readonly Atom[], next: number): number => {
    let at = next;
    for (let k = list.length - 1; k >= 0; k--) at = buildAtom(list[k] as Atom, at);
    return at;
  };
  const push = (state: State): number => {
    if (states.length >= MAX_PATTERN_STATES)
      throw new InvalidPatternError(`longer than ${MAX_PATTERN_STATES} pattern elements`);
    states.push(state);
    return states.length - 1;
  };
  const buildAtom = (atom: Atom, next: number): number => {
    if (atom.kind === 'optional') {
      const body = build(atom.body, next);
      return push({ kind: 'split', a: body, b: next });
    }
    if (atom.repeat === '') return push({ kind: 'char', test: atom.test, next });
    // x* : split(x → split, next); x+ : x → split(x, next).
    const split = push({ kind: 'split', a: -1, b: next });
    const char = push({ kind: 'char', test: atom.test, next: split });
    (states[split] as { a: number }).a = char;
    return atom.repeat === '*' ? split : char;
  };
  const start = build(atoms, 0);
  const seen = new Int32Array(states.length).fill(-1);
  return (path: string): boolean => {
    let generation = 0;
    let current: number[] = [];
    const add = (list: number[], index: number): void => {
      // Iterative closure over split states; `seen` keeps each state once per step.
      const stack = [index];
      while (stack.length > 0) {
        const i = stack.pop() as number;
        if (seen[i] === generation) continue;
        seen[i] = generation;
        const state = states[i] as State;
        if (state.kind === 'split') stack.push(state.b, state.a);
        else list.push(i);
      }
    };
    seen.fill(-1);
    add(current, start);
    for (const char of path) {
      generation++;
      const next: number[] = [];
      for (const i of current) {
        const state = states[i] as State;
        if (state.kind === 'char' && state.test(char)) add(next, state.next);
      }
      if (next.length === 0) return false;
      current = next;
    }
    return current.some((i) => (states[i] as State).kind === 'match');
  };
}

/**
 * Compiles a gitignore pattern the way pathspec's `GitWildMatchPattern.pattern_to_regex` (0.12.1) does;
 * null for comments and blank patterns. Throws {@link InvalidPatternError} for patterns it refuses.
 */
export function compileGitWildMatch(line: string): CompiledPattern | null {
  const parsed = patternAtoms(line);
  if (parsed === null) return null;
  const { atoms, ignore, dirOnly } = parsed;
  const source = `^${atomsSource(atoms)}$`;
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch (error) {
    throw new InvalidPatternError(`not a valid pattern: ${line} (${(error as Error).message})`);
  }
  return { regex, matches: hybridMatcher(regex, atoms), ignore, dirOnly };
}

/** The linear-time matcher of a pattern alone (tests compare it with the regex); null for a comment. */
export function linearMatcher(line: string): ((path: string) => boolean) | null {
  const parsed = patternAtoms(line);
  return parsed === null ? null : compileMatcher(parsed.atoms);
}

function patternAtoms(line: string): { atoms: Atom[]; ignore: boolean; dirOnly: boolean } | null {
  let pattern = line.endsWith('\\ ') ? line.trimStart() : line.trim();
  if (pattern === '' || pattern.startsWith('#') || pattern === '/') return null;
  let ignore = true;
  if (pattern.startsWith('!')) {
    ignore = false;
    pattern = pattern.slice(1);
  }
  const segs = pattern.split('/');
  for (let i = segs.length - 1; i > 0; i--) if (segs[i - 1] === '**' && segs[i] === '**') segs.splice(i, 1);
  let override: Atom[] | undefined;
  // `**/` matches every folder below the root but no file in it.
  if (segs.length === 2 && segs[0] === '**' && segs[1] === '')
    override = [anyChar('+'), literal('/'), anyChar('*')];
  if (segs[0] === '') segs.shift();
  else if (segs.length === 1 || (segs.length === 2 && segs[1] === '')) {
    // A pattern without a slash (other than a trailing one) matches at any depth.
    if (segs[0] !== '**') segs.unshift('**');
  }
  if (segs.length === 0) throw new InvalidPatternError(`not a pattern: ${line}`);
  if (segs[segs.length - 1] === '' && segs.length > 1) segs[segs.length - 1] = '**';
  let atoms = override;
  if (atoms === undefined) {
    atoms = [];
    let needSlash = false;
    const end = segs.length - 1;
    for (const [i, seg] of segs.entries()) {
      if (seg === '**') {
        if (i === 0 && i === end) atoms.push(notSlash('+'), optional(literal('/'), anyChar('*')));
        else if (i === 0) {
          atoms.push(optional(anyChar('+'), literal('/')));
          needSlash = false;
        } else if (i === end)
          atoms.push(literal('/'), anyChar('*')); // pathspec names the slash for directory patterns; the match is the same
        else {
          atoms.push(optional(literal('/'), anyChar('+')));
          needSlash = true;
        }
        continue;
      }
      if (needSlash) atoms.push(literal('/'));
      if (seg === '*') atoms.push(notSlash('+'));
      else atoms.push(...segmentGlob(seg));
      if (i === end) atoms.push(optional(literal('/'), anyChar('*')));
      needSlash = true;
    }
  }
  return { atoms, ignore, dirOnly: pattern.endsWith('/') };
}

/**
 * Backtracking steps allowed to the regular expression: with `q` repeated elements, a path of `n`
 * characters can be split among them in C(n + q, q) ways, which bounds what a backtracking match tries.
 * Under the budget the (much faster) regex is used; over it, the linear-time matcher.
 */
export const REGEX_SPLIT_BUDGET = 100_000;

function repeats(atoms: readonly Atom[]): number {
  let q = 0;
  for (const a of atoms) q += a.kind === 'optional' ? repeats(a.body) : a.repeat === '' ? 0 : 1;
  return q;
}

/** Whether C(n + q, q) stays within the budget (computed step by step, stopping once it does not). */
function withinBudget(n: number, q: number): boolean {
  let ways = 1;
  for (let k = 1; k <= q; k++) {
    ways = (ways * (n + k)) / k;
    if (ways > REGEX_SPLIT_BUDGET) return false;
  }
  return true;
}

function hybridMatcher(regex: RegExp, atoms: readonly Atom[]): (path: string) => boolean {
  const q = repeats(atoms);
  const linear = compileMatcher(atoms);
  return (path) => (withinBudget(path.length, q) ? regex.test(path) : linear(path));
}

/** A pattern with the folder its `.dvcignore` sits in. */
export interface IgnoreRule extends CompiledPattern {
  /** Folder of the `.dvcignore`, relative to the project root, `''` for the root. */
  readonly base: string;
  /** Where it came from: `.dvcignore:3` or `default`. */
  readonly source: string;
}

/** dvc/ignore.py `DvcIgnoreFilter.__init__`: `default_ignore_patterns`. */
export const DEFAULT_IGNORE_PATTERNS: readonly string[] = ['.hg/', '.git/', '.git', '.dvc/'];

/** The `.dvcignore` file name (dvc/ignore.py `DvcIgnore.DVCIGNORE_FILE`). */
export const DVCIGNORE_FILE = '.dvcignore';

export interface DvcIgnoreLoad {
  readonly ignore: DvcIgnore;
  /** Lines that are not patterns pathspec would compile, and patterns past the limit. */
  readonly problems: readonly { readonly line: number; readonly message: string }[];
}

/** The ignore rules in effect for a part of the project; immutable, extended per folder. */
export class DvcIgnore {
  readonly rules: readonly IgnoreRule[];

  private constructor(rules: readonly IgnoreRule[]) {
    this.rules = rules;
  }

  /** DVC's default rules, before any `.dvcignore`. */
  static defaults(): DvcIgnore {
    return new DvcIgnore(
      DEFAULT_IGNORE_PATTERNS.map((p) => ({
        ...(compileGitWildMatch(p) as CompiledPattern),
        base: '',
        source: 'default',
      })),
    );
  }

  /** These rules and those of a `.dvcignore` in folder `base` (relative to the root, `''` for the root). */
  withFile(base: string, text: string, file: string, maxRules: number): DvcIgnoreLoad {
    const rules = [...this.rules];
    const problems: { line: number; message: string }[] = [];
    for (const [i, raw] of text.split(/\r?\n|\r/).entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (rules.length >= maxRules) {
        problems.push({
          line: i + 1,
          message: `more than ${maxRules} ignore patterns; the rest are not read`,
        });
        break;
      }
      try {
        const compiled = compileGitWildMatch(line);
        if (compiled) rules.push({ ...compiled, base, source: `${file}:${i + 1}` });
      } catch (error) {
        problems.push({ line: i + 1, message: (error as Error).message });
      }
    }
    return { ignore: new DvcIgnore(rules), problems };
  }

  /**
   * A rule for a sub-repository: folder `path` and everything in it. DVC writes the folder's name into a
   * pattern unescaped (dvc/ignore.py `_update_sub_repo`: `f"/{dname}/"`), so a name with glob characters
   * is matched as a glob here too.
   */
  withSubrepo(path: string): DvcIgnore {
    const slash = path.lastIndexOf('/');
    const base = slash < 0 ? '' : path.slice(0, slash);
    let compiled: CompiledPattern | null;
    try {
      compiled = compileGitWildMatch(`/${path.slice(slash + 1)}/`);
    } catch {
      return this;
    }
    if (!compiled) return this;
    return new DvcIgnore([...this.rules, { ...compiled, base, source: `sub-repository ${path}` }]);
  }

  /** The last rule matching `path` itself (ancestors not considered), or undefined. */
  lastMatch(path: string, isDir: boolean): IgnoreRule | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i] as IgnoreRule;
      if (rule.dirOnly && !isDir) continue;
      let relative: string;
      if (rule.base === '') relative = path;
      else if (path.startsWith(`${rule.base}/`)) relative = path.slice(rule.base.length + 1);
      else continue;
      if (rule.matches(relative) || (isDir && rule.matches(`${relative}/`))) return rule;
    }
    return undefined;
  }

  /** Whether `path` itself is ignored, its ancestors assumed not to be. */
  matchesSelf(path: string, isDir: boolean): boolean {
    return this.lastMatch(path, isDir)?.ignore === true;
  }

  /**
   * Whether DVC ignores `path` (relative to the root, `/`-separated): it or one of its folders is
   * ignored (dvc/ignore.py `DvcIgnorePatterns._ignore`).
   */
  isIgnored(path: string, isDir: boolean): boolean {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.matchesSelf(prefix, isDir || i < parts.length)) return true;
    }
    return false;
  }
}
