/**
 * Reads the container images a Dockerfile pulls into a build: `FROM` base images, `COPY --from=<image>`,
 * `RUN --mount=from=<image>` and the `# syntax=` frontend image, with their package URLs and whether a
 * digest pins them. Issue 6 (ML-BOM containers) and the CONTAINER-* scan rules are built on it.
 *
 * The reader is written by hand after BuildKit's own parser (moby/buildkit frontend/dockerfile/parser,
 * instructions and dockerfile2llb), step for step, rather than taken from `dockerfile-ast`: that package is
 * an editor's syntax tree (ranges for a language server, lenient on purpose, with its own notion of where
 * flags end), does not bound its work, evaluates only part of BuildKit's variable syntax and does not check
 * image references. For a security reader the only correct answer is the builder's answer, so the parts
 * that decide which image is pulled are mirrored: parser directives (`# escape=`), line continuations,
 * comments inside continued instructions, heredocs (whose bodies are not instructions), builder flags,
 * global `ARG` substitution with BuildKit's lexer (shell-word.ts), stage names, and the
 * distribution/reference grammar (image-reference.ts). Where BuildKit would refuse the file, a problem is
 * reported with its line; where a value depends on the build (a build argument without a default), the
 * image is reported as unresolved, never guessed.
 */
import { assertNever, ParseError } from '../../core/errors.js';
import type { InventoryContainer } from '../inventory.js';
import { effectiveTag, type ImageReference, imagePurl, parseImageReference } from './image-reference.js';
import {
  expandWord,
  isGoSpace,
  type ShellWordOptions,
  type ShellWordResult,
  type UnresolvedVariable,
  type VariableValue,
} from './shell-word.js';

/** Largest Dockerfile read, in characters (bytes when read from disk): stops a scan from holding a huge file. */
export const MAX_DOCKERFILE_CHARS = 4 * 1024 * 1024;
/**
 * Longest physical line, in UTF-8 bytes. BuildKit reads lines with a `bufio.Scanner` and refuses the whole
 * file past 64 KiB ("dockerfile line greater than max allowed size of 65535"); the limit also bounds the
 * cost of every per-line step here.
 */
export const MAX_LINE_BYTES = 65_535;
/** Images listed per Dockerfile: stops a generated file of a million `FROM` lines from flooding a report. */
export const MAX_DOCKERFILE_IMAGES = 1000;
/** Problems listed per Dockerfile (a binary file has one per "instruction"); the rest are counted. */
export const MAX_DOCKERFILE_PROBLEMS = 100;
/** Deepest `${a:-${b:-...}}` nesting expanded: stops stack exhaustion. */
export const MAX_EXPANSION_DEPTH = 32;
/** Longest expanded value: stops `ARG B=$A$A`, `ARG C=$B$B`, ... from doubling without end. */
export const MAX_EXPANDED_CHARS = 4096;
/** Instruction text kept as evidence. */
const MAX_EVIDENCE_CHARS = 200;

export interface DockerfileLimits {
  readonly maxChars: number;
  readonly maxLineBytes: number;
  readonly maxImages: number;
  readonly maxProblems: number;
  readonly maxExpansionDepth: number;
  readonly maxExpandedChars: number;
}

const DEFAULT_LIMITS: DockerfileLimits = {
  maxChars: MAX_DOCKERFILE_CHARS,
  maxLineBytes: MAX_LINE_BYTES,
  maxImages: MAX_DOCKERFILE_IMAGES,
  maxProblems: MAX_DOCKERFILE_PROBLEMS,
  maxExpansionDepth: MAX_EXPANSION_DEPTH,
  maxExpandedChars: MAX_EXPANDED_CHARS,
};

/** How an image enters the build. */
export type ImageKind =
  /** `FROM image`: the base of a stage. */
  | 'from'
  /** `COPY --from=image`: files copied out of an image. */
  | 'copy-from'
  /** `RUN --mount=type=bind|cache,from=image`: an image mounted while a command runs. */
  | 'mount-from'
  /** `# syntax=image`: the BuildKit frontend that reads the rest of the file. */
  | 'syntax';

interface ImageCommon {
  readonly kind: ImageKind;
  /** 1-based line where the instruction (or directive) starts. */
  readonly line: number;
  /** The reference as written (`python:${PY_VERSION}-slim`). */
  readonly written: string;
  /** The instruction as written, on one line and truncated: evidence for a reader. */
  readonly instruction: string;
  /** Index of the stage the image starts or is used in (absent for `# syntax`). */
  readonly stageIndex?: number;
  /** Name of that stage (`AS builder`), lower case as BuildKit keeps it. */
  readonly stage?: string;
  /** `--platform` as written (`FROM` only). */
  readonly platformWritten?: string;
  /** `--platform` after substitution, when it resolved (`linux/amd64`). */
  readonly platform?: string;
}

