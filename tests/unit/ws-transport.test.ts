/**
 * How a lab worker's output reaches the browser: out-batch.ts frames a turn's messages as WebSocket
 * text frames, and server/front/ws-transport.ts writes a connection's frames straight to the TCP socket
 * under a real ws connection (the one helper that reaches into ws's private `_socket`: this test
 * fails when a ws upgrade moves the field). A real ws client must read every message intact, at
 * each header size, in order, with a close after them; without a socket the messages go through `send`.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { describe, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { transportOf, writeFrames } from '../../server/front/ws-transport.ts';
import { frameTexts, OutBatchBuilder } from '../../server/lab/out-batch.ts';

/** Messages around each header size boundary (7-bit, 16-bit and 64-bit lengths), and non-ASCII text. */
const TEXTS = ['{}', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(0xffff), 'w'.repeat(0x10000), '{"data":"héllo → ✓ 🧦"}', ''];

async function connected(): Promise<{ wss: WebSocketServer; client: WebSocket; serverSide: WebSocket }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(wss, 'listening');
  const { port } = wss.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const [serverSide] = (await once(wss, 'connection')) as [WebSocket];
  await once(client, 'open');
  return { wss, client, serverSide };
}

describe('WebSocket frames made by a lab worker', { timeout: 20_000 }, () => {
  test('transportOf finds the TCP socket under a real ws connection', async () => {
    const { wss, client, serverSide } = await connected();
    try {
      const transport = transportOf(serverSide);
      assert.ok(transport instanceof Socket, 'the server side has a net.Socket under it');
      assert.equal(transport.remotePort, transportOf(client)?.localPort, 'and it is this very connection');
      client.close();
    } finally {
      wss.close();
    }
  });

  test('a real ws client reads every framed message intact and in order, then the close', async () => {
    const { wss, client, serverSide } = await connected();
    try {
      const got: string[] = [];
      client.on('message', (m, isBinary) => {
        assert.equal(isBinary, false, 'text frames');
        got.push(String(m));
      });
      const builder = new OutBatchBuilder();
      const other = 99; // another connection's messages in the same batch stay out of this one's span
      builder.add(1, TEXTS[0]!);
      builder.add(other, 'not for this connection');
      for (const t of TEXTS.slice(1)) builder.add(1, t);
      builder.close(1, 1000, 'session ended');
      assert.equal(builder.empty, false);
      const batch = builder.take();
      assert.equal(builder.empty, true, 'take empties the builder');
      assert.deepEqual(batch.closes, [[1, 1000, 'session ended']]);
      assert.equal(batch.spans.length, 6, 'one span per connection');
      const all = Buffer.from(batch.bytes);
      assert.equal(batch.spans[2], batch.spans[4], 'spans are back to back');
      assert.equal(batch.spans[5], all.length, 'and fill the buffer');
      const mine = all.subarray(batch.spans[1], batch.spans[2]);
      assert.deepEqual(frameTexts(mine), TEXTS, 'the frames decode back to the messages');

      writeFrames(serverSide, mine);
      serverSide.close(1000, 'session ended');
      const [code, reason] = (await once(client, 'close')) as [number, Buffer];
      assert.equal(code, 1000);
      assert.equal(String(reason), 'session ended');
      assert.deepEqual(got, TEXTS);
    } finally {
      wss.close();
    }
  });

  test('without a TCP socket to reach, the same frames go out as messages through send', () => {
    const sent: string[] = [];
    const fake = Object.assign(Object.create(WebSocket.prototype) as WebSocket, { send: (t: string) => sent.push(t) });
    assert.equal(transportOf(fake), null);
    const builder = new OutBatchBuilder();
    for (const t of TEXTS) builder.add(7, t);
    const batch = builder.take();
    writeFrames(fake, Buffer.from(batch.bytes));
    assert.deepEqual(sent, TEXTS);
  });
});
