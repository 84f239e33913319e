/**
 * The seam between the lab and the server programs a session can run on one of its listening
 * sockets (the capstone chat server). The lab names no program: it is handed a registry
 * (server/programs.ts) and runs whatever `run` names through these two interfaces.
 *
 * A program runs on a host: it makes lab calls there (each a real call with its step event, like
 * the learner's own), and reports what it did for the session's viewers. The lab starts it and may
 * stop it (the learner's `stop`, the listener closing, the session ending).
 */
import type { ArgsOf, ChatStats, HttpExchange, Op, ProgramName, Reply } from '../protocol/index.ts';

/** What a program tells the session's viewers (the protocol's program event, less what the host adds). */
export type ProgramReport =
  | { kind: 'joined'; sock: string; nick?: string }
  | { kind: 'left'; sock: string; nick?: string; reason: string }
  | { kind: 'stats'; stats: ChatStats }
  | { kind: 'request'; sock: string; http: HttpExchange }
  | { kind: 'stopped'; stats?: ChatStats };

export interface ProgramHost {
  /** The listening socket the program serves. */
  readonly listener: string;
  /**
   * Makes one lab call as the program: not subject to the learner's rate limit; with `quiet`, no
   * step event (a program that reports a summary instead). Never throws; a refusal is the reply.
   */
  call<O extends Op>(op: O, args: ArgsOf<O>, options?: { quiet?: boolean }): Promise<Reply<O>>;
  /** Tells the session's viewers what the program did. After 'stopped' the host forgets the program. */
  report(report: ProgramReport): void;
}

export interface RunningProgram {
  readonly isRunning: boolean;
  /** Stops accepting and closes the program's clients; reports 'stopped'. Idempotent. */
  stop(): void;
}

export interface LabProgram {
  /** Clients the program may hold beyond the learner's own socket cap, while it runs. */
  readonly maxClients: number;
  /** Starts the program on `host` with the learner's `run` arguments; its first call may happen at once. */
  start(host: ProgramHost, args: ArgsOf<'run'>): RunningProgram;
}

/** One program for each name the protocol knows. */
export type ProgramRegistry = { readonly [N in ProgramName]: LabProgram };
