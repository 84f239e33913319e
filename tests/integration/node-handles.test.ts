/**
 * The fallback engine reads one private Node field to know a TCP peer's FIN has arrived before
 * 'end' is emitted (server/engines/node/handles.ts, readableHasEnded). On a real loopback
 * connection: it turns true while the last bytes still wait unread, when the public
 * `readableEnded` is still false, which is why the public property cannot stand in for it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { readableHasEnded } from '../../server/engines/node/handles.ts';

describe("readableHasEnded: the peer's FIN, before 'end'", () => {
  it('is true once the FIN is in, with bytes still unread; readableEnded waits for them', { timeout: 10_000 }, async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    const port = address.port;
    const accepted = once(server, 'connection');
    const client = net.connect(port, '127.0.0.1');
    try {
      await once(client, 'connect');
      const peer: net.Socket = (await accepted)[0];
      assert.equal(readableHasEnded(client), false, 'nothing has ended before the peer closes');

      // Buffer what arrives without reading it, until the FIN is in.
      const finIn = new Promise<void>((resolve) => {
        const check = () => {
          if (!readableHasEnded(client)) return;
          client.off('readable', check);
          resolve();
        };
        client.on('readable', check);
      });
      peer.end('hi');
      await finIn;
      assert.equal(client.readableLength, 2, 'the two bytes still wait to be read');
      assert.equal(client.readableEnded, false, "'end' is not emitted while bytes wait");

      assert.equal(String(client.read()), 'hi');
      await once(client, 'end');
      assert.equal(client.readableEnded, true);
      assert.equal(readableHasEnded(client), true);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
