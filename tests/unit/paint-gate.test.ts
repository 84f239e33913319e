/**
 * The paint gate (app/_lib/lab/paint-gate.ts): between a click and the paint of its provisional
 * row, the session's other updates wait, and then run in the order they came, once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PaintGate } from '../../app/_lib/lab/paint-gate.ts';

const T = { timeout: 5_000 };

/** A frame clock the test drives: each paint runs what was waiting for it. */
function clock() {
  let waiting: (() => void)[] = [];
  return {
    afterPaint: (fn: () => void) => void waiting.push(fn),
    paint() {
      const now = waiting;
      waiting = [];
      for (const fn of now) fn();
    },
    get pending() {
      return waiting.length;
    },
  };
}

describe('paint gate', T, () => {
  test('with no click pending, an update applies at once', () => {
    const frames = clock();
    const gate = new PaintGate(frames.afterPaint);
    const seen: string[] = [];
    gate.run(() => seen.push('step'));
    assert.deepEqual(seen, ['step']);
    assert.equal(frames.pending, 0);
  });

  test("after a click, updates wait for the click's frame to be painted, then apply in order", () => {
    const frames = clock();
    const gate = new PaintGate(frames.afterPaint);
    const seen: string[] = [];
    gate.hold();
    gate.run(() => seen.push('step 1'));
    gate.run(() => seen.push('answered ui1'));
    gate.run(() => seen.push('kernel'));
    assert.equal(seen.length, 0);
    assert.equal(gate.holding, true);
    frames.paint();
    assert.deepEqual(seen, ['step 1', 'answered ui1', 'kernel']);
    assert.equal(gate.holding, false);
    gate.run(() => seen.push('after'));
    assert.equal(seen.at(-1), 'after');
  });

  test('clicks within one frame share the wait; each update runs exactly once', () => {
    const frames = clock();
    const gate = new PaintGate(frames.afterPaint);
    const seen: number[] = [];
    gate.hold();
    gate.run(() => seen.push(1));
    gate.hold();
    gate.run(() => seen.push(2));
    assert.equal(frames.pending, 1, 'one wait for the frame, not one per click');
    frames.paint();
    frames.paint();
    assert.deepEqual(seen, [1, 2]);
  });

  test('an update that makes a new call (a click from a held update) waits for the next frame', () => {
    const frames = clock();
    const gate = new PaintGate(frames.afterPaint);
    const seen: string[] = [];
    gate.hold();
    gate.run(() => {
      seen.push('step');
      gate.hold(); // e.g. a scenario's next call, made when its step arrives
      gate.run(() => seen.push('its answer'));
    });
    frames.paint();
    assert.deepEqual(seen, ['step']);
    frames.paint();
    assert.deepEqual(seen, ['step', 'its answer']);
  });
});
