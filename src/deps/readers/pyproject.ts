import { compareStrings } from '../../core/finding.js';
import type { DependencyFile, PackageSource } from '../model.js';
import { normalisePypiName } from '../names.js';
import { exactPin, isValidName, type Pep508Requirement, parsePep508 } from './pep508.js';
import {
  DependencyFileBuilder,
  escapeRegExp,
  isTable,
  LineIndex,
  type PackageInput,
  quote,
  type TomlTable,
  tableEntries,
} from './python-toml.js';

/**
 * pyproject.toml, a manifest: what the project asks for, mostly ranges, so packages are unresolved
 * (`requirement`) unless pinned exactly (`==X`). Every one is `direct: true`. Read from:
 *
 * - PEP 621 `[project] dependencies` (no group) and `[project.optional-dependencies]` (group = extra name),
 *   PEP 508 strings (https://packaging.python.org/en/latest/specifications/pyproject-toml/).
 * - PEP 735 `[dependency-groups]` (https://peps.python.org/pep-0735/): PEP 508 strings and
 *   `{include-group = "other"}` tables; includes are followed once per group, cycles are reported.
 * - Poetry `[tool.poetry.dependencies]` (group `main`), `[tool.poetry.group.<g>.dependencies]` and the
 *   older `[tool.poetry.dev-dependencies]` (group `dev`), each value a constraint string, a table
 *   (`version`, `git` + `branch`/`tag`/`rev`, `path` + `develop`, `url`, `extras`, `markers`, `python`,
 *   `optional`, `source`) or a list of such tables (https://python-poetry.org/docs/dependency-specification/).
 *   `python` is the interpreter, not a package. Optional Poetry dependencies get the `[tool.poetry.extras]`
 *   that name them as groups. With Poetry 2 and a `[project]` table, `tool.poetry.dependencies` only adds
 *   detail to `project.dependencies` (https://python-poetry.org/docs/pyproject/#dependencies-and-dependency-groups),
 *   so a name listed in both is read once, from `[project]`.
 *
 * The same requirement in several places (a group included by another, `dev` and `test`) is one package
 * with all its groups.
 *
 * A requirement on the project itself with extras (`lerobot[dataset,training]` in lerobot's `all` extra;
 * pip resolves these self-references since 21.2) is not a package: it says that the group also installs
 * those extras, so their packages get the group too (transitively), and the project is not listed.
 */

/** `{include-group}` chains deeper than this are reported: stops a long chain exhausting the stack. */
export const MAX_INCLUDE_GROUP_DEPTH = 64;

/** Poetry's `1.2.3` and `==1.2.3` (and `=1.2.3`) pin exactly; `^`, `~`, `*`, ranges do not. */
const POETRY_EXACT = /^(?:={1,2})?\s*(\d[A-Za-z0-9.+!_-]*)$/;
/** A git ref that is a full commit id. */
const COMMIT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

interface Declared {
  readonly input: PackageInput;
  readonly groups: Set<string>;
}

