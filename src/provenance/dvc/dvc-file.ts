import { ParseError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import { parseDataEntries } from './entry.js';
import { type DvcLimits, resolveDvcLimits } from './limits.js';
import type { DvcDataEntry, DvcProblem } from './model.js';
import { parseDvcYamlInput } from './yaml-input.js';

/**
 * `.dvc` files: what `dvc add`, `dvc import` and `dvc import-url` write
 * (https://dvc.org/doc/user-guide/project-structure/dvc-files; dvc/schema.py `SINGLE_STAGE_SCHEMA`).
 */

export interface DvcFile {
  /** The tracked data; paths relative to the file's folder joined with `wdir`. */
  readonly outs: readonly DvcDataEntry[];
  /** Where imported data came from (`dvc import`: a `repo`; `dvc import-url`: a URL or path). */
  readonly deps: readonly DvcDataEntry[];
  readonly wdir?: string;
  /** Checksum of the stage itself, written for import stages. */
  readonly md5?: string;
  readonly frozen?: boolean;
  /** Command of a DVC 0.x-1.x single-stage file (`dvc run -f name.dvc`). */
  readonly cmd?: readonly string[];
  readonly desc?: string;
  readonly problems: readonly DvcProblem[];
}

export interface ParseDvcFileOptions {
  /** Path of the file relative to the project, used in problems and errors. */
  readonly file: string;
  readonly limits?: Partial<DvcLimits>;
  /** Take the last of duplicate keys instead of refusing the file as DVC does. */
  readonly allowDuplicateKeys?: boolean;
}

/** A `cmd` as DVC allows it: one string or a list of strings. */
export function readCommand(
  value: unknown,
  file: string,
  field: string,
  problems: DvcProblem[],
): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((c) => typeof c === 'string')) return value as string[];
  problems.push({ file, field, code: 'bad-value', message: 'is not a command or a list of commands' });
  return undefined;
}

/** Parses a `.dvc` file. Throws {@link ParseError} when it is not a DVC file at all. */
export function parseDvcFile(input: string | Uint8Array, options: ParseDvcFileOptions): DvcFile {
  const limits = resolveDvcLimits(options.limits);
  const { file } = options;
  const data =
    parseDvcYamlInput(input, {
      file,
      maxBytes: limits.maxDvcFileBytes,
      maxAliases: limits.maxYamlAliases,
      ...(options.allowDuplicateKeys ? { allowDuplicateKeys: true } : {}),
    }) ?? {};
  if (!isRecord(data)) throw new ParseError('BAD_STRUCTURE', `${file}: not a mapping`);
  const problems: DvcProblem[] = [];
  const ctx = {
    file,
    problems,
    maxDirFiles: limits.maxDirFiles,
    maxEntries: limits.maxEntries,
    fieldPrefix: '',
  };
  if (data.outs === undefined || data.outs === null)
    problems.push({ file, field: 'outs', code: 'missing', message: 'is missing: the file tracks nothing' });
  const outs = parseDataEntries(data, 'outs', ctx);
  const deps = parseDataEntries(data, 'deps', ctx);
  const wdir = typeof data.wdir === 'string' ? data.wdir : undefined;
  if (data.wdir !== undefined && data.wdir !== null && wdir === undefined)
    problems.push({ file, field: 'wdir', code: 'bad-value', message: 'is not a path' });
  const md5 = typeof data.md5 === 'string' ? data.md5.toLowerCase() : undefined;
  const frozen = typeof data.frozen === 'boolean' ? data.frozen : undefined;
  const cmd = readCommand(data.cmd, file, 'cmd', problems);
  const desc = typeof data.desc === 'string' ? data.desc : undefined;
  return {
    outs,
    deps,
    ...(wdir !== undefined ? { wdir } : {}),
    ...(md5 !== undefined ? { md5 } : {}),
    ...(frozen !== undefined ? { frozen } : {}),
    ...(cmd ? { cmd } : {}),
    ...(desc !== undefined ? { desc } : {}),
    problems,
  };
}
