/**
 * The kernel view on a busy machine: one session's `kernel` round trip through the real server, with
 * about N other TCP entries on the machine (TIME_WAIT, made first on loopback and kept topped up),
 * read both ways in the same run: through netlink sock_diag (the default) and from /proc/net
 * (`--kernel-view proc`). Budget: netlink p99 <= 2 ms with 25,000 other entries.
 * Loopback only; bounded in time.
 *   node --import tsx bench/kernel-view.ts [--time-wait 25000] [--requests 2000] [--proc-seconds 20]
 */
import { parseArgs } from 'node:util';
import { LeanClient } from './lib/lean-client.ts';
import { machineLine, startBenchServer, summary, verdict, type BenchServer } from './lib/server-process.ts';
import { makeTimeWait } from './lib/time-wait.ts';

const { values } = parseArgs({
  options: {
    'time-wait': { type: 'string', default: '25000' },
    requests: { type: 'string', default: '2000' },
    'proc-seconds': { type: 'string', default: '20' },
  },
});
const TIME_WAIT = Number(values['time-wait']);
const REQUESTS = Number(values.requests);
const PROC_SECONDS = Number(values['proc-seconds']);
const BUDGET_P99_MS = 2;
const WARM_UP_MS = 3000;

type Row = { relation: string; state: string; proto: string };

/**
 * A session holding one of everything the view shows: a listener with a connection in its accept
 * queue, an accepted connection with unread bytes, a connection closed first (TIME_WAIT), a bound UDP
 * socket and an IPv6 listener.
 */
async function busySession(c: LeanClient): Promise<void> {
  const sock = async (type: 'tcp' | 'udp', family: 4 | 6 = 4) => String((await c.must('socket', { type, family, actor: 'bench' })).sock);
  const srv = await sock('tcp');
  const port = Number((await c.must('bind', { sock: srv, address: '127.0.0.1', port: 0 })).port);
  await c.must('listen', { sock: srv });
  const cli = await sock('tcp');
  await c.must('connect', { sock: cli, address: '127.0.0.1', port });
  const conn = String((await c.must('accept', { sock: srv })).sock);
  await c.must('send', { sock: cli, data: 'hello\n' });
  const gone = await sock('tcp');
  await c.must('connect', { sock: gone, address: '127.0.0.1', port });
  const goneConn = String((await c.must('accept', { sock: srv })).sock);
  await c.must('close', { sock: gone });
  await c.must('close', { sock: goneConn });
  const queued = await sock('tcp');
  await c.must('connect', { sock: queued, address: '127.0.0.1', port });
  const udp = await sock('udp');
  await c.must('bind', { sock: udp, address: '127.0.0.1', port: 0 });
  const six = await sock('tcp', 6);
  await c.must('bind', { sock: six, address: '::1', port: 0 });
  await c.must('listen', { sock: six });
  void conn;
}

async function measure(server: BenchServer, label: string, maxRequests: number, maxSeconds: number) {
  const c = await LeanClient.open(`ws://127.0.0.1:${server.port}/lab`);
  await busySession(c);
  const rows = (await c.must('kernel', {})).rows as Row[];
  // Warm up: the server's code is compiled, then optimised, over its first few thousand calls.
  for (const until = Date.now() + WARM_UP_MS; Date.now() < until; ) await c.must('kernel', {});
  const latencies: number[] = [];
  const cpu0 = server.cpuSeconds();
  const until = Date.now() + maxSeconds * 1000;
  while (latencies.length < maxRequests && Date.now() < until) {
    const t0 = performance.now();
    await c.must('kernel', {});
    latencies.push(performance.now() - t0);
  }
  const cpuPerView = ((server.cpuSeconds() - cpu0) / latencies.length) * 1e6;
  c.close();
  const s = summary(latencies);
  console.log(
    `  ${label.padEnd(22)} ${String(s.n).padStart(5)} views: p50 ${s.p50.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(1)} ms; server CPU ${cpuPerView.toFixed(0)} µs a view`,
  );
  return { s, rows };
}

const shape = (rows: Row[]) => rows.map((r) => `${r.relation}:${r.proto}:${r.state}`).join(' ');

const population = await makeTimeWait(TIME_WAIT, 600);
const settings = { SOCKETLAB_COMMANDS_PER_SECOND: '10000' };
const netlink = await startBenchServer(['--lab-only', '--quiet', '--kernel-view', 'netlink'], settings);
const proc = await startBenchServer(['--lab-only', '--quiet', '--kernel-view', 'proc'], settings);
try {
  console.log(`TCP entries on the machine: ${population.tcpEntries()} (${population.count()} in TIME_WAIT, kept topped up)`);
  console.log(`one session's kernel round trip (a listener with a queued connection, an accepted one with unread bytes, a TIME_WAIT, UDP, IPv6):`);
  const fast = await measure(netlink, 'netlink (sock_diag)', REQUESTS, 60);
  const slow = await measure(proc, '/proc/net', REQUESTS, PROC_SECONDS);
  console.log(`  /proc/net p50 / netlink p50: ${(slow.s.p50 / fast.s.p50).toFixed(0)}×; p99: ${(slow.s.p99 / fast.s.p99).toFixed(0)}×`);
  console.log(`  netlink p99 ${fast.s.p99.toFixed(2)} ms  (budget p99 <= ${BUDGET_P99_MS} ms with 25,000 other entries: ${verdict(fast.s.p99 <= BUDGET_P99_MS)})`);
  const same = shape(fast.rows) === shape(slow.rows);
  console.log(`  both views show the same rows: ${same ? 'yes' : `NO\n    netlink: ${shape(fast.rows)}\n    /proc:   ${shape(slow.rows)}`}`);
  console.log(`TCP entries on the machine at the end: ${population.tcpEntries()}; ${machineLine()}`);
} finally {
  await Promise.all([netlink.stop(), proc.stop(), population.stop()]);
}
