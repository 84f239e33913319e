/**
 * The EngineSocket contract (server/engines/types.ts), checked against an engine used directly (no
 * WebSocket): real sockets on 127.0.0.1 and ::1, port 0, other programs (nc, python3) as peers, and
 * the kernel's own table from /proc/net where the engine claims something about the kernel.
 * Run once per engine (native-engine.test.ts, node-engine.test.ts); what only one engine does (the
 * fallback's composite steps, the addon's own checks) stays in that engine's file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine, Family } from '../../server/engines/types.ts';
import { bl, closedPort, eventually, fdCount, fdList, LO, nb, record, rejectsWith, rowByInode, rowByTuple, sockets, stateAfter, wait } from '../helpers/engine.ts';
import { needs } from '../helpers/tools.ts';

const T = { timeout: 15_000 };
const FAMILIES = [4, 6] as const satisfies readonly Family[];

export function defineEngineContract(name: 'native' | 'node', create: () => Engine): void {
  describe(`${name} engine: the EngineSocket contract`, () => {
    let current: Engine;
    const engine = () => current;
    const { listener, pair } = sockets(engine);
    /** Other programs started by a test, stopped at the end even when their test failed. */
    const children = new Set<ChildProcess>();

    beforeEach(() => {
      current = create();
    });
    afterEach(() => {
      current.closeAll();
    });
    after(() => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
    });

    describe('the server side', () => {
      test('reports its own name', () => {
        assert.equal(engine().name, name);
      });

      test('accept before listen is EINVAL, at once, even on a blocking socket', T, async () => {
        const unbound = engine().socket('tcp', 4);
        await rejectsWith(unbound.accept(wait()), 'EINVAL');
        const bound = engine().socket('tcp', 4);
        await bound.bind(LO[4], 0);
        const w = wait();
        await rejectsWith(bound.accept(w), 'EINVAL');
        assert.equal(w.blockedCount(), 0);
      });

      for (const family of FAMILIES) {
        test(`listen, connect, accept, send and recv both ways over IPv${family}, with the kernel's rows`, T, async () => {
          const address = LO[family];
          const { server, port } = await listener(family);
          const row = await rowByInode(server.inode());
          assert.equal(row?.state, 'LISTEN', 'the listening socket is in the kernel table under its inode');
          assert.equal(row?.proto, family === 4 ? 'tcp' : 'tcp6');
          assert.deepEqual(row?.local, { address, port });

          const client = engine().socket('tcp', family);
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

      test('a blocking accept waits (onBlocked once) and completes when a client connects', T, async () => {
        const { server, port } = await listener();
        const w = wait();
        const accepting = server.accept(w);
        assert.equal(await stateAfter(accepting, 100), 'pending');
        assert.equal(w.blockedCount(), 1);
        const client = engine().socket('tcp', 4);
        const { local } = await client.connect(LO[4], port, wait());
        const got = await accepting;
        assert.deepEqual(got.peer, local);
        assert.deepEqual(got.peer, client.localAddress());
        assert.deepEqual(got.local, { address: LO[4], port });
        assert.equal(typeof got.socket.fd, 'number');
        assert.equal(w.blockedCount(), 1);
      });

      test('non-blocking accept and recv say EAGAIN at once', T, async () => {
        const { server, accepted } = await pair();
        const w = nb();
        await rejectsWith(server.accept(w), 'EAGAIN');
        await rejectsWith(accepted.recv(10, w), 'EAGAIN');
        assert.equal(w.blockedCount(), 0);
      });

      test('bytes sent before accept() wait in the kernel, where the kernel view can see them', T, async () => {
        const { server, port } = await listener();
        const client = engine().socket('tcp', 4);
        const { local } = await client.connect(LO[4], port, wait());
        await client.send(Buffer.from('12345'), wait());
        const row = await eventually('5 bytes queued', async () => {
          const r = await rowByTuple({ address: LO[4], port }, local);
          return r?.rxQueue === 5 ? r : undefined;
        });
        assert.equal(row.state, 'ESTABLISHED');
        const { socket } = await server.accept(wait());
        assert.equal((await socket.recv(10, wait())).toString(), '12345');
      });

      test('the passive side sits in CLOSE_WAIT until it closes; the active closer ends in TIME_WAIT', T, async () => {
        const { client, accepted } = await pair();
        const local = client.localAddress()!;
        const remote = client.remoteAddress()!;
        client.close(); // the active close
        const passive = await eventually('CLOSE_WAIT', async () => {
          const r = await rowByInode(accepted.inode());
          return r?.state === 'CLOSE_WAIT' ? r : undefined;
        });
        assert.deepEqual(passive.local, remote);
        // Once the passive side's ACK of the FIN is in (FIN_WAIT1 until then).
        await eventually('FIN_WAIT2', async () => ((await rowByTuple(local, remote))?.state === 'FIN_WAIT2' ? true : undefined));
        accepted.close();
        const timeWait = await eventually('TIME_WAIT', async () => {
          const r = await rowByTuple(local, remote);
          return r?.state === 'TIME_WAIT' ? r : undefined;
        });
        assert.equal(timeWait.inode, 0, 'no fd owns a TIME_WAIT socket');
      });
    });

    describe('the client side', () => {
      test('connect to a port nobody listens on is ECONNREFUSED, blocking and non-blocking', T, async () => {
        const port = await closedPort();
        const blocking = engine().socket('tcp', 4);
        await rejectsWith(blocking.connect(LO[4], port, wait()), 'ECONNREFUSED');

        const nonBlocking = engine().socket('tcp', 4);
        const first = await rejectsWith(nonBlocking.connect(LO[4], port, nb()), 'EINPROGRESS', 'ECONNREFUSED');
        if (first === 'EINPROGRESS') {
          // The refusal is kept for the socket's next call.
          await sleep(50);
          await rejectsWith(nonBlocking.connect(LO[4], port, nb()), 'ECONNREFUSED');
        }

      });

      test('non-blocking connect: EINPROGRESS, success once the handshake is done, then EISCONN', T, async () => {
        const { server, port } = await listener();
        const client = engine().socket('tcp', 4);
        const changes = record(server);
        await rejectsWith(client.connect(LO[4], port, nb()), 'EINPROGRESS');
        await changes.next((c) => c.change === 'connection-waiting');
        await sleep(50); // the client's side of the handshake may be reported a moment after the server's
        const { local } = await client.connect(LO[4], port, nb());
        assert.deepEqual(local, client.localAddress());
        await rejectsWith(client.connect(LO[4], port, nb()), 'EISCONN');
      });

      test('a blocking connect after EINPROGRESS waits for the handshake and succeeds', T, async () => {
        const { port } = await listener();
        const c = engine().socket('tcp', 4);
        await rejectsWith(c.connect(LO[4], port, nb()), 'EINPROGRESS');
        try {
          const { local } = await c.connect(LO[4], port, bl());
          assert.equal(local.address, LO[4]);
        } catch (e) {
          assert.equal((e as { code: string }).code, 'EISCONN');
        }
        assert.deepEqual(c.remoteAddress(), { address: LO[4], port });
      });

      test('calls on the wrong kind of socket get the kernel errno', T, async () => {
        const tcp = engine().socket('tcp', 4);
        await rejectsWith(tcp.send(Buffer.from('x'), wait()), 'EPIPE'); // what Linux says for a never-connected socket
        await rejectsWith(tcp.recv(1, wait()), 'ENOTCONN');
        await rejectsWith(tcp.shutdown('write'), 'ENOTCONN');
        await rejectsWith(tcp.bind(LO[6], 0), 'EAFNOSUPPORT', 'EINVAL');
        await rejectsWith(tcp.bind('203.0.113.7', 0), 'EADDRNOTAVAIL');
        await tcp.bind(LO[4], 0);
        await rejectsWith(tcp.bind(LO[4], 0), 'EINVAL');
        tcp.close();
        tcp.close(); // idempotent
        assert.equal(tcp.fd, null);
        assert.equal(tcp.inode(), null);
        await rejectsWith(tcp.listen(1), 'EBADF');
        await rejectsWith(tcp.bind(LO[4], 0), 'EBADF');

        const udp = engine().socket('udp', 4);
        await rejectsWith(udp.listen(1), 'EOPNOTSUPP');
        await rejectsWith(udp.accept(wait()), 'EOPNOTSUPP');
        await rejectsWith(udp.send(Buffer.from('x'), wait()), 'EDESTADDRREQ');
        await rejectsWith(udp.shutdown('read'), 'ENOTCONN');
        const udp6 = engine().socket('udp', 6);
        await rejectsWith(udp6.bind(LO[4], 0), 'EINVAL', 'EAFNOSUPPORT');
      });

      test('a port another lab socket holds gives EADDRINUSE at bind()', T, async () => {
        const { server, port } = await listener();
        const bound = engine().socket('tcp', 4);
        const free = await closedPort();
        await bound.bind(LO[4], free); // bound, not listening: still holds the port
        await rejectsWith(engine().socket('tcp', 4).bind(LO[4], port), 'EADDRINUSE');
        await rejectsWith(engine().socket('tcp', 4).bind(LO[4], free), 'EADDRINUSE');
        await rejectsWith(engine().socket('tcp', 6).bind('::', free), 'EADDRINUSE');
        await engine().socket('tcp', 6).bind(LO[6], free); // another family's loopback: no conflict
        await engine().socket('udp', 4).bind(LO[4], port); // UDP ports are a separate space
        server.close();
        bound.close();
        await engine().socket('tcp', 4).bind(LO[4], free);
      });
    });

    describe('TCP data', () => {
      test('recv blocks until data arrives (onBlocked once), then completes', T, async () => {
        const { client, accepted } = await pair();
        const w = wait();
        const receiving = accepted.recv(100, w);
        assert.equal(await stateAfter(receiving, 50), 'pending');
        assert.equal(w.blockedCount(), 1);
        assert.equal(await client.send(Buffer.from('hello'), wait()), 5);
        assert.equal((await receiving).toString(), 'hello');
        assert.equal(w.blockedCount(), 1);
      });

      test('TCP is a stream: two sends can come back in one recv', T, async () => {
        const { client, accepted } = await pair();
        assert.equal(await client.send(Buffer.from('ab'), wait()), 2);
        assert.equal(await client.send(Buffer.from('cde'), wait()), 3);
        await sleep(150);
        assert.equal((await accepted.recv(100, nb())).toString(), 'abcde');
      });

      test('recv takes at most max bytes and leaves the rest', T, async () => {
        const { client, accepted } = await pair();
        await client.send(Buffer.from('0123456789'), wait());
        await sleep(50);
        assert.equal((await accepted.recv(4, wait())).toString(), '0123');
        assert.equal((await accepted.recv(100, wait())).toString(), '456789');
      });

      test('recv after the peer closes returns the data, then end of stream (empty), and it stays', T, async () => {
        const { client, accepted } = await pair();
        await client.send(Buffer.from('last words'), wait());
        client.close();
        assert.equal((await accepted.recv(100, wait())).toString(), 'last words');
        assert.equal((await accepted.recv(100, wait())).length, 0);
        assert.equal((await accepted.recv(100, wait())).length, 0, 'end of stream stays');
      });

      test('bytes and the FIN both waiting: recv gives the bytes, the next recv end of stream at once', T, async () => {
        const { client, accepted } = await pair();
        const changes = record(accepted);
        await client.send(Buffer.from('all of it'), wait());
        client.close();
        await changes.next((c) => c.change === 'data-waiting');
        await sleep(50);
        assert.equal((await accepted.recv(100, nb())).toString(), 'all of it');
        assert.equal((await accepted.recv(100, nb())).length, 0, 'not EAGAIN: the FIN has arrived');
      });

      test('shutdown(write) half-closes: the peer sees EOF, sits in CLOSE_WAIT, and can still answer', T, async () => {
        const { client, accepted, clientLocal, port } = await pair();
        await client.shutdown('write');
        await rejectsWith(client.send(Buffer.from('x'), wait()), 'EPIPE');
        assert.equal((await accepted.recv(100, wait())).length, 0);
        const passive = await rowByTuple({ address: LO[4], port }, clientLocal);
        assert.equal(passive?.state, 'CLOSE_WAIT', 'nothing answers the FIN but a close');
        await accepted.send(Buffer.from('still here'), wait());
        assert.equal((await client.recv(100, wait())).toString(), 'still here');
      });

      test('send with full buffers: EAGAIN when non-blocking; blocking waits (onBlocked once) until the peer reads', T, async () => {
        const { client, accepted } = await pair();
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        let refused: string | null = null;
        for (let i = 0; i < 2000 && refused === null; i++) {
          try {
            sent += await client.send(chunk, nb());
          } catch (err) {
            refused = await rejectsWith(Promise.reject(err), 'EAGAIN');
          }
        }
        assert.equal(refused, 'EAGAIN');
        assert.ok(sent > 65536, `took ${sent} bytes before saying EAGAIN`);
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

      test('close with unread bytes resets the connection: ECONNRESET, then end of stream, then EPIPE', T, async () => {
        const { client, accepted } = await pair();
        const changes = record(accepted);
        await client.send(Buffer.from('never read'), wait());
        await changes.next((c) => c.change === 'data-waiting');
        accepted.close();
        await rejectsWith(client.recv(10, wait()), 'ECONNRESET');
        assert.equal((await client.recv(10, wait())).length, 0, 'after the error: end of stream');
        await rejectsWith(client.send(Buffer.from('x'), wait()), 'EPIPE');
      });

      test('send to a peer that reset the connection gives the real ECONNRESET/EPIPE', T, async () => {
        const { client, accepted } = await pair();
        const changes = record(accepted);
        await client.send(Buffer.from('unread'), wait());
        await changes.next((c) => c.change === 'data-waiting');
        accepted.close(); // closing with unread data sends RST
        await sleep(50);
        await rejectsWith(
          (async () => {
            await client.send(Buffer.from('x'), wait());
            await client.send(Buffer.from('x'), wait());
          })(),
          'ECONNRESET',
          'EPIPE',
        );
      });

      test('a peer that resets mid-send gives ECONNRESET or EPIPE to a call, never an unhandled error', T, async () => {
        const peer = net.createServer((s) => {
          s.on('error', () => {});
          s.once('data', () => s.resetAndDestroy());
        });
        await new Promise<void>((resolve) => peer.listen(0, LO[4], resolve));
        const uncaught: unknown[] = [];
        const onUncaught = (err: unknown) => uncaught.push(err);
        process.on('uncaughtException', onUncaught);
        try {
          const client = engine().socket('tcp', 4);
          await client.connect(LO[4], (peer.address() as net.AddressInfo).port, wait());
          const chunk = Buffer.alloc(16 * 1024, 1);
          let code: string | null = null;
          for (let i = 0; i < 500 && code === null; i++) {
            try {
              await client.send(chunk, wait());
              await sleep(2);
            } catch (err) {
              code = await rejectsWith(Promise.reject(err), 'ECONNRESET', 'EPIPE');
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

    describe('cancelling and watching', () => {
      test('close cancels a pending recv and a pending accept with E_CANCELLED', T, async () => {
        const { server, accepted } = await pair();
        const receiving = accepted.recv(10, wait());
        const accepting = server.accept(wait());
        await sleep(20);
        accepted.close();
        server.close();
        await rejectsWith(receiving, 'E_CANCELLED');
        await rejectsWith(accepting, 'E_CANCELLED');
        assert.equal(accepted.fd, null);
        accepted.close(); // idempotent
        await rejectsWith(accepted.recv(10, wait()), 'EBADF');
      });

      test('an aborted signal cancels the wait without consuming data; the socket stays usable', T, async () => {
        const { client, accepted } = await pair();
        const w = wait();
        const receiving = accepted.recv(10, w);
        await sleep(20);
        w.abort();
        await rejectsWith(receiving, 'E_CANCELLED');
        await rejectsWith(accepted.recv(10, nb()), 'EAGAIN');
        await client.send(Buffer.from('kept'), wait());
        await sleep(30);
        assert.equal((await accepted.recv(10, nb())).toString(), 'kept');
      });

      test('watch reports connection-waiting once per arrival until the next accept', T, async () => {
        const { server, port } = await listener();
        const seen = record(server);
        const a = engine().socket('tcp', 4);
        await a.connect(LO[4], port, wait());
        await seen.next((c) => c.change === 'connection-waiting');
        assert.deepEqual(seen.seen, [{ change: 'connection-waiting' }]);
        const b = engine().socket('tcp', 4);
        await b.connect(LO[4], port, wait());
        await sleep(50);
        assert.equal(seen.seen.length, 1, 'quiet until the learner accepts');
        await server.accept(nb());
        // After accept(), the connection still queued is news again.
        await eventually('the second arrival', () => (seen.seen.length === 2 ? true : undefined));
        await server.accept(nb());
        await sleep(50);
        assert.deepEqual(seen.seen, [{ change: 'connection-waiting' }, { change: 'connection-waiting' }]);
      });

      test('watch reports data-waiting with the byte count once until the next recv, then peer-closed once', T, async () => {
        const { client, accepted } = await pair();
        const changes = record(accepted);
        await client.send(Buffer.from('abc'), wait());
        assert.deepEqual(await changes.next((c) => c.change === 'data-waiting'), { change: 'data-waiting', bytes: 3 });
        await client.send(Buffer.from('de'), wait());
        await sleep(50);
        assert.equal(changes.seen.length, 1, 'one report until the next recv()');
        client.close();
        await sleep(50);
        assert.equal(changes.seen.length, 1, 'quiet until the learner reads');
        assert.equal((await accepted.recv(100, wait())).toString(), 'abcde');
        await changes.next((c) => c.change === 'peer-closed');
        assert.deepEqual(changes.seen, [{ change: 'data-waiting', bytes: 3 }, { change: 'peer-closed' }]);
        assert.equal((await accepted.recv(100, nb())).length, 0);
        await sleep(50);
        assert.equal(changes.seen.length, 2, 'peer-closed is reported once');
      });

      test('a non-blocking connect finishing in the background: the watch then reports data', T, async () => {
        const { server, port } = await listener();
        const c = engine().socket('tcp', 4);
        const changes = record(c);
        await rejectsWith(c.connect(LO[4], port, nb()), 'EINPROGRESS');
        const { socket: peer } = await server.accept(wait());
        await peer.send(Buffer.from('hi'), wait());
        assert.deepEqual(await changes.next((x) => x.change === 'data-waiting'), { change: 'data-waiting', bytes: 2 });
        assert.deepEqual(changes.seen, [{ change: 'data-waiting', bytes: 2 }]);
      });
    });

    describe('UDP', () => {
      for (const family of FAMILIES) {
        test(`datagrams keep their boundaries over IPv${family}, and recvfrom names the sender`, T, async () => {
          const address = LO[family];
          const receiver = engine().socket('udp', family);
          const bound = await receiver.bind(address, 0);
          assert.ok(bound.port > 0, 'a UDP bind() is a real bind');
          assert.ok(receiver.fd !== null && receiver.inode() !== null);
          assert.equal((await rowByInode(receiver.inode()))?.state, 'UNCONN');
          const sender = engine().socket('udp', family);
          assert.equal(await sender.sendto(Buffer.from('one'), address, bound.port, wait()), 3);
          assert.equal(await sender.sendto(Buffer.from('two'), address, bound.port, wait()), 3);
          const from = sender.localAddress();
          assert.ok(from && from.port > 0, 'sendto() bound the sender implicitly');
          const first = await receiver.recvfrom(100, wait());
          assert.equal(first.data.toString(), 'one');
          assert.equal(first.from.port, from.port);
          assert.equal((await receiver.recvfrom(100, wait())).data.toString(), 'two');
          await rejectsWith(receiver.recvfrom(100, nb()), 'EAGAIN');
          const named = engine().socket('udp', family);
          const namedAt = await named.bind(address, 0);
          await named.sendto(Buffer.from('three'), address, bound.port, wait());
          assert.deepEqual((await receiver.recvfrom(100, wait())).from, namedAt);
        });
      }

      test('a second UDP bind to a port in use is EADDRINUSE, at bind() itself', T, async () => {
        const first = engine().socket('udp', 4);
        const { port } = await first.bind(LO[4], 0);
        const second = engine().socket('udp', 4);
        await rejectsWith(second.bind(LO[4], port), 'EADDRINUSE');
        assert.ok((await second.bind(LO[4], 0)).port > 0, 'the socket can still bind elsewhere');
      });

      test('a datagram longer than max is cut, and the rest is lost', T, async () => {
        const receiver = engine().socket('udp', 4);
        const { port } = await receiver.bind(LO[4], 0);
        const sender = engine().socket('udp', 4);
        await sender.sendto(Buffer.from('abcdefgh'), LO[4], port, wait());
        await sender.sendto(Buffer.from('next'), LO[4], port, wait());
        assert.equal((await receiver.recvfrom(3, wait())).data.toString(), 'abc');
        assert.equal((await receiver.recvfrom(100, wait())).data.toString(), 'next');
      });

      test('a blocking recvfrom waits and takes the datagram (the watch stays quiet); later arrivals are data-waiting with their size', T, async () => {
        const receiver = engine().socket('udp', 4);
        const { port } = await receiver.bind(LO[4], 0);
        const changes = record(receiver);
        const sender = engine().socket('udp', 4);
        const w = wait();
        const receiving = receiver.recvfrom(100, w);
        assert.equal(await stateAfter(receiving, 50), 'pending');
        await sender.sendto(Buffer.from('wake up'), LO[4], port, wait());
        assert.equal((await receiving).data.toString(), 'wake up');
        assert.equal(w.blockedCount(), 1);
        await sleep(50);
        assert.deepEqual(changes.seen, [], 'the waiting recvfrom took the datagram; nothing to report');
        await sender.sendto(Buffer.from('12345'), LO[4], port, wait());
        assert.deepEqual(await changes.next((c) => c.change === 'data-waiting'), { change: 'data-waiting', bytes: 5 });
        assert.deepEqual(changes.seen, [{ change: 'data-waiting', bytes: 5 }]);
      });

      test('connected UDP: send() without an address, and ECONNREFUSED from a closed port on a waiting and a later call', T, async () => {
        const receiver = engine().socket('udp', 4);
        const { port } = await receiver.bind(LO[4], 0);
        const sender = engine().socket('udp', 4);
        await sender.connect(LO[4], port, wait());
        assert.deepEqual(sender.remoteAddress(), { address: LO[4], port });
        assert.equal((await rowByInode(sender.inode()))?.state, 'ESTABLISHED');
        assert.equal(await sender.send(Buffer.from('via connect'), wait()), 11);
        assert.equal((await receiver.recvfrom(100, wait())).data.toString(), 'via connect');

        receiver.close(); // nobody listens there now
        const receiving = sender.recvfrom(100, wait());
        await sender.send(Buffer.from('nobody home'), wait());
        await rejectsWith(receiving, 'ECONNREFUSED');

        assert.equal(await sender.send(Buffer.from('ping'), wait()), 4);
        await sleep(50); // the ICMP "port unreachable" comes back through loopback
        await rejectsWith(sender.send(Buffer.from('ping'), wait()), 'ECONNREFUSED');
      });

      test('close cancels a pending recvfrom', T, async () => {
        const receiver = engine().socket('udp', 6);
        await receiver.bind(LO[6], 0);
        const receiving = receiver.recvfrom(100, wait());
        await sleep(20);
        receiver.close();
        await rejectsWith(receiving, 'E_CANCELLED');
        assert.equal(receiver.fd, null);
      });
    });

    describe('other programs and cleanup', () => {
      test('nc connects to an engine socket: bytes both ways, then end of stream', { ...T, skip: needs('nc') }, async () => {
        const { server, port } = await listener();
        const changes = record(server);
        // -N: shut down the write side at end of input, so the lab sees end of stream.
        const child = spawn('nc', ['-N', '-w', '5', LO[4], String(port)], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 8000 });
        children.add(child);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
        await changes.next((c) => c.change === 'connection-waiting');
        const { socket, peer } = await server.accept(wait());
        assert.equal(peer.address, LO[4]);
        child.stdin.write('hello from nc\n');
        assert.equal((await socket.recv(100, wait())).toString(), 'hello from nc\n');
        await socket.send(Buffer.from('hello from the lab\n'), wait());
        await eventually('nc prints the reply', () => (out.includes('hello from the lab') ? true : undefined));
        child.stdin.end();
        assert.equal((await socket.recv(100, wait())).length, 0, 'EOF from nc');
        socket.close();
        assert.equal(await exited, 0);
        assert.equal(out, 'hello from the lab\n');
      });

      for (const family of FAMILIES) {
        test(`a python3 client joins a listening engine socket over IPv${family}`, { ...T, skip: needs('python3') }, async () => {
          const { server, port } = await listener(family);
          const script = [
            'import socket',
            `s = socket.create_connection(("${LO[family]}", ${port}), timeout=5)`,
            's.sendall(b"hello from python")',
            'print(s.recv(100).decode())',
            's.close()',
          ].join('\n');
          const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 8000 });
          children.add(child);
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
          const { socket, peer } = await server.accept(wait());
          assert.equal(peer.address, LO[family]);
          assert.equal((await socket.recv(100, wait())).toString(), 'hello from python');
          await socket.send(Buffer.from('hello from the lab'), wait());
          assert.equal(await exited, 0);
          assert.equal(out.trim(), 'hello from the lab');
          assert.equal((await socket.recv(100, wait())).length, 0, 'python closed: end of stream');
        });
      }

      test('closeAll cancels waiting calls, closes every socket, and leaves the process fd count at its baseline', T, async () => {
        // Warm up once so that libuv's own lazily opened fds are part of the baseline.
        await pair();
        engine().closeAll();
        await sleep(50);
        const baseline = fdCount();
        const baseList = fdList();

        const { client } = await pair(6);
        await client.send(Buffer.from('unread'), wait());
        const { server } = await listener();
        const queued = engine().socket('tcp', 4);
        await queued.connect(LO[4], server.localAddress()!.port, wait()); // left in the accept queue
        const accepting = engine().socket('tcp', 4);
        await accepting.bind(LO[4], 0);
        await accepting.listen(1);
        const waitingAccept = accepting.accept(wait()).catch((e: { code: string }) => e.code);
        const waitingTcp = client.recv(1, wait()).catch((e: { code: string }) => e.code);
        const blocked = engine().socket('udp', 6);
        await blocked.bind(LO[6], 0);
        const waitingUdp = blocked.recvfrom(1, wait()).catch((e: { code: string }) => e.code);
        assert.ok(fdCount() > baseline);

        engine().closeAll();
        assert.equal(await waitingUdp, 'E_CANCELLED');
        assert.equal(await waitingTcp, 'E_CANCELLED');
        assert.equal(await waitingAccept, 'E_CANCELLED');
        for (const s of [client, server, queued, accepting, blocked]) assert.equal(s.fd, null);
        await sleep(100); // let libuv run the close callbacks of the watches
        assert.equal(fdCount(), baseline, `now: ${fdList()}\nat the start: ${baseList}`);
      });
    });
  });
}
