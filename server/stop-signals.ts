/**
 * Ctrl+C and SIGTERM. The first asks for a graceful close; the same signal again within
 * DUPLICATE_WINDOW_MS is the same keypress arriving twice (a terminal signals its whole foreground
 * process group, so the server gets Ctrl+C directly AND from scripts/start.mjs or npm passing it on);
 * a signal after that is a person pressing Ctrl+C again, and forces the exit.
 */
import { performance } from 'node:perf_hooks';

export const DUPLICATE_WINDOW_MS = 1000;

export function stopOnSignals(close: () => Promise<void>, opts: { quiet: boolean }): void {
  let firstAt: number | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (firstAt !== null) {
      if (performance.now() - firstAt < DUPLICATE_WINDOW_MS) return;
      if (!opts.quiet) console.log(`\n${signal} again: exiting now, without waiting for the close to finish.`);
      process.exit(1);
    }
    firstAt = performance.now();
    if (!opts.quiet) console.log(`\n${signal}: closing every lab socket and stopping (press Ctrl+C again to force).`);
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
