/**
 * One student floods the class with progress reports while others work: what does it cost them?
 * A class server (`--class`, its data file on disk) with an instructor, a probe student and a probe
 * lab session; first a quiet phase, then a phase in which the flooder sends bursts of `progress`
 * frames (3,000 at a time, as fast as the socket takes them), coming back with its token each
 * time the server closes it. The flooders run in a process of their own, so their sending does not
 * delay the probes' own clocks. All on loopback, bounded in time.
 * Prints, for each phase, the round trips others see:
 *   - lab call: a /lab call from another session (call → reply);
 *   - class push: the instructor opens a lesson → a student's browser gets the push;
 *   - progress saved: a student's report → its acknowledgement, which waits for the batch commit
 *     (so it includes the batch tick, 100 ms at most).
 * Budget (2 cores): under the flood, lab call and class push p99 within 5 ms of the quiet phase's.
 *   node --import tsx bench/class-flood.ts [--seconds 5] [--burst 3000] [--flooders 1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { LeanClient } from './lib/lean-client.ts';
import { startBenchServer, summary, verdict } from './lib/server-process.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    burst: { type: 'string', default: '3000' },
    flooders: { type: 'string', default: '1' },
    // Internal: run as the flooding process (port and the flooders' tokens, comma-separated).
    'flood-port': { type: 'string' },
    'flood-tokens': { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const BURST = Number(values.burst);
const FLOODERS = Number(values.flooders);

type Msg = Record<string, unknown> & { type: string };

class ClassSocket {
  readonly ws: WebSocket;
  private readonly listeners = new Set<(m: Msg) => void>();
  readonly opened: Promise<Msg>;
  constructor(port: number) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/class`);
    this.ws.on('error', () => {});
    this.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Msg;
      for (const l of this.listeners) l(m);
    });
    this.opened = this.next('hello');
  }
  on(l: (m: Msg) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  next(type: string): Promise<Msg> {
    return new Promise((resolve) => {
      const off = this.on((m) => {
        if (m.type === type || (type === 'joined' && m.type === 'error')) {
          off();
          resolve(m);
        }
      });
    });
  }
  send(m: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }
}

async function student(port: number, code: string, nickname: string): Promise<{ sock: ClassSocket; token: string }> {
  const sock = new ClassSocket(port);
  await sock.opened;
  const joined = sock.next('joined');
  sock.send({ type: 'join', code, nickname });
  const j = await joined;
  if (j.type !== 'joined') throw new Error(`join refused: ${JSON.stringify(j)}`);
  return { sock, token: String(j.token) };
}

const SLUGS = ['networks', 'protocols', 'sockets', 'server-side', 'client-side'];
const report = (n: number) => Object.fromEntries(SLUGS.map((slug) => [slug, { read: true, quiz: { score: n % 100, total: 100, passed: true } }]));

/** The flooders' side: bursts of reports, and back with the token each time the server closes them. */
async function flood(port: number, tokens: string[], until: number): Promise<{ frames: number; closes: number }> {
  const stats = { frames: 0, closes: 0 };
  await Promise.all(
    tokens.map(async (token) => {
      let sock: ClassSocket | null = null;
      let n = 0;
      while (Date.now() < until) {
        if (!sock || sock.ws.readyState !== WebSocket.OPEN) {
          if (sock) stats.closes++;
          sock = new ClassSocket(port);
          await sock.opened;
          const back = sock.next('joined');
          sock.send({ type: 'resume', token });
          await back;
        }
        const frame = JSON.stringify({ type: 'progress', lessons: report(++n) });
        for (let i = 0; i < BURST && sock.ws.readyState === WebSocket.OPEN; i++) sock.ws.send(frame);
        stats.frames += BURST;
        while (sock.ws.readyState === WebSocket.OPEN && sock.ws.bufferedAmount > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 5));
      }
      sock?.ws.close();
    }),
  );
  return stats;
}

if (values['flood-port']) {
  const stats = await flood(Number(values['flood-port']), values['flood-tokens']!.split(','), Date.now() + SECONDS * 1000);
  console.log(JSON.stringify(stats));
  process.exit(0);
}

/** Runs `flood` in a child process and returns its figures. */
function floodInChild(port: number, tokens: string[]): Promise<{ frames: number; closes: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--flood-port', String(port), '--flood-tokens', tokens.join(','), '--seconds', String(SECONDS), '--burst', String(BURST)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flooder exited with ${code}`)))),
  );
}

