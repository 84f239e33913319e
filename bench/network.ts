/**
 * The sandbox network's costs, printed against its budgets (figures, not a test):
 *  1. create `home`: p50 <= 150 ms, p99 <= 400 ms; destroy: p99 <= 100 ms (sequential cycles);
 *  2. 100 networks at once (a class), each looping a laptop → server conversation through the native
 *     engine (send, recv, send, recv: each call one step), against the same loop on loopback in the
 *     same run, alternating rounds so both see the same machine: step p99 within 1.2x of loopback;
 *     0 errors; RSS (server + helper) and kernel memory per network. Twice: looping as fast as the
 *     event loop goes (then p99 is queueing, and the ratio is the kernel's CPU cost per step), and
 *     paced at one step per 10 ms per conversation (then p99 is a step's own latency);
 *  3. the same class as learners drive it: a real server process (as `npm start` runs it), 100
 *     sessions over the /lab WebSocket, each with its network and a laptop → server connection
 *     beside a loopback connection (127.0.0.1, the lab's port range); each round either every
 *     session loops its sandbox conversation or every session its loopback one (send, recv, send,
 *     recv: each a lab step, timed from command to reply): step p99 within 1.2x of loopback.
 * Section 2 measures the kernel's path alone (a few microseconds a call: crossing a bridge, a
 * router with NAT and two veth pairs costs more than loopback's one hop); section 3 the step a
 * learner sees. Both verdicts are printed. Traffic stays inside the sandbox and on 127.0.0.1;
 * bounded in time.
 *   node --import tsx bench/network.ts [--cycles 100] [--networks 100] [--seconds 20] [--skip-engine]
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createNativeEngine } from '../server/engines/native/index.ts';
import type { EngineSocket, WaitOptions } from '../server/engines/types.ts';
import { createSandbox, type SandboxNetwork } from '../server/sandbox/index.ts';
import { LeanClient } from './lib/lean-client.ts';
import { machineLine, startBenchServer, summary, verdict } from './lib/server-process.ts';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '100' },
    networks: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    'skip-engine': { type: 'boolean', default: false },
  },
});
const CYCLES = Number(values.cycles);
const NETWORKS = Number(values.networks);
const SECONDS = Number(values.seconds);
const ROUND_MS = 2000;

const never = new AbortController().signal;
setMaxListeners(0, never); // every waiting call of every conversation listens to it
const wait: WaitOptions = { blocking: true, signal: never, onBlocked: () => {} };
const ms = (n: number) => n.toFixed(1);

function rssMiB(pid: number | 'self'): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Kernel memory that grows with namespaces and sockets (slab, per-CPU, stacks, page tables), MiB. */
function kernelMiB(): number {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(info)?.[1] ?? 0);
  return (kb('Slab') + kb('Percpu') + kb('KernelStack') + kb('PageTables')) / 1024;
}

interface Pair {
  client: EngineSocket;
  server: EngineSocket;
}

const sandbox = createSandbox({ maxNetworks: Math.max(300, NETWORKS + 10) });
const support = await sandbox.support();
if (!support.supported) {
  console.log(`sandbox network unavailable: ${support.reason}. ${support.remedy}`);
  process.exit(0);
}

console.log(`${machineLine()}\n`);
if (!values['skip-engine']) await engineSections();
await labSection();

