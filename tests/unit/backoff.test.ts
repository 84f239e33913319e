/**
 * Reconnect delays (app/_lib/backoff.ts), shared by the lab and the class: full jitter under a
 * ceiling that doubles per failed attempt, capped, and back to the start after a success.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, RetrySchedule } from '../../app/_lib/backoff.ts';

const B = { baseMs: 500, maxMs: 8000 };

/** A small seeded generator (mulberry32), so the spread checks are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('backoffDelay', () => {
  test('the ceiling doubles per attempt, from the base, up to the cap', () => {
    const top = (attempt: number) => backoffDelay(attempt, B, () => 1);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(top), [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  test('full jitter: anything from 0 up to the ceiling', () => {
    assert.equal(backoffDelay(0, B, () => 0), 0);
    assert.equal(backoffDelay(3, B, () => 0.5), 2000);
    const random = seeded(1);
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(500 * 2 ** attempt, 8000);
      const draws = Array.from({ length: 400 }, () => backoffDelay(attempt, B, random));
      assert.ok(draws.every((d) => Number.isInteger(d) && d >= 0 && d <= ceiling), `attempt ${attempt}: all within [0, ${ceiling}]`);
      // Spread over the whole window, not bunched at one end (a fixed or half-jitter schedule is not).
      assert.ok(Math.min(...draws) < ceiling * 0.1, `attempt ${attempt}: some early retries`);
      assert.ok(Math.max(...draws) > ceiling * 0.9, `attempt ${attempt}: some late retries`);
      const mean = draws.reduce((a, d) => a + d, 0) / draws.length;
      assert.ok(Math.abs(mean - ceiling / 2) < ceiling * 0.1, `attempt ${attempt}: mean ${mean} near ${ceiling / 2}`);
    }
  });

  test('300 tabs reconnecting after a restart do not arrive together', () => {
    const random = seeded(42);
    const first = Array.from({ length: 300 }, () => backoffDelay(0, B, random));
    // Per 50 ms slot of the 500 ms window, about 30 arrive; never most of the class at once.
    const slots = new Map<number, number>();
    for (const d of first) slots.set(Math.floor(d / 50), (slots.get(Math.floor(d / 50)) ?? 0) + 1);
    assert.ok(Math.max(...slots.values()) <= 60, `the busiest 50 ms slot has ${Math.max(...slots.values())} of 300`);
    assert.ok(slots.size >= 10, 'every part of the window is used');
  });

  test('very many attempts stay at the cap (no overflow to Infinity or NaN)', () => {
    for (const attempt of [30, 1024, 1e6]) assert.equal(backoffDelay(attempt, B, () => 1), 8000);
    assert.equal(backoffDelay(-3, B, () => 1), 500, 'a negative attempt counts as the first');
  });
});

describe('RetrySchedule', () => {
  test('grows with each failure, and a success starts over from the base', () => {
    const schedule = new RetrySchedule(B, () => 1);
    assert.deepEqual([schedule.next(), schedule.next(), schedule.next(), schedule.next(), schedule.next(), schedule.next()], [500, 1000, 2000, 4000, 8000, 8000]);
    schedule.reset();
    assert.equal(schedule.next(), 500);
    assert.equal(schedule.next(), 1000);
  });

  test('uses Math.random by default and stays within the window', () => {
    const schedule = new RetrySchedule({ baseMs: 100, maxMs: 1000 });
    for (let i = 0; i < 20; i++) {
      const d = schedule.next();
      assert.ok(d >= 0 && d <= Math.min(100 * 2 ** i, 1000), `retry ${i}: ${d}`);
    }
  });
});
