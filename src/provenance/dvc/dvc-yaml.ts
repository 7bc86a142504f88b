import { ParseError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import { readCommand } from './dvc-file.js';
import { type DvcLimits, resolveDvcLimits } from './limits.js';
import { type DvcProblem, problemValue } from './model.js';
import { parseDvcYamlInput } from './yaml-input.js';

/**
 * `dvc.yaml`: the pipeline's stages as written (https://dvc.org/doc/user-guide/project-structure/dvcyaml-files;
 * dvc/schema.py `MULTI_STAGE_SCHEMA`, `STAGE_DEFINITION`, `FOREACH_IN`). Structure only: `${...}`
 * templates, `vars`, `foreach` and `matrix` are noted, never evaluated, so templated values stay as
 * written and the stages they would generate are not listed.
 */

/** The params file a bare key refers to (dvc/dependency/param.py `DEFAULT_PARAMS_FILE`). */
export const DEFAULT_PARAMS_FILE = 'params.yaml';

export interface DvcPipelineOut {
  readonly path: string;
  /** Listed under `outs`, `metrics` or `plots`. */
  readonly kind: 'out' | 'metric' | 'plot';
  /** `cache: false` outs are left to Git; DVC caches the others. */
  readonly cache: boolean;
  readonly persist: boolean;
  readonly push: boolean;
  readonly remote?: string;
  readonly desc?: string;
}

export interface DvcParamsRef {
  readonly file: string;
  /** Keys tracked in the file, or `all` when the whole file is a dependency. */
  readonly keys: readonly string[] | 'all';
}

export interface DvcPipelineStage {
  readonly name: string;
  /** `foreach` and `matrix` stages expand to `name@key` stages when DVC evaluates them. */
  readonly form: 'single' | 'foreach' | 'matrix';
  readonly cmd: readonly string[];
  /** Working directory relative to the `dvc.yaml`'s folder; paths of the stage are relative to it. */
  readonly wdir?: string;
  readonly deps: readonly string[];
  readonly params: readonly DvcParamsRef[];
  readonly outs: readonly DvcPipelineOut[];
  readonly frozen: boolean;
  readonly alwaysChanged: boolean;
  readonly desc?: string;
  /** Axis names of a `matrix` stage. */
  readonly matrix?: readonly string[];
  /** What `foreach` iterates: a literal list or mapping, or a `${...}` expression. */
  readonly foreach?: 'list' | 'mapping' | 'expression';
  /** Some value of the stage contains `${...}`: the recorded text is a template, not a path. */
  readonly templated: boolean;
}

export interface DvcPipeline {
  readonly stages: readonly DvcPipelineStage[];
  /** Top-level `params`, `metrics` and `plots` entries (plots by path or name). */
  readonly params: readonly string[];
  readonly metrics: readonly string[];
  readonly plots: readonly string[];
  readonly artifacts: readonly string[];
  /** The file defines `vars` for templating. */
  readonly hasVars: boolean;
  readonly problems: readonly DvcProblem[];
}

export interface ParseDvcYamlOptions {
  readonly file: string;
  readonly limits?: Partial<DvcLimits>;
}

const TEMPLATE = /\$\{/;

/** Whether any string inside `value` holds a `${...}` template (bounded walk). */
function hasTemplate(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return TEMPLATE.test(value);
  if (depth > 16 || typeof value !== 'object' || value === null) return false;
  const items = Array.isArray(value) ? value : [...Object.keys(value), ...Object.values(value)];
  return items.some((v) => hasTemplate(v, depth + 1));
}

interface Ctx {
  readonly file: string;
  readonly problems: DvcProblem[];
  readonly limits: DvcLimits;
}

function bad(ctx: Ctx, field: string, message: string, value?: unknown): void {
  ctx.problems.push({
    file: ctx.file,
    field,
    code: 'bad-value',
    message,
    ...(value !== undefined ? { value: problemValue(value) } : {}),
  });
}

function readStrings(ctx: Ctx, value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    bad(ctx, field, 'is not a list');
    return [];
  }
  const out: string[] = [];
  for (const [i, item] of value.slice(0, ctx.limits.maxEntries).entries()) {
    if (typeof item === 'string') out.push(item);
    else bad(ctx, `${field}[${i}]`, 'is not a path', item);
  }
  if (value.length > ctx.limits.maxEntries)
    ctx.problems.push({
      file: ctx.file,
      field,
      code: 'too-many',
      message: `has more than ${ctx.limits.maxEntries} entries`,
    });
  return out;
}

/** dvc/output.py `load_from_pipeline`/`_merge_data`: strings, or `{path: {flags}}` mappings. */
function readOuts(ctx: Ctx, value: unknown, field: string, kind: DvcPipelineOut['kind']): DvcPipelineOut[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    bad(ctx, field, 'is not a list');
    return [];
  }
  const merged = new Map<string, Record<string, unknown>>();
  for (const [i, item] of value.slice(0, ctx.limits.maxEntries).entries()) {
    if (typeof item === 'string') {
      if (!merged.has(item)) merged.set(item, {});
      continue;
    }
    if (!isRecord(item)) {
      bad(ctx, `${field}[${i}]`, 'is not a path or a mapping of a path to its flags', item);
      continue;
    }
    for (const [path, flags] of Object.entries(item)) {
      if (flags !== null && !isRecord(flags) && !(kind === 'plot' && Array.isArray(flags))) {
        bad(ctx, `${field}[${i}].${path}`, 'is not a mapping of flags', flags);
        continue;
      }
      merged.set(path, { ...(merged.get(path) ?? {}), ...(isRecord(flags) ? flags : {}) });
    }
  }
  if (value.length > ctx.limits.maxEntries)
    ctx.problems.push({
      file: ctx.file,
      field,
      code: 'too-many',
      message: `has more than ${ctx.limits.maxEntries} entries`,
    });
  return [...merged].map(([path, flags]) => ({
    path,
    kind,
    cache: flags.cache !== false,
    persist: flags.persist === true,
    push: flags.push !== false,
    ...(typeof flags.remote === 'string' ? { remote: flags.remote } : {}),
    ...(typeof flags.desc === 'string' ? { desc: flags.desc } : {}),
  }));
}