async function engineSections(): Promise<void> {
  try {
    // 1. Create and destroy, one after another.
    let t = performance.now();
    await (await sandbox.create('home')).destroy();
    console.log(`helper start + first network: ${ms(performance.now() - t)} ms (once per server)\n`);
    const creates: number[] = [];
    const destroys: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      t = performance.now();
      const net = await sandbox.create('home');
      creates.push(performance.now() - t);
      t = performance.now();
      await net.destroy();
      destroys.push(performance.now() - t);
    }
    const c = summary(creates);
    const d = summary(destroys);
    console.log(`create home x${CYCLES}: p50 ${ms(c.p50)} ms, p99 ${ms(c.p99)} ms, max ${ms(c.max)} ms  (budget p50 <= 150: ${verdict(c.p50 <= 150)}; p99 <= 400: ${verdict(c.p99 <= 400)})`);
    console.log(`destroy x${CYCLES}:     p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, max ${ms(d.max)} ms  (budget p99 <= 100: ${verdict(d.p99 <= 100)})\n`);

    // 2. A class: many networks at once, each with a conversation, against loopback.
    const helper = (await sandbox.helperPid())!;
    await new Promise((r) => setTimeout(r, 1000)); // let the kernel free the cycles' namespaces
    const before = { rss: rssMiB('self') + rssMiB(helper), kernel: kernelMiB() };
    t = performance.now();
    const nets: SandboxNetwork[] = [];
    for (let i = 0; i < NETWORKS; i += 10) {
      nets.push(...(await Promise.all(Array.from({ length: Math.min(10, NETWORKS - i) }, () => sandbox.create('home')))));
    }
    const built = performance.now() - t;
    const sandboxPairs = await Promise.all(
      nets.map(async (net): Promise<Pair> => {
        const listener = await net.socket('server', 'tcp', 4);
        await listener.bind('203.0.113.80', 80);
        await listener.listen(1);
        const client = await net.socket('laptop', 'tcp', 4);
        const accepting = listener.accept(wait);
        await client.connect('203.0.113.80', 80, wait);
        const { socket } = await accepting;
        listener.close();
        return { client, server: socket };
      }),
    );
    const after = { rss: rssMiB('self') + rssMiB(helper), kernel: kernelMiB() };
    console.log(`${NETWORKS} networks built in ${ms(built)} ms (10 at a time), each with a connection laptop → server`);
    console.log(`  RSS (server + helper): ${ms(before.rss)} → ${ms(after.rss)} MiB, ${((after.rss - before.rss) * 1024 / NETWORKS).toFixed(0)} KiB per network`);
    console.log(`  kernel memory (slab, per-CPU, stacks, page tables; machine-wide): ${ms(before.kernel)} → ${ms(after.kernel)} MiB, ${((after.kernel - before.kernel) * 1024 / NETWORKS).toFixed(0)} KiB per network\n`);

    const engine = createNativeEngine();
    const loopPairs = await Promise.all(
      Array.from({ length: NETWORKS }, async (): Promise<Pair> => {
        const listener = engine.socket('tcp', 4);
        const local = await listener.bind('127.0.0.1', 0);
        await listener.listen(1);
        const client = engine.socket('tcp', 4);
        const accepting = listener.accept(wait);
        await client.connect('127.0.0.1', local.port, wait);
        const { socket } = await accepting;
        listener.close();
        return { client, server: socket };
      }),
    );

    const payload = Buffer.alloc(64, 'x');
    const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
    /** Loops the conversation until `until`; with `paceMs`, one step every paceMs (a person clicking fast). */
    async function converse(pair: Pair, until: number, into: { steps: number[]; errors: number }, paceMs: number): Promise<void> {
      const step = async (call: () => Promise<unknown>) => {
        const t0 = performance.now();
        await call();
        into.steps.push(performance.now() - t0);
        if (paceMs) await sleep(paceMs);
      };
      if (paceMs) await sleep(Math.random() * paceMs); // not all in step
      while (performance.now() < until) {
        try {
          await step(() => pair.client.send(payload, wait));
          await step(() => pair.server.recv(64, wait));
          await step(() => pair.server.send(payload, wait));
          await step(() => pair.client.recv(64, wait));
        } catch {
          into.errors++;
          return;
        }
      }
    }
    let errors = 0;
    for (const paceMs of [0, 10]) {
      const stats = { sandbox: { steps: [] as number[], errors: 0 }, loopback: { steps: [] as number[], errors: 0 } };
      const rounds = Math.max(1, Math.round((SECONDS * 1000) / (2 * ROUND_MS) / 2));
      for (let r = 0; r < rounds; r++) {
        let end = performance.now() + ROUND_MS;
        await Promise.all(loopPairs.map((p) => converse(p, end, stats.loopback, paceMs)));
        end = performance.now() + ROUND_MS;
        await Promise.all(sandboxPairs.map((p) => converse(p, end, stats.sandbox, paceMs)));
      }
      const sb = summary(stats.sandbox.steps);
      const lo = summary(stats.loopback.steps);
      const ratio = sb.p99 / lo.p99;
      const how = paceMs ? `each one step every ${paceMs} ms` : 'each as fast as it can (the event loop saturated)';
      console.log(`${NETWORKS} conversations at once, ${how}; ${rounds} alternating rounds of ${ROUND_MS / 1000} s:`);
      console.log(`  loopback: ${lo.n} steps, p50 ${lo.p50.toFixed(3)} ms, p99 ${lo.p99.toFixed(3)} ms, ${stats.loopback.errors} errors`);
      console.log(`  sandbox:  ${sb.n} steps, p50 ${sb.p50.toFixed(3)} ms, p99 ${sb.p99.toFixed(3)} ms, ${stats.sandbox.errors} errors`);
      console.log(`  step p99, sandbox / loopback: ${ratio.toFixed(2)}x  (budget <= 1.2x: ${verdict(ratio <= 1.2)})\n`);
      errors += stats.sandbox.errors + stats.loopback.errors;
    }
    console.log(`errors: ${errors}  (budget 0: ${verdict(errors === 0)})`);

    for (const p of [...loopPairs, ...sandboxPairs]) {
      p.client.close();
      p.server.close();
    }
    t = performance.now();
    await Promise.all(nets.map((n) => n.destroy()));
    console.log(`\n${NETWORKS} networks destroyed at once in ${ms(performance.now() - t)} ms`);
  } finally {
    await sandbox.close();
  }
}

