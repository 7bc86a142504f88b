import { posix } from 'node:path';
import { compareStrings } from '../../core/finding.js';
import {
  type DeclaredAt,
  type DependencyFile,
  type DependencyPackage,
  MAX_DEPENDENCY_FILE_BYTES,
  MAX_PACKAGES_PER_FILE,
  type PackageHash,
  type PackageSource,
  type ReadProblem,
} from '../model.js';
import { normalisePypiName, purlFor } from '../names.js';
import { parseVersion, versionsEqual } from '../pep440.js';

/**
 * pip requirements files (`requirements*.txt`, constraints files), read as pip reads them. Spec: pip docs
 * "Requirements File Format" (https://pip.pypa.io/en/stable/reference/requirements-file-format/), PEP 508
 * for each requirement, PEP 440 for versions; where the docs are silent, pip's own
 * `src/pip/_internal/req/req_file.py` (line joining, comments, `${VAR}`, options) is followed.
 *
 * Decisions:
 * - Only `==V` without a wildcard and `===V` pin a version; everything else is unresolved, with the
 *   specifier (or URL, or path) in `requirement`. A wheel filename (`name-1.0-py3-none-any.whl`) names one
 *   exact version, so a wheel URL or path is resolved from its filename.
 * - Constraints (`-c`) add no packages of their own: a constraint that pins a package an unpinned
 *   requirement names gives that requirement its version (as pip would install). Constraints that apply to
 *   nothing in the tree are still listed (they may pin a transitive package), with `groups: ['constraint']`
 *   and `direct: false`, so a consumer can tell them apart.
 * - pip-compile / `uv pip compile` `# via` annotations set `direct` (true for `-r file` or `project (file)`,
 *   false when only other packages pull it in) and fill the parent's `dependencies` (reverse edges).
 * - `--index-url` applies to the whole install (pip sets the finder's index globally, the last one wins):
 *   it becomes the source URL of every registry package. Credentials in any URL are dropped before output.
 * - A local path names no project until it is built: such a package is listed under the path as written,
 *   unresolved, so it is reported but never matched.
 * - `-e` on a path sets `source.editable`; an editable VCS checkout (the VCS source has no such field) gets
 *   `groups: ['editable']`.
 */

/** Deepest `-r`/`-c` nesting followed: a chain of includes deeper than this is a loop or an attack. */
export const MAX_INCLUDE_DEPTH = 16;
/** Most files pulled in through `-r`/`-c` from one root file (each is read once per role). */
export const MAX_INCLUDED_FILES = 256;
/** Longest logical line (after `\` continuations); pip-compile lines with many hashes stay far below. */
export const MAX_LOGICAL_LINE_CHARS = 1024 * 1024;
/** Longest excerpt of input quoted in a problem message. */
const MAX_QUOTE_CHARS = 120;

export interface RequirementsOptions {
  /**
   * Loads an included file by its POSIX path (already joined with the including file's directory);
   * `undefined` when it cannot. The caller confines paths to the scan root; this reader does no I/O.
   */
  readonly load?: (path: string) => string | undefined;
  /** Environment for `${VAR}` expansion; pip reads the process environment, a scan passes it explicitly. */
  readonly env?: Readonly<Record<string, string>>;
  /** Overrides for the named limits. */
  readonly limits?: Partial<RequirementsLimits>;
  /** Format name reported; `requirements` unless a caller (conda's `pip:` list) reads on its behalf. */
  readonly format?: string;
  /**
   * Maps a line of `text` to the line reported (the conda reader feeds its `pip:` entries as one text);
   * `undefined` drops the line number.
   */
  readonly mapRootLine?: (line: number) => number | undefined;
}

export interface RequirementsLimits {
  readonly maxIncludeDepth: number;
  readonly maxIncludedFiles: number;
  readonly maxLogicalLineChars: number;
  readonly maxFileBytes: number;
  readonly maxPackages: number;
}

const DEFAULT_LIMITS: RequirementsLimits = {
  maxIncludeDepth: MAX_INCLUDE_DEPTH,
  maxIncludedFiles: MAX_INCLUDED_FILES,
  maxLogicalLineChars: MAX_LOGICAL_LINE_CHARS,
  maxFileBytes: MAX_DEPENDENCY_FILE_BYTES,
  maxPackages: MAX_PACKAGES_PER_FILE,
};

/** A package while it is being read: mutable until the tree is done (constraints, `# via`). */
export interface DraftPackage {
  ecosystem: DependencyPackage['ecosystem'];
  name: string;
  normalizedName: string;
  version?: string;
  requirement?: string;
  source: PackageSource;
  hashes: PackageHash[];
  marker?: string;
  extras: string[];
  groups: string[];
  direct?: boolean;
  dependencies: Set<string>;
  license?: string;
  declaredAt: DeclaredAt;
}

