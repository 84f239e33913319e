/**
 * The timeline draws its rows in blocks of BLOCK steps, by step number. Each block is skipped by
 * the browser while it is out of view (`content-visibility: auto`). A new step joins a block that is
 * already on screen, so the browser lays it out once; a row that had the property itself would be laid
 * out twice, first skipped and then found on screen. The oldest rows also leave a block at a time,
 * so a long session does not remove a row on every step.
 */
export const BLOCK = 50;

interface Numbered {
  seq: number;
}

export const blockOf = (step: Numbered) => Math.floor((step.seq - 1) / BLOCK);

/** Steps grouped by step number: steps 1–50 in one block, 51–100 in the next, and so on. */
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
