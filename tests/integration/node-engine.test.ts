/**
 * The fallback engine (net/dgram) used directly, on real loopback sockets: each test makes the
 * kernel do the thing and checks what the engine says about it, including the kernel's own view
 * (/proc/net/tcp*) where the engine claims something about the kernel.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNodeEngine } from '../../server/engines/node/index.ts';
import { EngineError, type Engine, type EngineSocket, type Family, type SocketChange, type WaitOptions } from '../../server/engines/types.ts';
import { needs } from '../helpers/tools.ts';

const V4 = '127.0.0.1';
const V6 = '::1';
const LIMIT = { timeout: 10_000 };

interface Wait extends WaitOptions {
  blockedCount: () => number;
  abort: () => void;
}

function wait(blocking = true): Wait {
  const controller = new AbortController();
  let blocked = 0;
  return {
    blocking,
    signal: controller.signal,
    onBlocked: () => {
      blocked += 1;
    },
    blockedCount: () => blocked,
    abort: () => controller.abort(),
  };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** Resolves when `p` settles, or with 'pending' if it has not after `ms`. */
async function stateAfter(p: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  const settled = p.then(
    () => 'resolved' as const,
    () => 'rejected' as const,
  );
  return Promise.race([settled, sleep(ms).then(() => 'pending' as const)]);
}