/** Freezes a draft into the model, adding the purl of a resolved package. */
export function toPackage(draft: DraftPackage): DependencyPackage {
  const pkg: DependencyPackage = {
    ecosystem: draft.ecosystem,
    name: draft.name,
    normalizedName: draft.normalizedName,
    ...(draft.version !== undefined ? { version: draft.version } : {}),
    ...(draft.version === undefined && draft.requirement !== undefined
      ? { requirement: draft.requirement }
      : {}),
    source: draft.source,
    hashes: draft.hashes,
    ...(draft.marker !== undefined ? { marker: draft.marker } : {}),
    extras: draft.extras,
    groups: [...new Set(draft.groups)].sort(),
    ...(draft.direct !== undefined ? { direct: draft.direct } : {}),
    dependencies: [...draft.dependencies].sort(),
    ...(draft.license !== undefined ? { license: draft.license } : {}),
    ...(draft.version !== undefined
      ? { purl: purlFor(draft.ecosystem, purlName(draft), draft.version) }
      : {}),
    declaredAt: draft.declaredAt,
  };
  return pkg;
}

/** PyPI purls use the normalised name (which the conda reader maps to the PyPI project). */
function purlName(draft: DraftPackage): string {
  return draft.ecosystem === 'PyPI' ? draft.normalizedName : draft.name;
}

/** Deterministic order for every reader's output: normalised name, version, file, line. */
export function comparePackages(a: DependencyPackage, b: DependencyPackage): number {
  return (
    compareStrings(a.normalizedName, b.normalizedName) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    compareStrings(a.declaredAt.file, b.declaredAt.file) ||
    (a.declaredAt.line ?? 0) - (b.declaredAt.line ?? 0) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.requirement ?? '', b.requirement ?? '')
  );
}

/** Quotes untrusted input in a message, cut short. */
export function quote(text: string): string {
  const cut = text.length > MAX_QUOTE_CHARS ? `${text.slice(0, MAX_QUOTE_CHARS)}…` : text;
  return JSON.stringify(cut);
}

/** Drops `user:password@` from a URL, so index tokens never reach a report or a BOM. */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@?#]*@/, '$1');
}

// PEP 508 "Names": ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$ (case-insensitive).
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?';
const NAME_RE = new RegExp(`^${NAME}$`);
/** Name, then optional extras, at the start of a PEP 508 requirement (anchored, so linear). */
const NAME_EXTRAS_RE = new RegExp(`^(${NAME})[ \\t]*(?:\\[([^\\]]*)\\])?[ \\t]*`);
/** PEP 440 comparison operators, longest first so `===` is not read as `==`. */
const SPEC_CLAUSE_RE = /^(~=|===|==|!=|<=|>=|<|>)[ \t]*([A-Za-z0-9._+!*-]+)$/;
// pip's ENV_VAR_RE: only `${NAME}` with upper-case letters, digits and `_` (POSIX names), nothing else.
const ENV_VAR_RE = /\$\{([A-Z0-9_]+)\}/g;
/** pip's SCHEME_RE for includes that are URLs. */
const REMOTE_RE = /^(?:http|https|file):/i;
/** Schemes pip treats as links (`is_url`): archives plus the VCS schemes of its backends. */
const LINK_SCHEME_RE = /^(?:https?|file|ftp|(?:git|hg|svn|bzr)\+[A-Za-z]+|git|svn|bzr):/i;
const VCS_SCHEME_RE = /^(?:(?:git|hg|svn|bzr)\+[A-Za-z]+|git|svn|bzr):/i;
/** pip's STRONG_HASHES: `--hash` refuses anything else. */
const HASH_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const COMMIT_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

type OptionName =
  | 'index-url'
  | 'extra-index-url'
  | 'no-index'
  | 'constraint'
  | 'requirement'
  | 'editable'
  | 'find-links'
  | 'no-binary'
  | 'only-binary'
  | 'prefer-binary'
  | 'require-hashes'
  | 'pre'
  | 'trusted-host'
  | 'use-feature'
  | 'global-option'
  | 'hash'
  | 'config-settings';

/** pip's SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ, with whether each takes a value. */
const OPTIONS: ReadonlyMap<OptionName, { readonly value: boolean; readonly short?: string }> = new Map([
  ['index-url', { value: true, short: 'i' }],
  ['extra-index-url', { value: true }],
  ['no-index', { value: false }],
  ['constraint', { value: true, short: 'c' }],
  ['requirement', { value: true, short: 'r' }],
  ['editable', { value: true, short: 'e' }],
  ['find-links', { value: true, short: 'f' }],
  ['no-binary', { value: true }],
  ['only-binary', { value: true }],
  ['prefer-binary', { value: false }],
  ['require-hashes', { value: false }],
  ['pre', { value: false }],
  ['trusted-host', { value: true }],
  ['use-feature', { value: true }],
  ['global-option', { value: true }],
  ['hash', { value: true }],
  ['config-settings', { value: true }],
]);

type Role = 'requirement' | 'constraint';

interface LogicalLine {
  readonly line: number;
  readonly text: string;
  /** Comment text (after `#`) on this line and on the comment-only lines that follow it. */
  readonly comments: string[];
}

