/**
 * A class at a human pace (open loop): N learners, each clicking the next step of the hello
 * conversation about once a second (random arrivals, exponential gaps), every step followed by its
 * kernel view as the page asks for it, on a machine holding the TIME_WAIT entries such a class
 * leaves (made first on loopback and kept topped up). For each class size: step and view p50/p99,
 * errors, the server's RSS and CPU. Budgets (issue 14): p99 <= 25 ms for the step and for the view,
 * 0 errors, RSS <= 1.5 GiB, at 1,000 learners.
 *
 * Open loop: a click happens at its time whether or not the server has answered the learner's last
 * one; a step's time runs from the click to its answer (a click that waited for the previous answer
 * counts its wait), so a slow server shows as slow steps, not as fewer clicks.
 * Loopback only; bounded in time (warm-up + --seconds per class size).
 *   node --import tsx bench/class-pace.ts [--sessions 100,300,1000] [--seconds 30] [--time-wait 20000]
 *                                         [--rate 1] [--kernel-view auto|proc] [--lab-ports 20000-29999]
 */
import { parseArgs } from 'node:util';
import { HelloConversation, type LoopStats } from './lib/hello-loop.ts';
import { LeanClient } from './lib/lean-client.ts';
import { machineLine, startBenchServer, summary, verdict } from './lib/server-process.ts';
import { makeTimeWait } from './lib/time-wait.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100,300,1000' },
    seconds: { type: 'string', default: '30' },
    'warm-up': { type: 'string', default: '5' },
    'time-wait': { type: 'string', default: '20000' },
    rate: { type: 'string', default: '1' },
    'kernel-view': { type: 'string', default: 'auto' },
    'lab-ports': { type: 'string', default: '20000-29999' },
  },
});
const SIZES = String(values.sessions).split(',').map(Number);
const SECONDS = Number(values.seconds);
const WARM_UP = Number(values['warm-up']);
const RATE = Number(values.rate);
const BUDGET_MS = 25;
const BUDGET_RSS_MIB = 1536;
/**
 * Each learner's listener holds a lab port for most of the conversation, so a class of 1,000 needs
 * more than the default range's 1,000 ports (docs/hosting.md); the default here is outside the
 * kernel's ephemeral range, so clients' ports never take them.
 */
const LAB_PORTS = String(values['lab-ports']);

interface Learner {
  client: LeanClient;
  conversation: HelloConversation;
  /** Clicks not yet answered (the learner clicked again before the last answer came). */
  queue: number[];
  busy: boolean;
}

/** A click's answer time: from the click to the step's reply, then to the kernel view's reply. */
interface PaceStats extends LoopStats {
  steps: number[];
  viewsAfterClick: number[];
  late: number;
  clicks: number;
}

function exponential(meanMs: number): number {
  return -Math.log(1 - Math.random()) * meanMs;
}

