/** server/lab/shared-read.ts: reads shared among concurrent callers, never older than the ask. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedRead } from '../../server/lab/shared-read.ts';

test('callers who ask during a read share the next one, which starts after they asked', async () => {
  let started = 0;
  const releases: (() => void)[] = [];
  const read = sharedRead(
    () =>
      new Promise<number>((resolve) => {
        const n = ++started;
        releases.push(() => resolve(n));
      }),
  );
  const first = read();
  const during = [read(), read(), read()];
  assert.equal(started, 1, 'no second read while the first runs');
  releases[0]();
  assert.equal(await first, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(started, 2, 'the queued read starts once the first ends');
  releases[1]();
  assert.deepEqual(await Promise.all(during), [2, 2, 2], 'they share the read that started after they asked');
  const later = read();
  assert.equal(started, 3);
  releases[2]();
  assert.equal(await later, 3);
});

test('a failed read fails its callers only; the next read is made afresh', async () => {
  let calls = 0;
  const read = sharedRead(async () => {
    calls++;
    if (calls === 1) throw new Error('EIO');
    return calls;
  });
  await assert.rejects(read(), /EIO/);
  assert.equal(await read(), 2);
});