/** An image whose reference is known and valid. */
export interface ResolvedImage extends ImageCommon {
  readonly state: 'resolved';
  /** The reference after substitution (`python:3.11-slim`). */
  readonly resolved: string;
  readonly reference: ImageReference;
  /** `pkg:oci/...` (see imagePurl for why `oci`). */
  readonly purl: string;
}

/** An image that depends on values the Dockerfile does not give (a build argument without a default). */
export interface UnresolvedImage extends ImageCommon {
  readonly state: 'unresolved';
  readonly unresolved: readonly UnresolvedVariable[];
  readonly problem: string;
}

/** An image reference Docker refuses (bad syntax, upper case, bad digest, a substitution error). */
export interface InvalidImage extends ImageCommon {
  readonly state: 'invalid';
  /** The reference after substitution, when substitution worked. */
  readonly resolved?: string;
  readonly problem: string;
}

/** An image the build pulls, or might pull: never a build stage, never `scratch`. */
export type BaseImage = ResolvedImage | UnresolvedImage | InvalidImage;

/** A build stage (one `FROM`), and what it builds on. */
export interface DockerfileStage {
  readonly index: number;
  readonly name?: string;
  readonly line: number;
  /** An external image, an earlier stage, the empty image, or not known (unresolved or malformed `FROM`). */
  readonly base: 'image' | 'stage' | 'scratch' | 'unknown';
  /** The base after substitution, or as written when it did not resolve. */
  readonly from: string;
}

/** Something in the file that Docker would refuse, or that stopped pedigree reading it. */
export interface DockerfileProblem {
  readonly line: number;
  readonly message: string;
}

export interface Dockerfile {
  /** Images in line order. */
  readonly images: readonly BaseImage[];
  readonly stages: readonly DockerfileStage[];
  readonly problems: readonly DockerfileProblem[];
  /** False when part of the file was not read (over a limit, unterminated heredoc): images may be missing. */
  readonly complete: boolean;
}

/** A Dockerfile read from `path` (shown in reports and in `declaredIn`). */
export interface DockerfileReading extends Dockerfile {
  readonly path: string;
}

/**
 * Whether a file name is a Dockerfile, by the names the tools use: `Dockerfile` (and `dockerfile`, which
 * `docker build` falls back to), `Containerfile` (Podman/Buildah), with a suffix (`Dockerfile.gpu`,
 * `Dockerfile-dev`) or as an extension (`gpu.Dockerfile`, `app.containerfile`), as Renovate and the VS Code
 * Docker extension match them. Upper case beyond the first letter (`DOCKERFILE`) is not a name Docker
 * looks for. BuildKit's per-Dockerfile ignore files (`Dockerfile.dockerignore`) and documentation
 * (`Dockerfile.md`) are not Dockerfiles.
 */
export function isDockerfileName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (/\.(?:dockerignore|md|markdown|rst|txt|adoc)$/i.test(base)) return false;
  return (
    /^(?:[Dd]ocker|[Cc]ontainer)file(?:[._-].+)?$/.test(base) ||
    /^.+\.(?:[Dd]ocker|[Cc]ontainer)file$/.test(base)
  );
}

/** Reads a Dockerfile's text (or UTF-8 bytes) found at `path`; never throws for bad content. */
export function readDockerfile(
  path: string,
  text: string | Uint8Array,
  limits: Partial<DockerfileLimits> = {},
): DockerfileReading {
  const decoded = typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: false }).decode(text);
  return { path, ...parseDockerfile(decoded, limits) };
}

/**
 * The inventory entry of a resolved image (`declaredIn` is `path:line`); `undefined` for images that did
 * not resolve, which the inventory reports as problems instead. The `ref` uses the canonical reference so
 * `python:3.11` and `docker.io/library/python:3.11` in two Dockerfiles are one container.
 */
export function toInventoryContainer(path: string, image: BaseImage): InventoryContainer | undefined {
  if (image.state !== 'resolved') return undefined;
  const { reference } = image;
  const tag = effectiveTag(reference);
  return {
    ref: `container:${reference.canonical}`,
    name: reference.name,
    ...(tag !== undefined ? { tag } : {}),
    ...(reference.digest !== undefined ? { digest: reference.digest } : {}),
    purl: image.purl,
    ...(image.platform !== undefined ? { platform: image.platform } : {}),
    declaredIn: [`${path}:${image.line}`],
  };
}

/** Parses Dockerfile text into the images it pulls, its stages and its problems. Never throws for bad content. */
export function parseDockerfile(text: string, limits: Partial<DockerfileLimits> = {}): Dockerfile {
  const reader = new DockerfileReader({ ...DEFAULT_LIMITS, ...limits });
  return reader.read(text);
}