const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-flood-'));
// The data file on disk, as a class keeps it (synchronous = FULL): the cost being measured is the sync.
const server = await startBenchServer(['--class', '--lab-only', '--quiet', '--class-data', path.join(dir, 'class.sqlite')], {
  SOCKETLAB_COMMANDS_PER_SECOND: '1000',
});
try {
  const code = (await server.waitForOutput(/code=([2-9A-Z]{6})/))[1];
  const key = (await server.waitForOutput(/#key=([A-Za-z0-9_-]+)/))[1];

  const teacher = new ClassSocket(server.port);
  const hello = await teacher.opened;
  const acks = hello.protocol !== 'socketlab-class/1';
  teacher.send({ type: 'instructor', key });
  await teacher.next('dashboard');
  const probe = await student(server.port, code, 'Probe');
  const flooders = await Promise.all([...Array(FLOODERS).keys()].map((i) => student(server.port, code, `Flood ${i + 1}`)));
  const lab = await LeanClient.open(`ws://127.0.0.1:${server.port}/lab`);
  const { sock } = (await lab.must('socket', { type: 'udp' })) as { sock: string };

  async function phase(flooded: boolean) {
    // The flooders' first connections are closed here; the flooding process comes back with their tokens.
    if (flooded) for (const f of flooders) f.sock.ws.close();
    const until = Date.now() + SECONDS * 1000;
    const labRtt: number[] = [];
    const pushRtt: number[] = [];
    const savedRtt: number[] = [];
    const cpu0 = server.cpuSeconds();

    const labLoop = (async () => {
      while (Date.now() < until) {
        const t = performance.now();
        await lab.call('setblocking', { sock, blocking: true });
        labRtt.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // Four pushes a second: within the instructor connection's own rate.
    const pushLoop = (async () => {
      let n = 0;
      while (Date.now() < until) {
        const slug = SLUGS[n++ % SLUGS.length];
        const got = new Promise<void>((resolve) => {
          const off = probe.sock.on((m) => {
            if (m.type === 'open-lesson' && m.slug === slug) {
              off();
              resolve();
            }
          });
        });
        const t = performance.now();
        teacher.send({ type: 'open-lesson', slug });
        await got;
        pushRtt.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const savedLoop = (async () => {
      if (!acks) return;
      let seq = 0;
      while (Date.now() < until) {
        const mine = ++seq;
        const got = new Promise<void>((resolve) => {
          const off = probe.sock.on((m) => {
            if (m.type === 'progress-saved' && Number(m.seq) >= mine) {
              off();
              resolve();
            }
          });
        });
        const t = performance.now();
        probe.sock.send({ type: 'progress', lessons: report(mine), seq: mine });
        await got;
        savedRtt.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const flooding = flooded ? floodInChild(server.port, flooders.map((f) => f.token)) : Promise.resolve({ frames: 0, closes: 0 });
    const [floodStats] = await Promise.all([flooding, labLoop, pushLoop, savedLoop]);
    const cpu = ((server.cpuSeconds() - cpu0) / SECONDS) * 100;
    return { lab: summary(labRtt), push: summary(pushRtt), saved: summary(savedRtt), cpu, floodStats };
  }

  const line = (name: string, s: ReturnType<typeof summary>) => `    ${name.padEnd(15)} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (${s.n})`;
  const quiet = await phase(false);
  console.log(`quiet (${SECONDS} s): server CPU ${quiet.cpu.toFixed(0)}% of one core`);
  console.log(line('lab call', quiet.lab));
  console.log(line('class push', quiet.push));
  if (acks) console.log(line('progress saved', quiet.saved));
  const flood = await phase(true);
  console.log(
    `flood (${SECONDS} s, ${FLOODERS} flooder(s), bursts of ${BURST}): ${flood.floodStats.frames} progress frames sent, flooders closed by the server ${flood.floodStats.closes} times; server CPU ${flood.cpu.toFixed(0)}% of one core`,
  );
  console.log(line('lab call', flood.lab));
  console.log(line('class push', flood.push));
  if (acks) console.log(line('progress saved', flood.saved));
  const labOk = flood.lab.p99 <= quiet.lab.p99 + 5;
  const pushOk = flood.push.p99 <= quiet.push.p99 + 5;
  console.log(`  budget: under the flood, p99 within 5 ms of quiet: lab call ${verdict(labOk)}, class push ${verdict(pushOk)}`);
  lab.close();
  teacher.ws.close();
  probe.sock.ws.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