/** Reads a pyproject.toml. Never throws: what cannot be read is a problem in the result. */
export function readPyproject(file: string, text: string): DependencyFile {
  const out = new DependencyFileBuilder(file, 'pyproject.toml');
  const doc = out.parseToml(text);
  if (doc === undefined) return out.result();

  const declared = new Map<string, Declared>();
  const selfName = projectName(doc);
  /** Group (or extra) → normalised extras of the project it pulls in through a self-reference. */
  const selfExtras = new Map<string, Set<string>>();
  const declare = (input: PackageInput, group: string | undefined): void => {
    if (selfName !== undefined && normalisePypiName(input.name) === selfName) {
      if (group === undefined) return;
      const extras = selfExtras.get(group) ?? new Set<string>();
      selfExtras.set(group, extras);
      for (const extra of input.extras ?? []) extras.add(normalisePypiName(extra));
      return;
    }
    const key = JSON.stringify([
      normalisePypiName(input.name),
      input.version,
      input.requirement,
      input.source,
      input.marker,
      [...(input.extras ?? [])].sort(compareStrings),
    ]);
    const existing = declared.get(key);
    if (existing === undefined)
      declared.set(key, { input, groups: new Set(group === undefined ? [] : [group]) });
    else if (group !== undefined) existing.groups.add(group);
  };
  const locate = new LineLocator(text);

  const project = doc.project;
  const projectNames = new Set<string>();
  if (project !== undefined && !isTable(project)) out.problem('[project] is not a table');
  if (isTable(project)) {
    const from = locate.section('project');
    for (const input of readPep508List(project.dependencies, '[project] dependencies', out, locate, from)) {
      projectNames.add(normalisePypiName(input.name));
      declare(input, undefined);
    }
    const optional = project['optional-dependencies'];
    if (optional !== undefined) {
      if (!isTable(optional)) out.problem('[project] optional-dependencies is not a table');
      else {
        const fromOptional = locate.section('project.optional-dependencies') ?? from;
        for (const [extra, list] of tableEntries(optional)) {
          const where = `[project.optional-dependencies] ${quote(extra)}`;
          for (const input of readPep508List(list, where, out, locate, fromOptional)) declare(input, extra);
        }
      }
    }
  }

  const groups = doc['dependency-groups'];
  if (groups !== undefined) {
    if (!isTable(groups)) out.problem('[dependency-groups] is not a table');
    else readDependencyGroups(groups, out, locate, declare);
  }

  const tool = isTable(doc.tool) ? doc.tool : undefined;
  const poetry = tool !== undefined && isTable(tool.poetry) ? tool.poetry : undefined;
  if (poetry !== undefined) readPoetry(poetry, projectNames, out, locate, declare);

  const alsoIn = groupsPullingIn(selfExtras);
  for (const { input, groups: inGroups } of declared.values()) {
    if (out.full) break;
    for (const group of [...inGroups])
      for (const outer of alsoIn.get(normalisePypiName(group)) ?? []) inGroups.add(outer);
    out.add(`dependency ${quote(input.name)}`, { ...input, groups: [...inGroups], direct: true });
  }
  return out.result();
}

/** The project's normalised name: PEP 621 `[project] name`, else Poetry's `[tool.poetry] name`. */
function projectName(doc: TomlTable): string | undefined {
  const project = isTable(doc.project) ? doc.project : undefined;
  const tool = isTable(doc.tool) ? doc.tool : undefined;
  const poetry = tool !== undefined && isTable(tool.poetry) ? tool.poetry : undefined;
  const name = project?.name ?? poetry?.name;
  return typeof name === 'string' && isValidName(name) ? normalisePypiName(name) : undefined;
}

/**
 * For each normalised extra, the groups that install it through self-references, followed transitively
 * (`all` → `core_scripts` → `dataset`); a cycle of self-references just stops.
 */
function groupsPullingIn(selfExtras: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const [group, direct] of selfExtras) {
    const seen = new Set<string>();
    const queue = [...direct];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      const pulling = result.get(next) ?? new Set<string>();
      result.set(next, pulling);
      pulling.add(group);
      for (const [other, extras] of selfExtras) if (normalisePypiName(other) === next) queue.push(...extras);
    }
  }
  return result;
}

/** A list of PEP 508 strings; each bad one is reported with where it was and skipped. */
function readPep508List(
  value: unknown,
  where: string,
  out: DependencyFileBuilder,
  locate: LineLocator,
  from: number | undefined,
): PackageInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    out.problem(`${where} is not an array`);
    return [];
  }
  const inputs: PackageInput[] = [];
  // Entries follow each other in the file: each is looked for after the previous one found.
  let cursor = from;
  for (const item of value) {
    if (typeof item !== 'string') {
      out.problem(`${where}: entry ${quote(item)} is not a string`);
      continue;
    }
    const found = locate.string(item, cursor);
    if (found !== undefined) cursor = found.offset + 1;
    const line = found?.line;
    const input = pep508ToInput(item, line);
    if (typeof input === 'string') out.problem(`${where}: ${quote(item)}: ${input}`, line);
    else inputs.push(input);
  }
  return inputs;
}

