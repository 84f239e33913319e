/**
 * The scenario bar's counter: how many steps are done and which call comes next, ending cleanly
 * ("5 of 13 done · next: accept", then "all 13 done").
 */
export function scenarioCounter(done: number, total: number, nextOp: string | undefined): string {
  if (done >= total || !nextOp) return total === 1 ? 'done' : `all ${total} done`;
  return `${done} of ${total} done · next: ${nextOp}`;
}
