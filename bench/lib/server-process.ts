/**
 * Benchmarks measure a real server in its own process (so its RSS and CPU are its own), started
 * exactly as `npm start` would, on a free port, with the settings a benchmark needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface BenchServer {
  proc: ChildProcess;
  port: number;
  url: string;
  stdout: string;
  /** Resolves with the first match of `re` in the server's output (now or later). */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resident memory of the server process, in MiB. */
  rssMiB(): number;
  /** CPU seconds (user + system) the server has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** `nodeArgs`: options for the server's node itself (e.g. `--cpu-prof`, to see where a bench's calls go). */
export async function startBenchServer(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/index.ts', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  let stdout = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      stdout += d;
      const m = /running at http:\/\/[^:]+:(\d+)/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${stdout}`)));
  });
  const status = () => readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  const clockTicks = 100;
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    get stdout() {
      return stdout;
    },
    async waitForOutput(re: RegExp, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(stdout);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`server never printed ${re}:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    rssMiB: () => Number(/VmRSS:\s+(\d+) kB/.exec(status())![1]) / 1024,
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / clockTicks;
    },
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summary(values: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export function verdict(ok: boolean): string {
  return ok ? 'within budget' : 'OVER BUDGET';
}

/**
 * The share of the last 10 s in which some runnable task waited for a CPU (Linux PSI), or null where
 * the kernel does not report it. Latency tails measured while it is high are mostly other work.
 */
export function cpuPressure(): number | null {
  try {
    const m = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function machineLine(): string {
  const p = cpuPressure();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  return `machine: load average ${load}${p === null ? '' : `, CPU pressure ${p.toFixed(0)}% (time some task waited for a core)`}`;
}
