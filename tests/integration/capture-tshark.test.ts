/**
 * Decoding checked against tshark on real conversations: the lab's own native engine makes the
 * calls on loopback (hello, refused connect, half-close, reset by close() with unread data, UDP
 * with ICMP port unreachable, and the hello over IPv6), our capture records them, our writer makes
 * the pcapng file, and tshark decodes that file. Every field we share with Wireshark must agree
 * (bytes and value), and so must the relative sequence numbers. Needs root (CI) and tshark.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeFrame, PcapngWriter, summarize, TcpTracker } from '../../packets/index.ts';
import { loadCaptureAddon } from '../../server/capture/addon.ts';
import { openCapture, type CapturedFrame } from '../../server/capture/index.ts';
import { needs } from '../helpers/tools.ts';
import { compareWithTshark, tsharkFields, tsharkPdml } from '../helpers/tshark.ts';
import { connect, ok, startLab } from '../helpers/lab.ts';
import { readPcapngFile } from '../helpers/pcapng.ts';

const T = { timeout: 30_000 };
const loaded = loadCaptureAddon();
const skip = 'failure' in loaded ? loaded.failure : process.getuid?.() !== 0 ? 'capturing on loopback needs root (CI runs as root)' : needs('tshark');
const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-oracle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const addon = () => {
  if ('failure' in loaded) throw new Error(loaded.failure);
  return loaded.addon;
};

/** Repeats a non-blocking call until the kernel stops saying "not yet". */
async function retry<V>(call: () => V): Promise<V> {
  for (let i = 0; ; i++) {
    try {
      return call();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (i > 400 || (code !== 'EAGAIN' && code !== 'EINPROGRESS' && code !== 'EALREADY')) throw e;
      await sleep(5);
    }
  }
}

type Family = 4 | 6;
const LO = { 4: '127.0.0.1', 6: '::1' } as const;

/** A listening socket on a free port, and its port. */
function listener(family: Family) {
  const a = addon();
  const fd = a.socket(family, 'tcp');
  a.bind(fd, LO[family], 0);
  a.listen(fd, 5);
  return { fd, port: a.getsockname(fd)!.port };
}

/** A client connected to `port`, and the server's accepted socket. */
async function connected(family: Family, port: number, listenFd: number) {
  const a = addon();
  const client = a.socket(family, 'tcp');
  a.bind(client, LO[family], 0);
  try {
    a.connect(client, LO[family], port);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EINPROGRESS') throw e;
  }
  const server = await retry(() => a.accept(listenFd)).then((r) => r.fd);
  return { client, server, clientPort: a.getsockname(client)!.port };
}

async function settle() {
  await sleep(150);
}

interface Scenario {
  name: string;
  /** Runs the calls; returns the ports the capture should follow, once known. */
  run(follow: (ports: number[]) => void): Promise<void>;
  /** The flags and lengths of the TCP segments, or summaries, as expected. */
  check(lines: string[]): void;
}

