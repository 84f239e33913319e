/**
 * A class of 300 simulated students on one server (`--class`), all on loopback:
 * each student joins with the code, follows the presenter (a read-only mirror of the instructor's
 * lab) and loops the hello conversation in its own sandbox, while the instructor's lab makes a call
 * every 200 ms that fans out to all 300 followers.
 * Prints the students' step latency p50/p99, the presenter fan-out delay p50/p99 (the presenter's
 * step ends → a follower receives it), errors, and the server's RSS and CPU.
 * Budgets (2 cores): p99 step <= 50 ms, fan-out p99 <= 100 ms, 0 errors, RSS <= 1 GiB.
 *   node --import tsx bench/class-load.ts [--students 300] [--seconds 30] [--pause-ms 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { helloLoop, type LoopStats } from './lib/hello-loop.ts';
import { LeanClient } from './lib/lean-client.ts';
import { startBenchServer, summary, verdict } from './lib/server-process.ts';

const { values } = parseArgs({
  options: { students: { type: 'string', default: '300' }, seconds: { type: 'string', default: '30' }, 'pause-ms': { type: 'string', default: '50' } },
});
const STUDENTS = Number(values.students);
const SECONDS = Number(values.seconds);
/**
 * A pause after each of a student's calls. The default, 50 ms, is as fast as the lab's default
 * policy lets one student go (20 calls a second); --pause-ms 0 with a raised limit saturates the server.
 */
const PAUSE_MS = Number(values['pause-ms']);

function classSocket(port: number): Promise<{ ws: WebSocket; next: (type: string) => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/class`);
  const queue: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    const w = waiters.findIndex((x) => x.type === m.type);
    if (w >= 0) waiters.splice(w, 1)[0].resolve(m);
    else queue.push(m);
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const i = queue.findIndex((m) => m.type === type);
      if (i >= 0) resolve(queue.splice(i, 1)[0]);
      else waiters.push({ type, resolve });
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-bench-'));
const server = await startBenchServer(['--class', '--lab-only', '--quiet', '--class-data', path.join(dir, 'class.sqlite')], {
  SOCKETLAB_SESSIONS_PER_ADDRESS: String(STUDENTS * 3 + 20),
  // Every simulated student comes from 127.0.0.1, like a class behind one NAT.
  SOCKETLAB_CLASS_STUDENTS_PER_ADDRESS: String(STUDENTS + 10),
  // The default limit (20 calls a second per session) unless the pause asks for more.
  ...(PAUSE_MS < 50 ? { SOCKETLAB_COMMANDS_PER_SECOND: '10000' } : {}),
});
try {
  const code = (await server.waitForOutput(/code=([2-9A-Z]{6})/))[1];
  const key = (await server.waitForOutput(/#key=([A-Za-z0-9_-]+)/))[1];

  // The instructor: dashboard connection and the presented lab.
  const teacher = await classSocket(server.port);
  teacher.ws.send(JSON.stringify({ type: 'instructor', key }));
  await teacher.next('dashboard');
  // What the dashboard costs on the wire: a snapshot once, then only changes.
  let dashboardBytes = 0;
  teacher.ws.on('message', (d) => (dashboardBytes += String(d).length));
  const stage = await LeanClient.open(`ws://127.0.0.1:${server.port}/lab`);
  const watchToken = String((await stage.hello).watchToken);
  teacher.ws.send(JSON.stringify({ type: 'present', watchToken }));

  // The students: join, follow, own sandbox.
  const fanout: number[] = [];
  const students = [];
  for (let i = 0; i < STUDENTS; i++) {
    const cls = await classSocket(server.port);
    cls.ws.send(JSON.stringify({ type: 'join', code, nickname: `student ${i + 1}` }));
    const joined = await cls.next('joined');
    const follow = await LeanClient.open(`ws://127.0.0.1:${server.port}/lab?watch=${watchToken}`);
    follow.onEvent = (e) => {
      if (e.event === 'step' && e.status !== 'blocked' && typeof e.end === 'number') fanout.push(Date.now() - e.end);
    };
    const sandbox = await LeanClient.open(`ws://127.0.0.1:${server.port}/lab?student=${joined.token}`);
    cls.ws.send(JSON.stringify({ type: 'progress', lessons: { sockets: { read: true, quiz: null } } }));
    students.push({ cls, follow, sandbox });
  }
  console.log(`${STUDENTS} students joined and follow the presenter; each loops the hello conversation (${PAUSE_MS} ms pause between calls) for ${SECONDS} s`);

  const stats: LoopStats = { latencies: [], errors: [], loops: 0 };
  dashboardBytes = 0;
  const presenterErrors: string[] = [];
  const t0 = Date.now();
  const until = t0 + SECONDS * 1000;
  const cpu0 = server.cpuSeconds();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMiB())), 500);
  const presenter = (async () => {
    const { sock } = (await stage.must('socket', { type: 'udp', actor: 'instructor' })) as { sock: string };
    while (Date.now() < until) {
      const r = await stage.call('setblocking', { sock, blocking: true });
      if (!r.ok) presenterErrors.push(r.error.code);
      await new Promise((res) => setTimeout(res, 200));
    }
  })();
  await Promise.all([presenter, ...students.map((s) => helloLoop(s.sandbox, until, stats, PAUSE_MS))]);
  clearInterval(sampler);
  const wall = (Date.now() - t0) / 1000;
  const cpu = server.cpuSeconds() - cpu0;
  peakRss = Math.max(peakRss, server.rssMiB());

  const wireBytes = dashboardBytes;
  // A second instructor connection gets the whole dashboard: the roster as it stands.
  const check = await classSocket(server.port);
  check.ws.send(JSON.stringify({ type: 'instructor', key }));
  const dash = await check.next('dashboard');
  const snapshotBytes = JSON.stringify(dash).length;
  check.ws.close();
  const online = (dash.students as { online: boolean }[]).filter((s) => s.online).length;
  const s = summary(stats.latencies);
  const f = summary(fanout);
  const errors = stats.errors.length + presenterErrors.length;
  console.log(`  student calls: ${s.n} in ${wall.toFixed(1)} s (${(s.n / wall).toFixed(0)}/s), ${stats.loops} hello conversations`);
  console.log(`  step latency: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms  (budget p99 <= 50 ms: ${verdict(s.p99 <= 50)})`);
  console.log(`  presenter fan-out to ${STUDENTS} followers: ${f.n} deliveries, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms  (budget p99 <= 100 ms: ${verdict(f.p99 <= 100)})`);
  console.log(`  errors: ${errors}${errors ? ` (${[...stats.errors, ...presenterErrors].slice(0, 5).join(', ')})` : ''}  (budget 0: ${verdict(errors === 0)})`);
  console.log(`  dashboard: ${online}/${STUDENTS} online, ${(dash.feed as unknown[]).length} feed items; whole dashboard ${(snapshotBytes / 1024).toFixed(1)} KB once, then ${(wireBytes / 1024 / wall).toFixed(1)} KB/s of changes`);
  console.log(`  server RSS peak ${peakRss.toFixed(0)} MiB  (budget <= 1024 MiB: ${verdict(peakRss <= 1024)}), CPU ${((cpu / wall) * 100).toFixed(0)}% of one core`);
  for (const st of students) {
    st.sandbox.close();
    st.follow.close();
    st.cls.ws.close();
  }
  stage.close();
  teacher.ws.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
