/**
 * The sandbox's refusals as the learner reads them. A SandboxError is an engine error, whose text
 * the lab normally replaces with the code's plain meaning (server/lab/failure.ts); the sandbox's
 * sentences are written for the learner (E_UNSUPPORTED carries the reason and the remedy, E_LIMIT
 * names the limit), so they are passed on as they are. Kernel errnos stay engine errors.
 */
import { LabFailure } from '../protocol/errors.ts';
import { SandboxError } from '../sandbox/index.ts';

export async function sandboxCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof SandboxError) throw new LabFailure(e.code, e.message);
    throw e;
  }
}