const scenarios: Scenario[] = [
  {
    name: 'TCP hello: handshake, data both ways, FIN from each side',
    async run(follow) {
      const a = addon();
      const l = listener(4);
      follow([l.port]);
      const c = await connected(4, l.port, l.fd);
      a.send(c.client, Buffer.from('hello\n'));
      await retry(() => a.recv(c.server, 100));
      a.send(c.server, Buffer.from('hi\n'));
      await retry(() => a.recv(c.client, 100));
      a.close(c.client);
      await settle();
      a.close(c.server);
      a.close(l.fd);
      await settle();
    },
    check(lines) {
      assert.deepEqual(lines.map(flags), ['SYN', 'SYN, ACK', 'ACK', 'PSH, ACK', 'ACK', 'PSH, ACK', 'ACK', 'FIN, ACK', 'ACK', 'FIN, ACK', 'ACK']);
      assert.match(lines[3], /seq=1 ack=1 win=\d+ len=6$/);
      assert.match(lines[7], /\[FIN, ACK\] seq=7 ack=4 /);
    },
  },
  {
    name: 'refused connect: SYN, then RST',
    async run(follow) {
      const a = addon();
      const probe = a.socket(4, 'tcp');
      a.bind(probe, '127.0.0.1', 0);
      const port = a.getsockname(probe)!.port;
      a.close(probe); // nothing listens on `port` now
      follow([port]);
      const c = a.socket(4, 'tcp');
      let answer: string | null = null;
      try {
        a.connect(c, '127.0.0.1', port);
      } catch (e) {
        answer = (e as { code: string }).code;
      }
      await settle();
      if (answer === 'EINPROGRESS') answer = a.soError(c);
      assert.equal(answer, 'ECONNREFUSED');
      a.close(c);
    },
    check(lines) {
      assert.deepEqual(lines.map(flags), ['SYN', 'RST, ACK']);
      assert.match(lines[1], /seq=1 ack=1 win=0$/);
    },
  },
  {
    name: 'half-close: the client shuts down writing and still reads',
    async run(follow) {
      const a = addon();
      const l = listener(4);
      follow([l.port]);
      const c = await connected(4, l.port, l.fd);
      a.send(c.client, Buffer.from('question'));
      a.shutdown(c.client, 'write');
      await retry(() => a.recv(c.server, 100));
      await settle();
      assert.equal(a.recv(c.server, 100).length, 0, 'end of stream after the FIN');
      a.send(c.server, Buffer.from('answer'));
      await retry(() => a.recv(c.client, 100));
      a.close(c.server);
      await settle();
      a.close(c.client);
      a.close(l.fd);
      await settle();
    },
    check(lines) {
      const f = lines.map(flags);
      const clientFin = f.indexOf('FIN, ACK');
      const answer = lines.findIndex((l, i) => i > clientFin && / len=6$/.test(l));
      assert.ok(clientFin > 0 && answer > clientFin, `data after the client's FIN: ${lines.join(' | ')}`);
      assert.equal(f.filter((x) => x === 'FIN, ACK').length, 2);
    },
  },
  {
    name: 'reset: close() with unread data sends RST instead of FIN',
    async run(follow) {
      const a = addon();
      const l = listener(4);
      follow([l.port]);
      const c = await connected(4, l.port, l.fd);
      a.send(c.client, Buffer.from('never read'));
      await settle();
      a.close(c.server);
      await settle();
      a.close(c.client);
      a.close(l.fd);
    },
    check(lines) {
      const f = lines.map(flags);
      assert.deepEqual(f.slice(0, 5), ['SYN', 'SYN, ACK', 'ACK', 'PSH, ACK', 'ACK']);
      assert.equal(f[5], 'RST, ACK');
      assert.ok(!f.includes('FIN, ACK'), 'no FIN');
      assert.match(lines[5], /seq=1 ack=11 /);
    },
  },
  {
    name: 'UDP to a closed port, and the ICMP port unreachable',
    async run(follow) {
      const a = addon();
      const probe = a.socket(4, 'udp');
      a.bind(probe, '127.0.0.1', 0);
      const closed = a.getsockname(probe)!.port;
      a.close(probe);
      const u = a.socket(4, 'udp');
      a.bind(u, '127.0.0.1', 0);
      follow([a.getsockname(u)!.port]);
      a.sendto(u, Buffer.from('anyone there?'), '127.0.0.1', closed);
      await settle();
      a.close(u);
    },
    check(lines) {
      assert.equal(lines.length, 2);
      assert.match(lines[0], /UDP len=13$/);
      assert.match(lines[1], /ICMP destination unreachable \(port unreachable\) for UDP/);
    },
  },
  {
    name: 'IPv6: hello over ::1',
    async run(follow) {
      const a = addon();
      const l = listener(6);
      follow([l.port]);
      const c = await connected(6, l.port, l.fd);
      a.send(c.client, Buffer.from('hello over v6'));
      await retry(() => a.recv(c.server, 100));
      a.close(c.client);
      await settle();
      a.close(c.server);
      a.close(l.fd);
      await settle();
    },
    check(lines) {
      assert.deepEqual(lines.map(flags).slice(0, 5), ['SYN', 'SYN, ACK', 'ACK', 'PSH, ACK', 'ACK']);
      assert.match(lines[0], /^\[::1\]:\d+ → \[::1\]:\d+ \[SYN\] seq=0 /);
    },
  },
];

function flags(line: string): string {
  return /\[([A-Z, ]+)\]/.exec(line)?.[1] ?? 'none';
}

