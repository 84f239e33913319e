/**
 * The protocol's error object for anything a lab call threw. The one error type is LabFailure
 * (server/protocol/errors.ts); it is re-exported here for the lab's callers.
 */
import { ERRNO_MEANINGS } from '../protocol/meanings.ts';
import { LabFailure, type LabError } from '../protocol/errors.ts';

export { LabFailure };

/** Unknown throws become E_INTERNAL, never a crash; an engine's detail gives way to the code's plain meaning. */
export function toLabError(e: unknown): LabError {
  if (!(e instanceof LabFailure)) return { code: 'E_INTERNAL', message: 'Something went wrong inside the lab; the call may not have happened.' };
  if (e.forLearner) return { code: e.code, message: e.message };
  return { code: e.code, message: ERRNO_MEANINGS[e.code]?.meaning ?? e.message };
}
