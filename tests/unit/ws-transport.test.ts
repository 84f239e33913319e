/**
 * The one helper that reaches into ws's private `_socket` (server/front/ws-transport.ts): it must
 * find the real TCP socket of a real connection (or this test fails when a ws upgrade moves the
 * field), hold writes while asked, and degrade to null for anything else.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { transportOf, WriteBatch } from '../../server/front/ws-transport.ts';

test('transportOf finds the TCP socket under a real ws connection; WriteBatch corks and uncorks it', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const { port } = wss.address() as { port: number };
  try {
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const [serverSide] = (await once(wss, 'connection')) as [WebSocket];
    await once(client, 'open');
    const transport = transportOf(serverSide);
    assert.ok(transport instanceof Socket, 'the server side has a net.Socket under it');
    assert.equal(transport.remotePort, transportOf(client)?.localPort, 'and it is this very connection');

    const got: string[] = [];
    client.on('message', (m) => got.push(String(m)));
    const batch = new WriteBatch(serverSide);
    batch.hold();
    batch.hold(); // idempotent: one cork
    assert.equal(transport.writableCorked, 1);
    serverSide.send('step');
    serverSide.send('reply');
    batch.release();
    batch.release();
    assert.equal(transport.writableCorked, 0);
    while (got.length < 2) await once(client, 'message');
    assert.deepEqual(got, ['step', 'reply']);
    client.close();
  } finally {
    wss.close();
  }
});

test('transportOf answers null for an object without a socket, and WriteBatch then does nothing', () => {
  const fake = Object.create(WebSocket.prototype) as WebSocket;
  assert.equal(transportOf(fake), null);
  const batch = new WriteBatch(fake);
  batch.hold();
  batch.release();
});
