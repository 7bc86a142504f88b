import type { CliIo } from './io.js';

/** A CliIo that keeps what a command prints, for CLI tests. */
export function memoryIo(tty = false): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    version: '0.0.0-test',
    stdout: (s) => {
      out.stdout += s;
    },
    stderr: (s) => {
      out.stderr += s;
    },
    stderrStream: process.stderr,
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    noColor: false,
  };
  return { io, out };
}