/** A laptop → server connection in a session's network, and one on loopback beside it (sock handles). */
interface LabPairs {
  client: LeanClient;
  sandbox: { client: string; server: string };
  loopback: { client: string; server: string };
}

async function labPair(c: LeanClient, host: 'sandbox' | 'loopback'): Promise<{ client: string; server: string }> {
  const onHost = host === 'sandbox' ? ({ host: 'server' } as const) : {};
  const onClient = host === 'sandbox' ? ({ host: 'laptop' } as const) : {};
  const address = host === 'sandbox' ? '203.0.113.80' : '127.0.0.1';
  const listener = String((await c.must('socket', { type: 'tcp', ...onHost })).sock);
  const port = Number((await c.must('bind', { sock: listener, address, port: host === 'sandbox' ? 80 : 0 })).port);
  await c.must('listen', { sock: listener });
  const client = String((await c.must('socket', { type: 'tcp', ...onClient })).sock);
  await c.must('connect', { sock: client, address, port });
  const server = String((await c.must('accept', { sock: listener })).sock);
  await c.must('close', { sock: listener });
  return { client, server };
}

/** 3. The class over the lab: each step a command over the WebSocket to a real server process. */
async function labSection(): Promise<void> {
  const server = await startBenchServer(['--lab-only', '--quiet'], {
    SOCKETLAB_SESSIONS_PER_ADDRESS: String(NETWORKS + 10),
    SOCKETLAB_COMMANDS_PER_SECOND: '10000',
    SOCKETLAB_SANDBOX_NETWORKS: String(Math.max(300, NETWORKS + 10)),
  });
  try {
    const sessions: LabPairs[] = [];
    const creates: number[] = [];
    const t = performance.now();
    // Every WebSocket first: a WebSocket opened from 127.0.0.1 while lab client sockets exist may
    // be given the same ephemeral port as one of them (the kernel shares a port between different
    // destinations), and the upgrade guard then refuses it as "a lab socket" (403).
    const clients = await Promise.all(Array.from({ length: NETWORKS }, () => LeanClient.open(`ws://127.0.0.1:${server.port}/lab`)));
    for (let i = 0; i < NETWORKS; i += 10) {
      const batch = await Promise.all(
        clients.slice(i, i + 10).map(async (client): Promise<LabPairs> => {
          const t0 = performance.now();
          await client.must('network', { action: 'create', topology: 'home' });
          creates.push(performance.now() - t0);
          return { client, sandbox: await labPair(client, 'sandbox'), loopback: await labPair(client, 'loopback') };
        }),
      );
      sessions.push(...batch);
    }
    console.log(`over the lab: ${NETWORKS} sessions (a real server process, pid ${server.proc.pid}), each with its network, set up in ${ms(performance.now() - t)} ms`);
    const c = summary(creates);
    console.log(`  network create over the lab, 10 sessions at once: p50 ${ms(c.p50)} ms, p99 ${ms(c.p99)} ms, max ${ms(c.max)} ms (the first one starts the helper)`);
    console.log(`  server RSS ${ms(server.rssMiB())} MiB; ${machineLine()}\n`);

    const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
    async function converse(c: LeanClient, pair: { client: string; server: string }, until: number, into: { steps: number[]; errors: string[] }, paceMs: number) {
      const step = async (op: 'send' | 'recv', sock: string) => {
        const t0 = performance.now();
        const r = op === 'send' ? await c.call('send', { sock, data: 'x'.repeat(64) }) : await c.call('recv', { sock, max: 64 });
        into.steps.push(performance.now() - t0);
        if (!r.ok) throw new Error(`${op}: ${r.error.code}`);
        if (paceMs) await sleep(paceMs);
      };
      if (paceMs) await sleep(Math.random() * paceMs);
      try {
        while (performance.now() < until) {
          await step('send', pair.client);
          await step('recv', pair.server);
          await step('send', pair.server);
          await step('recv', pair.client);
        }
      } catch (e) {
        into.errors.push((e as Error).message);
      }
    }
    let errors = 0;
    for (const paceMs of [0, 50]) {
      const stats = { sandbox: { steps: [] as number[], errors: [] as string[] }, loopback: { steps: [] as number[], errors: [] as string[] } };
      const rounds = Math.max(1, Math.round((SECONDS * 1000) / (2 * ROUND_MS) / 2));
      for (let r = 0; r < rounds; r++) {
        for (const kind of ['loopback', 'sandbox'] as const) {
          const end = performance.now() + ROUND_MS;
          await Promise.all(sessions.map((s) => converse(s.client, s[kind], end, stats[kind], paceMs)));
        }
      }
      const sb = summary(stats.sandbox.steps);
      const lo = summary(stats.loopback.steps);
      const ratio = sb.p99 / lo.p99;
      const how = paceMs ? `each one step every ${paceMs} ms (a quick learner)` : 'each as fast as the server answers (the server saturated)';
      console.log(`${NETWORKS} sessions over the lab, ${how}; ${rounds} alternating rounds of ${ROUND_MS / 1000} s:`);
      console.log(`  loopback: ${lo.n} steps, p50 ${lo.p50.toFixed(3)} ms, p99 ${lo.p99.toFixed(3)} ms, ${stats.loopback.errors.length} errors`);
      console.log(`  sandbox:  ${sb.n} steps, p50 ${sb.p50.toFixed(3)} ms, p99 ${sb.p99.toFixed(3)} ms, ${stats.sandbox.errors.length} errors`);
      console.log(`  lab step p99, sandbox / loopback: ${ratio.toFixed(2)}x  (budget <= 1.2x: ${verdict(ratio <= 1.2)})\n`);
      for (const e of [...stats.sandbox.errors, ...stats.loopback.errors].slice(0, 3)) console.log(`  error: ${e}`);
      errors += stats.sandbox.errors.length + stats.loopback.errors.length;
    }
    console.log(`lab errors: ${errors}  (budget 0: ${verdict(errors === 0)})`);
    for (const s of sessions) s.client.close();
    console.log(`server RSS after the class: ${ms(server.rssMiB())} MiB`);
  } finally {
    await server.stop();
  }
}