async function runClass(size: number, totalEntries: () => number): Promise<void> {
  const server = await startBenchServer(['--lab-only', '--quiet', '--kernel-view', String(values['kernel-view'])], {
    SOCKETLAB_SESSIONS_PER_ADDRESS: String(size + 10),
    SOCKETLAB_LAB_PORTS: LAB_PORTS,
  });
  const learners: Learner[] = [];
  const record = { on: false };
  const stats: PaceStats = { latencies: [], errors: [], loops: 0, views: [], steps: [], viewsAfterClick: [], late: 0, clicks: 0 };
  const scratch: PaceStats = { latencies: [], errors: [], loops: 0, views: [], steps: [], viewsAfterClick: [], late: 0, clicks: 0 };
  try {
    for (let i = 0; i < size; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, size - i) }, () => LeanClient.open(`ws://127.0.0.1:${server.port}/lab`)));
      for (const client of batch) learners.push({ client, conversation: new HelloConversation(client, stats), queue: [], busy: false });
    }
    const kernelLine = /kernel view: ([^(\n]+)/.exec(server.stdout)?.[1]?.trim();

    const serve = async (l: Learner) => {
      if (l.busy) return;
      l.busy = true;
      while (l.queue.length && !l.client.closed) {
        const clicked = l.queue.shift()!;
        const into = record.on ? stats : scratch;
        if (performance.now() - clicked > 1) into.late++;
        const ok = await l.conversation.next();
        const stepDone = performance.now();
        if (ok) {
          await l.conversation.view();
          into.steps.push(stepDone - clicked);
          into.viewsAfterClick.push(performance.now() - stepDone);
        }
      }
      l.busy = false;
    };
    const timers = new Set<NodeJS.Timeout>();
    let running = true;
    const click = (l: Learner) => {
      if (!running) return;
      const t = setTimeout(() => {
        timers.delete(t);
        l.queue.push(performance.now());
        if (record.on) stats.clicks++;
        void serve(l);
        click(l);
      }, exponential(1000 / RATE));
      timers.add(t);
    };
    // The conversation's own counters (latencies, views) are not used: a click's time is measured here.
    for (const l of learners) click(l);
    await new Promise((r) => setTimeout(r, WARM_UP * 1000));
    stats.errors.length = 0;
    record.on = true;
    const cpu0 = server.cpuSeconds();
    const ownCpu0 = process.cpuUsage();
    const t0 = Date.now();
    let peakRss = server.rssMiB();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMiB())), 500);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    record.on = false;
    running = false;
    for (const t of timers) clearTimeout(t);
    clearInterval(sampler);
    const wall = (Date.now() - t0) / 1000;
    const cpu = server.cpuSeconds() - cpu0;
    const ownCpu = process.cpuUsage(ownCpu0);
    const loadCpu = (ownCpu.user + ownCpu.system) / 1e6;
    peakRss = Math.max(peakRss, server.rssMiB());
    const errors = [...stats.errors];

    const step = summary(stats.steps);
    const view = summary(stats.viewsAfterClick);
    const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
    const errs = new Map<string, number>();
    for (const e of errors) errs.set(e, (errs.get(e) ?? 0) + 1);
    console.log(`${size} learners for ${wall.toFixed(0)} s (${kernelLine}; ${totalEntries()} TCP entries on the machine):`);
    console.log(
      `  ${stats.clicks} clicks, ${step.n} answered in the run (${(step.n / wall).toFixed(0)}/s), ${stats.late} clicked before the previous answer came;` +
        (step.n ? ` server CPU ${((cpu / step.n) * 1e6).toFixed(0)} µs a click (step + view)` : ''),
    );
    console.log(`  step, click to answer:   p50 ${ms(step.p50)} ms, p99 ${ms(step.p99)} ms, max ${ms(step.max)} ms  (budget p99 <= ${BUDGET_MS} ms: ${verdict(step.p99 <= BUDGET_MS)})`);
    console.log(`  its kernel view:         p50 ${ms(view.p50)} ms, p99 ${ms(view.p99)} ms, max ${ms(view.max)} ms  (budget p99 <= ${BUDGET_MS} ms: ${verdict(view.p99 <= BUDGET_MS)})`);
    console.log(`  errors: ${errors.length}${errs.size ? ` (${[...errs].map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''}  (budget 0: ${verdict(errors.length === 0)})`);
    console.log(`  server RSS peak ${peakRss.toFixed(0)} MiB (budget <= ${BUDGET_RSS_MIB} MiB: ${verdict(peakRss <= BUDGET_RSS_MIB)}), CPU ${((cpu / wall) * 100).toFixed(0)}% of one core (the load generator: ${((loadCpu / wall) * 100).toFixed(0)}%)`);
    console.log(`  ${machineLine()}\n`);
  } finally {
    for (const l of learners) l.client.close();
    await server.stop();
  }
}

const population = await makeTimeWait(Number(values['time-wait']), SIZES.length * (SECONDS + WARM_UP + 30) + 60);
try {
  console.log(`each learner clicks about ${RATE}× a second; every step is followed by its kernel view\n`);
  for (const size of SIZES) await runClass(size, population.tcpEntries);
} finally {
  await population.stop();
}