/** A PEP 508 requirement as a manifest package: resolved only when pinned with `==`/`===`. */
export function pep508ToInput(text: string, line: number | undefined): PackageInput | string {
  const parsed = parsePep508(text);
  if ('error' in parsed) return parsed.error;
  return requirementToInput(parsed, line);
}

function requirementToInput(requirement: Pep508Requirement, line: number | undefined): PackageInput {
  const base = {
    name: requirement.name,
    extras: requirement.extras,
    ...(requirement.marker !== undefined ? { marker: requirement.marker } : {}),
    ...(line !== undefined ? { line } : {}),
  };
  if (requirement.url !== undefined) {
    return { ...base, requirement: requirement.url, source: directReferenceSource(requirement.url) };
  }
  const version = exactPin(requirement.specifier);
  if (version !== undefined) return { ...base, version, source: { kind: 'registry' } };
  return {
    ...base,
    requirement: requirement.specifier === '' ? '*' : requirement.specifier,
    source: { kind: 'registry' },
  };
}

/**
 * A PEP 508 direct reference: `git+https://host/repo@ref` (PEP 440 "Direct references", VCS URLs as pip
 * writes them), `file:///path`, or an archive URL.
 */
function directReferenceSource(url: string): PackageSource {
  const vcs = /^(git|hg|svn|bzr)\+/.exec(url);
  if (vcs !== null) {
    const withoutFragment = url.split('#', 1)[0] ?? url;
    const schemeEnd = withoutFragment.indexOf('://');
    const at = withoutFragment.lastIndexOf('@');
    const ref =
      at > schemeEnd + 3 && at > withoutFragment.lastIndexOf('/') ? withoutFragment.slice(at + 1) : '';
    return { kind: 'vcs', url, ...(COMMIT_ID.test(ref) ? { commit: ref } : {}) };
  }
  if (url.startsWith('file:')) return { kind: 'path', path: url.replace(/^file:(\/\/)?/, '') };
  return { kind: 'url', url };
}

/** PEP 735 groups, each expanded once (memoised), following `{include-group}` with cycle detection. */
function readDependencyGroups(
  groups: TomlTable,
  out: DependencyFileBuilder,
  locate: LineLocator,
  declare: (input: PackageInput, group: string | undefined) => void,
): void {
  // PEP 735: group names are compared normalised like package names.
  const byName = new Map<string, { name: string; list: unknown }>();
  for (const [name, list] of tableEntries(groups)) byName.set(normalisePypiName(name), { name, list });
  const from = locate.section('dependency-groups');
  const expanded = new Map<string, PackageInput[]>();
  const reportedCycles = new Set<string>();

  const expand = (key: string, stack: string[]): PackageInput[] => {
    const done = expanded.get(key);
    if (done !== undefined) return done;
    const group = byName.get(key);
    if (group === undefined) return [];
    const where = `[dependency-groups] ${quote(group.name)}`;
    if (!Array.isArray(group.list)) {
      out.problem(`${where} is not an array`);
      expanded.set(key, []);
      return [];
    }
    const result: PackageInput[] = [];
    for (const item of group.list) {
      if (typeof item === 'string') {
        result.push(...readPep508List([item], where, out, locate, from));
        continue;
      }
      const include = isTable(item) ? item['include-group'] : undefined;
      if (typeof include !== 'string' || Object.keys(item as object).length !== 1) {
        out.problem(`${where}: entry ${quote(item)} is neither a requirement nor {include-group = "..."}`);
        continue;
      }
      const target = normalisePypiName(include);
      if (!byName.has(target)) {
        out.problem(`${where}: includes group ${quote(include)}, which does not exist`);
      } else if (target === key || stack.includes(target)) {
        // PEP 735: "Tools SHOULD report an error if they detect a cycle".
        const cycle = [...stack, key, target].join(' -> ');
        if (!reportedCycles.has(cycle)) {
          reportedCycles.add(cycle);
          out.problem(`${where}: include-group cycle ${cycle}`);
        }
      } else if (stack.length >= MAX_INCLUDE_GROUP_DEPTH) {
        out.problem(`${where}: include-group chain deeper than ${MAX_INCLUDE_GROUP_DEPTH}: not followed`);
      } else {
        result.push(...expand(target, [...stack, key]));
      }
    }
    expanded.set(key, result);
    return result;
  };

  for (const [key, { name }] of byName) for (const input of expand(key, [])) declare(input, name);
}

