/**
 * The process-wide count of lab sockets across threads (server/lab/fd-count.ts): here two counts on
 * one buffer stand for two threads, each with its own sockets (a number the test moves).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedFdCount } from '../../server/lab/fd-count.ts';

test('reservations from two threads stop at the budget together, and closes free places', () => {
  const buffer = SharedFdCount.buffer(1);
  const own = { main: 0, worker: 0 };
  const main = new SharedFdCount(buffer, 1, () => own.main);
  const worker = new SharedFdCount(buffer, 2, () => own.worker);
  try {
    // Each check that passes is a socket opening at once, as in the socket table.
    const open = (c: SharedFdCount, who: 'main' | 'worker') => {
      if (c.reserve(10) >= 10) return false;
      own[who]++;
      return true;
    };
    let opened = 0;
    for (let i = 0; i < 8; i++) opened += Number(open(worker, 'worker')) + Number(open(main, 'main'));
    assert.equal(opened, 10);
    assert.equal(SharedFdCount.total(buffer), 10);
    assert.equal(open(main, 'main'), false, 'the budget holds for the thread with fewer sockets too');
    // The worker closes three: once it syncs, the main thread may open three more, not four.
    own.worker -= 3;
    worker.sync();
    assert.equal([open(main, 'main'), open(main, 'main'), open(main, 'main'), open(main, 'main')].filter(Boolean).length, 3);
    assert.equal(SharedFdCount.total(buffer), 10);
  } finally {
    main.close();
    worker.close();
  }
  assert.equal(SharedFdCount.total(buffer), 0);
});

test('a check whose socket did not open gives its place back at the next sync', () => {
  const buffer = SharedFdCount.buffer(1);
  const other = new SharedFdCount(buffer, 1, () => 0);
  const count = new SharedFdCount(buffer, 2, () => 0);
  try {
    assert.equal(count.reserve(1), 0, 'the check passes: the place is taken');
    assert.equal(other.reserve(1), 1, 'another thread finds no place left');
    count.sync(); // no socket opened after all (EMFILE, say)
    assert.equal(other.reserve(1), 0, 'the place is free again');
  } finally {
    count.close();
    other.close();
  }
});

test("a dead worker's part leaves the total", () => {
  const buffer = SharedFdCount.buffer(2);
  const alive = new SharedFdCount(buffer, 2, () => 2);
  const dying = new SharedFdCount(buffer, 3, () => 5);
  alive.sync();
  dying.sync();
  assert.equal(SharedFdCount.total(buffer), 7);
  SharedFdCount.forget(buffer, 3); // the main thread, after the worker exited without closing
  assert.equal(SharedFdCount.total(buffer), 2);
  alive.close();
  dying.close(); // only in the test: a dead thread runs nothing
});
