/**
 * The timeline's blocks (app/_lib/lab/timeline-blocks.ts): rows grouped by step number, and the
 * first row drawn, which moves a whole block at a time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BLOCK, blocksOf, firstDrawn } from '../../app/_lib/lab/timeline-blocks.ts';

const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));

describe('timeline blocks', () => {
  test('groups steps by step number, not by position', () => {
    // A list that starts mid-block (older steps trimmed) still puts step 51 first in its block.
    const blocks = blocksOf(steps(40, 160));
    assert.deepEqual(
      blocks.map((b) => [b[0].seq, b[b.length - 1].seq]),
      [
        [40, 50],
        [51, 100],
        [101, 150],
        [151, 160],
      ],
    );
    assert.equal(BLOCK, 50);
  });

  test('a gap in the numbering does not merge or split blocks wrongly', () => {
    const blocks = blocksOf([{ seq: 49 }, { seq: 50 }, { seq: 52 }, { seq: 101 }]);
    assert.deepEqual(blocks.map((b) => b.map((s) => s.seq)), [[49, 50], [52], [101]]);
  });

  test('adding a step leaves every earlier block holding the same objects', () => {
    const list = steps(1, 120);
    const before = blocksOf(list);
    const after = blocksOf([...list, { seq: 121 }]);
    assert.equal(after.length, before.length);
    for (let b = 0; b < before.length - 1; b++) assert.ok(before[b].every((s, i) => s === after[b][i]));
    assert.equal(after[after.length - 1].length, before[before.length - 1].length + 1);
  });

  test('draws everything while it fits', () => {
    assert.equal(firstDrawn(steps(1, 150), 150), 0);
    assert.equal(firstDrawn([], 150), 0);
  });

  test('draws at least the newest count, from the start of a block', () => {
    const list = steps(1, 151); // the newest 150 start at step 2, inside block 1–50
    const from = firstDrawn(list, 150);
    assert.equal(from, 0);
    const longer = steps(1, 201); // the newest 150 start at step 52: drawn from step 51
    assert.equal(longer[firstDrawn(longer, 150)].seq, 51);
  });

  test('the first row drawn stays put for a block of steps, then moves by a block', () => {
    const firsts = new Set<number>();
    for (let n = 200; n < 250; n++) {
      const list = steps(1, n);
      firsts.add(list[firstDrawn(list, 150)].seq);
    }
    assert.deepEqual([...firsts], [51]);
    const list = steps(1, 250); // the newest 150 now start at step 101, a block's first
    assert.equal(list[firstDrawn(list, 150)].seq, 101);
  });
});