/** Poetry's dependency tables: main, groups and the older dev-dependencies. */
function readPoetry(
  poetry: TomlTable,
  projectNames: ReadonlySet<string>,
  out: DependencyFileBuilder,
  locate: LineLocator,
  declare: (input: PackageInput, group: string | undefined) => void,
): void {
  const sources = new Map<string, string>();
  if (Array.isArray(poetry.source)) {
    for (const source of poetry.source) {
      if (isTable(source) && typeof source.name === 'string' && typeof source.url === 'string') {
        sources.set(source.name, source.url);
      }
    }
  }
  const extrasOf = new Map<string, string[]>();
  if (isTable(poetry.extras)) {
    for (const [extra, names] of tableEntries(poetry.extras)) {
      if (!Array.isArray(names)) {
        out.problem(`[tool.poetry.extras] ${quote(extra)} is not an array`);
        continue;
      }
      for (const name of names) {
        if (typeof name !== 'string') continue;
        const key = normalisePypiName(name);
        const list = extrasOf.get(key);
        if (list === undefined) extrasOf.set(key, [extra]);
        else list.push(extra);
      }
    }
  }

  const readTable = (value: unknown, header: string, group: string, skip: ReadonlySet<string>): void => {
    if (value === undefined) return;
    if (!isTable(value)) {
      out.problem(`[${header}] is not a table`);
      return;
    }
    // Keys come back in file order, so each is looked for after the previous one found.
    let cursor = locate.section(header);
    for (const [name, spec] of tableEntries(value)) {
      // Poetry: "python" is the required interpreter, not a dependency.
      if (name.toLowerCase() === 'python') continue;
      const where = `[${header}] ${quote(name)}`;
      if (!isValidName(name)) {
        out.problem(`${where}: invalid package name`);
        continue;
      }
      if (skip.has(normalisePypiName(name))) continue;
      const found = locate.key(name, cursor);
      if (found !== undefined) cursor = found.offset + 1;
      const line = found?.line;
      const constraints = Array.isArray(spec) ? spec : [spec];
      for (const constraint of constraints) {
        const input = poetryToInput(name, constraint, sources, line);
        if (typeof input === 'string') {
          out.problem(`${where}: ${input}`, line);
          continue;
        }
        if (input.optional) {
          const extras = extrasOf.get(normalisePypiName(name)) ?? [];
          // An optional dependency no extra names is never installed; it is still declared, so listed.
          if (extras.length === 0) declare(input.input, group);
          for (const extra of extras) declare(input.input, extra);
        } else {
          declare(input.input, group);
        }
      }
    }
  };

  readTable(poetry.dependencies, 'tool.poetry.dependencies', 'main', projectNames);
  readTable(poetry['dev-dependencies'], 'tool.poetry.dev-dependencies', 'dev', new Set());
  if (poetry.group !== undefined) {
    if (!isTable(poetry.group)) out.problem('[tool.poetry.group] is not a table');
    else {
      for (const [group, body] of tableEntries(poetry.group)) {
        if (!isTable(body)) {
          out.problem(`[tool.poetry.group.${group}] is not a table`);
          continue;
        }
        readTable(body.dependencies, `tool.poetry.group.${group}.dependencies`, group, new Set());
      }
    }
  }
}

