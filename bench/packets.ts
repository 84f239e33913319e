/**
 * Packets: how fast frames decode, and what capture costs the lab.
 *  1. Decode rate over the real captured frames in tests/fixtures/packets (budget >= 100,000
 *     frames/s in Node, with the decoder the product uses, packets/): full detail (every field and
 *     explanation, only for the packet a learner opens), facts only (what the browser decodes of
 *     each packet), and facts + the summary line with relative numbers (what the server does).
 *  2. Capture on vs off, same run: a loop of TCP hello conversations on loopback made with the
 *     native engine (one system call per lab step), timed per conversation, in alternating blocks
 *     with and without a capture (BPF port filter) on `lo`. Needs root or CAP_NET_RAW; otherwise it
 *     prints why.
 *   node --import tsx bench/packets.ts [--seconds 6]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeFrame, PcapngWriter, summarize, TcpTracker } from '../packets/index.ts';
import { loadCaptureAddon } from '../server/capture/addon.ts';
import { describeUnavailable, openCapture } from '../server/capture/index.ts';
import { readPcapngFile } from '../tests/helpers/pcapng.ts';
import { summary, verdict } from './lib/server-process.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' } } });
const SECONDS = Number(values.seconds);

// 1. Decode rate.
const FIXTURES = path.join(import.meta.dirname, '..', 'tests', 'fixtures', 'packets');
const frames = ['loopback', 'veth', 'sack', 'any-sll2', 'any-sll'].flatMap((n) => readPcapngFile(path.join(FIXTURES, `${n}.pcapng`)));
const kinds = new Map<string, number>();
for (const f of frames) {
  const d = decodeFrame(f.data, f.link);
  const k = d.facts.tcp ? 'TCP' : d.facts.udp ? 'UDP' : d.facts.icmp ? `ICMPv${d.facts.icmp.version === 6 ? 6 : 4}` : d.facts.arp ? 'ARP' : 'other';
  kinds.set(k, (kinds.get(k) ?? 0) + 1);
}
console.log(`${frames.length} real frames: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}; ${(frames.reduce((n, f) => n + f.data.length, 0) / frames.length).toFixed(0)} bytes on average\n`);

function rate(label: string, work: () => void, ms = 1500): number {
  for (let i = 0; i < 3; i++) work(); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    work();
    n += frames.length;
  }
  const perSecond = n / ((performance.now() - t0) / 1000);
  console.log(`  ${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} frames/s`);
  return perSecond;
}

let sink = 0;
console.log('decode rate (one core, this process):');
const full = rate('full detail (fields, offsets, explanations)', () => {
  for (const f of frames) sink += decodeFrame(f.data, f.link).layers.length;
});
const facts = rate('facts only (detail: false)', () => {
  for (const f of frames) sink += decodeFrame(f.data, f.link, { detail: false }).length;
});
const serverPath = rate('facts + relative numbers + summary line', () => {
  const t = new TcpTracker();
  for (const f of frames) {
    const d = decodeFrame(f.data, f.link, { detail: false });
    sink += summarize(d, t.track(d.facts)).length;
  }
});
rate('pcapng writing', () => {
  const w = new PcapngWriter();
  const i = w.addInterface({ name: 'lo', linkType: 'ethernet', snaplen: 65535 });
  for (const f of frames) w.addPacket({ interfaceId: i, timestampNs: f.timestampNs, data: f.data });
  sink += w.toBytes().length;
});
// Each packet is decoded where it runs: the server for its summary, the browser (app/_lib/lab/packets/decoded.ts)
// for its facts as it arrives; full detail only for the one packet a learner opens, so that figure is a latency.
console.log(
  `  budget >= 100,000 frames/s, where each runs: server (facts + summary per packet) ${verdict(serverPath >= 100_000)}; browser (facts per packet) ${verdict(facts >= 100_000)}; an opened packet's full detail takes ${(1e6 / full).toFixed(1)} µs\n`,
);

// 2. Capture on vs off.
const loaded = loadCaptureAddon();
if ('failure' in loaded) {
  console.log(`capture on/off: skipped (${loaded.failure})`);
  process.exit(0);
}
const addon = loaded.addon;
const probe = openCapture('lo', { filter: { match: 'ports', ports: [] }, onFrame: () => {} });
if (!probe.ok) {
  console.log(`capture on/off: skipped. ${describeUnavailable(probe.unavailable)}`);
  process.exit(0);
}
probe.capture.close();

const listenFd = addon.socket(4, 'tcp');
addon.bind(listenFd, '127.0.0.1', 0);
addon.listen(listenFd, 64);
const port = addon.getsockname(listenFd)!.port;
const tick = () => new Promise<void>((r) => setImmediate(r));

/** One hello conversation, call by call as the lab makes it; the time of each call is what a step costs. */
async function conversation(steps: number[]): Promise<void> {
  const timed = async <V>(call: () => V): Promise<V> => {
    for (;;) {
      const t0 = performance.now();
      try {
        const v = call();
        steps.push(performance.now() - t0);
        return v;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'EAGAIN' && code !== 'EINPROGRESS') throw e;
        steps.push(performance.now() - t0);
        if (code === 'EINPROGRESS') return undefined as V;
        await tick(); // the event loop turns (and a capture's readiness callback runs) before the retry
      }
    }
  };
  const c = await timed(() => addon.socket(4, 'tcp'));
  await timed(() => addon.bind(c, '127.0.0.1', 0));
  await timed(() => addon.connect(c, '127.0.0.1', port));
  const s = (await timed(() => addon.accept(listenFd))).fd;
  latency.sentAt = performance.now();
  await timed(() => addon.send(c, Buffer.from('hello\n')));
  await timed(() => addon.recv(s, 100));
  await timed(() => addon.send(s, Buffer.from('hi\n')));
  await timed(() => addon.recv(c, 100));
  await timed(() => addon.close(c));
  await timed(() => addon.close(s));
  await tick();
}

