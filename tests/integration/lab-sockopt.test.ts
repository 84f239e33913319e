/**
 * The rest of the socket API in the lab (issue 19), over the WebSocket, on real loopback sockets, for
 * each engine. getsockname()/getpeername() are checked against the other end's own view of the same
 * connection (a plain Node socket in this process), not against the lab. setsockopt()/getsockopt()
 * are checked by their effect on the kernel (a rebind during TIME_WAIT, a RST, the doubled buffer);
 * the fallback engine refuses them (E_UNSUPPORTED).
 *
 * IPV6_V6ONLY's effect (who may connect to a `::` listener) is not tested here: the lab's policy
 * allows only loopback binds, and `::1` never accepts IPv4 with or without the option; only the
 * option's round trip through the kernel is checked.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import type { OptionValue, SocketOption } from '../../server/protocol/index.ts';
import { connect, errCode, ok, startLab, type Connected } from '../helpers/lab.ts';

/** A plain Node server on a free port of the lab's range (lab sockets may connect only there). */
async function outsideServer(): Promise<{ outside: net.Server; port: number }> {
  for (let port = 41999; port >= 41000; port--) {
    const outside = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        outside.once('error', reject);
        outside.listen(port, '127.0.0.1', resolve);
      });
      return { outside, port };
    } catch {
      outside.close();
    }
  }
  throw new Error('no free port in the lab range');
}

const ENGINES = [...(loadNativeAddon() ? (['native'] as const) : []), 'node'] as const;