/** dvc/dependency/__init__.py `_merge_params`: bare keys go to params.yaml, `{file: [keys]}`, `{file:}` = all. */
function readParams(ctx: Ctx, value: unknown, field: string): DvcParamsRef[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    bad(ctx, field, 'is not a list');
    return [];
  }
  const byFile = new Map<string, string[] | 'all'>();
  const add = (file: string, keys: string[] | 'all') => {
    const existing = byFile.get(file);
    if (keys === 'all' || existing === 'all') byFile.set(file, 'all');
    else byFile.set(file, [...(existing ?? []), ...keys]);
  };
  for (const [i, item] of value.slice(0, ctx.limits.maxEntries).entries()) {
    if (typeof item === 'string') add(DEFAULT_PARAMS_FILE, [item]);
    else if (isRecord(item)) {
      for (const [file, keys] of Object.entries(item)) {
        if (keys === null || (Array.isArray(keys) && keys.length === 0)) add(file, 'all');
        else if (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) add(file, keys as string[]);
        else bad(ctx, `${field}[${i}].${file}`, 'is not a list of parameter names', keys);
      }
    } else bad(ctx, `${field}[${i}]`, 'is not a parameter name or a mapping of a params file to names', item);
  }
  return [...byFile].map(([file, keys]) => ({ file, keys }));
}

