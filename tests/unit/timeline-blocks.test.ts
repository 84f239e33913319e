/**
 * The timeline's blocks (app/_lib/lab/timeline-blocks.ts): rows grouped by step number, the newest
 * blocks always drawn, and the first row drawn, which moves a whole block at a time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BLOCK, LIVE_BLOCKS, blocksOf, firstDrawn, isLive } from '../../app/_lib/lab/timeline-blocks.ts';

const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));
const firstSeqDrawn = (n: number, count: number) => {
  const list = steps(1, n);
  return list[firstDrawn(list, count)].seq;
};

describe('timeline blocks', () => {
  test('groups steps by step number, not by position', () => {
    assert.equal(BLOCK, 20);
    // A list that starts mid-block (older steps trimmed) still puts step 21 first in its block.
    const blocks = blocksOf(steps(15, 65));
    assert.deepEqual(
      blocks.map((b) => [b[0].seq, b[b.length - 1].seq]),
      [
        [15, 20],
        [21, 40],
        [41, 60],
        [61, 65],
      ],
    );
  });

  test('a gap in the numbering does not merge or split blocks wrongly', () => {
    const blocks = blocksOf([{ seq: 19 }, { seq: 20 }, { seq: 22 }, { seq: 41 }]);
    assert.deepEqual(
      blocks.map((b) => b.map((s) => s.seq)),
      [[19, 20], [22], [41]],
    );
  });

  test('adding a step leaves every earlier block holding the same objects', () => {
    const list = steps(1, 50);
    const before = blocksOf(list);
    const after = blocksOf([...list, { seq: 51 }]);
    assert.equal(after.length, before.length);
    for (let b = 0; b < before.length - 1; b++) assert.ok(before[b].every((s, i) => s === after[b][i]));
    assert.equal(after[after.length - 1].length, before[before.length - 1].length + 1);
  });

  test('the newest blocks are drawn in full; a block becomes skippable only 40 or more rows above the newest', () => {
    assert.equal(LIVE_BLOCKS, 3);
    assert.deepEqual([0, 1, 2].map((i) => isLive(i, 3)), [true, true, true]);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => isLive(i, 5)), [false, false, true, true, true]);
    // At step 61 the block of steps 1–20 stops being live: its last row is 41 rows above the newest.
    const blocks = blocksOf(steps(1, 61));
    const skippable = blocks.filter((_, i) => !isLive(i, blocks.length));
    assert.deepEqual(skippable.map((b) => b[b.length - 1].seq), [20]);
    assert.ok(61 - 20 >= 40);
  });

  test('draws everything while it fits', () => {
    assert.equal(firstDrawn(steps(1, 150), 150), 0);
    assert.equal(firstDrawn([], 150), 0);
  });

  test('draws at least the newest count, from the start of a block', () => {
    assert.equal(firstSeqDrawn(151, 150), 1); // the newest 150 start at step 2, in the block 1–20
    assert.equal(firstSeqDrawn(171, 150), 21); // they start at step 22: drawn from step 21
    const list = steps(1, 171);
    assert.ok(list.length - firstDrawn(list, 150) >= 150);
  });

  test('the first row drawn stays put for a block of steps, then moves by a block', () => {
    const firsts = new Set<number>();
    for (let n = 170; n < 190; n++) firsts.add(firstSeqDrawn(n, 150));
    assert.deepEqual([...firsts], [21]);
    assert.equal(firstSeqDrawn(190, 150), 41); // the newest 150 now start at step 41, a block's first
  });
});
