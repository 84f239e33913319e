/**
 * The capstone chat server on the lab engine under load: 100 clients connect over TCP and each
 * sends 100 lines (paced under the server's flood limit); every line must reach the other 99.
 * Prints lines delivered vs expected, broadcast latency (send → arrival at each receiver) p50/p99,
 * and the server's RSS and CPU. Budget: nothing lost, p99 <= 50 ms. Loopback only, bounded.
 *   node --import tsx bench/chat-load.ts [--clients 100] [--lines 100]
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { LeanClient } from './lib/lean-client.ts';
import { startBenchServer, summary, verdict } from './lib/server-process.ts';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '100' }, lines: { type: 'string', default: '100' } } });
const CLIENTS = Number(values.clients);
const LINES = Number(values.lines);
/** 8 lines a second per client: under the chat's flood limit (50 lines in 5 s). */
const INTERVAL_MS = 125;

const server = await startBenchServer(['--lab-only', '--quiet'], { SOCKETLAB_CHAT_MAX_CLIENTS: String(CLIENTS + 10) });
try {
  const owner = await LeanClient.open(`ws://127.0.0.1:${server.port}/lab`);
  const sock = String((await owner.must('socket', { type: 'tcp', actor: 'chat server' })).sock);
  const port = Number((await owner.must('bind', { sock, address: '127.0.0.1', port: 0 })).port);
  await owner.must('listen', { sock, backlog: 128 });
  await owner.must('run', { program: 'chat', sock, log: 'summary' });

  const latencies: number[] = [];
  const received = new Array<number>(CLIENTS).fill(0);
  const peers = await Promise.all(
    Array.from(
      { length: CLIENTS },
      (_, i) =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.setNoDelay(true);
          s.on('error', reject);
          let tail = '';
          s.on('data', (d) => {
            const now = performance.now();
            const parts = (tail + d).split('\n');
            tail = parts.pop()!;
            for (const line of parts) {
              const m = /^<guest\d+> m (\d+) (\d+) ([\d.]+)$/.exec(line);
              if (!m) continue;
              received[i]++;
              latencies.push(now - Number(m[3]));
            }
          });
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500)); // joins announced
  const cpu0 = server.cpuSeconds();
  const t0 = performance.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMiB())), 250);
  await Promise.all(
    peers.map(async (s, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * INTERVAL_MS));
      for (let n = 0; n < LINES; n++) {
        s.write(`m ${i} ${n} ${performance.now().toFixed(3)}\n`);
        await new Promise((r) => setTimeout(r, INTERVAL_MS));
      }
    }),
  );
  const expected = CLIENTS * LINES * (CLIENTS - 1);
  const deadline = Date.now() + 20_000;
  while (received.reduce((a, b) => a + b, 0) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  clearInterval(sampler);
  const wall = (performance.now() - t0) / 1000;
  const cpu = server.cpuSeconds() - cpu0;
  peakRss = Math.max(peakRss, server.rssMiB());
  const delivered = received.reduce((a, b) => a + b, 0);
  const s = summary(latencies);
  console.log(`chat server on the lab engine: ${CLIENTS} clients × ${LINES} lines in ${wall.toFixed(1)} s`);
  console.log(`  delivered ${delivered} of ${expected} lines (${((delivered / expected) * 100).toFixed(2)}%)  (budget: nothing lost: ${verdict(delivered === expected)})`);
  console.log(`  broadcast latency: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms  (budget p99 <= 50 ms: ${verdict(s.p99 <= 50)})`);
  console.log(`  server RSS peak ${peakRss.toFixed(0)} MiB, CPU ${((cpu / wall) * 100).toFixed(0)}% of one core`);
  for (const p of peers) p.destroy();
  owner.close();
} finally {
  await server.stop();
}
