/**
 * Run by tests/integration/capture.test.ts in a child process, possibly as an unprivileged user and
 * inside `unshare -Urn` (a user + network namespace of its own): opens a capture on `lo`, makes a
 * TCP conversation and a UDP datagram to a closed port, and prints one JSON line: either
 * {unavailable} or {summaries, stats}.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { decodeFrame, summarize, TcpTracker } from '../../packets/index.ts';
import { openCapture, probeCapture, type CapturedFrame } from '../../server/capture/index.ts';

const frames: CapturedFrame[] = [];
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
