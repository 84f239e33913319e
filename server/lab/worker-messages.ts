/**
 * What the front (main thread, server/lab/hub.ts) and a lab worker (server/lab/worker-main.ts) say
 * to each other over the worker's port. Not a wire protocol: both ends are this server, built from
 * the same source, so the messages are typed and not validated again. The browser's frames cross as
 * the text they arrived as (the worker parses and validates them, as the hub did on one thread);
 * what goes back is already framed for the WebSocket (out-batch.ts), so the front only writes it.
 *
 * Messages are batched per turn of each side's event loop (one postMessage carries every frame or
 * output of that turn): under load one postMessage costs more than the frames it carries.
 */
import type { Endpoint, SessionEndReason, Step } from '../protocol/index.ts';
import type { Config } from '../config.ts';
import type { HelperStats, SandboxSupport } from '../sandbox/index.ts';
import type { OutBatch } from './out-batch.ts';

/** What a lab worker starts with (its workerData). */
export interface WorkerData {
  entry: string;
  config: Config;
  lan: string | null;
  fd: FdShare;
  /** --sandbox-networks for the whole server (config.sandboxNetworks is this worker's share). */
  totalNetworks: number;
}

/** The process's lab socket budget, counted across threads (server/lab/fd-count.ts); `slot`: this thread's. */
export interface FdShare {
  budget: number;
  buffer: SharedArrayBuffer;
  slot: number;
  /** The port picker's cursor, shared by every thread's picker. */
  portCursor: SharedArrayBuffer;
}

/** A session's tag from class hosting (who it belongs to), set on the front when it opens. */
export interface SessionLabel {
  studentId?: number;
  nickname?: string;
  presenter?: boolean;
}

/** Front → worker. `key`: the session's number on the front; `conn`: a connection's number. */
export type ToWorker =
  | { t: 'open'; key: number; label: SessionLabel; reportSteps: boolean }
  /** The session's label and step reports, set after it opened (the class store answered later). */
  | { t: 'label'; key: number; label: SessionLabel; reportSteps: boolean }
  | { t: 'frames'; items: Array<[key: number, text: string]> }
  /** The owner's connection closed: the session ends. */
  | { t: 'close'; key: number }
  | { t: 'watch'; key: number; conn: number }
  | { t: 'unwatch'; key: number; conn: number }
  | { t: 'end'; keys: number[]; reason: SessionEndReason; message: string }
  | { t: 'site-port'; port: number }
  /** The class chat's address (on whichever instance runs it), which lab sockets may reach. */
  | { t: 'class-chat'; chat: { address: string; port: number } | null }
  | { t: 'ask'; id: number; q: Question }
  /** End every session and release everything (process shutdown); the worker answers `closed`. */
  | { t: 'shutdown' }
  /** Only honoured with SOCKETLAB_TEST_HOOKS=1 in the environment: throws, as a bug would. */
  | { t: 'crash' };

export type Question =
  | { q: 'is-connection'; from: Endpoint; to: Endpoint }
  | { q: 'syscall-clock' }
  | { q: 'sandbox-stats' }
  | { q: 'sandbox-helper' }
  | { q: 'open-shells' }
  | { q: 'open-fds' }
  /** This worker's shared loopback capture: sessions subscribed, sockets opened over its life (null: none here). */
  | { q: 'loopback-capture' };


/** Worker → front. */
export type FromWorker =
  | { t: 'ready'; kernelView: 'netlink' | 'proc'; sandboxSupport: SandboxSupport }
  | { t: 'opened'; key: number; id: string; watchToken: string }
  /** One turn's output, already WebSocket frames (its bytes are transferred, not copied). */
  | { t: 'out'; batch: OutBatch }
  /** A session ended on the worker (idle, or told to): the front forgets it. */
  | { t: 'ended'; key: number }
  /** Finished steps of sessions opened with reportSteps (class hosting's feed). */
  | { t: 'steps'; items: Array<[key: number, step: Step]> }
  | { t: 'answer'; id: number; value: unknown }
  | { t: 'closed' };

export type SyscallClock = { ns: number; calls: number };
/** `filterPorts`: the ports its kernel filter reads (its slice of the range and the claimed ports outside it). */
export type LoopbackCaptureStats = { subscribers: number; opened: number; open: boolean; filterPorts: number[] };
export type { HelperStats };
