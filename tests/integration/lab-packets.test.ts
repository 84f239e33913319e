/**
 * Packets beside the calls, on the loopback lab (issue 17): a session's capture is off until asked,
 * then the server's one shared `lo` capture sorts each frame to the session whose sockets own its
 * ports. The hello conversation arrives with each packet's cause; a refused connect is SYN then
 * RST; two sessions never see each other's packets; a 1 MiB transfer does not stall the session;
 * the pcap op's file opens in tshark; viewers get the packets too. Real sockets on 127.0.0.1,
 * needs root (CI runs as root) for the loopback capture.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCaptureAddon } from '../../server/capture/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import type { ClientEvent } from '../../server/protocol/client.ts';
import type { CaptureEvent, PacketEvent, Step } from '../../server/protocol/index.ts';
import { connect, errCode, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';
import { tsharkFields } from '../helpers/tshark.ts';

const T = { timeout: 30_000 };
const loaded = loadCaptureAddon();
const skip = 'failure' in loaded ? loaded.failure : process.getuid?.() !== 0 ? 'capturing on loopback needs root (CI runs as root)' : false;
const PORTS = [41700, 41799] as const;

const isPacket = (e: ClientEvent): e is PacketEvent => e.event === 'packet';
const packets = (c: Connected) => c.events.filter(isPacket);
const flagsOf = (summary: string) => /\[([A-Z, ]+)\]/.exec(summary)?.[1] ?? '';

/**
 * A listener on a free port of the lab's range (others' ephemeral ports may hold any fixed one) and
 * a client connected to it, in session `c`; returns their handles, ports and the steps' ids.
 */
async function hello(c: Connected, tag: string) {
  const srv = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
  const { port } = await ok(c.client.call('bind', { sock: srv.sock, address: '127.0.0.1', port: 0 }));
  await ok(c.client.call('listen', { sock: srv.sock }));
  const cli = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
  const connectId = `${tag}-connect`;
  const connected = await c.client.call('connect', { sock: cli.sock, address: '127.0.0.1', port }, connectId);
  assert.ok(connected.ok);
  const acc = await ok(c.client.call('accept', { sock: srv.sock }));
  const sendId = `${tag}-send`;
  assert.ok((await c.client.call('send', { sock: cli.sock, data: `hello ${tag}` }, sendId)).ok);
  await ok(c.client.call('recv', { sock: acc.sock }));
  const closeId = `${tag}-close`;
  assert.ok((await c.client.call('close', { sock: cli.sock }, closeId)).ok);
  await ok(c.client.call('close', { sock: acc.sock }));
  return { srv, cli, acc, port, connectId, sendId, closeId, clientPort: connected.ok ? connected.result.local.port : 0 };
}