// ---------------------------------------------------------------------------------------------------------
// Lines to instructions: parser/parser.go `Parse`.

interface Instruction {
  readonly line: number;
  /** The instruction keyword as written. */
  readonly command: string;
  /** Builder flags (`--platform=linux/amd64`), quotes and escapes removed (split_command.go). */
  readonly flags: readonly string[];
  /** The rest, trimmed. */
  readonly args: string;
  /** The whole logical line, continuations joined. */
  readonly text: string;
}

interface Heredoc {
  readonly name: string;
  readonly chomp: boolean;
}

/** Instructions BuildKit knows (instructions/parse.go); anything else is refused. */
const KNOWN_INSTRUCTIONS = new Set([
  'add',
  'arg',
  'cmd',
  'copy',
  'entrypoint',
  'env',
  'expose',
  'from',
  'healthcheck',
  'label',
  'maintainer',
  'onbuild',
  'run',
  'shell',
  'stopsignal',
  'user',
  'volume',
  'workdir',
]);
/** parser.go `heredocDirectives`. */
const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);
/** Parser directives (parser/directives.go `validDirectives`). */
const DIRECTIVES = new Set(['syntax', 'escape', 'check']);
/** directives.go `directiveRegexp` (Go's `\s` is `[\t\n\f\r ]`). */
const DIRECTIVE_RE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
/** parser.go `reHeredoc`. */
const HEREDOC_RE = /^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
/** parser.go `reWhitespace`: what separates an instruction from its arguments, and `FROM`'s arguments. */
const INSTRUCTION_SPACE_RE = /[\t\v\f\r ]+/;
/** instructions/parse.go `validStageName`. */
const STAGE_NAME_RE = /^[a-z][a-z0-9\-_.]*$/;
/**
 * Variables the builder sets before any `ARG` (dockerfile2llb/platform.go `defaultArgs`): their values
 * depend on the machine and `--platform`, so they are never known here.
 */
const BUILDER_VARIABLES = [
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDOSVERSION',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETOSVERSION',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
];

function trimLeftGoSpace(text: string): string {
  let i = 0;
  while (i < text.length) {
    const ch = text.codePointAt(i) as number;
    if (!isGoSpace(ch)) break;
    i += ch > 0xffff ? 2 : 1;
  }
  return text.slice(i);
}

/** Go's `strings.TrimSpace`. */
function trimGoSpace(text: string): string {
  const left = trimLeftGoSpace(text);
  let end = left.length;
  while (end > 0) {
    const low = left.charCodeAt(end - 1);
    const isPair = end > 1 && low >= 0xdc00 && low <= 0xdfff;
    const ch = isPair ? (left.codePointAt(end - 2) as number) : low;
    if (!isGoSpace(ch)) break;
    end -= isPair ? 2 : 1;
  }
  return left.slice(0, end);
}

/** parser.go `trimNewline`: drops every trailing CR and LF. */
function trimNewline(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === '\r' || line[end - 1] === '\n')) end--;
  return line.slice(0, end);
}

function isComment(line: string): boolean {
  return trimLeftGoSpace(line).startsWith('#');
}

function truncate(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > MAX_EVIDENCE_CHARS ? `${single.slice(0, MAX_EVIDENCE_CHARS)}…` : single;
}

/** parser.go `lineContinuationRegex`: the escape character ends the line, unless it is itself escaped. */
function trimContinuation(
  line: string,
  escapeToken: string,
): { readonly text: string; readonly ended: boolean } {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  if (end > 0 && line[end - 1] === escapeToken && (end === 1 || line[end - 2] !== escapeToken)) {
    return { text: line.slice(0, end - 1), ended: false };
  }
  return { text: line, ended: true };
}

/** split_command.go `extractBuilderFlags`: leading `--flag` words, with quotes and escapes removed. */
function extractBuilderFlags(line: string, escapeToken: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOk = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const ch = pos < line.length ? (line[pos] as string) : '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isGoSpace(ch.charCodeAt(0))) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOk || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch.charCodeAt(0))) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags };
        if (blankOk || word.length > 0) flags.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
        continue;
      }
      let kept = ch;
      if (ch === escapeToken) {
        if (pos + 1 === line.length) continue;
        pos++;
        kept = line[pos] as string;
      }
      word += kept;
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    let kept = ch;
    if (ch === escapeToken) {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
      kept = line[pos] as string;
    }
    word += kept;
  }
  return { rest: '', flags };
}

