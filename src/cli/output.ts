import { writeFile } from 'node:fs/promises';
import { describeError, UsageError } from '../core/errors.js';
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
  if (options.output !== undefined) {
    try {
      await writeFile(options.output, rendered);
    } catch (error) {
      throw new UsageError('PATH_UNREADABLE', `cannot write ${options.output}: ${describeError(error)}`, {
        cause: error,
      });
    }
  } else if (!(options.quiet === true && options.format === 'text')) io.stdout(rendered);
}
