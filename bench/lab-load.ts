/**
 * Lab engine latency, over the real WebSocket, against a real server process:
 *  1. one session looping the hello conversation: per-op round trip p50/p99 (budget p99 <= 5 ms);
 *  2. 300 concurrent sessions, each looping it: p50/p99, errors, server RSS and CPU
 *     (budgets: p99 <= 50 ms, 0 errors, RSS <= 1 GiB).
 * With --kernel each step is followed by a `kernel` request, as the page does, and the view's round
 * trip is printed beside the step's; --time-wait N first makes N TIME_WAIT entries on the machine
 * (kept topped up), as a class leaves them, for the kernel view to be read beside.
 * The many-sessions run also prints what a call costs: the server's CPU per call (read from
 * /proc/<pid>/stat of the server child), the lab system calls' own time per call measured inside
 * the addon in the same run, and the load generator's own CPU (on 2 cores it competes with the server).
 * With --capture (issue 17; the server must be able to capture on lo: root or CAP_NET_RAW): the one
 * session alternates capture off and on in the same run (step p99 on vs off, budget +10%), the many
 * sessions run once with capture off and once with it on, and each packet's delay after the step
 * event that caused it is printed (budget p99 <= 20 ms).
 * Loopback only; bounded in time.
 *   node --import tsx bench/lab-load.ts [--sessions 300] [--seconds 20] [--kernel] [--capture] [--time-wait 20000] [--kernel-view proc] [--cpu-prof DIR]
 */
import { parseArgs } from 'node:util';
import { HelloConversation, helloLoop, type LoopStats } from './lib/hello-loop.ts';
import { LeanClient } from './lib/lean-client.ts';
import { machineLine, startBenchServer, summary, verdict, type BenchServer } from './lib/server-process.ts';
import { BENCH_PROBE_LINE } from '../server/start/bench-probe.ts';
import { makeTimeWait } from './lib/time-wait.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '20' },
    kernel: { type: 'boolean', default: false },
    capture: { type: 'boolean', default: false },
    'time-wait': { type: 'string', default: '0' },
    'kernel-view': { type: 'string', default: 'auto' },
    // A directory: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
    'cpu-prof': { type: 'string' },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const KERNEL = values.kernel;
const loopOptions = { kernel: KERNEL };
const CAPTURE = values.capture;

/**
 * Each packet's delay after its step: the time the packet event arrived minus the time the step
 * event with its cause arrived, both at this client (the page's view of it).
 */
function watchPackets(c: LeanClient, delays: number[]): void {
  const stepAt = new Map<unknown, number>();
  c.onEvent = (e) => {
    if (e.event === 'step' && e.status !== 'blocked') {
      stepAt.set(e.id, performance.now());
      if (stepAt.size > 64) stepAt.delete(stepAt.keys().next().value);
    } else if (e.event === 'packet' && e.cause !== undefined) {
      const at = stepAt.get(e.cause);
      if (at !== undefined) delays.push(performance.now() - at);
    }
  };
}

async function setCapture(c: LeanClient, on: boolean): Promise<void> {
  const r = await c.call('capture', { action: on ? 'start' : 'stop' });
  if (!r.ok) throw new Error(`capture ${on ? 'start' : 'stop'}: ${r.error.code} ${r.error.message}`);
}

/** The server's lab system-call clock (server/start/bench-probe.ts): nanoseconds and calls so far. */
async function syscallClock(srv: BenchServer): Promise<{ ns: number; calls: number }> {
  const count = () => srv.stdout.match(new RegExp(BENCH_PROBE_LINE.source, 'gm'))?.length ?? 0;
  const before = count();
  srv.proc.kill('SIGUSR2');
  const deadline = Date.now() + 5000;
  while (count() === before) {
    if (Date.now() > deadline) throw new Error('the server did not answer the bench probe');
    await new Promise((r) => setTimeout(r, 10));
  }
  const lines = [...srv.stdout.matchAll(new RegExp(BENCH_PROBE_LINE.source, 'gm'))];
  const last = lines[lines.length - 1]!;
  return { ns: Number(last[1]), calls: Number(last[2]) };
}

