import { type Command, Option } from 'commander';
// Only the list of formats is loaded with the command tree; readers and the diff load when it runs.
import { BOM_DIFF_FORMATS, type BomDiffFormat } from '../../bom/diff/render.js';
import { ParseError, UsageError } from '../../core/errors.js';
import type { CliIo } from '../io.js';
import { deliverReport } from '../output.js';

export interface BomDiffCommandOptions {
  readonly format: string;
  readonly output?: string;
}

function diffFormat(format: string): BomDiffFormat {
  if ((BOM_DIFF_FORMATS as readonly string[]).includes(format)) return format as BomDiffFormat;
  throw new UsageError(
    'BAD_ARGUMENT',
    `--format must be one of ${BOM_DIFF_FORMATS.join(', ')}, got '${format}'`,
  );
}

/**
 * `pedigree bom diff A B`: 0 when the BOMs list the same components with the same versions, hashes and
 * licences, 1 when they differ (like diff(1)); a BOM that cannot be read is a usage error (exit 2).
 */
export async function runBomDiffCommand(
  pathA: string,
  pathB: string,
  options: BomDiffCommandOptions,
  io: CliIo,
): Promise<number> {
  const format = diffFormat(options.format);
  const { diffBoms, readBom, renderBomDiff } = await import('../../bom/diff/index.js');
  const read = (path: string) => {
    try {
      return readBom(path);
    } catch (error) {
      // The message names the file, the JSON path and the reason.
      if (error instanceof ParseError)
        throw new UsageError('PATH_UNREADABLE', `not a BOM pedigree can compare: ${error.message}`, {
          cause: error,
        });
      throw error;
    }
  };
  const diff = diffBoms(read(pathA), read(pathB));
  const rendered = renderBomDiff(diff, format, {
    pathA,
    pathB,
    color: format === 'text' && options.output === undefined && io.stdoutIsTTY && !io.noColor,
  });
  await deliverReport(rendered, { ...options, format }, io);
  return diff.summary.identical ? 0 : 1;
}

/** Adds `diff <A> <B>` under the `bom` command; `setExit` receives its exit code, as in cli/main.ts. */
export function registerBomDiffCommand(bom: Command, io: CliIo, setExit: (code: number) => void): Command {
  return bom
    .command('diff')
    .description(
      'Compare two BOMs (CycloneDX JSON 1.2-1.7, SPDX 3.0.1 JSON-LD, SPDX 2.3 JSON): components added, removed and changed (version, hashes, licences), and ML models whose weights changed. Exit 0 when they match, 1 when they differ.',
    )
    .argument('<A>', 'the earlier BOM (the baseline)')
    .argument('<B>', 'the later BOM')
    .addOption(new Option('-f, --format <format>', 'output format').choices(BOM_DIFF_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .action(async (pathA: string, pathB: string, opts: Record<string, unknown>) => {
      setExit(
        await runBomDiffCommand(
          pathA,
          pathB,
          {
            format: String(opts.format),
            ...(typeof opts.output === 'string' ? { output: opts.output } : {}),
          },
          io,
        ),
      );
    });
}
