/**
 * The fallback engine (net/dgram) used directly: the shared EngineSocket contract
 * (engine-contract.shared.ts), then what this engine does differently from one real call per step,
 * as its composite notes (server/engines/node/composite.ts) tell the learner — each checked on
 * real loopback sockets, with the kernel's own view where a note claims something about the kernel.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNodeEngine } from '../../server/engines/node/index.ts';
import type { Engine } from '../../server/engines/types.ts';
import { closedPort, LO, nb, record, rejectsWith, rowByInode, sockets, stateAfter, wait } from '../helpers/engine.ts';
import { defineEngineContract } from './engine-contract.shared.ts';

const LIMIT = { timeout: 10_000 };

defineEngineContract('node', createNodeEngine);

describe('node engine: what only the fallback does', () => {
  let engine: Engine;
  beforeEach(() => {
    engine = createNodeEngine();
  });
  afterEach(() => {
    engine.closeAll();
  });
  const { listener, pair } = sockets(() => engine);

  describe('identity', () => {
    test('describes each composite step', () => {
      for (const op of ['socket', 'bind', 'listen', 'accept', 'connect', 'send', 'recv', 'recvfrom', 'shutdown', 'close']) {
        assert.ok((engine.composite[op] ?? '').length > 20, `composite note for ${op}`);
      }
      assert.match(engine.composite.listen, /bind\(\)\+listen\(\) together/);
    });
  });

  describe('where it combines steps (its composite notes)', () => {
    for (const family of [4, 6] as const) {
      test(`socket: no kernel socket for TCP until listen(); bind() only records the address (IPv${family})`, LIMIT, async () => {
        const address = LO[family];
        const server = engine.socket('tcp', family);
        assert.equal(server.fd, null, 'no kernel socket before listen()');
        assert.equal(server.inode(), null);
        assert.deepEqual(await server.bind(address, 0), { address, port: 0 });
        assert.equal(server.fd, null, 'bind() only records the address');
        await server.listen(8);
        assert.ok(server.fd !== null && server.fd > 2);
        const inode = server.inode();
        assert.ok(inode !== null && inode > 0);
        assert.equal((await rowByInode(inode))?.state, 'LISTEN');
      });
    }

    test('socket: a UDP socket gets its fd at bind()', LIMIT, async () => {
      const receiver = engine.socket('udp', 4);
      assert.equal(receiver.fd, null);
      await receiver.bind(LO[4], 0);
      assert.ok(receiver.fd !== null);
    });

    test('bind: a name that is not an address of the family is EINVAL', LIMIT, async () => {
      await rejectsWith(engine.socket('tcp', 4).bind('localhost', 0), 'EINVAL');
    });

    test('bind: a port another program holds is EADDRINUSE at bind() (a trial bind); one taken after bind() at listen()', LIMIT, async () => {
      const listenOn = (port: number) => new Promise<net.Server>((resolve) => {
        const s = net.createServer();
        s.listen(port, LO[4], () => resolve(s));
      });
      const other = await listenOn(0);
      const { port } = other.address() as net.AddressInfo;
      await rejectsWith(engine.socket('tcp', 4).bind(LO[4], port), 'EADDRINUSE');
      await new Promise((resolve) => other.close(resolve));
      const socket = engine.socket('tcp', 4);
      await socket.bind(LO[4], port); // free now, and only recorded: Node binds inside listen()
      const late = await listenOn(port);
      try {
        await rejectsWith(socket.listen(8), 'EADDRINUSE');
        assert.equal(socket.fd, null);
      } finally {
        late.close();
      }
    });

    test('connect: a blocking connect always shows as blocked; after ECONNREFUSED there is no fd and the socket can connect again', LIMIT, async () => {
      const port = await closedPort();
      const client = engine.socket('tcp', 4);
      const w = wait();
      await rejectsWith(client.connect(LO[4], port, w), 'ECONNREFUSED');
      assert.equal(w.blockedCount(), 1);
      assert.equal(client.fd, null);
      const { port: open } = await listener();
      await client.connect(LO[4], open, wait());
      assert.deepEqual(client.remoteAddress(), { address: LO[4], port: open });
    });

    test('connect: the handshake is always asynchronous, so a second non-blocking connect at once is EALREADY', LIMIT, async () => {
      const { port } = await listener();
      const client = engine.socket('tcp', 4);
      await rejectsWith(client.connect(LO[4], port, nb()), 'EINPROGRESS');
      await rejectsWith(client.connect(LO[4], port, nb()), 'EALREADY');
    });

    test('connect: a non-blocking connect that fails in the background is reported by the watch, then given to the next call', LIMIT, async () => {
      const port = await closedPort();
      const client = engine.socket('tcp', 4);
      const changes = record(client);
      await rejectsWith(client.connect(LO[4], port, nb()), 'EINPROGRESS');
      assert.deepEqual(await changes.next((c) => c.change === 'error'), { change: 'error', errno: 'ECONNREFUSED' });
      await rejectsWith(client.connect(LO[4], port, nb()), 'ECONNREFUSED');
      await rejectsWith(client.connect(LO[4], port, nb()), 'EINPROGRESS');
    });

    test('recv: one waiting call per direction; a second recv while one waits is E_BUSY', LIMIT, async () => {
      const { client, accepted } = await pair();
      const receiving = accepted.recv(100, wait());
      assert.equal(await stateAfter(receiving, 50), 'pending');
      await rejectsWith(accepted.recv(100, wait()), 'E_BUSY');
      await client.send(Buffer.from('late'), wait());
      assert.equal((await receiving).toString(), 'late');
    });

    test('shutdown(read): bytes already received are still readable, then end of stream; later bytes are dropped', LIMIT, async () => {
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

    test('recvfrom: on a connected UDP socket the ECONNREFUSED arrives as an event, reported by the watch and kept for the next call', LIMIT, async () => {
      const receiver = engine.socket('udp', 4);
      const { port } = await receiver.bind(LO[4], 0);
      const sender = engine.socket('udp', 4);
      await sender.connect(LO[4], port, wait());
      receiver.close();
      const changes = record(sender);
      await sender.send(Buffer.from('again'), wait());
      assert.deepEqual(await changes.next((c) => c.change === 'error'), { change: 'error', errno: 'ECONNREFUSED' });
      await rejectsWith(sender.send(Buffer.from('and again'), wait()), 'ECONNREFUSED');
    });
  });
});
