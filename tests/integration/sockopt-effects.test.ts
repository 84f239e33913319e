/**
 * What three socket options really change (issue 19), seen where the change shows:
 * - IPV6_V6ONLY: who can connect to an IPv6 listener on `::`, and whether `0.0.0.0` on the same
 *   port is still free. Over the lab, in the sandbox network (the loopback lab never binds a
 *   wildcard), with IPv4 and IPv6 clients on `laptop`.
 * - TCP_NODELAY: how many data segments 50 one-byte writes make, counted in a real capture of
 *   loopback (Nagle's algorithm holds small writes while data is unacknowledged).
 * - SO_KEEPALIVE with TCP_KEEPIDLE/TCP_KEEPINTVL: the probes an idle connection sends, captured.
 * The last two use the native addon's own calls on loopback (the lab makes one call per click, too
 * slow to meet Nagle) and capture needs root (CI runs as root).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeFrame } from '../../packets/index.ts';
import type { RunningServer } from '../../server/app.ts';
import { loadCaptureAddon } from '../../server/capture/addon.ts';
import { openCapture, type CapturedFrame } from '../../server/capture/index.ts';
import { loadNativeAddon, type NativeAddon } from '../../server/engines/native/addon.ts';
import { connect, ok, startLab, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const native = loadNativeAddon();
const capture = loadCaptureAddon();
const captureSkip =
  !native ? 'needs the native addon' : 'failure' in capture ? capture.failure : process.getuid?.() !== 0 ? 'capturing on loopback needs root (CI runs as root)' : false;

describe('IPV6_V6ONLY decides who reaches a listener on :: (sandbox, over the lab)', { skip: needs('unshare', 'ip', 'nft') || (!native && 'needs the native engine (setsockopt)') }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ engine: 'native' });
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  /** A listener on `server` at `address`:port, family 6 or 4, with IPV6_V6ONLY set first when asked. */
  async function listener(family: 4 | 6, address: string, port: number, v6only?: 0 | 1) {
    const { sock } = await ok(c.client.call('socket', { type: 'tcp', family, host: 'server', actor: 'server' }));
    if (v6only !== undefined) await ok(c.client.call('setsockopt', { sock, option: 'IPV6_V6ONLY', value: v6only }));
    const r = await c.client.call('bind', { sock, address, port });
    const bound = r.ok ? null : r.error.code;
    if (bound === null) await ok(c.client.call('listen', { sock }));
    return { sock, bound };
  }

  /** Connects from `laptop` and returns the error code, or which of `listeners` accepted and the peer it saw. */
  async function reach(family: 4 | 6, address: string, port: number, listeners: Record<string, string>) {
    const { sock } = await ok(c.client.call('socket', { type: 'tcp', family, host: 'laptop', actor: 'laptop' }));
    const connected = await c.client.call('connect', { sock, address, port });
    if (!connected.ok) return connected.error.code;
    for (const [name, listening] of Object.entries(listeners)) {
      await ok(c.client.call('setblocking', { sock: listening, blocking: false }));
      const got = await c.client.call('accept', { sock: listening });
      if (got.ok) return `${name} accepted ${got.result.peer.address}`;
    }
    return 'connected, but no listener had it';
  }

  it('off (Linux default, bindv6only=0): :: takes IPv4 clients as ::ffff:a.b.c.d, and 0.0.0.0 on that port is in use', async () => {
    const six = await listener(6, '::', 8080, 0);
    assert.equal(six.bound, null);
    assert.equal((await ok(c.client.call('getsockopt', { sock: six.sock, option: 'IPV6_V6ONLY' }))).value, 0);
    const four = await listener(4, '0.0.0.0', 8080);
    assert.equal(four.bound, 'EADDRINUSE', 'the IPv6 socket holds the IPv4 port too');
    assert.equal(await reach(4, '203.0.113.80', 8080, { v6: six.sock }), 'v6 accepted ::ffff:203.0.113.1');
    assert.match(await reach(6, '2001:db8:2::80', 8080, { v6: six.sock }), /^v6 accepted 2001:db8:/);
  });

  it('on: :: takes only IPv6; 0.0.0.0 on the same port binds, and IPv4 clients reach that socket', async () => {
    const six = await listener(6, '::', 8081, 1);
    assert.equal(six.bound, null);
    const four = await listener(4, '0.0.0.0', 8081);
    assert.equal(four.bound, null, 'the IPv4 port is free');
    assert.equal(await reach(4, '203.0.113.80', 8081, { v6: six.sock, v4: four.sock }), 'v4 accepted 203.0.113.1');
    assert.match(await reach(6, '2001:db8:2::80', 8081, { v6: six.sock, v4: four.sock }), /^v6 accepted 2001:db8:/);
  });

  it('on, with nothing on the IPv4 side: an IPv4 client is refused', async () => {
    const six = await listener(6, '::', 8082, 1);
    assert.equal(six.bound, null);
    assert.equal(await reach(4, '203.0.113.80', 8082, { v6: six.sock }), 'ECONNREFUSED');
  });
});