const off = { steps: [] as number[], conversations: [] as number[] };
const on = { steps: [] as number[], conversations: [] as number[], frames: 0 };
const decoded = { n: 0 };
/** When the client's data was sent, and how long until its frame reached onFrame (through libuv readiness). */
const latency = { sentAt: 0, ms: [] as number[] };
const deadline = Date.now() + SECONDS * 1000;
for (let i = 0; i < 5; i++) await conversation([]); // warm up
for (let block = 0; Date.now() < deadline; block++) {
  const capturing = block % 2 === 1;
  const cap = capturing
    ? openCapture('lo', {
        filter: { match: 'ports', ports: [port] },
        budget: undefined,
        onFrame: (f) => {
          on.frames++;
          // What the lab will do per packet in the server: facts and a summary line.
          const d = decodeFrame(f.data, 'ethernet', { detail: false, originalLength: f.originalLength });
          decoded.n += summarize(d).length > 0 ? 1 : 0;
          if (d.facts.tcp?.payloadLength === 6) latency.ms.push(performance.now() - latency.sentAt);
        },
      })
    : null;
  if (cap && !cap.ok) throw new Error(cap.unavailable.reason);
  const target = capturing ? on : off;
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await conversation(target.steps);
    target.conversations.push(performance.now() - t0);
  }
  if (cap?.ok) {
    cap.capture.drainNow();
    cap.capture.close();
  }
}
addon.close(listenFd);

const so = summary(off.steps);
const sn = summary(on.steps);
const co = summary(off.conversations);
const cn = summary(on.conversations);
console.log(`capture on vs off, same run, load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores (other work on the machine shows in the p99s):`);
console.log(`  (${off.conversations.length} + ${on.conversations.length} hello conversations on loopback, native engine, alternating blocks of 50)`);
console.log(`  per call:          off p50 ${(so.p50 * 1000).toFixed(1)} µs, p99 ${(so.p99 * 1000).toFixed(1)} µs | on p50 ${(sn.p50 * 1000).toFixed(1)} µs, p99 ${(sn.p99 * 1000).toFixed(1)} µs`);
console.log(`  per conversation:  off p50 ${co.p50.toFixed(3)} ms, p99 ${co.p99.toFixed(3)} ms | on p50 ${cn.p50.toFixed(3)} ms, p99 ${cn.p99.toFixed(3)} ms`);
const cost = (cn.p99 / co.p99 - 1) * 100;
console.log(`  capture cost on conversation p99: ${cost >= 0 ? '+' : ''}${cost.toFixed(1)} %  (frames captured and summarised: ${on.frames}, ${(on.frames / on.conversations.length).toFixed(1)} per conversation)`);
const lat = summary(latency.ms);
console.log(`  send() → its frame in onFrame (kernel → BPF → socket → libuv readiness → decode): p50 ${lat.p50.toFixed(3)} ms, p99 ${lat.p99.toFixed(3)} ms, max ${lat.max.toFixed(2)} ms (n=${lat.n})`);
console.log(`  (the lab budget, <= 10 % on step p99 with capture wired into sessions, and packets <= 20 ms after their step: node --import tsx bench/lab-load.ts --capture)`);
if (sink === 0.5) console.log(sink);