interface ReadEntry {
  readonly draft: DraftPackage;
  readonly role: Role;
  readonly via: readonly string[];
}

interface TreeState {
  readonly root: string;
  readonly options: RequirementsOptions;
  readonly limits: RequirementsLimits;
  readonly entries: ReadEntry[];
  readonly problems: ReadProblem[];
  readonly includes: string[];
  readonly seen: Set<string>;
  indexUrl: string | undefined;
  noIndex: boolean;
  packageLimitReported: boolean;
}

/** Reads a pip requirements file and, through `options.load`, the files it includes with `-r` and `-c`. */
export function readRequirements(
  file: string,
  text: string,
  options: RequirementsOptions = {},
): DependencyFile {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const state: TreeState = {
    root: file,
    options,
    limits,
    entries: [],
    problems: [],
    includes: [],
    seen: new Set([`requirement:${file}`]),
    indexUrl: undefined,
    noIndex: false,
    packageLimitReported: false,
  };
  readOneFile(state, file, text, 'requirement', [file]);
  const packages = finishTree(state);
  return {
    path: file,
    format: options.format ?? 'requirements',
    packages,
    problems: state.problems,
    includes: state.includes,
  };
}

function readOneFile(
  state: TreeState,
  file: string,
  text: string,
  role: Role,
  stack: readonly string[],
): void {
  const lineOf = (line: number): number | undefined =>
    file === state.root && state.options.mapRootLine ? state.options.mapRootLine(line) : line;
  const problem = (line: number | undefined, message: string): void => {
    const reported = line === undefined ? undefined : lineOf(line);
    state.problems.push({ file, ...(reported !== undefined ? { line: reported } : {}), message });
  };
  if (text.length > state.limits.maxFileBytes) {
    problem(undefined, `file is larger than ${state.limits.maxFileBytes} bytes: not read`);
    return;
  }
  for (const logical of toLogicalLines(text, state.limits.maxLogicalLineChars, problem)) {
    const expanded = expandEnv(logical.text, state.options.env ?? {}, (name) =>
      problem(logical.line, `environment variable \${${name}} is not set: kept as written`),
    );
    readLine(state, file, role, stack, { ...logical, text: expanded }, lineOf, problem);
  }
}

/**
 * pip's `preprocess`: split lines as Python's `str.splitlines` does, join `\`-continued lines (a comment
 * line ends a continuation), strip comments (`#` at the start or after whitespace), drop empty lines.
 * Comment text is kept for `# via` annotations, attached to the line before it.
 */
function toLogicalLines(
  text: string,
  maxChars: number,
  problem: (line: number | undefined, message: string) => void,
): LogicalLine[] {
  const physical = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  const out: LogicalLine[] = [];
  let pending: string[] = [];
  let pendingLength = 0;
  let pendingLine = 0;
  let tooLong = false;
  const emit = (line: number, joined: string): void => {
    if (tooLong) {
      problem(line, `logical line is longer than ${maxChars} characters: not read`);
      tooLong = false;
      return;
    }
    const at = commentStart(joined);
    const content = (at === -1 ? joined : joined.slice(0, at)).trim();
    const comment = at === -1 ? undefined : joined.slice(joined.indexOf('#', at) + 1);
    if (content.length > 0) {
      out.push({ line, text: content, comments: comment === undefined ? [] : [comment] });
    } else if (comment !== undefined) {
      out.at(-1)?.comments.push(comment);
    }
  };
  const append = (part: string): void => {
    pendingLength += part.length;
    if (pendingLength > maxChars) tooLong = true;
    else pending.push(part);
  };
  physical.forEach((raw, index) => {
    const lineNumber = index + 1;
    const isComment = /^\s*#/.test(raw);
    if (!raw.endsWith('\\') || isComment) {
      if (pending.length > 0 || tooLong) {
        append(isComment ? ` ${raw}` : raw);
        emit(pendingLine, pending.join(''));
        pending = [];
        pendingLength = 0;
      } else {
        if (raw.length > maxChars) tooLong = true;
        emit(lineNumber, tooLong ? '' : raw);
      }
    } else {
      if (pending.length === 0 && !tooLong) pendingLine = lineNumber;
      // pip strips backslashes from both ends of a continued line (`line.strip("\\")`).
      append(raw.replace(/^\\+|\\+$/g, ''));
    }
  });
  if (pending.length > 0 || tooLong) emit(pendingLine, pending.join(''));
  return out;
}

/** Index of the whitespace run before a comment `#` (pip's COMMENT_RE `(^|\s+)#.*$`), or -1. A linear scan. */
function commentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== '#') continue;
    if (i === 0) return 0;
    if (/\s/.test(line[i - 1]!)) {
      let start = i;
      while (start > 0 && /\s/.test(line[start - 1]!)) start--;
      return start;
    }
  }
  return -1;
}

