/**
 * The timeline draws its rows in blocks of BLOCK steps, by step number, so that a step costs the
 * same at row 10 as at row 1,000:
 * - Every block contains its own layout and paint (`contain: content`), so a new row repaints its
 *   own block, not the rows before it.
 * - The newest LIVE_BLOCKS blocks are always drawn; a new step joins one of them and is laid out
 *   once. (A block the browser may skip is laid out twice when it appears: first skipped, then again
 *   once found on screen.)
 * - Older blocks get `content-visibility: auto`, so the browser skips them while out of view. A
 *   block only turns into one when it is LIVE_BLOCKS - 1 blocks (40 or more rows) above the newest,
 *   well out of view, where the change costs nothing on screen.
 * - The oldest rows leave a whole block at a time, not one on every step.
 * The figures behind these choices are in docs/architecture.md (Performance notes).
 */
export const BLOCK = 20;
export const LIVE_BLOCKS = 3;

interface Numbered {
  seq: number;
}

const blockOf = (step: Numbered) => Math.floor((step.seq - 1) / BLOCK);

/** Steps grouped by step number: steps 1–20 in one block, 21–40 in the next, and so on. */
export function blocksOf<T extends Numbered>(steps: T[]): T[][] {
  const blocks: T[][] = [];
  let current = -1;
  for (const step of steps) {
    const block = blockOf(step);
    if (block !== current) {
      blocks.push([]);
      current = block;
    }
    blocks[blocks.length - 1].push(step);
  }
  return blocks;
}

/** Where the drawn rows start: at least the newest `count` steps, from the first step of a block. */
export function firstDrawn(steps: Numbered[], count: number): number {
  if (steps.length <= count) return 0;
  let i = steps.length - count;
  const block = blockOf(steps[i]);
  while (i > 0 && blockOf(steps[i - 1]) === block) i--;
  return i;
}

/** Whether the block at `index` of `count` drawn blocks is one of the newest, always drawn in full. */
export const isLive = (index: number, count: number) => index >= count - LIVE_BLOCKS;