const open = (port: number) => LeanClient.open(`ws://127.0.0.1:${port}/lab`);

const population = await makeTimeWait(Number(values['time-wait']), SECONDS + 120);
const server = await startBenchServer(['--lab-only', '--quiet', '--kernel-view', String(values['kernel-view'])], {
  SOCKETLAB_SESSIONS_PER_ADDRESS: String(SESSIONS + 10),
  SOCKETLAB_COMMANDS_PER_SECOND: '10000',
  SOCKETLAB_BENCH_PROBE: '1',
}, values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []);
try {
  console.log(`server pid ${server.proc.pid}, engine ${/engine: (\w+)/.exec(server.stdout)?.[1]}, ${/kernel view: ([^(\n]+)/.exec(server.stdout)?.[1]?.trim()}`);
  console.log(`TCP entries on the machine: ${population.tcpEntries()}; ${KERNEL ? 'each step followed by a kernel view' : 'steps only (--kernel adds the view the page asks for)'}\n`);

  // 1. One session.
  const one: LoopStats = { latencies: [], errors: [], loops: 0 };
  const c = await open(server.port);
  await helloLoop(c, Date.now() + 1000, { latencies: [], errors: [], loops: 0 }, 0, loopOptions); // warm up
  if (CAPTURE) {
    // Off and on alternate in short rounds, so both see the same machine load.
    const on: LoopStats = { latencies: [], errors: [], loops: 0 };
    const delays: number[] = [];
    watchPackets(c, delays);
    // One conversation per phase, each carried on across the rounds, so no round leaves sockets open.
    const offConversation = new HelloConversation(c, one);
    const onConversation = new HelloConversation(c, on);
    for (let round = 0; round < 6; round++) {
      await helloLoop(c, Date.now() + 1000, one, 0, { ...loopOptions, conversation: offConversation });
      await setCapture(c, true);
      await helloLoop(c, Date.now() + 1000, on, 0, { ...loopOptions, conversation: onConversation });
      await setCapture(c, false);
    }
    const off1 = summary(one.latencies);
    const on1 = summary(on.latencies);
    const d = summary(delays);
    console.log(`one session, capture off and on in alternate 1 s rounds: ${off1.n} calls off, ${on1.n} on, ${one.errors.length + on.errors.length} errors`);
    console.log(`  capture off: p50 ${off1.p50.toFixed(2)} ms, p99 ${off1.p99.toFixed(2)} ms; capture on: p50 ${on1.p50.toFixed(2)} ms, p99 ${on1.p99.toFixed(2)} ms`);
    console.log(`  capture costs ${((on1.p99 / off1.p99 - 1) * 100).toFixed(1)} % of step p99  (budget <= +10 %: ${verdict(on1.p99 <= off1.p99 * 1.1)})`);
    console.log(`  packets after their step: ${d.n} packets, p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(1)} ms  (budget p99 <= 20 ms: ${verdict(d.p99 <= 20)})`);
  } else {
    await helloLoop(c, Date.now() + 5000, one, 0, loopOptions);
  }
  c.close();
  const s1 = summary(one.latencies);
  console.log(`one session${CAPTURE ? ', capture off' : ''}: ${one.loops} hello conversations, ${s1.n} calls, ${one.errors.length} errors`);
  console.log(`  per-op round trip: p50 ${s1.p50.toFixed(2)} ms, p99 ${s1.p99.toFixed(2)} ms, max ${s1.max.toFixed(1)} ms  (budget p99 <= 5 ms: ${verdict(s1.p99 <= 5)})`);
  if (KERNEL) {
    const v1 = summary(one.views ?? []);
    console.log(`  kernel view round trip: p50 ${v1.p50.toFixed(2)} ms, p99 ${v1.p99.toFixed(2)} ms, max ${v1.max.toFixed(1)} ms`);
  }
  console.log('');

  // 2. Many sessions at once (with --capture: once with capture off, then once with it on).
  const clients = await Promise.all(Array.from({ length: SESSIONS }, () => open(server.port)));
  for (const captureOn of CAPTURE ? [false, true] : [false]) {
    const delays: number[] = [];
    if (captureOn) {
      for (const cl of clients) watchPackets(cl, delays);
      await Promise.all(clients.map((cl) => setCapture(cl, true)));
    }
    const stats: LoopStats = { latencies: [], errors: [], loops: 0 };
    const clock0 = await syscallClock(server);
    const cpu0 = server.cpuSeconds();
    const ownCpu0 = process.cpuUsage();
    const t0 = Date.now();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMiB())), 250);
    await Promise.all(clients.map((cl) => helloLoop(cl, t0 + SECONDS * 1000, stats, 0, loopOptions)));
    clearInterval(sampler);
    const wall = (Date.now() - t0) / 1000;
    const cpu = server.cpuSeconds() - cpu0;
    const ownCpu = process.cpuUsage(ownCpu0);
    const clock1 = await syscallClock(server);
    peakRss = Math.max(peakRss, server.rssMiB());
    const s = summary(stats.latencies);
    const errs = new Map<string, number>();
    for (const e of stats.errors) errs.set(e, (errs.get(e) ?? 0) + 1);
    if (CAPTURE) console.log(`capture ${captureOn ? 'ON' : 'off'}:`);
    console.log(`${SESSIONS} sessions for ${wall.toFixed(1)} s: ${stats.loops} hello conversations, ${s.n} calls (${(s.n / wall).toFixed(0)} calls/s)`);
    console.log(`  per-op round trip: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms  (budget p99 <= 50 ms: ${verdict(s.p99 <= 50)})`);
    if (KERNEL) {
      const v = summary(stats.views ?? []);
      console.log(`  kernel view round trip: p50 ${v.p50.toFixed(1)} ms, p99 ${v.p99.toFixed(1)} ms, max ${v.max.toFixed(0)} ms (${v.n} views)`);
    }
    console.log(`  errors: ${stats.errors.length}${errs.size ? ` (${[...errs].map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''}  (budget 0: ${verdict(stats.errors.length === 0)})`);
    console.log(`  server RSS peak ${peakRss.toFixed(0)} MiB  (budget <= 1024 MiB: ${verdict(peakRss <= 1024)}), CPU ${(cpu / wall * 100).toFixed(0)}% of one core`);
    // Every lab call the server answered in the window, the kernel views included (each is a call too).
    const answered = s.n + (stats.views?.length ?? 0);
    const serverUs = (cpu * 1e6) / answered;
    const syscallUs = (clock1.ns - clock0.ns) / 1e3 / answered;
    console.log(`  server CPU ${serverUs.toFixed(1)} µs per call (budget <= 40 µs: ${verdict(serverUs <= 40)}); its system calls ${syscallUs.toFixed(1)} µs per call inside the addon (${((clock1.calls - clock0.calls) / answered).toFixed(2)} syscalls per call), so a call costs ${(serverUs / syscallUs).toFixed(1)}× its system calls`);
    console.log(`  load generator CPU ${(((ownCpu.user + ownCpu.system) / 1e6 / wall) * 100).toFixed(0)}% of one core`);
    if (captureOn) {
      const d = summary(delays);
      console.log(`  packets after their step: ${d.n} packets, p50 ${d.p50.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms, max ${d.max.toFixed(0)} ms  (budget p99 <= 20 ms: ${verdict(d.p99 <= 20)})`);
    }
    console.log(`  ${machineLine()}`);
    console.log('');
  }
  for (const cl of clients) cl.close();
} finally {
  await Promise.all([server.stop(), population.stop()]);
}