/** pip's `expand_env_variables`: `${NAME}` only; an unset (or empty) variable is left as written. */
function expandEnv(
  text: string,
  env: Readonly<Record<string, string>>,
  unset: (name: string) => void,
): string {
  return text.replace(ENV_VAR_RE, (whole, name: string) => {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value === undefined || value === '') {
      unset(name);
      return whole;
    }
    return value;
  });
}

interface ParsedOptions {
  readonly values: Map<OptionName, string[]>;
  readonly flags: Set<OptionName>;
}

function readLine(
  state: TreeState,
  file: string,
  role: Role,
  stack: readonly string[],
  logical: LogicalLine,
  lineOf: (line: number) => number | undefined,
  problem: (line: number | undefined, message: string) => void,
): void {
  const { args, optionText } = breakArgsOptions(logical.text);
  const tokens = shlexSplit(optionText);
  if (tokens === undefined) {
    problem(logical.line, `options could not be split (unbalanced quote): ${quote(optionText)}`);
    return;
  }
  const options = parseOptions(tokens, (message) => problem(logical.line, message));
  const declaredAt = (): DeclaredAt => {
    const line = lineOf(logical.line);
    return { file, ...(line !== undefined ? { line } : {}) };
  };
  const hashes = readHashes(options.values.get('hash') ?? [], (message) => problem(logical.line, message));
  const editable = options.values.get('editable');
  if (args.length > 0 || editable !== undefined) {
    const requirementText = args.length > 0 ? args : editable![0]!;
    const draft = parseRequirementLine(requirementText, args.length === 0, declaredAt(), (message) =>
      problem(logical.line, message),
    );
    if (draft === undefined) return;
    draft.hashes = hashes;
    addEntry(state, { draft, role, via: parseVia(logical.comments) }, file, logical.line, problem);
    return;
  }
  if (hashes.length > 0) problem(logical.line, '--hash without a requirement is ignored (as pip ignores it)');
  const indexUrl = options.values.get('index-url');
  if (indexUrl !== undefined) state.indexUrl = indexUrl.at(-1);
  if (options.flags.has('no-index')) state.noIndex = true;
  const include = options.values.get('requirement') ?? options.values.get('constraint');
  if (include !== undefined) {
    // pip follows only the first -r/-c of a line, and a -r inside a constraints file is a requirements file
    // (req_file.py `_parse_and_recurse`: the nested role comes from the option, not the including file).
    const includeRole: Role = options.values.has('requirement') ? 'requirement' : 'constraint';
    readInclude(state, file, include[0]!, includeRole, stack, logical.line, problem);
  }
}

/** pip's `break_args_options`: words up to the first one starting with `-` are the requirement. */
function breakArgsOptions(line: string): { args: string; optionText: string } {
  const tokens = line.split(' ');
  const at = tokens.findIndex((token) => token.startsWith('-'));
  if (at === -1) return { args: line.trim(), optionText: '' };
  return { args: tokens.slice(0, at).join(' ').trim(), optionText: tokens.slice(at).join(' ') };
}

/** POSIX `shlex.split` as pip uses it on the options part: quotes and backslash escapes. */
function shlexSplit(text: string): string[] | undefined {
  const out: string[] = [];
  let current = '';
  let inToken = false;
  let quoteChar: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoteChar === "'") {
      if (c === "'") quoteChar = undefined;
      else current += c;
    } else if (quoteChar === '"') {
      if (c === '"') quoteChar = undefined;
      else if (c === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1]!)) current += text[++i];
      else current += c;
    } else if (/\s/.test(c)) {
      if (inToken) out.push(current);
      current = '';
      inToken = false;
    } else {
      inToken = true;
      if (c === "'" || c === '"') quoteChar = c;
      else if (c === '\\') {
        if (i + 1 < text.length) current += text[++i];
      } else current += c;
    }
  }
  if (quoteChar !== undefined) return undefined;
  if (inToken) out.push(current);
  return out;
}

/** optparse over pip's requirement-file options: `--long=v`, `--long v`, unique prefixes, `-xv`, `-x v`. */
function parseOptions(tokens: readonly string[], report: (message: string) => void): ParsedOptions {
  const values = new Map<OptionName, string[]>();
  const flags = new Set<OptionName>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    let name: OptionName | undefined;
    let value: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const written = token.slice(2, eq === -1 ? undefined : eq);
      name = matchLongOption(written);
      if (name === undefined) {
        report(`option ${quote(`--${written}`)} is not allowed in a requirements file (pip refuses it)`);
        continue;
      }
      if (eq !== -1) value = token.slice(eq + 1);
    } else if (token.startsWith('-') && token.length > 1) {
      const letter = token[1]!;
      name = [...OPTIONS].find(([, spec]) => spec.short === letter)?.[0];
      if (name === undefined) {
        report(`option ${quote(`-${letter}`)} is not allowed in a requirements file (pip refuses it)`);
        continue;
      }
      if (token.length > 2) value = token.slice(2);
    } else {
      // optparse leaves stray words as positional arguments, which pip ignores on an options line.
      continue;
    }
    const spec = OPTIONS.get(name)!;
    if (!spec.value) {
      if (value !== undefined) report(`option --${name} takes no value`);
      flags.add(name);
      continue;
    }
    if (value === undefined) {
      value = tokens[i + 1];
      i++;
      if (value === undefined) {
        report(`option --${name} needs a value`);
        continue;
      }
    }
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  return { values, flags };
}

