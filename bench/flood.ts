/**
 * What one flooding session costs everyone else. A normal session loops the hello conversation at a
 * learner's pace (within the default 20 calls/s) against a real server process with default
 * limits: first alone, then while another client floods /lab with 10,000 commands in 2 s (100
 * frames every 20 ms, reconnecting whenever the server closes it; a process of its own, so its work
 * does not slow the measuring client), for as long. Prints the normal
 * session's round trip p50/p99/max in both phases, and what became of the flood.
 * Budget: the flood adds at most a few ms to the other session's p99 (<= 5 ms).
 * Loopback only; bounded in time.
 *   node --import tsx bench/flood.ts [--seconds 6] [--op kernel|setblocking|socket] [--batch 100 --every 20]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { helloLoop, type LoopStats } from './lib/hello-loop.ts';
import { LeanClient } from './lib/lean-client.ts';
import { startBenchServer, summary, verdict } from './lib/server-process.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    op: { type: 'string', default: 'kernel' },
    /** Frames per batch and ms between batches: 100/20 is a steady 5,000 a second; 10000/2000 sends each 2 s of it at once. */
    batch: { type: 'string', default: '100' },
    every: { type: 'string', default: '20' },
  },
});
const SECONDS = Number(values.seconds);
/** The flood's command: `kernel` (the costliest a session may call), `setblocking` or `socket`. */
const OP = values.op;
/** A pause after each call keeps the normal session inside its 20 calls per second. */
const PACE_MS = 60;

const server = await startBenchServer(['--lab-only', '--quiet']);
const url = `ws://127.0.0.1:${server.port}/lab`;

interface FloodTally {
  sent: number;
  refused: number;
  answered: number;
  closes: Record<string, number>;
}

/** Runs the flooder in its own process (bench/lib/flooder.ts) and returns its tally. */
function flood(seconds: number): Promise<FloodTally> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'lib', 'flooder.ts'), url, String(seconds), OP, values.batch, values.every], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flooder exited ${code}`)))));
}

try {
  console.log(`server pid ${server.proc.pid}, engine ${/engine: (\w+)/.exec(server.stdout)?.[1]}\n`);
  const normal = await LeanClient.open(url);
  await helloLoop(normal, Date.now() + 1000, { latencies: [], errors: [], loops: 0 }, PACE_MS); // warm up

  const alone: LoopStats = { latencies: [], errors: [], loops: 0 };
  await helloLoop(normal, Date.now() + SECONDS * 1000, alone, PACE_MS);

  const flooded: LoopStats = { latencies: [], errors: [], loops: 0 };
  const cpu0 = server.cpuSeconds();
  const flooding = flood(SECONDS);
  await new Promise((r) => setTimeout(r, 500)); // the flooder's start-up
  await helloLoop(normal, Date.now() + SECONDS * 1000 - 500, flooded, PACE_MS);
  const fs = await flooding;
  const cpu = server.cpuSeconds() - cpu0;
  normal.close();

  const a = summary(alone.latencies);
  const f = summary(flooded.latencies);
  const line = (s: ReturnType<typeof summary>) => `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(1)} ms (${s.n} calls)`;
  console.log(`the other session, alone:        ${line(a)}, ${alone.errors.length} errors`);
  console.log(`the other session, under flood:  ${line(f)}, ${flooded.errors.length} errors`);
  console.log(`  the flood added ${(f.p99 - a.p99).toFixed(2)} ms to its p99  (budget <= 5 ms: ${verdict(f.p99 - a.p99 <= 5)})`);
  console.log(`  and ${(f.p50 - a.p50).toFixed(2)} ms to its p50`);
  const closes = Object.entries(fs.closes).map(([code, n]) => `${code} ×${n}`).join(', ');
  console.log(`the flood (${OP}, ${values.batch} frames every ${values.every} ms): ${fs.sent} frames in ${SECONDS} s, ${fs.refused} refused (E_LIMIT), ${fs.answered} answered, connections closed: ${closes || 'none'}`);
  console.log(`server CPU during the flood: ${((cpu / SECONDS) * 100).toFixed(0)}% of one core`);
} finally {
  await server.stop();
}
