import jsYaml from 'js-yaml';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type ScalarTag,
} from 'yaml';
import { truncateText } from '../core/byte-reader.js';
import type { CardPlaceholder, CardProblem, FrontMatter, FrontMatterDelimiting } from './card-document.js';
import type { CardReadLimits } from './limits.js';
import { findMetadataLinePlaceholders } from './placeholders.js';

/** Where the front matter is: 0-based indexes into the card's lines. */
export interface FrontMatterLocation {
  /** Line of the opening `---` (or the first YAML line when it is missing). */
  readonly start: number;
  /** First and one-past-last line of the YAML text. */
  readonly yamlFrom: number;
  readonly yamlTo: number;
  /** Line of the closing `---`. */
  readonly end: number;
  readonly delimiting: FrontMatterDelimiting;
}

/**
 * The Hub finds metadata with `^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))` (huggingface_hub
 * `repocard.py` REGEX_YAML_BLOCK, "exact same regex as in the Hub server"): optional leading white space,
 * a `---` line, then the first line that is exactly `---`. Top-level keys the Hub documents for model and
 * dataset cards (https://huggingface.co/docs/hub/model-cards#model-card-metadata and
 * https://huggingface.co/docs/hub/datasets-cards) confirm a block that lost its opening `---`.
 */
const KNOWN_METADATA_KEYS: ReadonlySet<string> = new Set([
  'license',
  'license_name',
  'license_link',
  'licenses',
  'language',
  'languages',
  'tags',
  'datasets',
  'metrics',
  'model-index',
  'pipeline_tag',
  'library_name',
  'base_model',
  'base_model_relation',
  'new_version',
  'thumbnail',
  'widget',
  'inference',
  'co2_eq_emissions',
  'pretty_name',
  'annotations_creators',
  'language_creators',
  'multilinguality',
  'size_categories',
  'source_datasets',
  'task_categories',
  'task_ids',
  'paperswithcode_id',
  'dataset_info',
  'configs',
  'extra_gated_prompt',
  'extra_gated_fields',
]);

const CLOSING_LINE = /^---[ \t]*$/;
/** A top-level `key:` line as the Hub's metadata is written (keys are identifiers, no spaces). */
const TOP_LEVEL_KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.-]{0,100}):(?:[ \t]|$)/;

/** Finds the front matter block, or reports why what looks like one is not. */
export function locateFrontMatter(lines: readonly string[]): {
  readonly location: FrontMatterLocation | undefined;
  readonly problems: readonly CardProblem[];
} {
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first >= lines.length) return { location: undefined, problems: [] };
  if (lines[first]!.trim() === '---') {
    for (let i = first + 1; i < lines.length; i++) {
      if (CLOSING_LINE.test(lines[i]!))
        return {
          location: { start: first, yamlFrom: first + 1, yamlTo: i, end: i, delimiting: 'standard' },
          problems:
            i === first + 1
              ? [
                  {
                    code: 'front-matter-empty',
                    line: first + 1,
                    message:
                      'the front matter block is empty (`---` directly followed by `---`); the Hub pattern needs at least one line between them, so it reads no metadata',
                  },
                ]
              : [],
        };
    }
    // The Hub's pattern fails, so it shows the whole card as markdown and reads no metadata.
    const looksLikeYaml = first + 1 < lines.length && TOP_LEVEL_KEY_LINE.test(lines[first + 1]!);
    return {
      location: undefined,
      problems: looksLikeYaml
        ? [
            {
              code: 'front-matter-unterminated',
              line: first + 1,
              message:
                'front matter opened with `---` is never closed by a `---` line; the Hub reads no metadata and shows the YAML as text',
            },
          ]
        : [],
    };
  }
  return locateMissingOpening(lines, first);
}

/**
 * A block of `key: value` lines at the top that ends with `---` but has no opening `---`: the Hub sees no
 * metadata and renders the last YAML line as a setext heading (CommonMark §4.3). Reported, not read as prose.
 */