/** optparse accepts any unambiguous prefix of a long option. */
function matchLongOption(written: string): OptionName | undefined {
  if (OPTIONS.has(written as OptionName)) return written as OptionName;
  if (written.length === 0) return undefined;
  const matches = [...OPTIONS.keys()].filter((name) => name.startsWith(written));
  return matches.length === 1 ? matches[0] : undefined;
}

/** `--hash=alg:hex`: pip accepts sha256, sha384 and sha512 only (its STRONG_HASHES). */
function readHashes(values: readonly string[], report: (message: string) => void): PackageHash[] {
  const hashes: PackageHash[] = [];
  for (const value of values) {
    const colon = value.indexOf(':');
    const algorithm = value.slice(0, colon).toLowerCase();
    const hex = value.slice(colon + 1);
    const expected = HASH_HEX_LENGTH[algorithm];
    if (colon === -1 || expected === undefined) {
      report(`--hash ${quote(value)} is not sha256, sha384 or sha512 (alg:hex): ignored`);
      continue;
    }
    if (!/^[0-9a-fA-F]+$/.test(hex)) {
      report(`--hash ${quote(value)} is not hexadecimal: ignored`);
      continue;
    }
    if (hex.length !== expected) {
      // Kept as written (it is what the file says), but such a digest can never match a download.
      report(`--hash ${quote(value)} has ${hex.length} hex digits, ${algorithm} has ${expected}`);
    }
    hashes.push({ algorithm, value: hex.toLowerCase() });
  }
  return hashes;
}

/**
 * One requirement: a PEP 508 requirement (`name[extras] specifiers ; marker`, `name @ url ; marker`), a
 * link (archive URL or VCS URL, name from `#egg=` or the wheel filename) or a local path. Markers of links
 * and paths follow pip's `parse_req_from_line`: split at `; ` for URLs, at `;` otherwise.
 */
export function parseRequirementLine(
  text: string,
  editable: boolean,
  declaredAt: DeclaredAt,
  report: (message: string) => void,
): DraftPackage | undefined {
  const named = NAME_EXTRAS_RE.exec(text);
  const afterName = named ? text.slice(named[0].length) : '';
  if (named && !editable && afterName.startsWith('@'))
    return parseUrlRequirement(named, afterName, declaredAt, report);
  if (LINK_SCHEME_RE.test(text)) return parseLink(text, editable, declaredAt, report);
  // pip's `_looks_like_path` (a separator, or a leading `.`) and `is_archive_file`, before any marker.
  const head = text.split(';')[0]!.trim();
  if (
    editable ||
    head.startsWith('.') ||
    head.includes('/') ||
    head.includes('\\') ||
    /\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i.test(head)
  ) {
    return parsePath(text, editable, declaredAt, report);
  }
  if (!named) {
    report(`not a requirement (PEP 508 name expected): ${quote(text)}`);
    return undefined;
  }
  return parseNamedRequirement(named, afterName, declaredAt, report);
}

function newDraft(name: string, declaredAt: DeclaredAt, source: PackageSource): DraftPackage {
  return {
    ecosystem: 'PyPI',
    name,
    normalizedName: normalisePypiName(name),
    source,
    hashes: [],
    extras: [],
    groups: [],
    dependencies: new Set(),
    declaredAt,
  };
}

function readExtras(written: string | undefined, report: (message: string) => void): string[] {
  if (written === undefined) return [];
  const extras = written
    .split(',')
    .map((extra) => extra.trim())
    .filter((extra) => extra.length > 0);
  for (const extra of extras) if (!NAME_RE.test(extra)) report(`extra ${quote(extra)} is not a valid name`);
  return extras;
}

function parseNamedRequirement(
  named: RegExpExecArray,
  rest: string,
  declaredAt: DeclaredAt,
  report: (message: string) => void,
): DraftPackage {
  const draft = newDraft(named[1]!, declaredAt, { kind: 'registry' });
  draft.extras = readExtras(named[2], report);
  const semicolon = rest.indexOf(';');
  let specText = (semicolon === -1 ? rest : rest.slice(0, semicolon)).trim();
  if (semicolon !== -1) draft.marker = readMarker(rest.slice(semicolon + 1), report);
  if (specText.startsWith('(') && specText.endsWith(')')) specText = specText.slice(1, -1).trim();
  if (specText.length === 0) {
    draft.requirement = '*';
    return draft;
  }
  draft.requirement = specText;
  const pin = exactPin(specText, report);
  if (pin !== undefined) draft.version = pin;
  return draft;
}

