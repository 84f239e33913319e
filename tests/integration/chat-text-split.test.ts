/**
 * A character split across two reads, for real: a client writes "hi 👋" to a lab socket in two
 * writes, the first ending inside the emoji (byte 5 of 8); the lab's two recv() calls return the two
 * pieces. Each result's `data` is decoded on its own, so the emoji is "�" there; the chat page's
 * streaming decoder, fed the exact bytes (`base64`), gives "hi 👋".
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { ChatTextStream } from '../../app/_lib/lab/chat-lines.ts';
import { connect, ok, startLab, within } from '../helpers/lab.ts';

describe('a character split across two reads', () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab({});
  });
  after(async () => {
    await within(10_000, server.close(), 'the lab server to close');
  });

  it('arrives whole in the chat page\'s text, and split (as bytes) in each recv() result', async () => {
    const c = await connect(server);
    const client = new net.Socket();
    try {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp', actor: 'you' }));
      const { port } = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock }));
      await new Promise<void>((resolve, reject) => client.once('error', reject).connect(port, '127.0.0.1', resolve));
      const { sock: conn } = await ok(c.client.call('accept', { sock }));

      const bytes = Buffer.from('hi 👋\n'); // 68 69 20 F0 9F 91 8B 0A
      client.write(bytes.subarray(0, 5));
      // The first recv() returns before the rest is even written: the split is certain, not timing.
      const first = await ok(c.client.call('recv', { sock: conn, max: 4096 }));
      client.write(bytes.subarray(5));
      const second = await ok(c.client.call('recv', { sock: conn, max: 4096 }));
      assert.ok('base64' in first && 'base64' in second);

      assert.deepEqual(Buffer.from(first.base64, 'base64'), bytes.subarray(0, 5), 'the first read: "hi " and half the emoji');
      assert.deepEqual(Buffer.from(second.base64, 'base64'), bytes.subarray(5), 'the second read: the rest and the newline');
      assert.notEqual(first.data + second.data, 'hi 👋\n', 'each read decoded alone cannot show the emoji');

      const page = new ChatTextStream();
      assert.deepEqual([...page.pushBase64(first.base64), ...page.pushBase64(second.base64)], ['hi 👋']);
    } finally {
      client.destroy();
      c.client.close();
    }
  });
});