function readStage(ctx: Ctx, name: string, raw: unknown): DvcPipelineStage | undefined {
  const field = `stages.${name}`;
  if (!isRecord(raw)) {
    bad(ctx, field, 'is not a mapping');
    return undefined;
  }
  let form: DvcPipelineStage['form'] = 'single';
  let body: Record<string, unknown> = raw;
  let bodyField = field;
  let foreach: DvcPipelineStage['foreach'];
  let matrix: string[] | undefined;
  if (raw.foreach !== undefined || raw.do !== undefined) {
    // dvc/schema.py FOREACH_IN: both keys required, `do` holds the stage definition.
    form = 'foreach';
    if (!isRecord(raw.do)) {
      ctx.problems.push({
        file: ctx.file,
        field: `${field}.do`,
        code: 'missing',
        message: 'is missing or not a mapping',
      });
      return undefined;
    }
    body = raw.do;
    bodyField = `${field}.do`;
    foreach =
      typeof raw.foreach === 'string' ? 'expression' : Array.isArray(raw.foreach) ? 'list' : 'mapping';
    if (raw.foreach === undefined)
      ctx.problems.push({
        file: ctx.file,
        field: `${field}.foreach`,
        code: 'missing',
        message: 'is missing',
      });
  } else if (raw.matrix !== undefined) {
    form = 'matrix';
    if (isRecord(raw.matrix)) matrix = Object.keys(raw.matrix);
    else bad(ctx, `${field}.matrix`, 'is not a mapping of axes');
  }
  if (body.cmd === undefined)
    ctx.problems.push({ file: ctx.file, field: `${bodyField}.cmd`, code: 'missing', message: 'is missing' });
  const cmd = readCommand(body.cmd, ctx.file, `${bodyField}.cmd`, ctx.problems) ?? [];
  const wdir = typeof body.wdir === 'string' ? body.wdir : undefined;
  if (body.wdir !== undefined && wdir === undefined)
    bad(ctx, `${bodyField}.wdir`, 'is not a path', body.wdir);
  const desc = typeof body.desc === 'string' ? body.desc : undefined;
  return {
    name,
    form,
    cmd,
    ...(wdir !== undefined ? { wdir } : {}),
    deps: readStrings(ctx, body.deps, `${bodyField}.deps`),
    params: readParams(ctx, body.params, `${bodyField}.params`),
    outs: [
      ...readOuts(ctx, body.outs, `${bodyField}.outs`, 'out'),
      ...readOuts(ctx, body.metrics, `${bodyField}.metrics`, 'metric'),
      ...readOuts(ctx, body.plots, `${bodyField}.plots`, 'plot'),
    ],
    frozen: body.frozen === true,
    alwaysChanged: body.always_changed === true,
    ...(desc !== undefined ? { desc } : {}),
    ...(matrix ? { matrix } : {}),
    ...(foreach ? { foreach } : {}),
    templated: hasTemplate(raw),
  };
}

function topLevelNames(ctx: Ctx, value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (isRecord(value)) return Object.keys(value).slice(0, ctx.limits.maxEntries);
  if (!Array.isArray(value)) {
    bad(ctx, field, 'is not a list');
    return [];
  }
  const names: string[] = [];
  for (const item of value.slice(0, ctx.limits.maxEntries)) {
    if (typeof item === 'string') names.push(item);
    else if (isRecord(item)) names.push(...Object.keys(item));
  }
  return names;
}

/** Parses a `dvc.yaml`. Throws {@link ParseError} when it is not a pipeline file DVC could read. */
export function parseDvcYaml(input: string | Uint8Array, options: ParseDvcYamlOptions): DvcPipeline {
  const limits = resolveDvcLimits(options.limits);
  const { file } = options;
  const data =
    parseDvcYamlInput(input, { file, maxBytes: limits.maxDvcYamlBytes, maxAliases: limits.maxYamlAliases }) ??
    {};
  if (!isRecord(data)) throw new ParseError('BAD_STRUCTURE', `${file}: not a mapping`);
  const ctx: Ctx = { file, problems: [], limits };
  const stages: DvcPipelineStage[] = [];
  if (data.stages !== undefined && data.stages !== null) {
    if (!isRecord(data.stages)) throw new ParseError('BAD_STRUCTURE', `${file}: stages is not a mapping`);
    const names = Object.keys(data.stages);
    for (const name of names.slice(0, limits.maxStages)) {
      const stage = readStage(ctx, name, data.stages[name]);
      if (stage) stages.push(stage);
    }
    if (names.length > limits.maxStages)
      ctx.problems.push({
        file,
        field: 'stages',
        code: 'too-many',
        message: `has more than ${limits.maxStages} stages; the rest are not read`,
      });
  }
  return {
    stages,
    params: readStrings(ctx, data.params, 'params'),
    metrics: readStrings(ctx, data.metrics, 'metrics'),
    plots: topLevelNames(ctx, data.plots, 'plots'),
    artifacts: isRecord(data.artifacts) ? Object.keys(data.artifacts).slice(0, limits.maxEntries) : [],
    hasVars: data.vars !== undefined,
    problems: ctx.problems,
  };
}
