/**
 * The sandbox's refusals. A SandboxError is an EngineError, so the lab reports it like any other
 * engine failure: a stable code and a sentence.
 *
 *   E_UNSUPPORTED  this machine cannot have sandbox networks (reason and remedy attached)
 *   E_LIMIT        over a limit: networks per server, rules per host, forwards per network
 *   E_BAD_REQUEST  a malformed rule, forward, host or address (nothing was run)
 *   E_NO_NETWORK   the network was destroyed, or its helper process ended
 *   E_INTERNAL     a command inside the sandbox failed unexpectedly
 * Kernel refusals keep their errno name (EMFILE, ENETUNREACH, ...).
 */
import { EngineError } from '../engines/types.ts';

export type SandboxErrorCode = 'E_UNSUPPORTED' | 'E_POLICY' | 'E_LIMIT' | 'E_BAD_REQUEST' | 'E_NO_NETWORK' | 'E_INTERNAL';

export class SandboxError extends EngineError {
  constructor(code: SandboxErrorCode | (string & {}), message: string) {
    super(code, message);
    this.name = 'SandboxError';
  }
}

/** E_UNSUPPORTED with the one-line reason and what to do about it. */
export class SandboxUnsupportedError extends SandboxError {
  readonly reason: string;
  readonly remedy: string;
  constructor(reason: string, remedy: string) {
    super('E_UNSUPPORTED', `The sandbox network is not available here: ${reason}. ${remedy}`);
    this.name = 'SandboxUnsupportedError';
    this.reason = reason;
    this.remedy = remedy;
  }
}

/** The first issue of a failed zod parse, as a sentence for a learner. */
export function firstIssue(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const where = issue.path.map(String).join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}
