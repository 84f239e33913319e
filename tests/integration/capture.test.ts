/**
 * Capture sources on real sockets: AF_PACKET on loopback as root (as CI runs), with the BPF
 * filters of server/capture/bpf.ts attached, and the unprivileged paths in child processes: a
 * plain user (capture refused, with the reason) and a user inside its own user + network
 * namespace (`unshare -Urn`), where packet sockets need no privilege. Traffic stays on loopback.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeFrame, summarize, TcpTracker, type DecodedFrame } from '../../packets/index.ts';
import { loadCaptureAddon } from '../../server/capture/addon.ts';
import { captureFromFd, FrameBudget, openCapture, probeCapture, type CapturedFrame, type CaptureOptions, type PacketCapture } from '../../server/capture/index.ts';
import { compileFilter, programArray } from '../../server/capture/bpf.ts';
import { needs } from '../helpers/tools.ts';

const T = { timeout: 30_000 };
const IS_ROOT = process.getuid?.() === 0;
const rootOnly = IS_ROOT ? false : 'capturing on this machine\'s loopback needs root (CI runs as root)';
const loaded = loadCaptureAddon();
const addonMissing = 'failure' in loaded ? loaded.failure : false;
const open: PacketCapture[] = [];
after(() => {
  for (const c of open) c.close();
});

async function eventually<V>(what: string, probe: () => V | undefined, ms = 5000): Promise<V> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A capture on lo that collects frames. */
function capture(ports: number[], extra: Partial<CaptureOptions> = {}) {
  const frames: CapturedFrame[] = [];
  const result = openCapture('lo', { filter: { match: 'ports', ports }, onFrame: (f) => frames.push(f), ...extra });
  assert.ok(result.ok, result.ok ? '' : result.unavailable.reason);
  open.push(result.capture);
  return { capture: result.capture, frames };
}

const decoded = (frames: CapturedFrame[]): DecodedFrame[] => frames.map((f) => decodeFrame(f.data, 'ethernet', { originalLength: f.originalLength }));
const summaries = (frames: CapturedFrame[]) => {
  const t = new TcpTracker();
  return decoded(frames).map((d) => summarize(d, t.track(d.facts)));
};
const portsOf = (d: DecodedFrame) => {
  const t = d.facts.tcp ?? d.facts.udp;
  return t ? [t.srcPort, t.dstPort] : [d.facts.icmp?.quoted?.srcPort, d.facts.icmp?.quoted?.dstPort];
};

/** A TCP server that answers "bye" and closes; and a client conversation with it. */
async function tcpServer() {
  const server = net.createServer((s) => s.on('data', () => s.end('bye')));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as net.AddressInfo).port };
}
async function hello(port: number, payload: string | Buffer = 'hello') {
  const c = net.connect(port, '127.0.0.1', () => c.write(payload));
  c.on('data', () => c.end());
  await once(c, 'close');
  return c;
}

