/**
 * The WebSocket handshake on /lab and /class, attacked from outside: DNS rebinding (a page of
 * evil.example whose name now points at this machine), a page of this machine on another port, and
 * a lab socket that connects to the site's own port (allowed, for the HTTP lesson) and tries to open
 * nested lab sessions from 127.0.0.1. Each is refused with 403 before any session exists; what the
 * site must keep allowing (its own pages, terminal clients, a lab socket's plain HTTP GET) still works.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import { connect, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';

const ENGINES = [...(loadNativeAddon() ? (['native'] as const) : []), 'node'] as const;

/** The HTTP status of a WebSocket handshake with these headers: 101 when it opened. */
function handshake(port: number, pathname: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: pathname,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

for (const pathname of ['/lab', '/class']) {
  describe(`the ${pathname} handshake admits only this server's own hosts and origins`, () => {
    let server: RunningServer;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'socketlab-handshake-'));
      server = await startLab({
        allowedOrigins: 'https://lab.school.example',
        ...(pathname === '/class' ? { class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41900 } : {}),
      });
    });
    after(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses DNS rebinding: a foreign name in Origin and Host', async () => {
      const p = server.port;
      assert.equal(await handshake(p, pathname, { host: `evil.example:${p}`, origin: `http://evil.example:${p}` }), 403);
      assert.equal(await handshake(p, pathname, { host: `evil.example:${p}` }), 403, 'a foreign Host alone');
      assert.equal(await handshake(p, pathname, { host: `127.0.0.1:${p}`, origin: `http://evil.example:${p}` }), 403, 'a foreign Origin alone');
    });

    it('refuses a page of this machine on another port, and other schemes', async () => {
      const p = server.port;
      const other = p === 65535 ? p - 1 : p + 1;
      assert.equal(await handshake(p, pathname, { host: `127.0.0.1:${p}`, origin: `http://127.0.0.1:${other}` }), 403);
      assert.equal(await handshake(p, pathname, { host: `localhost:${p}`, origin: `http://localhost:${other}` }), 403);
      assert.equal(await handshake(p, pathname, { host: `localhost:${p}`, origin: 'http://localhost' }), 403, 'port 80 is another port');
      assert.equal(await handshake(p, pathname, { host: `127.0.0.1:${other}` }), 403, 'a Host with another port');
      assert.equal(await handshake(p, pathname, { host: `127.0.0.1:${p}`, origin: 'null' }), 403, 'an opaque origin');
      assert.equal(await handshake(p, pathname, { host: `127.0.0.1:${p}`, origin: `file://127.0.0.1:${p}` }), 403);
    });

    it("admits the site's own pages, loopback names, terminal clients and configured origins", async () => {
      const p = server.port;
      assert.equal(await handshake(p, pathname, { host: `127.0.0.1:${p}`, origin: `http://127.0.0.1:${p}` }), 101);
      assert.equal(await handshake(p, pathname, { host: `localhost:${p}`, origin: `http://localhost:${p}` }), 101);
      assert.equal(await handshake(p, pathname, { host: `[::1]:${p}`, origin: `http://[::1]:${p}` }), 101);
      assert.equal(await handshake(p, pathname, { host: `127.0.0.1:${p}` }), 101, 'a terminal client sends no Origin');
      assert.equal(await handshake(p, pathname, { host: 'lab.school.example', origin: 'https://lab.school.example' }), 101, 'behind a TLS proxy');
      await waitUntil(() => server.hub.sessionCount === 0, 3000, 'test sessions closed');
    });
  });
}

for (const engine of ENGINES) {
  describe(`a lab socket may fetch the site but not open the lab (engine: ${engine})`, () => {
    let server: RunningServer;
    let dir: string;
    let c: Connected;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'socketlab-handshake-'));
      server = await startLab({ engine, class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41910 });
      c = await connect(server);
    });
    after(async () => {
      c.client.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Sends `request` from a new lab socket to the site's own port; returns the first bytes back. */
    async function fromLabSocket(request: string): Promise<string> {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('connect', { sock, address: '127.0.0.1', port: server.port }));
      await ok(c.client.call('send', { sock, data: request }));
      const r = await ok(c.client.call('recv', { sock, max: 4096 }));
      await ok(c.client.call('close', { sock }));
      return 'data' in r ? r.data : '';
    }

    const upgrade = (pathname: string) =>
      `GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`;

    for (const pathname of ['/lab', '/class']) {
      it(`refuses a ${pathname} upgrade from a lab socket`, async () => {
        const sessions = server.hub.sessionCount;
        const reply = await fromLabSocket(upgrade(pathname).replace('PORT', String(server.port)));
        assert.match(reply, /^HTTP\/1\.1 403 /, `the upgrade was answered: ${reply.slice(0, 80)}`);
        assert.equal(server.hub.sessionCount, sessions, 'no nested session');
      });
    }

    it('still answers a plain HTTP GET from a lab socket (lesson 12)', async () => {
      const reply = await fromLabSocket(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 404 /);
    });

    it('still admits a browser from the same address once the lab socket is gone', async () => {
      const other = new WebSocket(`ws://127.0.0.1:${server.port}/lab`);
      const opened = await new Promise<boolean>((resolve) => {
        other.once('open', () => resolve(true));
        other.once('unexpected-response', () => resolve(false));
      });
      assert.ok(opened);
      other.close();
    });
  });
}

describe('the upgrade check matches a whole connection, not a port', { skip: !loadNativeAddon() && 'needs the native engine (setsockopt)' }, () => {
  it('admits a browser that shares a lab socket\'s address and port but not its peer', async () => {
    // The kernel lets two sockets with SO_REUSEADDR share a local port when their peers differ,
    // and the lab's ports lie inside the ephemeral range a browser's connections use: only the
    // whole connection (both ends) says that an upgrade comes from a lab socket.
    // A server of its own: no earlier connection to its port can leave a TIME_WAIT on the tuple.
    const server = await startLab({ engine: 'native' });
    const c = await connect(server);
    const { sock: listener } = await ok(c.client.call('socket', { type: 'tcp' }));
    await ok(c.client.call('bind', { sock: listener, address: '127.0.0.1', port: 0 }));
    await ok(c.client.call('listen', { sock: listener, backlog: 1 }));
    const listening = await ok(c.client.call('getsockname', { sock: listener }));
    const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
    await ok(c.client.call('setsockopt', { sock, option: 'SO_REUSEADDR', value: 1 }));
    await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    const mine = await ok(c.client.call('getsockname', { sock }));
    await ok(c.client.call('connect', { sock, address: '127.0.0.1', port: listening.port }));
    try {
      const browser = new WebSocket(`ws://127.0.0.1:${server.port}/lab`, { localAddress: '127.0.0.1', localPort: mine.port });
      let usedPort = 0;
      browser.once('upgrade', (res) => (usedPort = res.socket.localPort ?? 0));
      const opened = await new Promise<string>((resolve) => {
        browser.once('open', () => resolve('open'));
        browser.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
        browser.once('error', (e) => resolve(String(e)));
      });
      assert.equal(opened, 'open', `a browser on 127.0.0.1:${mine.port} (also the lab socket's port) was not admitted`);
      assert.equal(usedPort, mine.port, 'the browser really shared the lab socket\'s port');
      browser.close();
    } finally {
      await ok(c.client.call('close', { sock }));
      await ok(c.client.call('close', { sock: listener }));
      c.client.close();
      await server.close();
    }
  });
});
