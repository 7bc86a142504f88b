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
  readonly regex: RegExp;
  /** True for a pattern that ignores, false for a `!` pattern that re-includes. */
  readonly ignore: boolean;
  /** The pattern ends in `/` and only matches folders. */
  readonly dirOnly: boolean;
}

/** Thrown text for a pattern pathspec would refuse. */
export class InvalidPatternError extends Error {}

const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/g;

/** One path segment's glob as a regex (pathspec `_translate_segment_glob`, after `fnmatch.translate`). */
function segmentGlob(glob: string): string {
  let out = '';
  let i = 0;
  let escaping = false;
  while (i < glob.length) {
    const char = glob[i++] as string;
    if (escaping) {
      escaping = false;
      out += char.replace(REGEX_SYNTAX, '\\$&');
    } else if (char === '\\') escaping = true;
    else if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '[') {
      let j = i;
      if (j < glob.length && (glob[j] === '!' || glob[j] === '^')) j++;
      if (j < glob.length && glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j < glob.length) {
        j++;
        let expr = '[';
        if (glob[i] === '!' || glob[i] === '^') {
          expr += '^';
          i++;
        }
        // A `]` first in the set is a member in Python's `re`; JavaScript needs it escaped.
        const members = glob.slice(i, j).replace(/\\/g, '\\\\');
        expr += members.startsWith(']') ? `\\${members}` : members;
        out += expr;
        i = j;
      } else out += '\\[';
    } else out += char.replace(REGEX_SYNTAX, '\\$&');
  }
  if (escaping) throw new InvalidPatternError(`ends in an escape with nothing to escape: ${glob}`);
  return out;
}

/** `.` of Python's `re` without DOTALL: anything but a newline. */
const ANY = '[^\\n]';

/**
 * Compiles a gitignore pattern the way pathspec's `GitWildMatchPattern.pattern_to_regex` (0.12.1) does;
 * null for comments and blank patterns. Throws {@link InvalidPatternError} for patterns it refuses.
 */
export function compileGitWildMatch(line: string): CompiledPattern | null {
  let pattern = line.endsWith('\\ ') ? line.trimStart() : line.trim();
  if (pattern === '' || pattern.startsWith('#') || pattern === '/') return null;
  let ignore = true;
  if (pattern.startsWith('!')) {
    ignore = false;
    pattern = pattern.slice(1);
  }
  const segs = pattern.split('/');
  for (let i = segs.length - 1; i > 0; i--) if (segs[i - 1] === '**' && segs[i] === '**') segs.splice(i, 1);
  let override: string | undefined;
  // `**/` matches every folder below the root but no file in it.
  if (segs.length === 2 && segs[0] === '**' && segs[1] === '') override = `^${ANY}+/${ANY}*$`;
  if (segs[0] === '') segs.shift();
  else if (segs.length === 1 || (segs.length === 2 && segs[1] === '')) {
    // A pattern without a slash (other than a trailing one) matches at any depth.
    if (segs[0] !== '**') segs.unshift('**');
  }
  if (segs.length === 0) throw new InvalidPatternError(`not a pattern: ${line}`);
  if (segs[segs.length - 1] === '' && segs.length > 1) segs[segs.length - 1] = '**';
  let source = override;
  if (source === undefined) {
    source = '^';
    let needSlash = false;
    const end = segs.length - 1;
    for (const [i, seg] of segs.entries()) {
      if (seg === '**') {
        if (i === 0 && i === end) source += `[^/]+(?:/${ANY}*)?`;
        else if (i === 0) {
          source += `(?:${ANY}+/)?`;
          needSlash = false;
        } else if (i === end)
          source += `/${ANY}*`; // pathspec names the slash for directory patterns; the match is the same
        else {
          source += `(?:/${ANY}+)?`;
          needSlash = true;
        }
        continue;
      }
      if (needSlash) source += '/';
      source += seg === '*' ? '[^/]+' : segmentGlob(seg);
      if (i === end) source += `(?:/${ANY}*)?`;
      needSlash = true;
    }
    source += '$';
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch (error) {
    throw new InvalidPatternError(`not a valid pattern: ${line} (${(error as Error).message})`);
  }
  return { regex, ignore, dirOnly: pattern.endsWith('/') };
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
      if (rule.regex.test(relative) || (isDir && rule.regex.test(`${relative}/`))) return rule;
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
