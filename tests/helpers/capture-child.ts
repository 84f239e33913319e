/**
 * Run by tests/integration/capture.test.ts in a child process, possibly as an unprivileged user and
 * inside `unshare -Urn` (a user + network namespace of its own). By default: opens a capture on
 * `lo`, makes a TCP conversation and a UDP datagram to a closed port, and prints one JSON line:
 * either {unavailable} or {summaries, stats}. With `linkdown` (in a namespace with a veth pair
 * lab0/lab1 up, lab0 10.7.0.1/24): captures on lab0, takes the link down and up again, sends a
 * datagram across it, and prints {errors, closed, summaries}.
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { decodeFrame, summarize, TcpTracker } from '../../packets/index.ts';
import { openCapture, probeCapture, type CapturedFrame } from '../../server/capture/index.ts';

const frames: CapturedFrame[] = [];
if (process.argv[2] === 'linkdown') await linkDown();
const server = net.createServer((s) => s.on('data', () => s.end('bye')));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const port = (server.address() as net.AddressInfo).port;
const udp = dgram.createSocket('udp4');
udp.bind(0, '127.0.0.1');
await once(udp, 'listening');
const udpPort = udp.address().port;

const result = openCapture('lo', { filter: { match: 'ports', ports: [port, udpPort] }, onFrame: (f) => frames.push(f) });
if (!result.ok) {
  console.log(JSON.stringify({ uid: process.getuid?.(), unavailable: result.unavailable, probe: probeCapture('lo') }));
  server.close();
  udp.close();
} else {
  const c = net.connect(port, '127.0.0.1', () => c.write('hello'));
  c.on('data', () => c.end());
  await once(c, 'close');
  udp.on('error', () => {});
  udp.send('anyone?', 1, '127.0.0.1'); // port 1: nothing listens, the kernel answers ICMP port unreachable
  await new Promise((r) => setTimeout(r, 200));
  result.capture.drainNow();
  const tracker = new TcpTracker();
  const summaries = frames.map((f) => {
    const d = decodeFrame(f.data, 'ethernet', { originalLength: f.originalLength });
    return summarize(d, tracker.track(d.facts));
  });
  console.log(JSON.stringify({ uid: process.getuid?.(), port, udpPort, summaries, stats: result.capture.stats(), probe: probeCapture('lo') }));
  result.capture.close();
  server.close();
  udp.close();
}

async function linkDown(): Promise<never> {
  const errors: Array<[string, boolean]> = [];
  const result = openCapture('lab0', { filter: { match: 'all' }, onFrame: (f) => frames.push(f), onError: (code, fatal) => errors.push([code, fatal]) });
  if (!result.ok) {
    console.log(JSON.stringify({ unavailable: result.unavailable }));
    process.exit(0);
  }
  const ip = (...args: string[]) => spawnSync('ip', args, { stdio: 'ignore' }).status;
  ip('link', 'set', 'lab0', 'down');
  await new Promise((r) => setTimeout(r, 200));
  ip('link', 'set', 'lab0', 'up');
  await new Promise((r) => setTimeout(r, 300));
  const before = frames.length;
  const u = dgram.createSocket('udp4');
  u.send('across the link', 41999, '10.7.0.2');
  await new Promise((r) => setTimeout(r, 300));
  result.capture.drainNow();
  const summaries = frames.slice(before).map((f) => summarize(decodeFrame(f.data, 'ethernet')));
  console.log(JSON.stringify({ errors, closed: result.capture.closed, summaries }));
  result.capture.close();
  u.close();
  process.exit(0);
}
