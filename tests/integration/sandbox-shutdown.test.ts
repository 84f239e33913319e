/**
 * Shutting the sandbox down while replies are still on their way (a server stopping with a class's
 * networks alive: each session's destroy is sent, then the helper's stdin is ended) must not leak
 * listeners on the ended pipe. Node's `unref()` on a socket without a handle queues a `connect`
 * listener that never fires; one per late reply used to pile up into a MaxListenersExceededWarning.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSandbox } from '../../server/sandbox/index.ts';
import { needs } from '../helpers/tools.ts';

const skip = needs('unshare', 'ip', 'nft');

test('replies that arrive after close() leave no listener behind (no MaxListenersExceededWarning)', { skip, timeout: 60_000 }, async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const sandbox = createSandbox();
    const nets = [];
    for (let i = 0; i < 30; i += 10) nets.push(...(await Promise.all(Array.from({ length: 10 }, () => sandbox.create('home')))));
    // As the lab's shutdown does: every session's network destroyed, then the helper stopped at once.
    const destroyed = nets.map((n) => n.destroy().catch(() => {}));
    await sandbox.close();
    await Promise.all(destroyed);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.filter((w) => /MaxListenersExceeded/.test(w)), []);
});