/** One Poetry constraint (a string or a table) as a manifest package. */
function poetryToInput(
  name: string,
  spec: unknown,
  sources: ReadonlyMap<string, string>,
  line: number | undefined,
): { input: PackageInput; optional: boolean } | string {
  const base = { name, ...(line !== undefined ? { line } : {}) };
  if (typeof spec === 'string')
    return { input: { ...base, ...poetryVersion(spec), source: { kind: 'registry' } }, optional: false };
  if (!isTable(spec)) return `constraint ${quote(spec)} is neither a string nor a table`;

  const text = (key: string): string | undefined => (typeof spec[key] === 'string' ? spec[key] : undefined);
  const extras = Array.isArray(spec.extras)
    ? spec.extras.filter((e): e is string => typeof e === 'string')
    : [];
  const marker = text('markers');
  const common = { ...base, extras, ...(marker !== undefined ? { marker } : {}) };
  const optional = spec.optional === true;

  const git = text('git');
  if (git !== undefined) {
    const ref = text('rev') ?? text('tag') ?? text('branch');
    return {
      input: {
        ...common,
        requirement: ref === undefined ? git : `${git}@${ref}`,
        source: {
          kind: 'vcs',
          url: git,
          ...(ref !== undefined && COMMIT_ID.test(ref) ? { commit: ref } : {}),
        },
      },
      optional,
    };
  }
  const path = text('path');
  if (path !== undefined) {
    return {
      input: {
        ...common,
        requirement: path,
        source: { kind: 'path', path, ...(spec.develop === true ? { editable: true } : {}) },
      },
      optional,
    };
  }
  const url = text('url');
  if (url !== undefined)
    return { input: { ...common, requirement: url, source: { kind: 'url', url } }, optional };

  const version = text('version');
  if (version === undefined && spec.version !== undefined)
    return `version ${quote(spec.version)} is not a string`;
  const sourceName = text('source');
  const index = sourceName === undefined ? undefined : sources.get(sourceName);
  return {
    input: {
      ...common,
      ...poetryVersion(version ?? '*'),
      source: index === undefined ? { kind: 'registry' } : { kind: 'registry', url: index },
    },
    optional,
  };
}

function poetryVersion(constraint: string): { version: string } | { requirement: string } {
  const trimmed = constraint.trim();
  const exact = POETRY_EXACT.exec(trimmed);
  if (exact?.[1] !== undefined) return { version: exact[1] };
  return { requirement: trimmed === '' ? '*' : trimmed };
}

/** Line look-ups per manifest; past this, entries get no line (stops quadratic searching of huge files). */
export const MAX_LINE_LOOKUPS = 10_000;
/** How far past the section header (or the previous entry) an entry's text is looked for. */
export const LINE_SEARCH_WINDOW = 16 * 1024;

/**
 * Best-effort line numbers for manifest entries: the quoted requirement or `key =` within a window after
 * the section header. TOML parsing keeps no positions; when the text cannot be found (escapes, unusual
 * quoting) the line is left out rather than guessed. Each look-up is bounded by the window and their
 * number by the budget, so a huge manifest costs linear time.
 */
class LineLocator {
  private readonly index: LineIndex;
  private lookups = 0;

  constructor(private readonly text: string) {
    this.index = new LineIndex(text);
  }

  /** Offset of a `[header]` line, or `undefined`. */
  section(header: string): number | undefined {
    const match = new RegExp(`^[ \\t]*\\[[ \\t]*${escapeRegExp(header)}[ \\t]*\\]`, 'm').exec(this.text);
    return match?.index;
  }

  /** Offset and line of a quoted string at or after `from`. */
  string(value: string, from: number | undefined): { offset: number; line: number } | undefined {
    const window = this.window(from);
    if (window === undefined) return undefined;
    for (const quoteChar of ['"', "'"]) {
      const at = window.text.indexOf(`${quoteChar}${value}${quoteChar}`);
      if (at >= 0) return { offset: window.start + at, line: this.index.lineOf(window.start + at) };
    }
    return undefined;
  }

  /** Line of a `key =` at or after `from`. */
  key(name: string, from: number | undefined): { offset: number; line: number } | undefined {
    if (from === undefined) return undefined;
    const window = this.window(from);
    if (window === undefined) return undefined;
    const match = new RegExp(`^[ \\t]*["']?${escapeRegExp(name)}["']?[ \\t]*=`, 'm').exec(window.text);
    if (match === null) return undefined;
    return { offset: window.start + match.index, line: this.index.lineOf(window.start + match.index) };
  }

  private window(from: number | undefined): { start: number; text: string } | undefined {
    if (++this.lookups > MAX_LINE_LOOKUPS) return undefined;
    const start = from ?? 0;
    return { start, text: this.text.slice(start, start + LINE_SEARCH_WINDOW) };
  }
}