describe('TCP_NODELAY and SO_KEEPALIVE, seen in a capture of loopback', { skip: captureSkip }, () => {
  const addon = (): NativeAddon => native!;

  /** A connected pair on loopback: the client (options set before connect) and the accepted server end. */
  async function pair(setup: (fd: number) => void) {
    const a = addon();
    const listening = a.socket(4, 'tcp');
    a.bind(listening, '127.0.0.1', 0);
    a.listen(listening, 1);
    const port = a.getsockname(listening)!.port;
    const client = a.socket(4, 'tcp');
    setup(client);
    try {
      a.connect(client, '127.0.0.1', port);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EINPROGRESS') throw e;
    }
    let accepted: number | null = null;
    for (let i = 0; i < 200 && accepted === null; i++) {
      try {
        accepted = a.accept(listening).fd;
      } catch {
        await sleep(5);
      }
    }
    assert.ok(accepted !== null, 'accepted');
    await sleep(20); // the handshake's last ACK is in
    return { port, client, server: accepted, close: () => [client, accepted!, listening].forEach((fd) => a.close(fd)) };
  }

  /** Runs `body` while capturing the TCP segments of `port` on lo; returns them decoded. */
  async function captured(port: number, body: () => Promise<void>) {
    const frames: CapturedFrame[] = [];
    const opened = openCapture('lo', { filter: { match: 'ports', ports: [port] }, onFrame: (f) => frames.push(f) });
    assert.ok(opened.ok, 'capture opened');
    try {
      await body();
      await sleep(100);
    } finally {
      opened.capture.close();
    }
    return frames.map((f) => decodeFrame(f.data, 'ethernet', { originalLength: f.originalLength }).facts.tcp).filter((t) => t !== undefined);
  }

  async function dataSegments(nodelay: 0 | 1): Promise<number> {
    const p = await pair((fd) => addon().setsockoptNamed(fd, 'TCP_NODELAY', nodelay, 0));
    try {
      const segments = await captured(p.port, async () => {
        for (let i = 0; i < 50; i++) assert.equal(addon().send(p.client, Buffer.from('x')), 1);
        let got = 0;
        for (let i = 0; i < 100 && got < 50; i++) {
          try {
            got += addon().recv(p.server, 4096).length;
          } catch {
            await sleep(5);
          }
        }
        assert.equal(got, 50, 'every byte arrived');
      });
      return segments.filter((t) => t.srcPort !== p.port && t.payloadLength > 0).length;
    } finally {
      p.close();
    }
  }

  it('TCP_NODELAY: fifty 1-byte writes leave as many segments; with Nagle they are held and joined', async () => {
    const nagle = await dataSegments(0);
    const nodelay = await dataSegments(1);
    assert.ok(nodelay > nagle, `with TCP_NODELAY ${nodelay} data segments, without ${nagle}`);
    assert.ok(nagle <= 25, `Nagle joined the writes: ${nagle} segments for 50 writes`);
  });

  it('SO_KEEPALIVE with TCP_KEEPIDLE 1 s and TCP_KEEPINTVL 1 s: an idle connection sends probes and the peer answers; without it, silence', async () => {
    const probesOf = async (keepalive: boolean) => {
      const p = await pair((fd) => {
        if (!keepalive) return;
        addon().setsockoptNamed(fd, 'SO_KEEPALIVE', 1, 0);
        addon().setsockoptNamed(fd, 'TCP_KEEPIDLE', 1, 0);
        addon().setsockoptNamed(fd, 'TCP_KEEPINTVL', 1, 0);
      });
      try {
        const segments = await captured(p.port, () => sleep(2600));
        // A keepalive probe is an empty ACK one byte behind what was sent (seq = snd_nxt - 1); the answer is an empty ACK.
        const fromClient = segments.filter((t) => t.dstPort === p.port && t.payloadLength === 0 && (t.flags & 0x017) === 0x010);
        const answers = segments.filter((t) => t.srcPort === p.port && t.payloadLength === 0 && (t.flags & 0x017) === 0x010);
        return { probes: fromClient.length, answers: answers.length };
      } finally {
        p.close();
      }
    };
    const on = await probesOf(true);
    assert.ok(on.probes >= 2, `probes in 2.6 s with idle 1 s, interval 1 s: ${on.probes}`);
    assert.ok(on.answers >= 2, `the peer answered each: ${on.answers}`);
    assert.deepEqual(await probesOf(false), { probes: 0, answers: 0 });
  });
});