/** Every change a socket reports, and a way to wait for the next one that matches. */
function record(socket: EngineSocket) {
  const seen: SocketChange[] = [];
  const waiters: { match: (c: SocketChange) => boolean; resolve: (c: SocketChange) => void }[] = [];
  socket.watch((c) => {
    seen.push(c);
    for (const w of waiters.splice(0)) {
      if (w.match(c)) w.resolve(c);
      else waiters.push(w);
    }
  });
  return {
    seen,
    next(match: (c: SocketChange) => boolean, ms = 3000): Promise<SocketChange> {
      const already = seen.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching change after ${ms} ms; saw ${JSON.stringify(seen)}`)), ms);
        waiters.push({
          match,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
  };
}

interface KernelTcpRow {
  localPort: number;
  remotePort: number;
  state: string;
  rxQueue: number;
  inode: number;
}

/** The kernel's own table, enough of it to check the engine's claims. */
function kernelTcpRows(): KernelTcpRow[] {
  const rows: KernelTcpRow[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      const [, localPortHex] = f[1].split(':');
      const [, remotePortHex] = f[2].split(':');
      const [, rxHex] = f[4].split(':');
      rows.push({
        localPort: parseInt(localPortHex, 16),
        remotePort: parseInt(remotePortHex, 16),
        state: f[3],
        rxQueue: parseInt(rxHex, 16),
        inode: Number(f[9]),
      });
    }
  }
  return rows;
}

const LISTEN = '0A';
const CLOSE_WAIT = '08';

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

let engine: Engine;
beforeEach(() => {
  engine = createNodeEngine();
});
afterEach(() => {
  engine.closeAll();
});

/** A listening engine socket on a free port. */
async function listener(family: Family = 4): Promise<{ server: EngineSocket; port: number; address: string }> {
  const address = family === 4 ? V4 : V6;
  const server = engine.socket('tcp', family);
  await server.bind(address, 0);
  await server.listen(8);
  const local = server.localAddress();
  assert.ok(local && local.port > 0);
  return { server, port: local.port, address };
}

/** A connected pair of engine sockets: client → accepted. */
async function pair(family: Family = 4) {
  const { server, port, address } = await listener(family);
  const client = engine.socket('tcp', family);
  const [connected, accepted] = await Promise.all([client.connect(address, port, wait()), server.accept(wait())]);
  return { server, port, client, accepted: accepted.socket, peer: accepted.peer, clientLocal: connected.local };
}

/** A port nobody listens on (the kernel just handed it out and took it back). */
async function closedPort(host = V4): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('node engine: identity', () => {
  test('reports itself as node and describes each composite step', () => {
    assert.equal(engine.name, 'node');
    for (const op of ['socket', 'bind', 'listen', 'accept', 'connect', 'send', 'recv', 'recvfrom', 'shutdown', 'close']) {
      assert.ok((engine.composite[op] ?? '').length > 20, `composite note for ${op}`);
    }
    assert.match(engine.composite.listen, /bind\(\)\+listen\(\) together/);
  });
});

describe('node engine: TCP', () => {
  for (const family of [4, 6] as const) {
    test(`listen, connect, accept, send and recv both ways over IPv${family}`, LIMIT, async () => {
      const address = family === 4 ? V4 : V6;
      const server = engine.socket('tcp', family);
      assert.equal(server.fd, null, 'no kernel socket before listen()');
      assert.equal(server.inode(), null);
      assert.deepEqual(await server.bind(address, 0), { address, port: 0 });
      assert.equal(server.fd, null, 'bind() only records the address');
      await server.listen(8);
      assert.ok(server.fd !== null && server.fd > 2);
      const port = server.localAddress()!.port;
      const inode = server.inode();
      assert.ok(inode !== null && inode > 0);
      const row = kernelTcpRows().find((r) => r.inode === inode);
      assert.ok(row, 'the listening socket is in the kernel table under its inode');
      assert.equal(row.state, LISTEN);
      assert.equal(row.localPort, port);

      const client = engine.socket('tcp', family);
      const { local } = await client.connect(address, port, wait());
      assert.equal(local.address, address);
      assert.ok(client.fd !== null);
      const { socket: accepted, peer, local: acceptedLocal } = await server.accept(wait());
      assert.deepEqual(peer, local);
      assert.deepEqual(acceptedLocal, { address, port });
      assert.deepEqual(client.remoteAddress(), { address, port });
      assert.deepEqual(accepted.remoteAddress(), local);

      assert.equal(await client.send(Buffer.from('hello server'), wait()), 12);
      assert.equal((await accepted.recv(100, wait())).toString(), 'hello server');
      assert.equal(await accepted.send(Buffer.from('hello client'), wait()), 12);
      assert.equal((await client.recv(100, wait())).toString(), 'hello client');
    });
  }

  test('accept blocks until a client arrives, telling the lab once', LIMIT, async () => {
    const { server, port } = await listener();
    const w = wait();
    const accepting = server.accept(w);
    assert.equal(await stateAfter(accepting, 100), 'pending');
    assert.equal(w.blockedCount(), 1);
    const client = engine.socket('tcp', 4);
    await client.connect(V4, port, wait());
    const { peer } = await accepting;
    assert.deepEqual(peer, client.localAddress());
    assert.equal(w.blockedCount(), 1);
  });

  test('a blocking recv waits for the bytes; a second one while it waits is E_BUSY', LIMIT, async () => {
    const { client, accepted } = await pair();
    const w = wait();
    const receiving = accepted.recv(100, w);
    assert.equal(await stateAfter(receiving, 50), 'pending');
    await rejectsWith(accepted.recv(100, wait()), 'E_BUSY');
    await client.send(Buffer.from('late'), wait());
    assert.equal((await receiving).toString(), 'late');
    assert.equal(w.blockedCount(), 1);
  });

  test('non-blocking accept and recv say EAGAIN at once', LIMIT, async () => {
    const { server, accepted } = await pair();
    const nb = wait(false);
    await rejectsWith(server.accept(nb), 'EAGAIN');
    await rejectsWith(accepted.recv(10, nb), 'EAGAIN');
    assert.equal(nb.blockedCount(), 0);
  });

  test('accept before listen is EINVAL; calls on the wrong kind of socket get the kernel errno', LIMIT, async () => {
    const tcp = engine.socket('tcp', 4);
    await rejectsWith(tcp.accept(wait()), 'EINVAL');
    await rejectsWith(tcp.send(Buffer.from('x'), wait()), 'EPIPE'); // what Linux says for a never-connected socket
    await rejectsWith(tcp.recv(1, wait()), 'ENOTCONN');
    await rejectsWith(tcp.shutdown('write'), 'ENOTCONN');
    await rejectsWith(tcp.bind(V6, 0), 'EAFNOSUPPORT');
    await rejectsWith(tcp.bind('localhost', 0), 'EINVAL');
    await rejectsWith(tcp.bind('203.0.113.7', 0), 'EADDRNOTAVAIL');
    await tcp.bind(V4, 0);
    await rejectsWith(tcp.bind(V4, 0), 'EINVAL');
    tcp.close();
    tcp.close(); // idempotent
    await rejectsWith(tcp.listen(1), 'EBADF');

    const udp = engine.socket('udp', 4);
    await rejectsWith(udp.listen(1), 'EOPNOTSUPP');
    await rejectsWith(udp.accept(wait()), 'EOPNOTSUPP');
    await rejectsWith(udp.send(Buffer.from('x'), wait()), 'EDESTADDRREQ');
    await rejectsWith(udp.shutdown('read'), 'ENOTCONN');
  });

  test('connect to a closed port is ECONNREFUSED, and the socket can connect again', LIMIT, async () => {
    const port = await closedPort();
    const client = engine.socket('tcp', 4);
    const w = wait();
    await rejectsWith(client.connect(V4, port, w), 'ECONNREFUSED');
    assert.equal(w.blockedCount(), 1);
    assert.equal(client.fd, null);
    const { port: open } = await listener();
    await client.connect(V4, open, wait());
    assert.ok(client.remoteAddress());
  });

  test('non-blocking connect: EINPROGRESS, EALREADY, success once, then EISCONN', LIMIT, async () => {
    const { server, port } = await listener();
    const client = engine.socket('tcp', 4);
    const changes = record(server);
    await rejectsWith(client.connect(V4, port, wait(false)), 'EINPROGRESS');
    await rejectsWith(client.connect(V4, port, wait(false)), 'EALREADY');
    await changes.next((c) => c.change === 'connection-waiting');
    await sleep(50); // the client's side of the handshake may be reported a moment after the server's
    const { local } = await client.connect(V4, port, wait(false));
    assert.deepEqual(local, client.localAddress());
    await rejectsWith(client.connect(V4, port, wait(false)), 'EISCONN');
  });

  test('a non-blocking connect that fails in the background reports the error, then gives it to the next call', LIMIT, async () => {
    const port = await closedPort();
    const client = engine.socket('tcp', 4);
    const changes = record(client);
    await rejectsWith(client.connect(V4, port, wait(false)), 'EINPROGRESS');
    assert.deepEqual(await changes.next((c) => c.change === 'error'), { change: 'error', errno: 'ECONNREFUSED' });
    await rejectsWith(client.connect(V4, port, wait(false)), 'ECONNREFUSED');
    await rejectsWith(client.connect(V4, port, wait(false)), 'EINPROGRESS');
  });

  test('a port another program holds is EADDRINUSE at bind() (a trial bind); one taken after bind() at listen()', LIMIT, async () => {
    const listenOn = (port: number) => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(port, V4, () => resolve(s));
    });
    const other = await listenOn(0);
    const { port } = other.address() as net.AddressInfo;
    await rejectsWith(engine.socket('tcp', 4).bind(V4, port), 'EADDRINUSE');
    await new Promise((resolve) => other.close(resolve));
    const socket = engine.socket('tcp', 4);
    await socket.bind(V4, port); // free now, and only recorded: Node binds inside listen()
    const late = await listenOn(port);
    try {
      await rejectsWith(socket.listen(8), 'EADDRINUSE');
      assert.equal(socket.fd, null);
    } finally {
      late.close();
    }
  });

  test('a port another lab socket holds gives EADDRINUSE at bind()', LIMIT, async () => {
    const { server, port } = await listener();
    const bound = engine.socket('tcp', 4);
    const free = await closedPort();
    await bound.bind(V4, free); // bound, not listening: still holds the port
    await rejectsWith(engine.socket('tcp', 4).bind(V4, port), 'EADDRINUSE');
    await rejectsWith(engine.socket('tcp', 4).bind(V4, free), 'EADDRINUSE');
    await rejectsWith(engine.socket('tcp', 6).bind('::', free), 'EADDRINUSE');
    await engine.socket('tcp', 6).bind(V6, free); // another family's loopback: no conflict
    await engine.socket('udp', 4).bind(V4, port); // UDP ports are a separate space
    server.close();
    bound.close();
    await engine.socket('tcp', 4).bind(V4, free);
  });

  test('TCP is a stream: two sends can come back in one recv', LIMIT, async () => {
    const { client, accepted } = await pair();
    await client.send(Buffer.from('ab'), wait());
    await client.send(Buffer.from('cd'), wait());
    await sleep(150);
    assert.equal((await accepted.recv(100, wait())).toString(), 'abcd');
  });

  test('recv takes at most max bytes and leaves the rest', LIMIT, async () => {
    const { client, accepted } = await pair();
    await client.send(Buffer.from('0123456789'), wait());
    assert.equal((await accepted.recv(4, wait())).toString(), '0123');
    assert.equal((await accepted.recv(100, wait())).toString(), '456789');
  });

  test('recv after the peer closes returns the data, then end of stream (empty)', LIMIT, async () => {
    const { client, accepted } = await pair();
    await client.send(Buffer.from('last words'), wait());
    client.close();
    assert.equal((await accepted.recv(100, wait())).toString(), 'last words');
    assert.equal((await accepted.recv(100, wait())).length, 0);
    assert.equal((await accepted.recv(100, wait())).length, 0, 'end of stream stays');
  });

  test('bytes and the FIN both waiting: recv gives the bytes, the next recv end of stream at once', LIMIT, async () => {
    const { client, accepted } = await pair();
    const changes = record(accepted);
    await client.send(Buffer.from('all of it'), wait());
    client.close();
    await changes.next((c) => c.change === 'data-waiting');
    await sleep(50);
    assert.equal((await accepted.recv(100, wait(false))).toString(), 'all of it');
    assert.equal((await accepted.recv(100, wait(false))).length, 0, 'not EAGAIN: the FIN has arrived');
  });

  test('shutdown(write) half-closes: the peer sees EOF, sits in CLOSE_WAIT, and can still answer', LIMIT, async () => {
    const { client, accepted, clientLocal, port } = await pair();
    await client.shutdown('write');
    await rejectsWith(client.send(Buffer.from('x'), wait()), 'EPIPE');
    assert.equal((await accepted.recv(100, wait())).length, 0);
    const passive = kernelTcpRows().find((r) => r.localPort === port && r.remotePort === clientLocal.port);
    assert.equal(passive?.state, CLOSE_WAIT, 'Node must not answer the FIN by itself');
    await accepted.send(Buffer.from('still here'), wait());
    assert.equal((await client.recv(100, wait())).toString(), 'still here');
  });

  test('shutdown(read): bytes already received are still readable, then end of stream', LIMIT, async () => {
    const { client, accepted } = await pair();
    const changes = record(accepted);
    await client.send(Buffer.from('before'), wait());
    await changes.next((c) => c.change === 'data-waiting');
    await accepted.shutdown('read');
    await client.send(Buffer.from('after'), wait());
    await sleep(50);
    assert.equal((await accepted.recv(100, wait())).toString(), 'before');
    assert.equal((await accepted.recv(100, wait())).length, 0);
  });

  test('send waits, or says EAGAIN, while the peer does not read and every buffer is full', LIMIT, async () => {
    const { client, accepted } = await pair();
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sent = 0;
    let refused: string | null = null;
    for (let i = 0; i < 2000 && refused === null; i++) {
      try {
        sent += await client.send(chunk, wait(false));
      } catch (err) {
        refused = (err as EngineError).code;
      }
    }
    assert.equal(refused, 'EAGAIN');
    const w = wait();
    const sending = client.send(chunk, w);
    assert.equal(await stateAfter(sending, 50), 'pending');
    assert.equal(w.blockedCount(), 1);
    let received = 0;
    for (let i = 0; i < 10_000 && received < sent + chunk.length; i++) {
      received += (await accepted.recv(65536, wait())).length;
    }
    assert.equal(await sending, chunk.length);
    assert.equal(received, sent + chunk.length);
  });

  test('close cancels a pending recv and a pending accept with E_CANCELLED', LIMIT, async () => {
    const { server, accepted } = await pair();
    const receiving = accepted.recv(10, wait());
    const accepting = server.accept(wait());
    await sleep(20);
    accepted.close();
    server.close();
    await rejectsWith(receiving, 'E_CANCELLED');
    await rejectsWith(accepting, 'E_CANCELLED');
    await rejectsWith(accepted.recv(10, wait()), 'EBADF');
    assert.equal(accepted.fd, null);
  });

  test('aborting the signal cancels a waiting call', LIMIT, async () => {
    const { accepted } = await pair();
    const w = wait();
    const receiving = accepted.recv(10, w);
    await sleep(20);
    w.abort();
    await rejectsWith(receiving, 'E_CANCELLED');
    // The socket is still usable afterwards.
    await rejectsWith(accepted.recv(10, wait(false)), 'EAGAIN');
  });

  test('watch reports connection-waiting, data-waiting and peer-closed, once per arrival', LIMIT, async () => {
    const { server, port } = await listener();
    const serverChanges = record(server);
    const client = engine.socket('tcp', 4);
    await client.connect(V4, port, wait());
    await serverChanges.next((c) => c.change === 'connection-waiting');
    const second = engine.socket('tcp', 4);
    await second.connect(V4, port, wait());
    await sleep(50);
    assert.equal(serverChanges.seen.length, 1, 'quiet until the next accept()');
    const { socket: accepted } = await server.accept(wait());
    // After accept(), the connection still queued is news again.
    await sleep(50);
    assert.deepEqual(serverChanges.seen, [{ change: 'connection-waiting' }, { change: 'connection-waiting' }]);

    const changes = record(accepted);
    await client.send(Buffer.from('abc'), wait());
    assert.deepEqual(await changes.next((c) => c.change === 'data-waiting'), { change: 'data-waiting', bytes: 3 });
    await client.send(Buffer.from('de'), wait());
    await sleep(50);
    assert.equal(changes.seen.length, 1, 'one report until the next recv()');
    assert.equal((await accepted.recv(100, wait())).toString(), 'abcde');
    client.close();
    await changes.next((c) => c.change === 'peer-closed');
    assert.deepEqual(changes.seen, [{ change: 'data-waiting', bytes: 3 }, { change: 'peer-closed' }]);
  });

  test('bytes sent before accept() wait in the kernel, where the kernel view can see them', LIMIT, async () => {
    const { server, port } = await listener();
    const client = engine.socket('tcp', 4);
    const { local } = await client.connect(V4, port, wait());
    await client.send(Buffer.from('12345'), wait());
    await sleep(50);
    const row = kernelTcpRows().find((r) => r.localPort === port && r.remotePort === local.port);
    assert.equal(row?.rxQueue, 5);
    const { socket } = await server.accept(wait());
    assert.equal((await socket.recv(10, wait())).toString(), '12345');
  });

  test('close with unread bytes resets the connection, as the kernel does', LIMIT, async () => {
    const { client, accepted } = await pair();
    const changes = record(accepted);
    await client.send(Buffer.from('never read'), wait());
    await changes.next((c) => c.change === 'data-waiting');
    accepted.close();
    await rejectsWith(client.recv(10, wait()), 'ECONNRESET');
    assert.equal((await client.recv(10, wait())).length, 0, 'after the error: end of stream');
    await rejectsWith(client.send(Buffer.from('x'), wait()), 'EPIPE');
  });

  test('a peer that resets mid-send gives ECONNRESET or EPIPE to a call, never an unhandled error', LIMIT, async () => {
    const peer = net.createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.resetAndDestroy());
    });
    await new Promise<void>((resolve) => peer.listen(0, V4, resolve));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const client = engine.socket('tcp', 4);
      await client.connect(V4, (peer.address() as net.AddressInfo).port, wait());
      const chunk = Buffer.alloc(16 * 1024, 1);
      let code: string | null = null;
      for (let i = 0; i < 500 && code === null; i++) {
        try {
          await client.send(chunk, wait());
          await sleep(2);
        } catch (err) {
          assert.ok(err instanceof EngineError);
          code = err.code;
        }
      }
      assert.ok(code === 'ECONNRESET' || code === 'EPIPE', `got ${code}`);
      await rejectsWith(client.send(chunk, wait()), 'EPIPE');
      assert.equal((await client.recv(10, wait())).length, 0);
      await sleep(50);
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', onUncaught);
      peer.close();
    }
  });
});

describe('node engine: UDP', () => {
  for (const family of [4, 6] as const) {
    test(`datagrams keep their boundaries over IPv${family}`, LIMIT, async () => {
      const address = family === 4 ? V4 : V6;
      const receiver = engine.socket('udp', family);
      assert.equal(receiver.fd, null);
      const bound = await receiver.bind(address, 0);
      assert.ok(bound.port > 0, 'a UDP bind() is a real bind');
      assert.ok(receiver.fd !== null && receiver.inode() !== null);
      const sender = engine.socket('udp', family);
      assert.equal(await sender.sendto(Buffer.from('one'), address, bound.port, wait()), 3);
      assert.equal(await sender.sendto(Buffer.from('two'), address, bound.port, wait()), 3);
      const from = sender.localAddress();
      assert.ok(from && from.port > 0, 'sendto() bound the sender implicitly');
      const first = await receiver.recvfrom(100, wait());
      assert.equal(first.data.toString(), 'one');
      assert.equal(first.from.port, from.port);
      assert.equal((await receiver.recvfrom(100, wait())).data.toString(), 'two');
      await rejectsWith(receiver.recvfrom(100, wait(false)), 'EAGAIN');
    });
  }

  test('a second UDP bind to a port in use is EADDRINUSE, at bind() itself', LIMIT, async () => {
    const first = engine.socket('udp', 4);
    const { port } = await first.bind(V4, 0);
    const second = engine.socket('udp', 4);
    await rejectsWith(second.bind(V4, port), 'EADDRINUSE');
    assert.ok((await second.bind(V4, 0)).port > 0, 'the socket can still bind elsewhere');
  });

  test('a datagram longer than max is cut, and the rest is lost', LIMIT, async () => {
    const receiver = engine.socket('udp', 4);
    const { port } = await receiver.bind(V4, 0);
    const sender = engine.socket('udp', 4);
    await sender.sendto(Buffer.from('abcdefgh'), V4, port, wait());
    await sender.sendto(Buffer.from('next'), V4, port, wait());
    assert.equal((await receiver.recvfrom(3, wait())).data.toString(), 'abc');
    assert.equal((await receiver.recvfrom(100, wait())).data.toString(), 'next');
  });

  test('a blocking recvfrom waits; watch reports data-waiting with the datagram size', LIMIT, async () => {
    const receiver = engine.socket('udp', 4);
    const { port } = await receiver.bind(V4, 0);
    const sender = engine.socket('udp', 4);
    const w = wait();
    const receiving = receiver.recvfrom(100, w);
    assert.equal(await stateAfter(receiving, 50), 'pending');
    await sender.sendto(Buffer.from('wake up'), V4, port, wait());
    assert.equal((await receiving).data.toString(), 'wake up');
    assert.equal(w.blockedCount(), 1);

    const changes = record(receiver);
    await sender.sendto(Buffer.from('12345'), V4, port, wait());
    assert.deepEqual(await changes.next((c) => c.change === 'data-waiting'), { change: 'data-waiting', bytes: 5 });
  });

  test('connected UDP: send() without an address, and ECONNREFUSED from a closed port', LIMIT, async () => {
    const receiver = engine.socket('udp', 4);
    const { port } = await receiver.bind(V4, 0);
    const sender = engine.socket('udp', 4);
    await sender.connect(V4, port, wait());
    assert.deepEqual(sender.remoteAddress(), { address: V4, port });
    await sender.send(Buffer.from('via connect'), wait());
    assert.equal((await receiver.recvfrom(100, wait())).data.toString(), 'via connect');

    receiver.close();
    const receiving = sender.recvfrom(100, wait());
    await sender.send(Buffer.from('nobody home'), wait());
    await rejectsWith(receiving, 'ECONNREFUSED');

    const changes = record(sender);
    await sender.send(Buffer.from('again'), wait());
    assert.deepEqual(await changes.next((c) => c.change === 'error'), { change: 'error', errno: 'ECONNREFUSED' });
    await rejectsWith(sender.send(Buffer.from('and again'), wait()), 'ECONNREFUSED');
  });

  test('close cancels a pending recvfrom', LIMIT, async () => {
    const receiver = engine.socket('udp', 6);
    await receiver.bind(V6, 0);
    const receiving = receiver.recvfrom(100, wait());
    await sleep(20);
    receiver.close();
    await rejectsWith(receiving, 'E_CANCELLED');
    assert.equal(receiver.fd, null);
  });
});

describe('node engine: other programs and cleanup', () => {
  test('a python3 client connects to a listening engine socket', { ...LIMIT, skip: needs('python3') }, async () => {
    const { server, port } = await listener();
    const script = [
      'import socket',
      `s = socket.create_connection(("${V4}", ${port}), timeout=5)`,
      's.sendall(b"hello from python")',
      'print(s.recv(100).decode())',
      's.close()',
    ].join('\n');
    const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 8000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const { socket, peer } = await server.accept(wait());
    assert.equal(peer.address, V4);
    assert.equal((await socket.recv(100, wait())).toString(), 'hello from python');
    await socket.send(Buffer.from('hello from the lab'), wait());
    assert.equal(await exited, 0);
    assert.equal(out.trim(), 'hello from the lab');
    assert.equal((await socket.recv(100, wait())).length, 0, 'python closed: end of stream');
  });

  test('an nc client connects to a listening engine socket', { ...LIMIT, skip: needs('nc') }, async () => {
    const { server, port } = await listener();
    // -N: shut down the write side at end of input, so the lab sees end of stream.
    const child = spawn('nc', ['-N', '-w', '5', V4, String(port)], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 8000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end('hello from nc\n');
    const { socket } = await server.accept(wait());
    let got = '';
    for (;;) {
      const data = await socket.recv(100, wait());
      if (data.length === 0) break;
      got += data.toString();
    }
    assert.equal(got, 'hello from nc\n');
    await socket.send(Buffer.from('bye nc\n'), wait());
    socket.close();
    assert.equal(await exited, 0);
    assert.equal(out, 'bye nc\n');
  });

  test('closeAll leaves the process fd count at its baseline', LIMIT, async () => {
    // Warm up once so that libuv's own lazily opened fds are part of the baseline.
    await pair();
    engine.closeAll();
    await sleep(50);
    const baseline = openFds();

    const { client, accepted } = await pair(6);
    await client.send(Buffer.from('unread'), wait());
    const { server } = await listener();
    const queued = engine.socket('tcp', 4);
    await queued.connect(V4, server.localAddress()!.port, wait()); // left in the accept queue
    const udp = engine.socket('udp', 4);
    await udp.bind(V4, 0);
    const waitingTcp = client.recv(1, wait()).catch((e: EngineError) => e.code);
    const blocked = engine.socket('udp', 6);
    await blocked.bind(V6, 0);
    const waiting = blocked.recvfrom(1, wait()).catch((e: EngineError) => e.code);
    assert.ok(openFds() > baseline);

    engine.closeAll();
    assert.equal(await waiting, 'E_CANCELLED');
    assert.equal(await waitingTcp, 'E_CANCELLED');
    void accepted;
    await sleep(100);
    assert.equal(openFds(), baseline);
  });
});
