/**
 * The rest of the socket API in the lab (issue 19): getsockname() and getpeername(), over the
 * WebSocket, on real loopback sockets, for each engine. The answers are checked against the other
 * end's own view of the same connection (a plain Node socket in this process), not against the lab.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
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