describe('capture on loopback', { skip: addonMissing || rootOnly }, () => {
  it('sees a whole conversation, with kernel timestamps in order', T, async () => {
    const { server, port } = await tcpServer();
    const { capture: cap, frames } = capture([port]);
    const before = BigInt(Date.now()) * 1_000_000n;
    await hello(port);
    await eventually('the last ACK', () => (frames.length >= 10 ? true : undefined));
    server.close();
    const lines = summaries(frames);
    assert.match(lines[0], new RegExp(`→ 127\\.0\\.0\\.1:${port} \\[SYN\\] seq=0 win=\\d+$`));
    assert.match(lines[1], /\[SYN, ACK\] seq=0 ack=1 /);
    assert.match(lines[2], /\[ACK\] seq=1 ack=1 /);
    assert.match(lines[3], /\[PSH, ACK\] seq=1 ack=1 win=\d+ len=5$/);
    assert.equal(lines.filter((l) => l.includes('FIN')).length, 2);
    for (const [i, f] of frames.entries()) {
      assert.ok(f.timestampNs >= before - 1_000_000_000n && f.timestampNs <= BigInt(Date.now()) * 1_000_000n + 1_000_000_000n, 'a wall-clock timestamp');
      if (i > 0) assert.ok(f.timestampNs >= frames[i - 1].timestampNs, 'in order');
      assert.equal(f.link, 'lo');
      assert.equal(f.originalLength, f.data.length);
    }
    assert.equal(new Set(frames.map((f) => Buffer.from(f.data).toString('hex'))).size, frames.length, 'each packet once, not leaving and arriving');
    assert.equal(cap.stats().delivered, frames.length);
  });

  it('reads only the session\'s ports: another session\'s and other programs\' traffic never arrive', T, async () => {
    const a = await tcpServer();
    const b = await tcpServer();
    const other = await tcpServer();
    const capA = capture([a.port]);
    const capB = capture([b.port]);
    await Promise.all([hello(a.port, 'for a'), hello(b.port, 'for b'), hello(other.port, 'for nobody')]);
    await eventually('both conversations', () => (capA.frames.length >= 10 && capB.frames.length >= 10 ? true : undefined));
    await sleep(100);
    capA.capture.drainNow();
    capB.capture.drainNow();
    for (const [cap, port] of [[capA, a.port], [capB, b.port]] as const) {
      for (const d of decoded(cap.frames)) assert.ok(portsOf(d).includes(port), `only port ${port}: ${summarize(d)}`);
    }
    for (const s of [a, b, other]) s.server.close();
  });

  it('follows the session\'s ports when they change (the filter is attached again)', T, async () => {
    const a = await tcpServer();
    const b = await tcpServer();
    const { capture: cap, frames } = capture([a.port]);
    await hello(b.port);
    await hello(a.port);
    await eventually('a', () => (frames.length >= 10 ? true : undefined));
    cap.setFilter({ match: 'ports', ports: [b.port] });
    const seen = frames.length;
    await hello(a.port);
    await hello(b.port);
    await eventually('b', () => (frames.length >= seen + 10 ? true : undefined));
    await sleep(100);
    cap.drainNow();
    assert.ok(decoded(frames.slice(0, seen)).every((d) => portsOf(d).includes(a.port)));
    assert.ok(decoded(frames.slice(seen)).every((d) => portsOf(d).includes(b.port)));
    a.server.close();
    b.server.close();
  });

  it('captures a UDP datagram and the ICMP port unreachable it causes', T, async () => {
    const udp = dgram.createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const port = udp.address().port;
    const { frames } = capture([port]);
    udp.on('error', () => {});
    udp.send('anyone?', 1, '127.0.0.1');
    await eventually('the ICMP error', () => (frames.length >= 2 ? true : undefined));
    udp.close();
    assert.deepEqual(summaries(frames), [
      `127.0.0.1:${port} → 127.0.0.1:1 UDP len=7`,
      `127.0.0.1 → 127.0.0.1 ICMP destination unreachable (port unreachable) for UDP 127.0.0.1:${port} → 127.0.0.1:1`,
    ]);
  });

  it('keeps snaplen bytes of a big segment and its original length', T, async () => {
    const { server, port } = await tcpServer();
    const { frames } = capture([port], { snaplen: 128 });
    await hello(port, Buffer.alloc(5000, 0x61));
    await eventually('the data', () => frames.find((f) => f.originalLength > 5000));
    server.close();
    const big = frames.find((f) => f.originalLength > 5000)!;
    assert.equal(big.data.length, 128);
    const d = decodeFrame(big.data, 'ethernet', { originalLength: big.originalLength });
    assert.equal(d.facts.tcp?.payloadLength, 5000);
    assert.equal(d.problem?.kind, 'truncated');
  });

  it('delivers frames up to the budget, then only counts them', T, async () => {
    const { server, port } = await tcpServer();
    const budget = new FrameBudget(4);
    const { capture: cap, frames } = capture([port], { budget });
    await hello(port);
    await eventually('the rest, counted', () => (cap.stats().countedOnly >= 6 ? true : undefined));
    server.close();
    assert.equal(frames.length, 4);
    assert.deepEqual(budget.usage.frames, 4);
    assert.equal(budget.usage.countedOnly, cap.stats().countedOnly);
  });

  it('a 1 MiB send with capture on completes, read a budget at a time', T, async () => {
    const received = { bytes: 0 };
    const server = net.createServer((s) => s.on('data', (d) => (received.bytes += d.length)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const { capture: cap } = capture([port], { readBudget: 4, snaplen: 256, budget: new FrameBudget(10) });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const c = net.connect(port, '127.0.0.1');
    await once(c, 'connect');
    c.end(Buffer.alloc(1024 * 1024, 0x62));
    await eventually('1 MiB received', () => (received.bytes === 1024 * 1024 ? true : undefined), 20_000);
    await eventually('frames read', () => (cap.stats().delivered + cap.stats().countedOnly >= 16 ? true : undefined));
    clearInterval(ticker);
    server.close();
    const stats = cap.stats();
    assert.ok(stats.largestRead <= 4, `largest read ${stats.largestRead}`);
    assert.equal(stats.delivered, 10);
    assert.ok(stats.countedOnly > 0, 'the rest were counted');
    assert.ok(ticks > 0, 'timers ran during the transfer');
  });

  it('closes its socket: the addon holds no capture fd afterwards', T, () => {
    if ('failure' in loaded) return;
    const before = loaded.addon.ownedCount();
    const { capture: cap } = capture([1]);
    assert.equal(loaded.addon.ownedCount(), before + 1);
    cap.close();
    cap.close();
    assert.equal(loaded.addon.ownedCount(), before);
    assert.equal(cap.closed, true);
  });

  it('probes whether capture can run, leaving no socket open', () => {
    if ('failure' in loaded) return;
    const before = loaded.addon.ownedCount();
    assert.equal(probeCapture('lo'), null);
    assert.equal(probeCapture('nosuch0')?.code, 'ENODEV');
    assert.equal(loaded.addon.ownedCount(), before);
  });

  it('says why in one line when the interface does not exist', () => {
    const r = openCapture('nosuch0', { filter: { match: 'all' }, onFrame: () => {} });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.unavailable.code, r.unavailable.reason], ['ENODEV', 'There is no network interface named nosuch0 here.']);
  });
});