function locateMissingOpening(
  lines: readonly string[],
  first: number,
): { readonly location: FrontMatterLocation | undefined; readonly problems: readonly CardProblem[] } {
  if (!TOP_LEVEL_KEY_LINE.test(lines[first]!)) return { location: undefined, problems: [] };
  let knownKey = false;
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    if (CLOSING_LINE.test(line)) {
      if (!knownKey) break;
      return {
        location: { start: first, yamlFrom: first, yamlTo: i, end: i, delimiting: 'missing-opening' },
        problems: [
          {
            code: 'front-matter-missing-opening',
            line: first + 1,
            message: `metadata block (lines ${first + 1}-${i}) ends with \`---\` on line ${i + 1} but has no opening \`---\`; the Hub reads no metadata and shows it as a heading. Add \`---\` as the first line`,
          },
        ],
      };
    }
    const key = TOP_LEVEL_KEY_LINE.exec(line);
    if (key !== null) {
      if (KNOWN_METADATA_KEYS.has(key[1]!)) knownKey = true;
      continue;
    }
    // Other YAML lines: blank, indented, a top-level sequence item, a comment.
    if (line.trim() === '' || /^[ \t]/.test(line) || /^-(?:[ \t]|$)/.test(line) || line.startsWith('#'))
      continue;
    break;
  }
  return { location: undefined, problems: [] };
}

/**
 * PyYAML's `safe_load` (YAML 1.1 resolver, `resolver.py`) takes only yes/no/true/false/on/off in their three
 * casings as booleans; the `yaml` package's 1.1 schema also takes `y` and `n`, which PyYAML leaves strings.
 */
const PYYAML_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PYYAML_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

function pyyamlTags(tags: unknown[]): unknown[] {
  return tags.map((tag) => {
    const t = tag as ScalarTag;
    if (t.tag !== 'tag:yaml.org,2002:bool' || !(t.test instanceof RegExp)) return tag;
    return { ...t, test: t.test.test('yes') ? PYYAML_TRUE : PYYAML_FALSE };
  });
}

/**
 * Estimates how deeply the YAML nests before handing it to the parser, which recurses per level (see
 * `maxYamlDepth`). Over-estimates rather than under-estimates: block indentation levels plus compact
 * `- `/`? ` indicators plus open flow brackets; quoted scalars and block scalars are skipped.
 */
export function estimateYamlDepth(raw: string, stopAt: number): number {
  let max = 0;
  const indents: number[] = [];
  let flow = 0;
  let flowBase = 0;
  let quote: string | undefined;
  let blockScalarIndent = -1;
  for (const line of raw.split('\n')) {
    let p = 0;
    let base = flowBase;
    if (quote === undefined && flow === 0) {
      let ind = 0;
      while (line[ind] === ' ') ind++;
      if (blockScalarIndent >= 0) {
        if (line.trim() === '' || ind > blockScalarIndent) continue;
        blockScalarIndent = -1;
      }
      if (line.trim() === '' || line[ind] === '#') continue;
      while (indents.length > 0 && indents[indents.length - 1]! >= ind) indents.pop();
      indents.push(ind);
      base = indents.length;
      p = ind;
      while ((line[p] === '-' || line[p] === '?') && (p + 1 >= line.length || /[ \t]/.test(line[p + 1]!))) {
        base++;
        p += 2;
        while (line[p] === ' ' || line[p] === '\t') p++;
      }
      max = Math.max(max, base);
      if (max > stopAt) return max;
    }
    let last = '';
    for (let i = p; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== undefined) {
        if (quote === '"' && c === '\\') i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = undefined;
        }
        continue;
      }
      if (c === ' ' || c === '\t') continue;
      const tokenStart =
        last === '' || last === '[' || last === '{' || last === ',' || last === ':' || last === '-';
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if ((c === '"' || c === "'") && tokenStart) quote = c;
      else if ((c === '[' || c === '{') && (flow > 0 || tokenStart)) {
        if (flow === 0) flowBase = base;
        flow++;
        max = Math.max(max, flowBase + flow);
        if (max > stopAt) return max;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      else if ((c === '|' || c === '>') && flow === 0 && tokenStart) {
        blockScalarIndent = indents[indents.length - 1] ?? 0;
        break;
      }
      last = c;
    }
  }
  return max;
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** Records the line of every node by JSON Pointer, breadth first, up to `max` entries; aliases are not followed. */
function collectPathLines(root: Node, lineOf: (offset: number) => number, max: number): Map<string, number> {
  const lines = new Map<string, number>();
  const queue: { node: unknown; pointer: string }[] = [{ node: root, pointer: '' }];
  for (let head = 0; head < queue.length && lines.size < max; head++) {
    const { node, pointer } = queue[head]!;
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const child = `${pointer}/${escapePointer(keyString(item.key))}`;
        const range = isScalar(item.key) || isMap(item.key) || isSeq(item.key) ? item.key.range : undefined;
        if (range && !lines.has(child)) lines.set(child, lineOf(range[0]));
        if (lines.size >= max) break;
        queue.push({ node: item.value, pointer: child });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const child = `${pointer}/${i}`;
        const range = (item as Node | null)?.range;
        if (range && lines.size < max) lines.set(child, lineOf(range[0]));
        queue.push({ node: item, pointer: child });
      });
    }
  }
  return lines;
}