describe('packets on the loopback lab', { skip }, () => {
  let server: RunningServer;
  let a: Connected;
  let b: Connected;
  let firstPort = 0;
  before(async () => {
    server = await startLab({ labPorts: `${PORTS[0]}-${PORTS[1]}` });
    a = await connect(server);
    b = await connect(server);
  });
  after(async () => {
    a.client.close();
    b.client.close();
    await server.close();
  });

  it('the hello says capture can run here and is off; no packet comes before capture starts', T, async () => {
    assert.equal(a.hello.capture?.state, 'off');
    assert.ok(a.hello.capture?.links.includes('lo'));
    const s = await ok(a.client.call('socket', { type: 'udp' }));
    await ok(a.client.call('sendto', { sock: s.sock, address: '127.0.0.1', port: 41790, data: 'nobody' }));
    await sleep(100);
    assert.equal(packets(a).length, 0);
    await ok(a.client.call('close', { sock: s.sock }));
    assert.equal((await ok(a.client.call('capture', { action: 'status' }))).capture.state, 'off');
  });

  it('hello conversation: SYN, SYN-ACK, ACK caused by the connect, data by the send, FINs by the closes; each after its step', T, async () => {
    const started = await ok(a.client.call('capture', { action: 'start' }));
    assert.equal(started.capture.state, 'on');
    assert.deepEqual(started.capture.links, ['lo']);
    await a.waitEvent((e) => e.event === 'capture' && (e as CaptureEvent).state === 'on');
    const h = await hello(a, 'a');
    firstPort = h.port;
    await waitUntil(() => packets(a).filter((p) => /FIN/.test(flagsOf(p.summary))).length >= 2, 3000, 'both FINs');
    const mine = packets(a);
    const handshake = mine.filter((p) => p.cause === h.connectId);
    assert.deepEqual(
      handshake.map((p) => flagsOf(p.summary)),
      ['SYN', 'SYN, ACK', 'ACK'],
      `connect's packets: ${handshake.map((p) => p.summary).join(' | ')}`,
    );
    assert.match(handshake[0]!.summary, new RegExp(`127\\.0\\.0\\.1:${h.clientPort} → 127\\.0\\.0\\.1:${h.port} \\[SYN\\] seq=0`));
    assert.ok(handshake.every((p) => p.link === 'lo' && p.host === undefined));
    const data = mine.filter((p) => p.cause === h.sendId);
    assert.ok(data.some((p) => /len=7/.test(p.summary) && Buffer.from(p.frame, 'base64').includes(Buffer.from('hello a'))), data.map((p) => p.summary).join(' | '));
    assert.ok(mine.some((p) => p.cause === h.closeId && /FIN/.test(flagsOf(p.summary))), "the client's close sent a FIN");
    // Every packet comes after the step that caused it.
    const order = a.events.filter((e) => e.event === 'packet' || e.event === 'step');
    for (const p of mine.filter((x) => x.cause !== undefined)) {
      const stepAt = order.findIndex((e) => e.event === 'step' && (e as Step).id === p.cause);
      assert.ok(stepAt >= 0 && stepAt < order.indexOf(p), `packet ${p.n} (${p.summary}) after its step`);
    }
    // Numbers run 1, 2, 3... with no gap.
    assert.deepEqual(
      mine.map((p) => p.n).sort((x, y) => x - y),
      mine.map((_, i) => i + 1),
    );
  });

  it('a refused connect: SYN then RST, both caused by the connect', T, async () => {
    const s = await ok(a.client.call('socket', { type: 'tcp' }));
    const r = await a.client.call('connect', { sock: s.sock, address: '127.0.0.1', port: 41798 }, 'refused');
    assert.equal(r.ok ? 'ok' : r.error.code, 'ECONNREFUSED');
    await waitUntil(() => packets(a).filter((p) => p.cause === 'refused').length >= 2, 3000, 'SYN and RST');
    assert.deepEqual(
      packets(a)
        .filter((p) => p.cause === 'refused')
        .map((p) => flagsOf(p.summary)),
      ['SYN', 'RST, ACK'],
    );
    await ok(a.client.call('close', { sock: s.sock }));
  });

  it('two sessions: each sees only its own packets, and each worker holds at most one loopback capture socket', T, async () => {
    await ok(b.client.call('capture', { action: 'start' }));
    const before = new Set(packets(a).map((p) => p.n));
    const [ha, hb] = await Promise.all([hello(a, 'a2'), hello(b, 'b2')]);
    await waitUntil(() => packets(b).filter((p) => /FIN/.test(flagsOf(p.summary))).length >= 2 && packets(a).filter((p) => p.cause === ha.closeId).length >= 1, 3000, 'both conversations');
    await sleep(100);
    const ports = (p: PacketEvent) => [...p.summary.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    const aNew = packets(a).filter((p) => !before.has(p.n));
    const bAll = packets(b);
    assert.ok(aNew.length >= 8 && bAll.length >= 8, `a ${aNew.length}, b ${bAll.length}`);
    for (const p of aNew) assert.ok(!ports(p).includes(hb.port) && !ports(p).includes(hb.clientPort), `a saw b's packet: ${p.summary}`);
    for (const p of bAll) assert.ok(!ports(p).includes(ha.port) && !ports(p).includes(ha.clientPort) && !ports(p).includes(firstPort), `b saw a's packet: ${p.summary}`);
    const bSteps = new Set(b.steps().map((st) => st.id));
    for (const p of bAll) assert.ok(p.cause === undefined || bSteps.has(p.cause), `b's packet caused by a step b never made: ${String(p.cause)}`);
    // Each lab worker holds one shared capture for its own sessions (docs/architecture.md, Threads).
    const captures = (await server.pool.loopbackCaptures()).filter((c) => c !== null);
    assert.equal(captures.reduce((n, c) => n + c.subscribers, 0), 2);
    for (const c of captures) assert.ok(c.opened <= 1, `a worker opened ${c.opened} loopback capture sockets`);
    assert.equal(captures.filter((c) => c.open).length, captures.filter((c) => c.subscribers > 0).length, 'one shared socket per worker with capturing sessions');
    assert.equal(server.capture?.loopback?.opened, 0, 'the main thread (no browser session) opened none');
  });

  it("across workers: each reads its own half of the range, and a connect to the other's listener is seen by both sessions", T, async () => {
    if (server.pool.size < 2) return; // one worker here: nothing is split
    const captures = (await server.pool.loopbackCaptures()).filter((c) => c !== null && c.subscribers > 0);
    assert.equal(captures.length, 2, 'a and b are on different workers (the least-loaded one takes each new session)');
    const half = (PORTS[1] - PORTS[0] + 1) / captures.length;
    for (const c of captures) assert.ok(c!.filterPorts.length < half + 10, `a worker's filter reads ${c!.filterPorts.length} ports, not its half`);
    const srv = await ok(a.client.call('socket', { type: 'tcp', actor: 'server' }));
    const { port } = await ok(a.client.call('bind', { sock: srv.sock, address: '127.0.0.1', port: 0 }));
    await ok(a.client.call('listen', { sock: srv.sock }));
    const cli = await ok(b.client.call('socket', { type: 'tcp', actor: 'client' }));
    const connected = await ok(b.client.call('connect', { sock: cli.sock, address: '127.0.0.1', port }, 'cross-connect'));
    await waitUntil(() => packets(b).filter((p) => p.cause === 'cross-connect').length >= 3, 3000, "b's handshake");
    assert.deepEqual(
      packets(b)
        .filter((p) => p.cause === 'cross-connect')
        .map((p) => flagsOf(p.summary)),
      ['SYN', 'SYN, ACK', 'ACK'],
    );
    const seenByA = (p: PacketEvent) => p.summary.includes(`127.0.0.1:${connected.local.port} → 127.0.0.1:${port} [SYN]`);
    await waitUntil(() => packets(a).some(seenByA), 3000, "the SYN at a's listener");
    const both = (await server.pool.loopbackCaptures()).filter((c) => c?.filterPorts.includes(port));
    assert.equal(both.length, 2, "the listener's port is read by its own worker and by the connecting one");
    await ok(b.client.call('close', { sock: cli.sock }));
    await ok(a.client.call('close', { sock: srv.sock }));
  });

  it('a watcher gets the packet events too', T, async () => {
    const w = await connect(server, { watch: a.hello.watchToken! });
    try {
      await hello(a, 'a3');
      await w.waitEvent((e) => isPacket(e) && e.cause === 'a3-connect', 3000);
    } finally {
      w.client.close();
    }
  });

  it('a 1 MiB transfer does not stall the session: other calls answer while it runs', T, async () => {
    const srv = await ok(a.client.call('socket', { type: 'tcp' }));
    const { port } = await ok(a.client.call('bind', { sock: srv.sock, address: '127.0.0.1', port: 0 }));
    await ok(a.client.call('listen', { sock: srv.sock }));
    const cli = await ok(a.client.call('socket', { type: 'tcp' }));
    await ok(a.client.call('connect', { sock: cli.sock, address: '127.0.0.1', port }));
    const acc = await ok(a.client.call('accept', { sock: srv.sock }));
    const chunk = Buffer.alloc(64 * 1024, 0x61).toString('base64');
    const started = performance.now();
    let got = 0;
    const slowest: number[] = [];
    for (let i = 0; i < 16; i++) {
      await ok(a.client.call('send', { sock: cli.sock, data: chunk, encoding: 'base64' }));
      const t = performance.now();
      await ok(a.client.call('getsockname', { sock: cli.sock }));
      slowest.push(performance.now() - t);
      while (got < (i + 1) * 65536) got += (await ok(a.client.call('recv', { sock: acc.sock, max: 65536 }))).bytes;
    }
    assert.equal(got, 1 << 20);
    const status = await ok(a.client.call('capture', { action: 'status' }));
    assert.ok(status.capture.packets > 20);
    // Not a timing assertion: a stall would be seconds, and the test's own time limit catches it.
    console.log(`1 MiB with capture on: ${(performance.now() - started).toFixed(0)} ms, slowest getsockname ${Math.max(...slowest).toFixed(1)} ms, ${status.capture.packets} packets`);
    for (const s of [cli.sock, acc.sock, srv.sock]) await ok(a.client.call('close', { sock: s }));
  });

  it('pcap: a pcapng file tshark reads, one interface, with the causes as comments', T, async (t) => {
    const tshark = needs('tshark');
    if (tshark) return t.skip(tshark);
    const r = await ok(a.client.call('pcap', {}));
    assert.match(r.name, /^socket-lab-.+\.pcapng$/);
    const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-pcap-'));
    try {
      const file = path.join(dir, r.name);
      writeFileSync(file, Buffer.from(r.file, 'base64'));
      const rows = tsharkFields(file, ['frame.number', 'frame.interface_name', 'tcp.flags.str', 'frame.comment']);
      assert.equal(rows.length, r.packets);
      assert.ok(rows.every((row) => row[1] === 'lo'));
      assert.ok(rows.some((row) => /a-connect/.test(row[3] ?? '')), 'the connect step is a comment');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stop: no more packets; the cap and counts are reported; bad args are refused', T, async () => {
    const stopped = await ok(a.client.call('capture', { action: 'stop' }));
    assert.equal(stopped.capture.state, 'off');
    const n = packets(a).length;
    await hello(a, 'a4');
    await sleep(100);
    assert.equal(packets(a).length, n);
    assert.equal(await errCode(a.client.call('capture', { action: 'everything' } as never)), 'E_BAD_REQUEST');
  });
});

describe('the per-session cap, and capture switched off', { skip }, () => {
  it('past --capture-packets frames are counted only, and the capture event says capped', T, async () => {
    const server = await startLab({ capturePackets: 5, labPorts: '41800-41849' });
    const c = await connect(server);
    try {
      assert.equal(c.hello.capture?.cap, 5);
      await ok(c.client.call('capture', { action: 'start' }));
      await hello(c, 'cap');
      await c.waitEvent((e) => e.event === 'capture' && (e as CaptureEvent).state === 'capped', 3000);
      await waitUntil(async () => (await ok(c.client.call('capture', { action: 'status' }))).capture.countedOnly >= 3, 3000, 'frames counted past the cap');
      const { capture } = await ok(c.client.call('capture', { action: 'status' }));
      assert.equal(capture.state, 'capped');
      assert.equal(capture.packets, 5);
      assert.equal(packets(c).length, 5);
      assert.equal((await ok(c.client.call('pcap', {}))).packets, 5);
    } finally {
      c.client.close();
      await server.close();
    }
  });

  it('--capture-packets 0: no capture in the hello, and the op says why (E_UNSUPPORTED)', T, async () => {
    const server = await startLab({ capturePackets: 0 });
    const c = await connect(server);
    try {
      assert.equal(c.hello.capture, undefined);
      assert.equal(await errCode(c.client.call('capture', { action: 'start' })), 'E_UNSUPPORTED');
      assert.equal(await errCode(c.client.call('pcap', {})), 'E_UNSUPPORTED');
    } finally {
      c.client.close();
      await server.close();
    }
  });
});
