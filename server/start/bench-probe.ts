/**
 * For bench/lab-load.ts, which runs the server as a child and cannot read the addon's counters
 * itself: with SOCKETLAB_BENCH_PROBE=1, SIGUSR2 makes the server print one line with the time its
 * lab system calls have spent in the kernel so far (measured inside the addon). Off by default, so a
 * normal server keeps SIGUSR2's default meaning. With lab workers, the line sums every worker's clock.
 */

export const BENCH_PROBE_LINE = /^bench-probe syscall-ns=(\d+) syscalls=(\d+)$/m;

export function installBenchProbe(clock: () => Promise<{ ns: number; calls: number }>, env: NodeJS.ProcessEnv = process.env): void {
  if (env.SOCKETLAB_BENCH_PROBE !== '1') return;
  process.on('SIGUSR2', () => {
    void clock().then((c) => process.stdout.write(`bench-probe syscall-ns=${c.ns} syscalls=${c.calls}\n`));
  });
}
