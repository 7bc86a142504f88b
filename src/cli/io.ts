/** What a command may touch of the process: injected so commands stay testable (STYLE.md §13). */
export interface CliIo {
  readonly version: string;
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stderrStream: NodeJS.WritableStream;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly noColor: boolean;
}
