import { writeFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { describeError, UsageError } from '../core/errors.js';
import { isSeverity, type Severity } from '../core/finding.js';
import { writeFileNoFollow } from '../core/write-file.js';
import type { CliIo } from './io.js';

/**
 * Delivers a rendered report: to `--output FILE` when given, else to standard output, except that
 * `--quiet` text output prints nothing here (the command prints its verdict line on standard error).
 */
export async function deliverReport(
  rendered: string,
  options: { readonly output?: string; readonly quiet?: boolean; readonly format: string },
  io: CliIo,
): Promise<void> {
  if (options.output !== undefined) await writeReportFile(options.output, rendered);
  else if (!(options.quiet === true && options.format === 'text')) io.stdout(rendered);
}

/**
 * `deliverReport`, then, with `--quiet` text output, the command's verdict line (given without its
 * newline) on standard error: the tail of `verify`, `verify-attestation`, `data`, `lineage` and `repro`.
 */
export async function deliverReportAndVerdict(
  rendered: string,
  options: { readonly output?: string; readonly quiet: boolean; readonly format: string },
  verdict: string,
  io: CliIo,
): Promise<void> {
  await deliverReport(rendered, options, io);
  if (options.quiet && options.format === 'text') io.stderr(`${verdict}\n`);
}

/** The streams a report may be written to through a link or as a device. */
const STREAM_PATH = /^\/dev\/(?:stdout|stderr|null|fd\/\d+)$/;

/**
 * Writes `--output`. The report often goes into the folder just checked (`-o model/report.json`), which
 * may hold a symbolic link planted under that name (`report.json -> ~/.bashrc`) or a FIFO: neither is
 * written through (core/write-file.ts). /dev/stdout, /dev/stderr, /dev/null and /dev/fd/N (`-o >(jq .)`)
 * are the user's own choice of a stream, never a link a model could plant, and are written as given.
 */
export async function writeReportFile(path: string, content: string): Promise<void> {
  if (!STREAM_PATH.test(path)) {
    writeFileNoFollow(path, content, '--output');
    return;
  }
  try {
    await writeFile(path, content);
  } catch (error) {
    throw new UsageError('PATH_UNREADABLE', `cannot write ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** Output formats of `scan`, `deps` and `deps check`. */
export const REPORT_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type ReportFormatName = (typeof REPORT_FORMATS)[number];

/** `--format` checked against REPORT_FORMATS; anything else is a usage error. */
export function reportFormat(format: string): ReportFormatName {
  if ((REPORT_FORMATS as readonly string[]).includes(format)) return format as ReportFormatName;
  throw new UsageError(
    'BAD_ARGUMENT',
    `--format must be one of ${REPORT_FORMATS.join(', ')}, got '${format}'`,
  );
}

/** A severity option (`--fail-on` also takes `none`); anything else is a usage error naming the option. */
export function severityOption(value: string, name: string, allowNone: boolean): Severity | 'none' {
  if ((allowNone && value === 'none') || isSeverity(value)) return value as Severity | 'none';
  throw new UsageError(
    'BAD_ARGUMENT',
    `${name}: expected critical, high, medium, low, info${allowNone ? ' or none' : ''}, got '${value}'`,
  );
}

/**
 * The configuration file as reports name it: relative to the checked folder when it was found there (so
 * reports do not depend on where the folder is), else as given, in POSIX form.
 */
export function shownConfigPath(file: string, found: boolean, root: string | undefined): string {
  return (found && root !== undefined ? relative(root, file) : file).split(sep).join('/');
}
