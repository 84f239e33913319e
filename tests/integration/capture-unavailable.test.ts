/**
 * Where capture cannot run, the lab says why in one line and what would enable it, and nothing
 * else breaks (issue 17), against the real server in a process without CAP_NET_RAW (started
 * through setpriv, tests/helpers/server-without-net-raw.ts): the hello says capture is unavailable
 * on loopback with the reason and the remedy; `capture start` answers E_UNSUPPORTED with them where
 * no link is left; socket calls work as ever; and with the sandbox network, its links still
 * capture (packet sockets inside the sandbox's own namespaces need no privilege of the server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientEvent } from '../../server/protocol/client.ts';
import type { PacketEvent } from '../../server/protocol/index.ts';
import { connect, ok, waitUntil, type Connected } from '../helpers/lab.ts';
import { startWithoutNetRaw, type ChildServer } from '../helpers/server-without-net-raw.ts';
import { needs } from '../helpers/tools.ts';

const T = { timeout: 30_000 };
const START = { timeout: 90_000 };
const isPacket = (e: ClientEvent): e is PacketEvent => e.event === 'packet';

/**
 * For a suite: a lab-only server without CAP_NET_RAW (one worker; `args` beside) and one session
 * of it. Its lab ports are a range of their own: the default range is busy while other suites run.
 */
function sessionWithoutNetRaw(args: string[] = []): { server: ChildServer; c: Connected } {
  const suite = {} as { server: ChildServer; c: Connected };
  before(async () => {
    suite.server = await startWithoutNetRaw(['--lab-only', '--workers', '1', '--lab-ports', '43300-43399', ...args]);
    suite.c = await connect(suite.server);
  }, START);
  after(async () => {
    suite.c?.client.close();
    await suite.server?.close();
  });
  return suite;
}

/** socket, bind, listen, connect, accept, send, recv, close on 127.0.0.1: the loopback lab's calls. */
async function tcpHello(c: Connected) {
  const srv = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
  const { port } = await ok(c.client.call('bind', { sock: srv.sock, address: '127.0.0.1', port: 0 }));
  await ok(c.client.call('listen', { sock: srv.sock }));
  const cli = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
  await ok(c.client.call('connect', { sock: cli.sock, address: '127.0.0.1', port }));
  const acc = await ok(c.client.call('accept', { sock: srv.sock }));
  await ok(c.client.call('send', { sock: cli.sock, data: 'hello' }));
  const got = await ok(c.client.call('recv', { sock: acc.sock }));
  for (const s of [cli, acc, srv]) await ok(c.client.call('close', { sock: s.sock }));
  return got;
}

describe('a server without CAP_NET_RAW and without the sandbox network', { skip: needs('setpriv') }, () => {
  const lab = sessionWithoutNetRaw(['--sandbox-networks', '0']);

  it('runs without CAP_NET_RAW (as the test means it to)', () => {
    assert.equal(lab.server.hasNetRaw(), false);
  });

  it('the hello says capture is unavailable: a stable code, why, and what would enable it', () => {
    const capture = lab.c.hello.capture;
    assert.ok(capture, 'the hello has capture');
    assert.equal(capture.state, 'unavailable');
    assert.deepEqual(capture.links, []);
    assert.equal(capture.code, 'EPERM');
    assert.match(capture.reason ?? '', /^Capturing packets on lo needs root or the CAP_NET_RAW capability, and this server has neither\.$/);
    assert.match(capture.enable ?? '', /setcap cap_net_raw\+ep/);
  });

  it('capture start answers E_UNSUPPORTED with the reason and the remedy; status still says unavailable', T, async () => {
    const r = await lab.c.client.call('capture', { action: 'start' });
    assert.ok(!r.ok, 'capture start must fail here');
    assert.equal(r.error.code, 'E_UNSUPPORTED');
    assert.ok(r.error.message.includes(lab.c.hello.capture!.reason!), r.error.message);
    assert.ok(r.error.message.includes(lab.c.hello.capture!.enable!), r.error.message);
    const { capture } = await ok(lab.c.client.call('capture', { action: 'status' }));
    assert.equal(capture.state, 'unavailable');
    assert.equal(capture.code, 'EPERM');
  });

  it('the calls still work: a TCP conversation on loopback, each call a step, and no packet event', T, async () => {
    const before = lab.c.steps().length;
    const got = await tcpHello(lab.c);
    assert.ok('data' in got);
    assert.equal(got.data, 'hello');
    assert.ok(lab.c.steps().length >= before + 11, `steps: ${lab.c.steps().length - before}`);
    assert.equal(lab.c.events.filter(isPacket).length, 0);
    const pcap = await ok(lab.c.client.call('pcap', {}));
    assert.equal(pcap.packets, 0);
  });
});

describe('a server without CAP_NET_RAW, with the sandbox network', { skip: needs('setpriv', 'unshare', 'ip', 'nft') }, () => {
  const lab = sessionWithoutNetRaw();

  it('the hello offers the sandbox links and still says why loopback cannot be captured', () => {
    assert.equal(lab.server.hasNetRaw(), false);
    const capture = lab.c.hello.capture!;
    assert.equal(capture.state, 'off');
    assert.deepEqual(capture.links, ['lan', 'wan']);
    assert.equal(capture.code, 'EPERM');
    assert.match(capture.reason ?? '', /CAP_NET_RAW/);
    assert.match(capture.enable ?? '', /the sandbox network captures without either/);
  });

  it('loopback calls still work, and capture never claims lo', T, async () => {
    const { capture } = await ok(lab.c.client.call('capture', { action: 'start' }));
    assert.equal(capture.state, 'on');
    assert.ok(!capture.links.includes('lo'), capture.links.join(','));
    await tcpHello(lab.c);
    assert.equal(lab.c.events.filter(isPacket).filter((p) => p.link === 'lo').length, 0);
  });

  it('the sandbox network still captures: a connect from laptop is SYN on lan and on wan', { timeout: 60_000 }, async () => {
    await ok(lab.c.client.call('network', { action: 'create', topology: 'home' }));
    await waitUntil(async () => (await ok(lab.c.client.call('capture', { action: 'status' }))).capture.links.length === 2, 10_000, 'capture on lan and wan');
    const web = await ok(lab.c.client.call('socket', { type: 'tcp', host: 'server', actor: 'server' }));
    await ok(lab.c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 80 }));
    await ok(lab.c.client.call('listen', { sock: web.sock }));
    const laptop = await ok(lab.c.client.call('socket', { type: 'tcp', host: 'laptop', actor: 'laptop' }));
    assert.ok((await lab.c.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }, 'nr-connect')).ok);
    const syn = (link: string) => lab.c.events.filter(isPacket).filter((p) => p.cause === 'nr-connect' && p.link === link && /\[SYN\]/.test(p.summary));
    await waitUntil(() => syn('lan').length >= 1 && syn('wan').length >= 1, 5000, 'the SYN on both links');
    assert.match(syn('lan')[0]!.summary, /^192\.168\.1\.10:\d+ → 203\.0\.113\.80:80 \[SYN\]/);
    assert.match(syn('wan')[0]!.summary, /^203\.0\.113\.1:\d+ → 203\.0\.113\.80:80 \[SYN\]/);
  });
});