/** line_parsers.go `parseWords`: words of an `ARG`, quotes kept (the lexer removes them later). */
function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  const chars = [...rest];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOk = false;
  let word = '';
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isGoSpace(ch.codePointAt(0) as number)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOk || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch.codePointAt(0) as number)) {
        phase = 'spaces';
        if (blankOk || word.length > 0) words.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        pos++;
        ch = chars[pos] as string;
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos] as string;
    }
    word += ch;
  }
  return words;
}

/** line_parsers.go `parseJSON`: whether arguments are a JSON array (then heredocs do not apply). */
function isJsonArray(args: string): boolean {
  const rest = trimLeftGoSpace(args);
  if (!rest.startsWith('[')) return false;
  try {
    return Array.isArray(JSON.parse(rest));
  } catch {
    return false;
  }
}

/** split_command.go `splitCommand`. */
function splitCommand(line: string, escapeToken: string): { command: string; flags: string[]; args: string } {
  const trimmed = trimGoSpace(line);
  const space = INSTRUCTION_SPACE_RE.exec(trimmed);
  if (space === null) return { command: trimmed, flags: [], args: '' };
  const { rest, flags } = extractBuilderFlags(trimmed.slice(space.index + space[0].length), escapeToken);
  return { command: trimmed.slice(0, space.index), flags, args: trimGoSpace(rest) };
}

/** parser.go `Node.canContainHeredoc`: RUN, COPY and ADD (also behind ONBUILD), not in JSON form. */
function canContainHeredoc(command: string, args: string, escapeToken: string): boolean {
  let name = command.toLowerCase();
  let rest = args;
  if (name === 'onbuild' && rest !== '') {
    const inner = splitCommand(rest, escapeToken);
    name = inner.command.toLowerCase();
    rest = inner.args;
  }
  if (!HEREDOC_INSTRUCTIONS.has(name)) return false;
  if (name === 'run' && rest === '') return true;
  return !isJsonArray(rest);
}

class ProblemList {
  readonly problems: DockerfileProblem[] = [];
  private omitted = 0;
  private lastLine = 1;

  constructor(private readonly max: number) {}

  add(line: number, message: string): void {
    if (this.problems.length < this.max) this.problems.push({ line, message });
    else {
      this.omitted++;
      this.lastLine = line;
    }
  }

  finish(): DockerfileProblem[] {
    if (this.omitted > 0) {
      this.problems.push({
        line: this.lastLine,
        message: `${this.omitted} more problem(s) not listed (limit ${this.max})`,
      });
    }
    return this.problems;
  }
}

/** An image reference found in COPY --from or RUN --mount, decided once every stage name is known. */
interface PendingSource {
  readonly kind: 'copy-from' | 'mount-from';
  readonly value: string;
  readonly line: number;
  readonly instruction: string;
  readonly stageIndex: number;
  readonly stage?: string;
}

class DockerfileReader {
  private escape = '\\';
  private complete = true;
  private readonly problems: ProblemList;
  private readonly images: BaseImage[] = [];
  private readonly stages: DockerfileStage[] = [];
  private readonly pending: PendingSource[] = [];
  /** Names of the stages so far (lower case), which a later FROM can build on. */
  private readonly stageNames = new Set<string>();
  /** Global `ARG`s (those before the first FROM), on top of the builder's platform variables. */
  private readonly globals = new Map<string, VariableValue>(
    BUILDER_VARIABLES.map((name) => [name, { known: false, because: [{ name, reason: 'builder' }] }]),
  );
  private imagesOmitted = false;

  constructor(private readonly limits: DockerfileLimits) {
    this.problems = new ProblemList(limits.maxProblems);
  }

  read(text: string): Dockerfile {
    if (text.length > this.limits.maxChars) {
      this.problems.add(1, `the file is larger than ${this.limits.maxChars} characters; it was not read`);
      return this.result(false);
    }
    this.detectSyntax(text);
    const instructions = this.instructions(text);
    for (const instruction of instructions) this.interpret(instruction);
    if (instructions.length > 0 && this.stages.length === 0) {
      this.problems.add(instructions[0]?.line ?? 1, 'no FROM instruction: Docker has no stage to build');
    }
    this.resolvePending();
    return this.result(this.complete);
  }

  private result(complete: boolean): Dockerfile {
    const images = [...this.images].sort((a, b) => a.line - b.line);
    return { images, stages: this.stages, problems: this.problems.finish(), complete };
  }

  private lineTooLong(line: string, lineNumber: number): boolean {
    // UTF-8 is at most 3 bytes per UTF-16 unit: only count bytes when the line could be over.
    if (line.length * 3 <= this.limits.maxLineBytes) return false;
    if (Buffer.byteLength(line, 'utf8') <= this.limits.maxLineBytes) return false;
    this.problems.add(
      lineNumber,
      `line longer than ${this.limits.maxLineBytes} bytes: BuildKit refuses the file, and pedigree skipped the line`,
    );
    this.complete = false;
    return true;
  }