for (const engine of ENGINES) {
  describe(`getsockname / getpeername (engine: ${engine})`, () => {
    let server: RunningServer;
    let c: Connected;
    before(async () => {
      server = await startLab({ engine });
      c = await connect(server);
    });
    after(async () => {
      c.client.close();
      await server.close();
    });

    it('an accepted connection names both ends as the peer sees them', async () => {
      const { sock: srv } = await ok(c.client.call('socket', { type: 'tcp' }));
      const { port } = await ok(c.client.call('bind', { sock: srv, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock: srv }));
      assert.deepEqual(await ok(c.client.call('getsockname', { sock: srv })), { address: '127.0.0.1', port });
      assert.equal(await errCode(c.client.call('getpeername', { sock: srv })), 'ENOTCONN');

      const peer = net.connect({ host: '127.0.0.1', port });
      await once(peer, 'connect');
      try {
        const { sock: conn } = await ok(c.client.call('accept', { sock: srv }));
        assert.deepEqual(await ok(c.client.call('getpeername', { sock: conn })), { address: peer.localAddress, port: peer.localPort });
        assert.deepEqual(await ok(c.client.call('getsockname', { sock: conn })), { address: peer.remoteAddress, port: peer.remotePort });
        await ok(c.client.call('close', { sock: conn }));
      } finally {
        peer.destroy();
        await ok(c.client.call('close', { sock: srv }));
      }
    });

    it('a connected client names the server it reached and its own address', async () => {
      const { outside, port } = await outsideServer();
      const accepted = once(outside, 'connection');
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      try {
        const { local } = await ok(c.client.call('connect', { sock, address: '127.0.0.1', port }));
        const [theirs] = (await accepted) as [net.Socket];
        assert.deepEqual(await ok(c.client.call('getpeername', { sock })), { address: '127.0.0.1', port });
        const mine = await ok(c.client.call('getsockname', { sock }));
        assert.deepEqual(mine, local);
        assert.deepEqual(mine, { address: theirs.remoteAddress, port: theirs.remotePort });
        theirs.destroy();
      } finally {
        await ok(c.client.call('close', { sock }));
        outside.close();
      }
    });

    it('an unbound socket is the wildcard address with port 0; an unconnected one has no peer', async () => {
      for (const [family, wildcard] of [[4, '0.0.0.0'], [6, '::']] as const) {
        const { sock } = await ok(c.client.call('socket', { type: 'udp', family }));
        assert.deepEqual(await ok(c.client.call('getsockname', { sock })), { address: wildcard, port: 0 });
        assert.equal(await errCode(c.client.call('getpeername', { sock })), 'ENOTCONN');
        await ok(c.client.call('close', { sock }));
      }
    });

    it('a connected UDP socket names its peer', async () => {
      const { sock: a } = await ok(c.client.call('socket', { type: 'udp' }));
      const { sock: b } = await ok(c.client.call('socket', { type: 'udp' }));
      const at = await ok(c.client.call('bind', { sock: a, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('connect', { sock: b, address: '127.0.0.1', port: at.port }));
      assert.deepEqual(await ok(c.client.call('getpeername', { sock: b })), at);
      assert.deepEqual(await ok(c.client.call('getsockname', { sock: a })), at);
      for (const s of [a, b]) await ok(c.client.call('close', { sock: s }));
    });

    it('a closed or unknown handle is refused', async () => {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('close', { sock }));
      assert.equal(await errCode(c.client.call('getsockname', { sock })), 'E_NO_SOCKET');
      assert.equal(await errCode(c.client.call('getpeername', { sock })), 'E_NO_SOCKET');
    });
  });
}

for (const engine of ENGINES) {
  describe(`setsockopt / getsockopt (engine: ${engine})`, () => {
    let server: RunningServer;
    let c: Connected;
    const native = engine === 'native';
    const nativeOnly = native ? {} : { skip: 'the fallback engine has no setsockopt()/getsockopt()' };
    before(async () => {
      server = await startLab({ engine });
      c = await connect(server);
    });
    after(async () => {
      c.client.close();
      await server.close();
    });

    /** A listener, a client connected to it and the accepted connection, all lab sockets. */
    async function connection(reuseAddr = false) {
      const { sock: srv } = await ok(c.client.call('socket', { type: 'tcp' }));
      if (reuseAddr) await ok(c.client.call('setsockopt', { sock: srv, option: 'SO_REUSEADDR', value: 1 }));
      const at = await ok(c.client.call('bind', { sock: srv, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock: srv }));
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port: at.port }));
      const { sock: conn } = await ok(c.client.call('accept', { sock: srv }));
      return { srv, cli, conn, port: at.port };
    }

    it('SO_RCVBUF: getsockopt shows the kernel doubled what was set', nativeOnly, async () => {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('setsockopt', { sock, option: 'SO_RCVBUF', value: 8192 }));
      assert.deepEqual(await ok(c.client.call('getsockopt', { sock, option: 'SO_RCVBUF' })), { option: 'SO_RCVBUF', value: 16384 });
      await ok(c.client.call('setsockopt', { sock, option: 'SO_SNDBUF', value: 8192 }));
      assert.equal((await ok(c.client.call('getsockopt', { sock, option: 'SO_SNDBUF' }))).value, 16384);
      await ok(c.client.call('close', { sock }));
    });

    it('SO_LINGER {onoff, linger: 0}: close sends a RST and the peer gets ECONNRESET', nativeOnly, async () => {
      const { srv, cli, conn } = await connection();
      await ok(c.client.call('setsockopt', { sock: conn, option: 'SO_LINGER', value: { onoff: true, linger: 0 } }));
      assert.deepEqual((await ok(c.client.call('getsockopt', { sock: conn, option: 'SO_LINGER' }))).value, { onoff: true, linger: 0 });
      await ok(c.client.call('close', { sock: conn }));
      assert.equal(await errCode(c.client.call('recv', { sock: cli })), 'ECONNRESET');
      for (const s of [cli, srv]) await ok(c.client.call('close', { sock: s }));
    });

    it('SO_REUSEADDR lets a listener rebind a port held in TIME_WAIT; without it, EADDRINUSE', nativeOnly, async () => {
      // A server that sets SO_REUSEADDR at every start, as real servers do: Linux lets a bind share the
      // port with a TIME_WAIT connection only when both sockets have the option (the accepted one
      // inherits it from its listener).
      const { srv, cli, conn, port } = await connection(true);
      // The server's side closes first, so its end of the connection (on `port`) waits in TIME_WAIT.
      await ok(c.client.call('close', { sock: conn }));
      await ok(c.client.call('recv', { sock: cli }));
      for (const s of [cli, srv]) await ok(c.client.call('close', { sock: s }));

      const { sock: plain } = await ok(c.client.call('socket', { type: 'tcp' }));
      assert.equal(await errCode(c.client.call('bind', { sock: plain, address: '127.0.0.1', port })), 'EADDRINUSE');
      await ok(c.client.call('close', { sock: plain }));

      const { sock: reuse } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('setsockopt', { sock: reuse, option: 'SO_REUSEADDR', value: 1 }));
      assert.deepEqual(await ok(c.client.call('bind', { sock: reuse, address: '127.0.0.1', port })), { address: '127.0.0.1', port });
      await ok(c.client.call('listen', { sock: reuse }));
      await ok(c.client.call('close', { sock: reuse }));
    });

    it('the other options round-trip through the kernel', nativeOnly, async () => {
      const { srv, cli, conn } = await connection();
      const set = async (option: SocketOption, value: number) => {
        await ok(c.client.call('setsockopt', { sock: conn, option, value }));
        return (await ok(c.client.call('getsockopt', { sock: conn, option }))).value;
      };
      assert.equal(await set('TCP_NODELAY', 1), 1);
      assert.equal(await set('SO_KEEPALIVE', 1), 1);
      assert.equal(await set('TCP_KEEPIDLE', 7), 7);
      assert.equal(await set('TCP_KEEPINTVL', 3), 3);
      assert.equal(await set('TCP_KEEPCNT', 4), 4);
      assert.equal(await set('SO_RCVTIMEO', 1500), 1500);
      assert.equal(await set('IP_TTL', 9), 9);
      assert.equal(await set('SO_REUSEPORT', 1), 1);
      assert.equal((await ok(c.client.call('getsockopt', { sock: conn, option: 'SO_ERROR' }))).value, 0);
      const { sock: six } = await ok(c.client.call('socket', { type: 'tcp', family: 6 }));
      await ok(c.client.call('setsockopt', { sock: six, option: 'IPV6_V6ONLY', value: 1 }));
      assert.equal((await ok(c.client.call('getsockopt', { sock: six, option: 'IPV6_V6ONLY' }))).value, 1);
      // An IPv4 socket has no IPv6 options: the kernel's own refusal comes through.
      assert.equal(await errCode(c.client.call('getsockopt', { sock: conn, option: 'IPV6_V6ONLY' })), 'EOPNOTSUPP');
      for (const s of [six, cli, conn, srv]) await ok(c.client.call('close', { sock: s }));
    });

    it('values that do not fit the option are refused before any call', async () => {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      const refused = async (option: SocketOption, value: OptionValue) => {
        const r = await c.client.call('setsockopt', { sock, option, value });
        assert.equal(r.ok ? 'ok' : r.error.code, 'E_BAD_REQUEST', `${option} = ${JSON.stringify(value)}`);
      };
      await refused('SO_LINGER', 0);
      await refused('TCP_NODELAY', { onoff: true, linger: 0 });
      await refused('TCP_NODELAY', 2);
      await refused('SO_ERROR', 0);
      await refused('IP_TTL', 0);
      await ok(c.client.call('close', { sock }));
    });

    it('the fallback engine says it cannot', { skip: native ? 'the native engine makes the real calls' : false }, async () => {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      assert.equal(await errCode(c.client.call('setsockopt', { sock, option: 'TCP_NODELAY', value: 1 })), 'E_UNSUPPORTED');
      assert.equal(await errCode(c.client.call('getsockopt', { sock, option: 'SO_RCVBUF' })), 'E_UNSUPPORTED');
      assert.ok(c.hello.composite.setsockopt);
      await ok(c.client.call('close', { sock }));
    });
  });
}
