import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';

/** What a CLI run printed and returned. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function run(argv: string[], tty = false): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    version: '0.0.0-test',
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stderrStream: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    noColor: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