describe('captureFromFd (a packet socket handed over by the sandbox)', { skip: addonMissing || rootOnly }, () => {
  it('takes over an addon packet socket: new filter, rebound, queued frames dropped', T, async () => {
    if ('failure' in loaded) return;
    const { addon } = loaded;
    const a = await tcpServer();
    const b = await tcpServer();
    // Stand-in for a socket received with SCM_RIGHTS: an addon packet socket, bound, with frames queued.
    const fd = addon.captureOpen('lo', programArray(compileFilter({ match: 'ports', ports: [a.port] }, { snaplen: 256, skipOutgoing: true })), 65536);
    await hello(a.port);
    const frames: CapturedFrame[] = [];
    const r = captureFromFd(fd, { filter: { match: 'ports', ports: [b.port] }, link: 'lan', loopback: true, onFrame: (f) => frames.push(f) });
    assert.ok(r.ok);
    open.push(r.capture);
    assert.ok(r.capture.stats().discardedBeforeFilter >= 10, 'the frames queued under the old filter were dropped');
    await hello(b.port);
    await eventually('b', () => (frames.length >= 10 ? true : undefined));
    assert.ok(decoded(frames).every((d) => portsOf(d).includes(b.port)));
    assert.equal(frames[0].link, 'lan');
    a.server.close();
    b.server.close();
  });

  it('refuses an fd that is not an addon packet socket, with the reason', () => {
    if ('failure' in loaded) return;
    const tcp = loaded.addon.socket(4, 'tcp');
    try {
      const notPacket = captureFromFd(tcp, { filter: { match: 'all' }, onFrame: () => {} });
      assert.equal(notPacket.ok ? 'ok' : notPacket.unavailable.code, 'EPROTOTYPE');
    } finally {
      loaded.addon.close(tcp);
    }
    const foreign = captureFromFd(0, { filter: { match: 'all' }, onFrame: () => {} });
    assert.equal(foreign.ok ? 'ok' : foreign.unavailable.code, 'EBADF');
    assert.throws(() => loaded.addon.captureRead(0, 100, 1), { code: 'EBADF' });
  });
});

// The child runs as a plain user: as root, drop to nobody first (setpriv); otherwise run as we are.
const CHILD = path.join(import.meta.dirname, '..', 'helpers', 'capture-child.ts');
const VETH = 'ip link add lab0 type veth peer name lab1 && ip link set lab0 up && ip link set lab1 up && ip addr add 10.7.0.1/24 dev lab0 && ';
function runChild(inNamespace: boolean, mode: 'conversation' | 'linkdown' = 'conversation') {
  const node = [process.execPath, '--import', 'tsx', CHILD, mode];
  const setup = `${mode === 'linkdown' ? VETH : ''}ip link set lo up && exec "$@"`;
  const inner = inNamespace ? ['unshare', '-Urn', 'sh', '-c', setup, 'sh', ...node] : node;
  const argv = IS_ROOT ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...inner] : inner;
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000, cwd: path.join(import.meta.dirname, '..', '..'), env: { ...process.env, HOME: '/tmp' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

describe('without privilege', { skip: addonMissing }, () => {
  it('a plain user gets the one-line reason and what would enable capture', T, () => {
    const out = runChild(false);
    assert.notEqual(out.uid, 0);
    assert.equal(out.unavailable.code, 'EPERM');
    assert.match(out.unavailable.reason, /needs root or the CAP_NET_RAW capability/);
    assert.match(out.unavailable.enable, /setcap cap_net_raw\+ep/);
    assert.deepEqual(out.probe, out.unavailable);
  });

  it('inside its own user and network namespace, a plain user captures', { ...T, skip: needs('unshare', 'ip') }, () => {
    const out = runChild(true);
    assert.equal(out.unavailable, undefined, JSON.stringify(out.unavailable));
    assert.equal(out.probe, null);
    const lines: string[] = out.summaries;
    assert.match(lines[0], new RegExp(`:${out.port} \\[SYN\\] seq=0`));
    assert.match(lines[1], /\[SYN, ACK\] seq=0 ack=1/);
    assert.ok(lines.some((l) => /ICMP destination unreachable \(port unreachable\) for UDP/.test(l)), lines.join('\n'));
  });

  it('a link going down is reported, not fatal: the capture goes on when it is up again', { ...T, skip: needs('unshare', 'ip') }, () => {
    const out = runChild(true, 'linkdown');
    assert.equal(out.unavailable, undefined, JSON.stringify(out.unavailable));
    assert.deepEqual(out.errors, [['ENETDOWN', false]]);
    assert.equal(out.closed, false);
    assert.ok(out.summaries.includes('who has 10.7.0.2? tell 10.7.0.1'), out.summaries.join('\n'));
  });
});
