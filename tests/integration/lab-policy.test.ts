/**
 * The lab's policy and quotas, each tried from the outside: every refusal has its stable code and
 * nothing was executed (the socket is still usable as if the refused call never happened).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { connect, errCode, fdCount, kernelRows, ok, startLab, waitUntil } from '../helpers/lab.ts';

describe('lab policy', () => {
  let server: RunningServer;
  let baseline: number;
  before(async () => {
    baseline = fdCount();
    server = await startLab({ sessionsPerAddress: 4, commandsPerSecond: 1000 });
  });
  after(async () => {
    await server.close();
    await waitUntil(() => fdCount() <= baseline, 5000, 'fds back to baseline');
  });

  it('binds only to allowed addresses inside the lab range, before any syscall', async () => {
    const c = await connect(server);
    await ok(c.client.call('socket', { type: 'tcp' }));
    for (const [address, port] of [
      ['0.0.0.0', 41000],
      ['10.0.0.1', 41000],
      ['192.168.1.10', 41001],
      ['::', 41000],
      ['127.0.0.2', 41000],
      ['127.0.0.1', 80],
      ['127.0.0.1', 40999],
      ['127.0.0.1', 42000],
      ['127.0.0.1', 3000],
    ] as const) {
      assert.equal(await errCode(c.client.call('bind', { sock: 's1', address, port })), 'E_POLICY', `${address}:${port}`);
    }
    assert.equal(await errCode(c.client.call('bind', { sock: 's1', address: 'localhost', port: 41000 })), 'E_BAD_REQUEST');
    assert.equal(await errCode(c.client.call('bind', { sock: 's1', address: '0x7f.0.0.1', port: 41000 })), 'E_BAD_REQUEST');
    assert.equal(await errCode(c.client.call('bind', { sock: 's1', address: 'fe80::1%eth0', port: 41000 })), 'E_BAD_REQUEST');
    // Nothing ran: the socket is still unbound, so a good bind works now.
    const b = await ok(c.client.call('bind', { sock: 's1', address: '127.0.0.1', port: 0 }));
    assert.ok(b.port >= 41000 && b.port <= 41999);
    c.client.close();
  });

  it('connects and sends only to allowed addresses inside the range, or to the site itself', async () => {
    const c = await connect(server);
    await ok(c.client.call('socket', { type: 'tcp' }));
    // A port next to the site's own one is not the site: outside the lab range it is refused. (The
    // test server's port is the kernel's pick and can fall inside the range.)
    const neighbour = [server.port + 1, server.port - 1].find((p) => p < 41000 || p > 41999) ?? 40999;
    for (const [address, port] of [
      ['127.0.0.1', 22],
      ['127.0.0.1', neighbour],
      ['8.8.8.8', 41000],
      ['10.1.1.1', 41000],
      ['169.254.169.254', 41000],
      ['::ffff:8.8.8.8', 41000],
    ] as const) {
      assert.equal(await errCode(c.client.call('connect', { sock: 's1', address, port })), 'E_POLICY', `${address}:${port}`);
    }
    await ok(c.client.call('socket', { type: 'udp' }));
    assert.equal(await errCode(c.client.call('sendto', { sock: 's2', data: 'x', address: '192.168.1.1', port: 41000 })), 'E_POLICY');
    assert.equal(await errCode(c.client.call('sendto', { sock: 's2', data: 'x', address: '127.0.0.1', port: 53 })), 'E_POLICY');
    // The site's own port is reachable (the HTTP lesson).
    await ok(c.client.call('connect', { sock: 's1', address: '127.0.0.1', port: server.port }));
    await ok(c.client.call('send', { sock: 's1', data: 'GET / HTTP/1.0\r\n\r\n' }));
    const res = await ok(c.client.call('recv', { sock: 's1', max: 4096 }));
    assert.match('data' in res ? res.data : '', /^HTTP\/1\.1 404/);
    c.client.close();
  });

  it('caps open sockets and bytes per send', async () => {
    const c = await connect(server);
    for (let i = 0; i < 16; i++) await ok(c.client.call('socket', { type: 'udp' }));
    assert.equal(await errCode(c.client.call('socket', { type: 'udp' })), 'E_LIMIT');
    await ok(c.client.call('close', { sock: 's16' }));
    await ok(c.client.call('socket', { type: 'tcp' }));
    const big = 'x'.repeat(64 * 1024 + 1);
    assert.equal(await errCode(c.client.call('sendto', { sock: 's1', data: big, address: '127.0.0.1', port: 41000 })), 'E_LIMIT');
    assert.equal(await errCode(c.client.call('send', { sock: 's17', data: big })), 'E_LIMIT');
    c.client.close();
  });

  it('names only the session\'s own sockets', async () => {
    const a = await connect(server);
    const b = await connect(server);
    await ok(a.client.call('socket', { type: 'tcp' }));
    assert.equal(await errCode(b.client.call('close', { sock: 's1' })), 'E_NO_SOCKET');
    assert.equal(await errCode(b.client.call('send', { sock: 's1', data: 'x' })), 'E_NO_SOCKET');
    assert.equal(await errCode(b.client.call('listen', { sock: 's99' })), 'E_NO_SOCKET');
    await ok(a.client.call('bind', { sock: 's1', address: '127.0.0.1', port: 0 }));
    await ok(a.client.call('listen', { sock: 's1' }));
    assert.equal((await kernelRows(b)).length, 0, 'b sees none of a\'s sockets');
    assert.equal((await kernelRows(a)).filter((r) => r.relation === 'own').length, 1);
    a.client.close();
    b.client.close();
  });

  it('answers malformed frames with E_BAD_REQUEST and keeps the session', async () => {
    const c = await connect(server);
    const raw = (data: string | Buffer, binary = false) =>
      new Promise<Record<string, unknown>>((resolve) => {
        c.ws.once('message', (m) => resolve(JSON.parse(String(m))));
        c.ws.send(data, { binary });
      });
    assert.deepEqual(await raw('not json'), { id: null, ok: false, error: { code: 'E_BAD_REQUEST', message: 'The frame is not valid JSON.' } });
    assert.equal(((await raw(Buffer.from([1, 2, 3]), true)).error as { code: string }).code, 'E_BAD_REQUEST');
    const cases: [unknown, string | number | null][] = [
      [{ id: 7, op: 'explode', args: {} }, 7],
      [{ id: 'a', op: 'socket', args: { type: 'sctp' } }, 'a'],
      [{ id: 8, op: 'socket' }, 8],
      [{ id: 9, op: 'bind', args: { sock: 's1', address: '127.0.0.1', port: 70000 } }, 9],
      [{ id: 10, op: 'bind', args: { sock: 's1', address: '127.0.0.1', port: 41000, extra: 1 } }, 10],
      [{ id: 11, op: 'send', args: { sock: '../s1', data: 'x' } }, 11],
      [{ id: { nested: true }, op: 'kernel', args: {} }, null],
      [[1, 2, 3], null],
      [null, null],
      ['socket', null],
    ];
    for (const [msg, id] of cases) {
      const r = await raw(JSON.stringify(msg));
      assert.equal(r.ok, false, JSON.stringify(msg));
      assert.equal((r.error as { code: string }).code, 'E_BAD_REQUEST', JSON.stringify(msg));
      assert.equal(r.id, id);
    }
    const r = await raw(JSON.stringify({ id: 12, op: 'send', args: { sock: 's1', data: '***', encoding: 'base64' } }));
    assert.equal((r.error as { code: string }).code, 'E_BAD_REQUEST');
    await ok(c.client.call('socket', { type: 'tcp' }));
    c.client.close();
  });

  it('closes the connection on an oversized frame without harming the server', async () => {
    const c = await connect(server);
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(600 * 1024));
    assert.equal(await closed, 1009);
    const d = await connect(server);
    await ok(d.client.call('socket', { type: 'tcp' }));
    d.client.close();
  });

  it('a client still uploading a 10 MB frame gets the close code 1009, not a reset', async () => {
    // A browser reads nothing until its upload is done, so a server that resets the connection
    // (instead of reading and dropping the rest of the frame) makes it report 1006. A raw TCP client
    // shows which of the two the server did: its upload fails with a reset, or it completes and the
    // close frame is there to read.
    const sock = net.connect(server.port, '127.0.0.1');
    const received: Buffer[] = [];
    const upgraded = new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.on('data', function first(chunk: Buffer) {
        received.push(chunk);
        if (!Buffer.concat(received).includes('\r\n\r\n')) return;
        sock.off('data', first);
        received.length = 0;
        resolve();
      });
    });
    sock.write(
      `GET /lab HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await upgraded;
    sock.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<string>((resolve) => {
      sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      sock.once('close', () => resolve('closed'));
    });
    const size = 10 * 1024 * 1024;
    // A masked text frame with a 64-bit length, mask key 0: the payload is sent as is.
    const header = Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    header.writeUInt32BE(size, 6);
    const uploaded = new Promise<string>((resolve) => sock.write(Buffer.concat([header, Buffer.alloc(size, 0x78)]), (e) => resolve(e ? ((e as NodeJS.ErrnoException).code ?? 'error') : 'ok')));
    assert.equal(await uploaded, 'ok', 'the whole upload was read by the server, not reset');
    sock.end();
    assert.equal(await ended, 'closed');
    const frames = Buffer.concat(received);
    // Skip the hello event; the close frame is the last one: 0x88, length 2 or more, code 1009.
    const at = frames.lastIndexOf(0x88);
    assert.ok(at >= 0, 'a close frame arrived');
    assert.equal(frames.readUInt16BE(at + 2), 1009);
  });

  it('limits commands per second', async () => {
    const slow = await startLab({ commandsPerSecond: 5 });
    try {
      const c = await connect(slow);
      const replies = await Promise.all(Array.from({ length: 30 }, () => c.client.call('setblocking', { sock: 's1', blocking: true })));
      const codes = replies.map((r) => (r.ok ? 'ok' : r.error.code));
      assert.ok(codes.includes('E_LIMIT'), 'some calls are refused');
      assert.ok(codes.includes('E_NO_SOCKET'), 'the first ones ran');
      c.client.close();
    } finally {
      await slow.close();
    }
  });

  it('caps sessions per client address', async () => {
    const open = await Promise.all([connect(server), connect(server), connect(server), connect(server)]);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/lab`);
    const first = await new Promise<Record<string, unknown>>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)))));
    assert.equal((first.error as { code: string }).code, 'E_LIMIT');
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    assert.equal(code, 1008);
    for (const c of open) c.client.close();
    await waitUntil(() => server.hub.sessionCount === 0, 3000, 'sessions closed');
  });

  it('refuses pages from other origins', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/lab`, { headers: { origin: 'http://evil.example' } });
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 403);
    const same = await connect(server, { origin: `http://127.0.0.1:${server.port}` });
    assert.equal(same.hello.role, 'owner');
    same.client.close();
  });

  it('ends idle sessions and releases their sockets', async () => {
    const idle = await startLab({ idleSeconds: 2 });
    try {
      const before = fdCount();
      const c = await connect(idle);
      await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('socket', { type: 'udp' }));
      const bye = await c.waitEvent((e) => e.event === 'bye', 6000);
      assert.equal(bye.event === 'bye' && bye.reason, 'idle');
      await waitUntil(() => fdCount() <= before, 3000, 'fds released');
    } finally {
      await idle.close();
    }
  });

  it('drops clients that stop answering pings, and their sockets', async () => {
    const hb = await startLab({ heartbeatSeconds: 0.3 });
    try {
      const before = fdCount();
      const ws = new WebSocket(`ws://127.0.0.1:${hb.port}/lab`, { autoPong: false });
      await new Promise((resolve) => ws.once('message', resolve));
      ws.send(JSON.stringify({ id: 1, op: 'socket', args: { type: 'tcp' } }));
      await waitUntil(() => hb.hub.sessionCount === 1 && fdCount() > before, 3000, 'session with a socket');
      const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      assert.equal(code, 1006, 'terminated, not closed politely');
      await waitUntil(() => hb.hub.sessionCount === 0 && fdCount() <= before, 3000, 'session and fds released');
    } finally {
      await hb.close();
    }
  });
});
