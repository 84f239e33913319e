import { EngineError } from '../engines/types.ts';
import { ERRNO_MEANINGS, type LabError } from '../protocol/index.ts';

/** A refusal with a stable code, produced by the lab (policy, quota, bad request) or by the kernel. */
export class LabFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LabFailure';
    this.code = code;
  }
}

/** The protocol's error object for anything a call threw. Unknown throws become E_INTERNAL, never a crash. */
export function toLabError(e: unknown): LabError {
  if (e instanceof LabFailure) return { code: e.code, message: e.message };
  if (e instanceof EngineError) {
    return { code: e.code, message: ERRNO_MEANINGS[e.code]?.meaning ?? e.message };
  }
  return { code: 'E_INTERNAL', message: 'Something went wrong inside the lab; the call may not have happened.' };
}
