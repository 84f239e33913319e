/**
 * The native addon in worker threads (the ground `--workers` would stand on): each thread that loads
 * it gets its own instance (NAPI_MODULE_INIT, per-environment state, no globals), so its fds, its
 * watches and its syscall clock are its own; a thread cannot name another thread's fds; and a
 * terminated worker's sockets are closed by the addon's teardown hook while the process and the
 * other threads carry on. Real sockets on loopback, port 0.
 */
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ADDON_PATH, loadNativeAddon } from '../../server/engines/native/addon.ts';
import { eventually } from '../helpers/engine.ts';

const T = { timeout: 20_000 };

/**
 * A worker that loads the addon and answers requests: `conversation` makes a listener, connects to
 * it, accepts, sends and receives (every call a real syscall), and reports its fds; `use` tries a
 * given fd (EBADF unless this worker created it); `count` reports ownedCount and the syscall clock.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addonPath);
parentPort.on('message', (m) => {
  try {
    if (m.op === 'conversation') {
      const l = addon.socket(4, 'tcp');
      addon.bind(l, '127.0.0.1', 0);
      addon.listen(l, 8);
      const port = addon.getsockname(l).port;
      const c = addon.socket(4, 'tcp');
      try { addon.connect(c, '127.0.0.1', port); } catch (e) { if (e.code !== 'EINPROGRESS') throw e; }
      const a = addon.accept(l).fd;
      addon.send(c, Buffer.from(m.text));
      const got = addon.recv(a, 100).toString();
      parentPort.postMessage({ ok: true, fds: [l, c, a], got });
    } else if (m.op === 'use') {
      try { addon.getsockname(m.fd); parentPort.postMessage({ ok: true, code: null }); }
      catch (e) { parentPort.postMessage({ ok: true, code: e.code }); }
    } else if (m.op === 'count') {
      parentPort.postMessage({ ok: true, owned: addon.ownedCount(), clock: addon.syscallClock() });
    }
  } catch (e) {
    parentPort.postMessage({ ok: false, code: e.code, message: e.message });
  }
});
`;

interface Answer {
  ok: boolean;
  fds?: number[];
  got?: string;
  code?: string | null;
  owned?: number;
  clock?: [number, number];
  message?: string;
}

function startWorker(): { worker: Worker; ask: (m: object) => Promise<Answer> } {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { addonPath: ADDON_PATH } });
  const ask = (m: object) =>
    new Promise<Answer>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(m);
    });
  return { worker, ask };
}

/** The socket an fd names in this process now ("socket:[inode]"), or null when the fd is closed. */
function socketAt(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

describe('native addon in worker threads', { skip: loadNativeAddon() ? false : 'the native addon is not built' }, () => {
  const workers: Worker[] = [];
  after(async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  });

  test('each worker has its own instance: its own fds, count and clock; another thread cannot use them; terminating one closes its sockets and spares the rest', T, async () => {
    const a = startWorker();
    const b = startWorker();
    workers.push(a.worker, b.worker);
    const mainOwned = loadNativeAddon()!.ownedCount();

    const [ra, rb] = await Promise.all([a.ask({ op: 'conversation', text: 'from a' }), b.ask({ op: 'conversation', text: 'from b' })]);
    assert.ok(ra.ok && rb.ok, `${ra.message ?? ''} ${rb.message ?? ''}`);
    assert.equal(ra.got, 'from a');
    assert.equal(rb.got, 'from b');

    const [ca, cb] = await Promise.all([a.ask({ op: 'count' }), b.ask({ op: 'count' })]);
    assert.equal(ca.owned, 3, "worker a counts its own three sockets");
    assert.equal(cb.owned, 3, "worker b counts its own three sockets, not a's");
    assert.ok(ca.clock![1] >= 8, 'the syscall clock counted worker a\'s calls');
    assert.equal(loadNativeAddon()!.ownedCount(), mainOwned, "the main thread's instance holds none of them");

    // The same process, one fd table: the fds exist, yet b's instance refuses a's (it did not create them).
    const foreign = await b.ask({ op: 'use', fd: ra.fds![0] });
    assert.equal(foreign.code, 'EBADF');
    const own = await a.ask({ op: 'use', fd: ra.fds![0] });
    assert.equal(own.code, null);

    // A worker ends abruptly (terminate(), as a crash would): the addon's teardown closes its sockets.
    // Worker threads share the process's fd table, so a's sockets are visible here until then.
    const before = ra.fds!.map(socketAt);
    assert.ok(before.every((name) => name?.startsWith('socket:')), `a's fds are open sockets: ${before.join(', ')}`);
    await a.worker.terminate();
    // An fd number may be reused at once by someone else's new socket: compare the socket (inode), not the number.
    await eventually("worker a's sockets to be closed", () => (ra.fds!.every((fd, i) => socketAt(fd) !== before[i]) ? true : undefined), 5000);
    // Worker b carries on: its sockets still work and its count is unchanged.
    const again = await b.ask({ op: 'conversation', text: 'still here' });
    assert.equal(again.got, 'still here');
    assert.equal((await b.ask({ op: 'count' })).owned, 6);
  });
});
