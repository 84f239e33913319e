/**
 * The native engine used directly (no WebSocket): the shared EngineSocket contract
 * (engine-contract.shared.ts), then what only one real call per step can show — bind and listen
 * as two calls, the kernel's accept queue and backlog, bytes waiting in the kernel until recv(),
 * a watch that never collects a pending error — and the addon's own checks on the fds it is given.
 */
import assert from 'node:assert/strict';
import { fstatSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { createNativeEngine } from '../../server/engines/native/index.ts';
import { readKernelTable } from '../../server/kernel/procnet.ts';
import { bl, eventually, LO, nb, record, rejectsWith, rowByInode, sockets, wait } from '../helpers/engine.ts';
import { defineEngineContract } from './engine-contract.shared.ts';

const T = { timeout: 15_000 };

defineEngineContract('native', createNativeEngine);

describe('native engine: what only one real call per step shows', () => {
  const engine = createNativeEngine();
  const addon = loadNativeAddon()!;
  const { listener, pair } = sockets(() => engine);
  afterEach(() => {
    engine.closeAll();
  });

  describe('one call per step, as the kernel sees it', () => {
    test('says nothing is combined: composite is empty', () => {
      assert.deepEqual(engine.composite, {});
    });

    test('socket() makes the kernel socket at once; bind and listen are two calls: a bound socket is not LISTEN until listen()', T, async () => {
      const s = engine.socket('tcp', 4);
      assert.equal(typeof s.fd, 'number');
      const at = await s.bind(LO[4], 0);
      assert.equal(at.address, LO[4]);
      assert.ok(at.port > 0, 'the kernel picked a port at bind()');
      // Linux lists a bound-only TCP socket nowhere in /proc/net/tcp: certainly not as LISTEN.
      const bound = await rowByInode(s.inode());
      assert.notEqual(bound?.state, 'LISTEN');
      await s.listen(5);
      const row = await rowByInode(s.inode());
      assert.equal(row?.state, 'LISTEN');
      assert.deepEqual(row?.local, at);
    });

    test('connections complete into the accept queue before accept(): rxQueue of the listener = 2', T, async () => {
      const { server, port } = await listener(4, 8);
      const a = engine.socket('tcp', 4);
      const b = engine.socket('tcp', 4);
      await a.connect(LO[4], port, bl());
      await b.connect(LO[4], port, bl());
      const row = await eventually('two queued connections', async () => {
        const r = await rowByInode(server.inode());
        return r?.rxQueue === 2 ? r : undefined;
      });
      assert.equal(row.state, 'LISTEN');
      // The queued connections are the kernel's own: ESTABLISHED rows with no fd (inode 0) yet.
      const queued = (await readKernelTable()).filter((r) => r.inode === 0 && r.local.port === port && r.state === 'ESTABLISHED');
      assert.equal(queued.length, 2);
      const first = await server.accept(nb());
      assert.deepEqual(first.peer, a.localAddress());
      assert.equal((await rowByInode(server.inode()))?.rxQueue, 1);
    });

    test('with the accept queue full (backlog 1), a further non-blocking client stays in SYN_SENT', T, async () => {
      const { server, port } = await listener(4, 1);
      const clients = [engine.socket('tcp', 4), engine.socket('tcp', 4)];
      for (const c of clients) await c.connect(LO[4], port, bl());
      await eventually('a full queue', async () => ((await rowByInode(server.inode()))?.rxQueue === 2 ? true : undefined));
      const late = engine.socket('tcp', 4);
      await rejectsWith(late.connect(LO[4], port, nb()), 'EINPROGRESS');
      await sleep(300); // the kernel dropped its SYN; the first retry is a second away
      const row = await rowByInode(late.inode());
      assert.equal(row?.state, 'SYN_SENT');
      assert.equal(row?.remote.port, port);
    });

    test('waiting costs no CPU: a blocked recv for 300 ms uses almost none', T, async () => {
      const { client, accepted } = await pair();
      const receiving = accepted.recv(100, wait());
      const before = process.cpuUsage();
      await sleep(300);
      const used = process.cpuUsage(before);
      assert.ok(used.user + used.system < 100_000, `used ${(used.user + used.system) / 1000} ms of CPU while waiting`);
      await client.send(Buffer.from('x'), bl());
      assert.equal((await receiving).toString(), 'x');
    });

    test('bytes sent before recv wait in the kernel (rxQueue = 5), even while watched, until recv takes them all', T, async () => {
      const { client, accepted } = await pair();
      const changes = record(accepted);
      assert.equal(await client.send(Buffer.from('ab'), bl()), 2);
      assert.equal(await client.send(Buffer.from('cde'), bl()), 3);
      const row = await eventually('5 bytes queued', async () => {
        const r = await rowByInode(accepted.inode());
        return r?.rxQueue === 5 ? r : undefined;
      });
      assert.equal(row.state, 'ESTABLISHED');
      await changes.next((c) => c.change === 'data-waiting');
      assert.equal((await rowByInode(accepted.inode()))?.rxQueue, 5, 'the watch only peeked');
      assert.equal((await accepted.recv(100, nb())).toString(), 'abcde');
      assert.equal((await rowByInode(accepted.inode()))?.rxQueue, 0);
    });

    test('a connected UDP socket: the watch neither collects nor reports the pending ECONNREFUSED; the next call gets it', T, async () => {
      const probe = engine.socket('udp', 4);
      const { port } = await probe.bind(LO[4], 0);
      probe.close(); // nobody listens there now
      const u = engine.socket('udp', 4);
      const changes = record(u);
      await u.connect(LO[4], port, bl());
      assert.equal(await u.send(Buffer.from('ping'), bl()), 4);
      await sleep(50); // the ICMP "port unreachable" comes back through loopback
      await rejectsWith(u.send(Buffer.from('ping'), bl()), 'ECONNREFUSED');
      assert.deepEqual(changes.seen, [], 'the watch did not consume or report the pending error');
    });

    test('an address that is not an IP address is refused before any call (E_BAD_REQUEST)', T, async () => {
      const v6 = engine.socket('udp', 6);
      await rejectsWith(v6.bind('not-an-address', 0), 'E_BAD_REQUEST');
    });
  });

  describe('the addon keeps to its own fds', () => {
    test('the addon refuses fds it did not create (0, 1, 2, a net.Socket) with EBADF and leaves them open', T, async () => {
      const server = net.createServer((conn) => conn.destroy());
      await new Promise<void>((resolve) => server.listen(0, LO[4], resolve));
      try {
        await refusesForeignFds(server);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    async function refusesForeignFds(server: net.Server) {
      const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
      assert.ok(fd > 2);
      for (const victim of [0, 1, 2, fd]) {
        assert.throws(() => addon.close(victim), { code: 'EBADF' });
        assert.throws(() => addon.send(victim, Buffer.from('x')), { code: 'EBADF' });
        assert.throws(() => addon.recv(victim, 1), { code: 'EBADF' });
        assert.throws(() => addon.listen(victim, 1), { code: 'EBADF' });
        assert.throws(() => addon.shutdown(victim, 'both'), { code: 'EBADF' });
        assert.throws(() => addon.pollStart(victim, { readable: true }, () => {}), { code: 'EBADF' });
        assert.doesNotThrow(() => fstatSync(victim), `fd ${victim} is still open`);
      }
      assert.throws(() => addon.close(-1), { code: 'EBADF' });
      assert.throws(() => addon.close('3' as unknown as number), TypeError);
      const own = engine.socket('udp', 4);
      assert.throws(() => addon.recv(own.fd!, 0), RangeError);
      own.close();
      // The server behind that fd still works.
      const port = (server.address() as net.AddressInfo).port;
      const c = engine.socket('tcp', 4);
      await c.connect(LO[4], port, bl());
      c.close();
    }

    test('a closed socket is forgotten: its old fd number is EBADF for the addon', T, async () => {
      const s = engine.socket('tcp', 4);
      const fd = s.fd!;
      s.close();
      assert.throws(() => addon.close(fd), { code: 'EBADF' });
    });

    test('closeAll leaves the addon owning no fd', T, async () => {
      const { server } = await pair();
      const pending = rejectsWith(server.accept(bl()), 'E_CANCELLED');
      const u = engine.socket('udp', 6);
      await u.bind(LO[6], 0);
      assert.ok(addon.ownedCount() >= 4);
      engine.closeAll();
      await pending;
      assert.equal(addon.ownedCount(), 0);
    });
  });
});