function readMarker(written: string, report: (message: string) => void): string | undefined {
  const marker = written.trim();
  if (marker.length === 0) {
    report('empty environment marker after ";"');
    return undefined;
  }
  return marker;
}

/**
 * The exact version a PEP 440 specifier set pins, if any: one `==V` without `*` (PEP 440 "Version
 * matching": a trailing `.*` is prefix matching, not a pin) or `===V` ("Arbitrary equality", compared as
 * a string, so kept raw). Several clauses may stand beside the pin (`>=1,==1.2`); two different pins pin
 * nothing (pip could install neither).
 */
function exactPin(specText: string, report: (message: string) => void): string | undefined {
  const pins = new Set<string>();
  for (const rawClause of specText.split(',')) {
    const clause = rawClause.trim();
    const match = SPEC_CLAUSE_RE.exec(clause);
    if (!match) {
      report(`invalid version specifier ${quote(clause)} (PEP 440): left unresolved`);
      return undefined;
    }
    const [, operator, version] = match;
    if (operator === '===') pins.add(version!);
    else if (operator === '==' && !version!.includes('*')) {
      if (parseVersion(version!) === undefined) {
        report(`==${quote(version!)} is not a PEP 440 version: left unresolved`);
        return undefined;
      }
      pins.add(version!);
    }
  }
  return pins.size === 1 ? [...pins][0] : undefined;
}

function parseUrlRequirement(
  named: RegExpExecArray,
  afterName: string,
  declaredAt: DeclaredAt,
  report: (message: string) => void,
): DraftPackage {
  // PEP 508: `name [extras] @ URI (wsp+ | end) quoted_marker?` — the URI ends at whitespace.
  const rest = afterName.slice(1).trimStart();
  const space = rest.search(/\s/);
  const url = redactUrl(space === -1 ? rest : rest.slice(0, space));
  const tail = space === -1 ? '' : rest.slice(space).trim();
  const draft = newDraft(named[1]!, declaredAt, { kind: 'url', url });
  draft.extras = readExtras(named[2], report);
  if (tail.startsWith(';')) draft.marker = readMarker(tail.slice(1), report);
  else if (tail.length > 0) report(`unexpected text after URL: ${quote(tail)}`);
  if (url.length === 0) {
    report(`"${named[1]} @" has no URL`);
    draft.requirement = '@';
    return draft;
  }
  draft.requirement = url;
  if (VCS_SCHEME_RE.test(url)) {
    const { base, commit } = splitVcsUrl(url);
    draft.source = { kind: 'vcs', url: base, ...(commit !== undefined ? { commit } : {}) };
  } else {
    const wheel = wheelNameVersion(url);
    if (wheel !== undefined && normalisePypiName(wheel.name) === draft.normalizedName)
      draft.version = wheel.version;
  }
  return draft;
}

