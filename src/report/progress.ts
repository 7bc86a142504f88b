/**
 * A progress line on stderr for long scans. Only drawn when stderr is a TTY (never into logs or pipes), at
 * most every PROGRESS_INTERVAL_MS, and erased when the scan ends so the report starts on a clean line.
 */
export const PROGRESS_INTERVAL_MS = 100;
const BAR_WIDTH = 24;

export interface Progress {
  start(total: number): void;
  tick(path: string): void;
  stop(): void;
}

export interface ProgressStream {
  write(chunk: string): unknown;
  readonly columns?: number;
}

export function createProgress(options: {
  stream: ProgressStream | undefined;
  enabled: boolean;
  now?: () => number;
}): Progress {
  const stream = options.stream;
  if (!options.enabled || stream === undefined) return { start() {}, tick() {}, stop() {} };
  const now = options.now ?? Date.now;
  let total = 0;
  let done = 0;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const draw = (path: string) => {
    const width = Math.max(40, stream.columns ?? 80);
    const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
    const head = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} `;
    const room = width - head.length - 1;
    const shown = path.length > room ? `…${path.slice(path.length - room + 1)}` : path;
    stream.write(`\r\x1b[2K${head}${shown}`);
    drawn = true;
  };
  return {
    start(n: number) {
      total = n;
      done = 0;
    },
    tick(path: string) {
      done++;
      const t = now();
      if (t - last < PROGRESS_INTERVAL_MS && done < total) return;
      last = t;
      draw(path);
    },
    stop() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