/** Copies parsed data into null-prototype objects so keys like `__proto__` stay data (STYLE.md §9). */
function toNullPrototype(value: unknown, depth: number): unknown {
  if (depth > 256 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => toNullPrototype(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(value)) out[k] = toNullPrototype(v, depth + 1);
  return out;
}

/**
 * Parses the located YAML as the Hub does (PyYAML `safe_load`, YAML 1.1): the block must be a mapping, and
 * any YAML error means the Hub reads no metadata, so `data` is then undefined. Duplicate keys are accepted
 * with the last value kept (PyYAML behaviour) and reported. Line numbers are those of the card file.
 */
export function parseFrontMatter(
  lines: readonly string[],
  location: FrontMatterLocation,
  limits: CardReadLimits,
  initialProblems: readonly CardProblem[] = [],
): { readonly frontMatter: FrontMatter; readonly placeholders: readonly CardPlaceholder[] } {
  const problems: CardProblem[] = [...initialProblems];
  const yamlLines = lines.slice(location.yamlFrom, location.yamlTo);
  const raw = yamlLines.join('\n');
  const firstLine = location.yamlFrom + 1;
  const placeholders: CardPlaceholder[] = [];
  yamlLines.forEach((line, i) => {
    for (const match of findMetadataLinePlaceholders(line)) {
      if (placeholders.length < limits.maxPlaceholders)
        placeholders.push({
          kind: match.kind,
          line: firstLine + i,
          section: undefined,
          inFrontMatter: true,
          text: truncateText(match.text, 200),
        });
    }
  });
  const result = (
    data: FrontMatter['data'],
    keyLines = new Map<string, number>(),
    pathLines = new Map(),
  ) => ({
    frontMatter: {
      data,
      keyLines,
      pathLines,
      raw,
      startLine: location.start + 1,
      endLine: location.end + 1,
      delimiting: location.delimiting,
      problems,
    },
    placeholders,
  });

  if (raw.length > limits.maxFrontMatterChars) {
    problems.push({
      code: 'front-matter-too-large',
      line: location.start + 1,
      message: `front matter is ${raw.length} characters, over the limit of ${limits.maxFrontMatterChars}; not parsed`,
    });
    return result(undefined);
  }
  const depth = estimateYamlDepth(raw, limits.maxYamlDepth);
  if (depth > limits.maxYamlDepth) {
    problems.push({
      code: 'front-matter-too-deep',
      line: location.start + 1,
      message: `front matter nests more than ${limits.maxYamlDepth} levels deep; not parsed`,
    });
    return result(undefined);
  }

  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(raw, {
      version: '1.1',
      customTags: pyyamlTags as never,
      uniqueKeys: false,
      prettyErrors: false,
      lineCounter,
      logLevel: 'silent',
    });
  } catch (error) {
    problems.push({
      code: 'front-matter-yaml-error',
      line: location.start + 1,
      message: `front matter YAML could not be parsed: ${truncateText(String(error), 200)}`,
    });
    return result(undefined);
  }
  const lineOf = (offset: number) => firstLine + lineCounter.linePos(offset).line - 1;

  // The `yaml` package follows the YAML spec; PyYAML, which the Hub runs, is more lenient with plain
  // multi-line flow scalars whose continuation lines are not indented (34 of 13,914 Hub cards of 2022, e.g.
  // bigscience/T0pp's widget texts). When `yaml` refuses a block that js-yaml (also lenient there) reads as
  // a mapping, the metadata is read from js-yaml and one warning says strict readers disagree. Blocks with
  // anchors or aliases are not retried: js-yaml has no alias expansion limit.
  if (doc.errors.length > 0 && !/(?:^|[\s[{,])[&*][^\s]/m.test(raw)) {
    let lenient: unknown;
    try {
      lenient = jsYaml.load(raw, { json: true });
    } catch {
      lenient = undefined;
    }
    if (lenient !== null && typeof lenient === 'object' && !Array.isArray(lenient)) {
      const first = doc.errors[0] as (typeof doc.errors)[number];
      problems.push({
        code: 'front-matter-yaml-warning',
        line: lineOf(first.pos[0]),
        message: `strict YAML readers refuse this block (${first.code}: ${truncateText(first.message, 120)}${doc.errors.length > 1 ? `, and ${doc.errors.length - 1} more` : ''}); PyYAML, which the Hub uses, and js-yaml read it. Indent continuation lines of multi-line values`,
      });
      const keyLines = new Map<string, number>();
      if (isMap(doc.contents))
        for (const item of doc.contents.items)
          if (isScalar(item.key) && item.key.range)
            keyLines.set(keyString(item.key), lineOf(item.key.range[0]));
      return result(toNullPrototype(lenient, 0) as Record<string, unknown>, keyLines, new Map());
    }
  }

  let refused = false;
  for (const error of doc.errors) {
    refused = true;
    problems.push({
      code: error.code === 'RESOURCE_EXHAUSTION' ? 'front-matter-too-deep' : 'front-matter-yaml-error',
      line: lineOf(error.pos[0]),
      message: `invalid YAML in front matter (${error.code}): ${truncateText(error.message, 200)}`,
    });
  }
  for (const warning of doc.warnings) {
    // PyYAML's safe_load refuses tags it has no constructor for (`!!python/object`): the Hub then reads nothing.
    if (warning.code === 'TAG_RESOLVE_FAILED') refused = true;
    problems.push({
      code: 'front-matter-yaml-warning',
      line: lineOf(warning.pos[0]),
      message: `${warning.code}: ${truncateText(warning.message, 200)}`,
    });
  }

  const keyLines = new Map<string, number>();
  const contents = doc.contents;
  if (isMap(contents)) {
    for (const item of contents.items) {
      const key = keyString(item.key);
      const range = isScalar(item.key) ? item.key.range : undefined;
      if (!range) continue;
      const line = lineOf(range[0]);
      const earlier = keyLines.get(key);
      if (earlier !== undefined)
        problems.push({
          code: 'front-matter-duplicate-key',
          line,
          message: `key \`${truncateText(key, 80)}\` appears again (first on line ${earlier}); the Hub keeps only this last value`,
        });
      keyLines.set(key, line);
    }
    // Template `{lang_0}` placeholders are parsed by YAML as one-key flow mappings with a null value.
    findFlowPlaceholders(contents, lineOf, placeholders, limits.maxPlaceholders);
  }
  const pathLines = contents
    ? collectPathLines(contents, lineOf, limits.maxPathLines)
    : new Map<string, number>();
  for (const key of keyLines.keys()) pathLines.delete(`/${escapePointer(key)}`);
  if (refused) return result(undefined, keyLines, pathLines);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: limits.maxYamlAliases });
  } catch (error) {
    problems.push({
      code: 'front-matter-too-many-aliases',
      line: location.start + 1,
      message: `front matter expands aliases beyond the limit of ${limits.maxYamlAliases} (${truncateText(String(error), 120)}); not read`,
    });
    return result(undefined, keyLines, pathLines);
  }
  if (data === null || data === undefined) return result(Object.create(null), keyLines, pathLines);
  if (typeof data !== 'object' || Array.isArray(data) || Object.getPrototypeOf(data) !== Object.prototype) {
    problems.push({
      code: 'front-matter-not-mapping',
      line: location.start + 1,
      message: `front matter must be a mapping of keys to values, but it is ${Array.isArray(data) ? 'a list' : `a ${typeof data === 'object' ? 'value' : typeof data}`}; the Hub refuses it ("repo card metadata block should be a dict")`,
    });
    return result(undefined, keyLines, pathLines);
  }
  return result(toNullPrototype(data, 0) as Record<string, unknown>, keyLines, pathLines);
}

function findFlowPlaceholders(
  root: Node,
  lineOf: (offset: number) => number,
  out: CardPlaceholder[],
  max: number,
): void {
  const stack: unknown[] = [root];
  let visited = 0;
  while (stack.length > 0 && visited++ < 100_000 && out.length < max) {
    const node = stack.pop();
    if (isAlias(node)) continue;
    if (isMap(node)) {
      const only = node.items[0];
      if (node.flow && node.items.length === 1 && only && isScalar(only.key) && only.value === null) {
        const name = String(only.key.value);
        if (/^[A-Za-z_][A-Za-z0-9_]{0,60}$/.test(name) && node.range)
          out.push({
            kind: 'template-field',
            line: lineOf(node.range[0]),
            section: undefined,
            inFrontMatter: true,
            text: `{${name}}`,
          });
        continue;
      }
      for (const item of node.items) stack.push(item.value);
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
}
