/** When a lesson counts as read (app/_lib/read-clock.ts): its end seen, after 30 s of the page visible. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { READ_AFTER_MS, ReadClock } from '../../app/_lib/read-clock.ts';

test('scrolling straight to the end does not count; the end seen after the time does', () => {
  const c = new ReadClock(0, true);
  c.sawEnd();
  assert.equal(c.isRead(1000), false);
  assert.equal(c.remaining(1000), READ_AFTER_MS - 1000);
  assert.equal(c.isRead(READ_AFTER_MS), true, 'the end seen early is remembered');
});

test('time in a hidden tab does not count', () => {
  const c = new ReadClock(0, true);
  c.hidden(10_000);
  c.visible(1_000_000);
  c.sawEnd();
  assert.equal(c.spent(1_010_000), 20_000);
  assert.equal(c.isRead(1_010_000), false);
  assert.equal(c.isRead(1_020_000), true);
});

test('a page opened in the background starts counting when it is shown', () => {
  const c = new ReadClock(0, false);
  assert.equal(c.spent(50_000), 0);
  c.visible(50_000);
  c.hidden(60_000);
  c.hidden(70_000);
  assert.equal(c.spent(90_000), 10_000);
});

test('time alone is not enough: the end must be seen', () => {
  const c = new ReadClock(0, true);
  assert.equal(c.isRead(10 * READ_AFTER_MS), false);
});