/** An archive or VCS URL written without a PEP 508 name (pip's `is_url` branch). */
function parseLink(
  text: string,
  editable: boolean,
  declaredAt: DeclaredAt,
  report: (message: string) => void,
): DraftPackage {
  const sep = text.indexOf('; ');
  const url = redactUrl((sep === -1 ? text : text.slice(0, sep)).trim());
  const marker = sep === -1 ? undefined : readMarker(text.slice(sep + 2), report);
  const egg = eggFragment(url, report);
  const wheel = wheelNameVersion(url);
  const name = egg?.name ?? wheel?.name;
  let source: PackageSource;
  if (VCS_SCHEME_RE.test(url)) {
    const { base, commit } = splitVcsUrl(url);
    source = { kind: 'vcs', url: base, ...(commit !== undefined ? { commit } : {}) };
  } else if (/^file:/i.test(url)) {
    source = {
      kind: 'path',
      path: url.replace(/^file:(?:\/\/)?/i, '').replace(/#.*$/, ''),
      ...(editable ? { editable } : {}),
    };
  } else {
    source = { kind: 'url', url: url.replace(/#.*$/, '') };
  }
  const draft = newDraft(name ?? url, declaredAt, source);
  // A VCS or archive URL without `#egg=` names its project only once pip has built it (a valid line:
  // pip's "VCS Support" docs; `git+https://github.com/openai/CLIP.git` in countless ML requirements), like
  // a local directory below: listed, unresolved, under the URL, with no PEP 503 name to match on.
  if (name === undefined) draft.normalizedName = url;
  draft.extras = egg?.extras ?? [];
  if (marker !== undefined) draft.marker = marker;
  draft.requirement = url;
  if (wheel !== undefined && source.kind !== 'vcs') draft.version = wheel.version;
  if (editable && source.kind === 'vcs') draft.groups.push('editable');
  return draft;
}

/** A local directory, archive or wheel (pip's path branch): listed under the path unless a wheel names it. */
function parsePath(
  text: string,
  editable: boolean,
  declaredAt: DeclaredAt,
  report: (message: string) => void,
): DraftPackage {
  const semicolon = text.indexOf(';');
  let path = (semicolon === -1 ? text : text.slice(0, semicolon)).trim();
  const marker = semicolon === -1 ? undefined : readMarker(text.slice(semicolon + 1), report);
  // pip's `_strip_extras` (`^(.+)(\[[^\]]+\])$`: the last `[...]` at the end), done without a regex that
  // backtracks quadratically on a long run of brackets.
  let extras: string[] = [];
  const open = path.lastIndexOf('[');
  if (path.endsWith(']') && open > 0 && open < path.length - 2 && !path.slice(open + 1, -1).includes(']')) {
    extras = readExtras(path.slice(open + 1, -1), report);
    path = path.slice(0, open);
  }
  const egg = eggFragment(path, report);
  path = path.replace(/#.*$/, '');
  const wheel = wheelNameVersion(path);
  const draft = newDraft(egg?.name ?? wheel?.name ?? path, declaredAt, {
    kind: 'path',
    path,
    ...(editable ? { editable: true } : {}),
  });
  if (egg?.name === undefined && wheel === undefined) {
    // A directory or sdist names its project only once built: no PEP 503 name to match on.
    draft.normalizedName = path;
  }
  draft.extras = extras.length > 0 ? extras : (egg?.extras ?? []);
  if (marker !== undefined) draft.marker = marker;
  draft.requirement = path;
  if (wheel !== undefined) draft.version = wheel.version;
  return draft;
}

/** `#egg=name[extras]` (pip's `_egg_fragment_re`); the name must be a PEP 508 name. */
function eggFragment(
  url: string,
  report: (message: string) => void,
): { name: string; extras: string[] } | undefined {
  const hash = url.indexOf('#');
  if (hash === -1) return undefined;
  const match = /(?:^|&)egg=([^&]*)/.exec(url.slice(hash + 1));
  if (!match) return undefined;
  const value = decodeSafely(match[1]!);
  const parts = /^([^[]*)(?:\[([^\]]*)\])?$/.exec(value);
  const name = parts?.[1] ?? '';
  if (!NAME_RE.test(name)) {
    report(`#egg=${quote(value)} is not a project name`);
    return undefined;
  }
  return { name, extras: readExtras(parts?.[2], report) };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Name and version from a wheel filename (PyPA "Binary distribution format":
 * `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`).
 */
function wheelNameVersion(urlOrPath: string): { name: string; version: string } | undefined {
  const path = urlOrPath.replace(/[?#].*$/, '');
  const base = decodeSafely(path.slice(path.lastIndexOf('/') + 1));
  if (!base.toLowerCase().endsWith('.whl')) return undefined;
  const parts = base.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [name, version] = parts as [string, string];
  if (!NAME_RE.test(name) || parseVersion(version) === undefined) return undefined;
  return { name, version };
}

/** pip's VCS `get_url_rev_and_auth`: the revision is after the last `@` of the URL path. */
function splitVcsUrl(url: string): { base: string; commit?: string } {
  const base = url.replace(/#.*$/, '');
  const schemeEnd = base.indexOf('://');
  const pathStart = schemeEnd === -1 ? -1 : base.indexOf('/', schemeEnd + 3);
  if (pathStart === -1) return { base };
  const at = base.lastIndexOf('@');
  if (at <= pathStart) return { base };
  const rev = base.slice(at + 1);
  // A tag or branch moves; only a full commit hash names fixed code, so only that is a `commit`.
  return COMMIT_RE.test(rev) ? { base: base.slice(0, at), commit: rev.toLowerCase() } : { base };
}

/** `# via` annotations written by pip-compile and `uv pip compile` (both the split and the line style). */
function parseVia(comments: readonly string[]): string[] {
  const items: string[] = [];
  let inVia = false;
  for (const comment of comments) {
    const head = /^\s*via(?:\s+(.*))?$/.exec(comment);
    if (head) {
      inVia = true;
      if (head[1] !== undefined) items.push(...head[1].split(',').map((item) => item.trim()));
      continue;
    }
    const item = /^\s{2,}(\S.*)$/.exec(comment);
    if (inVia && item) items.push(item[1]!.trim());
    else inVia = false;
  }
  return items.filter((item) => item.length > 0);
}

function addEntry(
  state: TreeState,
  entry: ReadEntry,
  file: string,
  line: number,
  problem: (line: number | undefined, message: string) => void,
): void {
  if (state.entries.length >= state.limits.maxPackages) {
    if (!state.packageLimitReported) {
      problem(line, `more than ${state.limits.maxPackages} packages: the rest of ${quote(file)} is not read`);
      state.packageLimitReported = true;
    }
    return;
  }
  state.entries.push(entry);
}

function readInclude(
  state: TreeState,
  file: string,
  target: string,
  role: Role,
  stack: readonly string[],
  line: number,
  problem: (line: number | undefined, message: string) => void,
): void {
  const flag = role === 'requirement' ? '-r' : '-c';
  if (REMOTE_RE.test(target) || REMOTE_RE.test(file)) {
    problem(line, `${flag} ${quote(target)} is remote: not fetched`);
    return;
  }
  // pip joins a relative include with the including file's directory (`os.path.join(dirname(f), path)`).
  const path = posix.normalize(posix.isAbsolute(target) ? target : posix.join(posix.dirname(file), target));
  if (stack.includes(path)) {
    problem(line, `${flag} ${quote(target)} includes itself (${[...stack, path].join(' → ')}): not followed`);
    return;
  }
  const key = `${role}:${path}`;
  // The same file reached twice in the same role adds nothing new (a diamond of includes).
  if (state.seen.has(key)) return;
  if (stack.length > state.limits.maxIncludeDepth) {
    problem(
      line,
      `${flag} ${quote(target)} is nested deeper than ${state.limits.maxIncludeDepth}: not followed`,
    );
    return;
  }
  if (state.includes.length >= state.limits.maxIncludedFiles) {
    problem(line, `more than ${state.limits.maxIncludedFiles} included files: ${quote(target)} not followed`);
    return;
  }
  state.seen.add(key);
  let text: string | undefined;
  try {
    text = state.options.load?.(path);
  } catch (error) {
    problem(
      line,
      `${flag} ${quote(path)} could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  }
  if (text === undefined) {
    problem(line, `${flag} ${quote(path)} could not be loaded`);
    return;
  }
  if (!state.includes.includes(path)) state.includes.push(path);
  readOneFile(state, path, text, role, [...stack, path]);
}

/** Applies constraints, `# via` annotations and the index URL, then freezes and sorts. */
function finishTree(state: TreeState): DependencyPackage[] {
  const requirements = state.entries.filter((entry) => entry.role === 'requirement');
  const constraints = state.entries.filter((entry) => entry.role === 'constraint');
  const unapplied: DraftPackage[] = [];
  for (const { draft: constraint } of constraints) {
    const targets = requirements.filter(
      ({ draft }) =>
        draft.normalizedName === constraint.normalizedName &&
        draft.source.kind === 'registry' &&
        (constraint.marker === undefined || constraint.marker === draft.marker),
    );
    if (targets.length === 0) {
      constraint.groups.push('constraint');
      constraint.direct = false;
      unapplied.push(constraint);
      continue;
    }
    for (const { draft } of targets) applyConstraint(state, draft, constraint);
  }
  applyVia(state.entries.filter((entry) => entry.role === 'requirement'));
  const registryUrl = state.noIndex || state.indexUrl === undefined ? undefined : redactUrl(state.indexUrl);
  const drafts = [...requirements.map((entry) => entry.draft), ...unapplied];
  return drafts
    .map((draft) => {
      if (draft.source.kind === 'registry' && registryUrl !== undefined) {
        draft.source = { kind: 'registry', url: registryUrl };
      }
      return toPackage(draft);
    })
    .sort(comparePackages);
}

function applyConstraint(state: TreeState, draft: DraftPackage, constraint: DraftPackage): void {
  if (constraint.version === undefined) return;
  if (draft.version === undefined) {
    draft.version = constraint.version;
    if (draft.hashes.length === 0) draft.hashes = constraint.hashes;
    return;
  }
  const a = parseVersion(draft.version);
  const b = parseVersion(constraint.version);
  const same =
    a !== undefined && b !== undefined ? versionsEqual(a, b) : draft.version === constraint.version;
  if (!same) {
    const line = draft.declaredAt.line;
    state.problems.push({
      file: draft.declaredAt.file,
      ...(line !== undefined ? { line } : {}),
      message: `${draft.name}==${draft.version} conflicts with constraint ==${constraint.version} in ${constraint.declaredAt.file}: pip would refuse to install`,
    });
  }
}

/** Direct when an annotation names a requirements file or the project; edges from the packages named. */
function applyVia(entries: readonly ReadEntry[]): void {
  const byFileAndName = new Map<string, DraftPackage>();
  for (const { draft } of entries) {
    const key = `${draft.declaredAt.file}\u0000${draft.normalizedName}`;
    if (!byFileAndName.has(key)) byFileAndName.set(key, draft);
  }
  for (const { draft, via } of entries) {
    if (via.length === 0) continue;
    let direct = false;
    let parents = 0;
    for (const item of via) {
      if (item.startsWith('-r ') || /^\S+ \(.+\)$/.test(item)) {
        // `-r requirements.in`, `project (pyproject.toml)`, `project (pyproject.toml:dev)`: the project's own.
        direct = true;
      } else if (item.startsWith('-c ')) {
        // Named by a constraints file only: says nothing about who needs it.
      } else if (NAME_RE.test(item)) {
        parents++;
        byFileAndName
          .get(`${draft.declaredAt.file}\u0000${normalisePypiName(item)}`)
          ?.dependencies.add(draft.normalizedName);
      }
    }
    if (direct) draft.direct = true;
    else if (parents > 0) draft.direct = false;
  }
}
