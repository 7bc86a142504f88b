import { ParseError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import { readCommand } from './dvc-file.js';
import { parseDataEntries } from './entry.js';
import { type DvcLimits, resolveDvcLimits } from './limits.js';
import { type DvcDataEntry, type DvcProblem, problemValue } from './model.js';
import { parseDvcYamlInput } from './yaml-input.js';

/**
 * `dvc.lock`: the state of each pipeline stage when it last ran
 * (https://dvc.org/doc/user-guide/project-structure/dvcyaml-files#dvclock-file; dvc/schema.py
 * `LOCKFILE_SCHEMA`, `LOCK_FILE_STAGE_SCHEMA`, `DATA_SCHEMA`). DVC 2 and 3 write `schema: '2.0'` with
 * the stages under `stages:`; DVC 1 wrote the stages at the top level with no `schema` (DVC 2 migrated
 * such files, DVC 3 refuses them), read here as schema `'1'`.
 */

export interface DvcLockParams {
  /** Params file, relative to the stage's `wdir` (usually `params.yaml`). */
  readonly file: string;
  /** Parameter values as recorded: dotted keys or nested mappings. Integers beyond 2^53 become strings. */
  readonly values: Readonly<Record<string, unknown>>;
}

export interface DvcLockStage {
  /** As in `dvc.yaml`; `foreach`/`matrix` stages appear as `name@key`. */
  readonly name: string;
  readonly cmd: readonly string[];
  /** Paths relative to the stage's `wdir`, which only `dvc.yaml` records. */
  readonly deps: readonly DvcDataEntry[];
  readonly outs: readonly DvcDataEntry[];
  readonly params: readonly DvcLockParams[];
}

export interface DvcLock {
  readonly schema: '2.0' | '1';
  readonly stages: readonly DvcLockStage[];
  readonly problems: readonly DvcProblem[];
}

export interface ParseDvcLockOptions {
  readonly file: string;
  readonly limits?: Partial<DvcLimits>;
}

/** Nesting kept in recorded parameter values; deeper values are cut (recursion bound). */
const MAX_PARAM_DEPTH = 32;

/** YAML data as JSON-safe plain data: bigint to number (or string beyond 2^53), bounded depth. */
function toPlain(value: unknown, depth: number): unknown {
  if (typeof value === 'bigint')
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_PARAM_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => toPlain(v, depth + 1));
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(value)) out[k] = toPlain(v, depth + 1);
  return out;
}

function readParams(value: unknown, file: string, field: string, problems: DvcProblem[]): DvcLockParams[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) {
    problems.push({ file, field, code: 'bad-value', message: 'is not a mapping of params files' });
    return [];
  }
  const params: DvcLockParams[] = [];
  for (const [paramsFile, values] of Object.entries(value)) {
    if (!isRecord(values)) {
      problems.push({
        file,
        field: `${field}.${paramsFile}`,
        code: 'bad-value',
        message: 'is not a mapping of parameter values',
        value: problemValue(values),
      });
      continue;
    }
    params.push({ file: paramsFile, values: toPlain(values, 0) as Record<string, unknown> });
  }
  return params;
}

function readStage(
  name: string,
  raw: unknown,
  file: string,
  fieldPrefix: string,
  problems: DvcProblem[],
  limits: DvcLimits,
): DvcLockStage | undefined {
  if (!isRecord(raw)) {
    problems.push({ file, field: fieldPrefix, code: 'bad-value', message: 'is not a mapping' });
    return undefined;
  }
  const cmd = readCommand(raw.cmd, file, `${fieldPrefix}.cmd`, problems);
  if (raw.cmd === undefined)
    problems.push({ file, field: `${fieldPrefix}.cmd`, code: 'missing', message: 'is missing' });
  const ctx = {
    file,
    problems,
    maxDirFiles: limits.maxDirFiles,
    maxEntries: limits.maxEntries,
    fieldPrefix,
  };
  return {
    name,
    cmd: cmd ?? [],
    deps: parseDataEntries(raw, 'deps', ctx),
    outs: parseDataEntries(raw, 'outs', ctx),
    params: readParams(raw.params, file, `${fieldPrefix}.params`, problems),
  };
}

/** Parses a `dvc.lock`. Throws {@link ParseError} when it is not a lock file DVC could read. */
export function parseDvcLock(input: string | Uint8Array, options: ParseDvcLockOptions): DvcLock {
  const limits = resolveDvcLimits(options.limits);
  const { file } = options;
  const data =
    parseDvcYamlInput(input, {
      file,
      maxBytes: limits.maxDvcLockBytes,
      maxAliases: limits.maxYamlAliases,
    }) ?? {};
  if (!isRecord(data)) throw new ParseError('BAD_STRUCTURE', `${file}: not a mapping`);
  const problems: DvcProblem[] = [];
  let schema: DvcLock['schema'];
  let stagesRaw: Record<string, unknown>;
  let prefix: string;
  if (data.schema !== undefined) {
    // dvc/schema.py: `vol.Equal("2.0", "invalid schema version")`; an unquoted 2.0 is a float and refused.
    if (data.schema !== '2.0')
      throw new ParseError(
        'UNSUPPORTED',
        `${file}: schema ${problemValue(data.schema)} is not '2.0', the only lock file version DVC reads`,
      );
    schema = '2.0';
    if (data.stages !== undefined && data.stages !== null && !isRecord(data.stages))
      throw new ParseError('BAD_STRUCTURE', `${file}: stages is not a mapping`);
    stagesRaw = isRecord(data.stages) ? data.stages : {};
    prefix = 'stages.';
  } else {
    schema = '1';
    stagesRaw = data;
    prefix = '';
  }
  const stages: DvcLockStage[] = [];
  const names = Object.keys(stagesRaw);
  for (const name of names.slice(0, limits.maxStages)) {
    const stage = readStage(name, stagesRaw[name], file, `${prefix}${name}`, problems, limits);
    if (stage) stages.push(stage);
  }
  if (names.length > limits.maxStages)
    problems.push({
      file,
      field: prefix === '' ? '' : 'stages',
      code: 'too-many',
      message: `has more than ${limits.maxStages} stages; the rest are not read`,
    });
  return { schema, stages, problems };
}
