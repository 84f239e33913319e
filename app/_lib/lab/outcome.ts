/**
 * How a step's result should look to a learner. Some errno answers are not failures: a
 * non-blocking connect() says EINPROGRESS while the handshake goes on, and a non-blocking recv()
 * or accept() says EAGAIN when there is nothing yet. Those are drawn amber, with words, not red.
 */
import type { Step } from '@/server/protocol';

export type Outcome = 'ok' | 'blocked' | 'expected' | 'error';

const IN_PROGRESS = new Set(['EINPROGRESS', 'EALREADY']);
const WOULD_BLOCK = new Set(['EAGAIN', 'EWOULDBLOCK']);

/**
 * Words for an expected "error", or null when the error is a real failure. The lab's sockets are
 * blocking unless the learner says otherwise, and a blocking call that must wait is reported as
 * blocked, so these codes only ever come from a non-blocking socket.
 */
export function expectedLabel(op: string, code: string | undefined): string | null {
  if (!code) return null;
  if (op === 'connect' && IN_PROGRESS.has(code)) return 'in progress';
  if (WOULD_BLOCK.has(code)) {
    if (op === 'recv' || op === 'recvfrom' || op === 'accept') return 'nothing yet';
    if (op === 'send' || op === 'sendto') return 'no room yet';
  }
  return null;
}

export function outcomeOf(step: Pick<Step, 'op' | 'status' | 'error'>): Outcome {
  if (step.status === 'ok') return 'ok';
  if (step.status === 'blocked') return 'blocked';
  return expectedLabel(step.op, step.error?.code) ? 'expected' : 'error';
}