  /**
   * parser.go `Parse`: physical lines to instructions. Parser directives come first; comment and blank
   * lines are skipped; an instruction continues while its line ends with the escape character (comment and
   * blank lines inside it are dropped); heredoc bodies of RUN/COPY/ADD are consumed up to their terminator.
   */
  private instructions(text: string): Instruction[] {
    const lines = text.split('\n');
    const instructions: Instruction[] = [];
    const directives = { done: false, seen: new Set<string>() };
    let i = 0;
    const nextLine = (): { raw: string; number: number } | undefined => {
      while (i < lines.length) {
        const number = i + 1;
        let raw = lines[i++] as string;
        if (number === 1 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
        if (!this.lineTooLong(raw, number)) return { raw, number };
      }
      return undefined;
    };
    const processLine = (raw: string, number: number, stripLeft: boolean): string => {
      let token = trimNewline(raw);
      if (stripLeft) token = trimLeftGoSpace(token);
      if (!directives.done) this.directive(token, number, directives);
      return isComment(token) ? '' : token;
    };

    for (let first = nextLine(); first !== undefined; first = nextLine()) {
      const start = first.number;
      const opening = trimContinuation(processLine(first.raw, first.number, true), this.escape);
      if (opening.ended && opening.text === '') continue;
      const parts = [opening.text];
      let ended = opening.ended;
      while (!ended) {
        const next = nextLine();
        if (next === undefined) break;
        const processed = processLine(next.raw, next.number, false);
        if (isComment(next.raw)) continue;
        if (trimLeftGoSpace(trimNewline(processed)) === '') continue;
        const part = trimContinuation(processed, this.escape);
        parts.push(part.text);
        ended = part.ended;
      }
      const logical = parts.join('');
      const { command, flags, args } = splitCommand(logical, this.escape);
      instructions.push({ line: start, command, flags, args, text: logical });

      if (logical.includes('<<') && canContainHeredoc(command, args, this.escape)) {
        for (const heredoc of this.heredocs(logical, start)) {
          let terminated = false;
          for (let body = nextLine(); body !== undefined; body = nextLine()) {
            let candidate = trimNewline(body.raw);
            if (heredoc.chomp) candidate = candidate.replace(/^\t+/, '');
            if (candidate === heredoc.name) {
              terminated = true;
              break;
            }
          }
          if (!terminated) {
            this.problems.add(
              start,
              `unterminated heredoc <<${heredoc.name}: the rest of the file is its body`,
            );
            this.complete = false;
            break;
          }
        }
      }
    }
    return instructions;
  }

  /** directives.go `DirectiveParser.ParseLine` as the main parser uses it (escape and duplicates). */
  private directive(token: string, line: number, state: { done: boolean; seen: Set<string> }): void {
    if (!token.startsWith('#')) {
      state.done = true;
      return;
    }
    const match = DIRECTIVE_RE.exec(trimLeftGoSpace(token.slice(1)));
    const key = match?.[1]?.toLowerCase();
    if (match === null || key === undefined || !DIRECTIVES.has(key)) {
      state.done = true;
      return;
    }
    if (state.seen.has(key)) {
      this.problems.add(line, `only one ${key} parser directive can be used`);
      return;
    }
    state.seen.add(key);
    if (key === 'escape') {
      const value = match[2] as string;
      if (value === '`' || value === '\\') this.escape = value;
      else this.problems.add(line, `invalid escape token '${value}' does not match \` or \\`);
    }
  }

  /** parser.go `heredocsFromLine`: words of the line that are `<<WORD`, `<<-WORD`, `<<"WORD"`, `2<<WORD`. */
  private heredocs(line: string, lineNumber: number): Heredoc[] {
    const noVariables = () => undefined;
    const options = (raw: boolean, maxChars: number): ShellWordOptions => ({
      escapeToken: '\\',
      rawQuotes: raw,
      rawEscapes: raw,
      skipUnsetEnv: true,
      lookup: noVariables,
      maxDepth: this.limits.maxExpansionDepth,
      maxChars,
    });
    // Unset variables stay as written, so the words are never longer than the line and its quotes.
    const split = expandWord(line, options(true, line.length * 2 + 16));
    if (split.kind !== 'expanded') {
      // BuildKit ignores a lexing error here and looks for no heredoc; only a limit of ours is a problem,
      // since BuildKit would have found heredocs that were not looked for.
      if (split.kind === 'error' && split.limit) {
        this.problems.add(lineNumber, `could not look for heredocs: ${split.message}`);
        this.complete = false;
      }
      return [];
    }
    const heredocs: Heredoc[] = [];
    for (const word of split.words) {
      const match = HEREDOC_RE.exec(word);
      const rest = match?.[3] ?? '';
      if (match === null || rest === '') continue;
      const plain = expandWord(rest, options(false, rest.length * 2 + 16));
      if (plain.kind === 'error') {
        this.problems.add(lineNumber, `heredoc ${word}: ${plain.message}`);
        continue;
      }
      if (plain.kind !== 'expanded' || plain.words.length !== 1) continue;
      heredocs.push({ name: plain.words[0] as string, chomp: match[2] === '-' });
    }
    return heredocs;
  }

  /**
   * directives.go `DetectSyntax`, which the BuildKit gateway uses to choose the frontend image: a `#!` first
   * line is skipped, then `# syntax=` (or `// syntax=`) among the leading directive lines.
   */
  private detectSyntax(text: string): void {
    const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n', 64);
    const offset = lines[0]?.startsWith('#!') ? 1 : 0;
    for (const prefix of ['#', '//']) {
      const seen = new Set<string>();
      for (let i = offset; i < lines.length; i++) {
        const line = (lines[i] as string).replace(/\r$/, '');
        if (!line.startsWith(prefix)) break;
        const match = DIRECTIVE_RE.exec(trimLeftGoSpace(line.slice(prefix.length)));
        const key = match?.[1]?.toLowerCase();
        if (match === null || key === undefined || !DIRECTIVES.has(key) || seen.has(key)) break;
        seen.add(key);
        if (key !== 'syntax') continue;
        const value = match[2] as string;
        const written = value.split(' ')[0] as string;
        this.addImage(
          'syntax',
          written,
          { kind: 'expanded', value: written, words: [] },
          {
            line: i + 1,
            instruction: truncate(line),
          },
        );
        return;
      }
    }
  }

  private expand(word: string): ShellWordResult {
    return expandWord(word, {
      escapeToken: this.escape,
      lookup: (name) => this.globals.get(name),
      maxDepth: this.limits.maxExpansionDepth,
      maxChars: this.limits.maxExpandedChars,
    });
  }

  private interpret(instruction: Instruction): void {
    const command = instruction.command.toLowerCase();
    if (!KNOWN_INSTRUCTIONS.has(command)) {
      this.problems.add(
        instruction.line,
        `unknown instruction: ${truncate(instruction.command).slice(0, 40)}`,
      );
      return;
    }
    if (command === 'from') {
      this.from(instruction);
      return;
    }
    if (this.stages.length === 0) {
      if (command === 'arg') this.globalArg(instruction);
      else
        this.problems.add(instruction.line, `${instruction.command} before the first FROM: no build stage`);
      return;
    }
    if (command === 'copy') this.copyFrom(instruction);
    else if (command === 'run') this.mounts(instruction);
  }

  /** An `ARG` before the first FROM: its default (expanded with the ones before it) is visible to FROM. */
  private globalArg(instruction: Instruction): void {
    const words = parseWords(instruction.args, this.escape);
    if (words.length === 0) this.problems.add(instruction.line, 'ARG requires at least one argument');
    for (const word of words) {
      const equals = word.indexOf('=');
      // `ARG NAME` without a default changes nothing: only --build-arg can give it a value.
      if (equals < 0) continue;
      const name = word.slice(0, equals);
      if (name === '') {
        this.problems.add(instruction.line, 'ARG names can not be blank');
        continue;
      }
      const value = this.expand(word.slice(equals + 1));
      if (value.kind === 'expanded') this.globals.set(name, { known: true, value: value.value });
      else if (value.kind === 'unresolved') this.globals.set(name, { known: false, because: value.because });
      else {
        this.problems.add(instruction.line, `ARG ${name}: ${value.message}`);
        this.globals.set(name, { known: false, because: [{ name, reason: 'invalid-default' }] });
      }
    }
  }

  /** instructions/parse.go `parseFrom` and dockerfile2llb `buildDispatchStates`. */
  private from(instruction: Instruction): void {
    const index = this.stages.length;
    const flags = this.flagValues(instruction, new Set(['platform']), true);
    const platformWritten = flags.get('platform')?.[0];
    const words = instruction.args === '' ? [] : instruction.args.split(INSTRUCTION_SPACE_RE);
    let name: string | undefined;
    if (words.length === 3 && words[1]?.toLowerCase() === 'as') {
      const candidate = (words[2] as string).toLowerCase();
      if (STAGE_NAME_RE.test(candidate)) name = candidate;
      else {
        this.problems.add(
          instruction.line,
          `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`,
        );
      }
    } else if (words.length !== 1) {
      this.problems.add(instruction.line, 'FROM requires either one or three arguments');
      this.stages.push({ index, line: instruction.line, base: 'unknown', from: instruction.args });
      return;
    }
    const written = words[0] as string;
    let platform: string | undefined;
    if (platformWritten !== undefined) {
      const expanded = this.expand(platformWritten);
      if (expanded.kind === 'expanded') {
        if (expanded.value === '') {
          this.problems.add(instruction.line, `empty platform value from expression ${platformWritten}`);
        } else platform = expanded.value;
      } else if (expanded.kind === 'error') {
        this.problems.add(instruction.line, `--platform=${platformWritten}: ${expanded.message}`);
      }
    }

    const base = this.expand(written);
    let kind: DockerfileStage['base'] = 'unknown';
    let from = written;
    if (base.kind === 'expanded') {
      from = base.value;
      // BuildKit compares the expanded name with earlier stage names as it is (stage names are lower case).
      if (base.value === 'scratch') kind = 'scratch';
      else if (this.stageNames.has(base.value)) kind = 'stage';
      else kind = 'image';
    }
    if (kind === 'unknown' || kind === 'image') {
      const added = this.addImage('from', written, base, {
        line: instruction.line,
        instruction: truncate(instruction.text),
        stageIndex: index,
        ...(name !== undefined ? { stage: name } : {}),
        ...(platformWritten !== undefined ? { platformWritten } : {}),
        ...(platform !== undefined ? { platform } : {}),
      });
      if (added?.state === 'invalid') kind = 'unknown';
    }
    this.stages.push({
      index,
      ...(name !== undefined ? { name } : {}),
      line: instruction.line,
      base: kind,
      from,
    });
    // Added after the base was looked up: a stage cannot build on itself (dispatchStates.addState).
    if (name !== undefined) this.stageNames.add(name);
  }

  /** `COPY --from=<stage name | stage index | image>` (dockerfile2llb `toCommand`). */
  private copyFrom(instruction: Instruction): void {
    const values = this.flagValues(instruction, new Set(['from']), false).get('from') ?? [];
    if (values.length > 1) this.problems.add(instruction.line, 'duplicate flag specified: --from');
    const value = values[0];
    // An empty --from copies from the build context, as if the flag were not there.
    if (value === undefined || value === '') return;
    // BuildKit expands --from with no variables and refuses it when that changes anything.
    const expanded = expandWord(value, {
      escapeToken: this.escape,
      lookup: () => undefined,
      maxDepth: this.limits.maxExpansionDepth,
      maxChars: this.limits.maxExpandedChars,
    });
    if (expanded.kind !== 'expanded' || expanded.value !== value) {
      this.problems.add(
        instruction.line,
        `COPY --from=${value}: variable expansion is not supported for --from (Docker refuses the instruction)`,
      );
      return;
    }
    // strconv.Atoi: a number is a stage index, never an image; it must name a stage before this one.
    if (/^[+-]?[0-9]+$/.test(value)) {
      const stageIndex = Number(value);
      if (!(stageIndex >= 0 && stageIndex < this.stages.length - 1)) {
        this.problems.add(
          instruction.line,
          `COPY --from=${value}: there is no stage ${value} before this one`,
        );
      }
      return;
    }
    this.pendingSource('copy-from', value, instruction);
  }

  /** `RUN --mount=type=bind|cache,from=<stage | image>` (instructions/commands_runmount.go `parseMount`). */
  private mounts(instruction: Instruction): void {
    for (const mount of this.flagValues(instruction, new Set(['mount']), false).get('mount') ?? []) {
      const fields = splitCsv(mount);
      if (fields === undefined) {
        this.problems.add(instruction.line, `failed to parse csv mounts: ${truncate(mount)}`);
        continue;
      }
      let type = 'bind';
      let from: string | undefined;
      for (const field of fields) {
        const equals = field.indexOf('=');
        if (equals < 0) continue;
        const key = field.slice(0, equals).toLowerCase();
        const value = field.slice(equals + 1);
        if (key === 'type') type = value.toLowerCase();
        else if (key === 'from') {
          const dollar = value.indexOf('$');
          if (dollar !== -1 && dollar !== value.length - 1) {
            this.problems.add(
              instruction.line,
              `RUN --mount from=${value}: 'from' doesn't support variable expansion (Docker refuses the instruction)`,
            );
            from = undefined;
            break;
          }
          from = value;
        }
      }
      if (from === undefined || from === '') continue;
      if (type === 'secret') {
        this.problems.add(instruction.line, 'secret mount should not have a from');
        continue;
      }
      this.pendingSource('mount-from', from, instruction);
    }
  }

  private pendingSource(kind: PendingSource['kind'], value: string, instruction: Instruction): void {
    const stage = this.stages[this.stages.length - 1];
    this.pending.push({
      kind,
      value,
      line: instruction.line,
      instruction: truncate(instruction.text),
      stageIndex: this.stages.length - 1,
      ...(stage?.name !== undefined ? { stage: stage.name } : {}),
    });
  }

  /** COPY --from and RUN --mount name any stage of the file (case-insensitively); the rest are images. */
  private resolvePending(): void {
    for (const source of this.pending) {
      if (this.stageNames.has(source.value.toLowerCase()) || source.value === 'scratch') continue;
      this.addImage(
        source.kind,
        source.value,
        { kind: 'expanded', value: source.value, words: [] },
        {
          line: source.line,
          instruction: source.instruction,
          stageIndex: source.stageIndex,
          ...(source.stage !== undefined ? { stage: source.stage } : {}),
        },
      );
    }
  }

  /**
   * instructions/bflag.go `BFlags.Parse` for the flags read here: `--name=value`, a `--` ends the flags.
   * For FROM (`strict`) every other flag is refused as BuildKit refuses it; for COPY and RUN only the
   * flags that name images are read.
   */
  private flagValues(
    instruction: Instruction,
    wanted: ReadonlySet<string>,
    strict: boolean,
  ): Map<string, string[]> {
    const values = new Map<string, string[]>();
    for (const flag of instruction.flags) {
      if (flag === '--') break;
      const equals = flag.indexOf('=');
      const name = (equals < 0 ? flag : flag.slice(0, equals)).slice(2);
      if (!wanted.has(name)) {
        if (strict) this.problems.add(instruction.line, `unknown flag: --${name}`);
        continue;
      }
      if (equals < 0) {
        this.problems.add(instruction.line, `missing a value on flag: --${name}`);
        continue;
      }
      const list = values.get(name) ?? [];
      if (strict && list.length > 0)
        this.problems.add(instruction.line, `duplicate flag specified: --${name}`);
      list.push(flag.slice(equals + 1));
      values.set(name, list);
    }
    return values;
  }

  private addImage(
    kind: ImageKind,
    written: string,
    expanded: ShellWordResult,
    common: Omit<ImageCommon, 'kind' | 'written'>,
  ): BaseImage | undefined {
    if (this.images.length >= this.limits.maxImages) {
      if (!this.imagesOmitted) {
        this.imagesOmitted = true;
        this.complete = false;
        this.problems.add(common.line, `more than ${this.limits.maxImages} images; the rest were not read`);
      }
      return undefined;
    }
    const base = { kind, written, ...common };
    let image: BaseImage;
    if (expanded.kind === 'unresolved') {
      image = {
        ...base,
        state: 'unresolved',
        unresolved: expanded.because,
        problem: describeUnresolved(written, expanded.because),
      };
    } else if (expanded.kind === 'error') {
      image = { ...base, state: 'invalid', problem: `Docker cannot expand ${written}: ${expanded.message}` };
    } else if (expanded.value === '') {
      image = {
        ...base,
        state: 'invalid',
        resolved: '',
        problem: `base name (${written}) should not be blank`,
      };
    } else {
      try {
        const reference = parseImageReference(expanded.value);
        image = {
          ...base,
          state: 'resolved',
          resolved: expanded.value,
          reference,
          purl: imagePurl(reference, kind === 'from' ? common.platform : undefined),
        };
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
        image = {
          ...base,
          state: 'invalid',
          resolved: expanded.value,
          problem: `${expanded.value}: ${error.message}`,
        };
      }
    }
    this.images.push(image);
    return image;
  }
}

/** tonistiigi/go-csvvalue `Fields` (encoding/csv rules): `,` separates, `"` quotes, `""` is a quote. */
function splitCsv(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') return undefined;
    } else {
      const comma = text.indexOf(',', i);
      field = text.slice(i, comma < 0 ? text.length : comma);
      if (field.includes('"')) return undefined;
      i = comma < 0 ? text.length : comma;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++;
  }
}

/** Why an image could not be resolved, for a person. */
export function describeUnresolved(written: string, because: readonly UnresolvedVariable[]): string {
  const reasons = because.map((v) => {
    switch (v.reason) {
      case 'no-default':
        return `${v.name} has no default (only --build-arg sets it)`;
      case 'builder':
        return `${v.name} is set by the builder for the build or target platform`;
      case 'required':
        return `${v.name} must be given with --build-arg`;
      case 'unsupported':
        return `\${${v.name}/pattern/replacement} is not evaluated by pedigree`;
      case 'invalid-default':
        return `the default of ${v.name} cannot be expanded`;
      default:
        return assertNever(v.reason, 'unresolved reason');
    }
  });
  return `could not resolve ${written}: ${reasons.join('; ')}`;
}