describe('decoding against tshark, on conversations the lab engine made', { skip }, () => {
  for (const s of scenarios) {
    it(s.name, T, async () => {
      const frames: CapturedFrame[] = [];
      const result = openCapture('lo', { filter: { match: 'ports', ports: [] }, onFrame: (f) => frames.push(f) });
      assert.ok(result.ok);
      const cap = result.capture;
      try {
        await s.run((ports) => cap.setFilter({ match: 'ports', ports }));
        await settle();
        cap.drainNow();
      } finally {
        cap.close();
      }
      const writer = new PcapngWriter();
      const lo = writer.addInterface({ name: 'lo', linkType: 'ethernet', snaplen: 2048 });
      for (const f of frames) writer.addPacket({ interfaceId: lo, timestampNs: f.timestampNs, data: f.data, originalLength: f.originalLength, direction: f.direction });
      const file = path.join(dir, `${s.name.split(':')[0].replace(/\W+/g, '-')}.pcapng`);
      writeFileSync(file, writer.toBytes());

      const tracker = new TcpTracker();
      const ours = frames.map((f) => {
        const d = decodeFrame(f.data, 'ethernet', { originalLength: f.originalLength });
        const rel = tracker.track(d.facts);
        return { d, rel, line: summarize(d, rel) };
      });
      s.check(ours.map((o) => o.line));

      const theirs = tsharkPdml(file);
      assert.equal(theirs.length, frames.length, 'tshark reads every frame');
      let compared = 0;
      for (const [i, o] of ours.entries()) compared += compareWithTshark(`${s.name} #${i + 1}`, o.d, theirs[i], o.rel).compared;
      assert.ok(compared >= frames.length * 20, `${compared} fields compared`);
      // tshark's own flags for each TCP segment match the ones in our summaries.
      const byTshark = tsharkFields(file, ['frame.number', 'tcp.flags.str']).map((r) => (r[1] ?? '').replace(/[^A-Z]/g, ''));
      assert.equal(byTshark.length, frames.length);
      for (const [i, o] of ours.entries()) {
        if (!o.d.facts.tcp) continue;
        const letters = flags(o.line).split(', ').map((f) => ({ FIN: 'F', SYN: 'S', RST: 'R', PSH: 'P', ACK: 'A' })[f] ?? '?');
        assert.deepEqual([...byTshark[i]].sort(), letters.sort(), `${s.name} #${i + 1} flags`);
      }
    });
  }

  it('NAT across the router: the rewritten source on the WAN link', { ...T, skip: needs('unshare', 'ip', 'nft') }, async () => {
    // The lab's own sandbox network and capture: laptop says hello to server through the router.
    const server = await startLab();
    const c = await connect(server);
    let file = '';
    try {
      await ok(c.client.call('network', { action: 'create', topology: 'home' }));
      await ok(c.client.call('capture', { action: 'start' }));
      const web = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
      await ok(c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 80 }));
      await ok(c.client.call('listen', { sock: web.sock }));
      const laptop = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop' }));
      await ok(c.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }));
      const acc = await ok(c.client.call('accept', { sock: web.sock }));
      await ok(c.client.call('send', { sock: laptop.sock, data: 'GET / HTTP/1.0\r\n\r\n' }));
      await ok(c.client.call('recv', { sock: acc.sock }));
      await ok(c.client.call('close', { sock: laptop.sock }));
      await ok(c.client.call('close', { sock: acc.sock }));
      await settle();
      const pcap = await ok(c.client.call('pcap', {}));
      file = path.join(dir, 'nat.pcapng');
      writeFileSync(file, Buffer.from(pcap.file, 'base64'));
    } finally {
      c.client.close();
      await server.close();
    }
    const frames = tsharkFields(file, ['frame.interface_name', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.seq', 'tcp.flags.str']);
    const theirs = tsharkPdml(file);
    // Our decoding of the same file's frames, with our relative numbers, agrees with tshark's field by field.
    const bytes = readPcapngFile(file);
    assert.equal(bytes.length, theirs.length);
    const tracker = new TcpTracker();
    let compared = 0;
    for (const [i, b] of bytes.entries()) {
      const d = decodeFrame(b.data, 'ethernet', { originalLength: b.originalLength });
      compared += compareWithTshark(`nat #${i + 1}`, d, theirs[i]!, tracker.track(d.facts)).compared;
    }
    assert.ok(compared >= bytes.length * 10, `${compared} fields compared`);
    const to80 = (link: string) => frames.filter((f) => f[0] === link && f[4] === '80');
    const lan = to80('lan');
    const wan = to80('wan');
    assert.ok(lan.length >= 4 && lan.length === wan.length, `lan ${lan.length}, wan ${wan.length}`);
    assert.ok(lan.every((f) => f[1] === '192.168.1.10' && f[3] === '203.0.113.80'));
    // tshark sees the router's rewrite: the WAN copy comes from 203.0.113.1, relative numbers unchanged.
    assert.ok(wan.every((f) => f[1] === '203.0.113.1' && f[3] === '203.0.113.80'));
    assert.deepEqual(
      wan.map((f) => [f[5], f[6]]),
      lan.map((f) => [f[5], f[6]]),
    );
  });
});
