/**
 * What an op handler (server/lab/ops.ts) may use of its session: the session implements this, and
 * the handlers know nothing else of it, so the session and its ops do not import each other.
 */
import type { Engine } from '../engines/types.ts';
import type { ArgsOf, CaptureState, HostName, KernelRow, ProtocolEcho, ProgramName, ResultOf } from '../protocol/index.ts';
import type { SandboxNetwork } from '../sandbox/index.ts';
import type { LabPolicy } from './policy.ts';
import type { PortPicker } from './port-picker.ts';
import type { SocketEntry, SocketTable } from './socket-table.ts';

export interface OpDeps {
  engine: Engine;
  policy: LabPolicy;
  ports: PortPicker;
}

export interface OpContext {
  readonly deps: OpDeps;
  readonly sockets: SocketTable;
  /** The session has ended: a call that finishes now must not add to it. */
  readonly ended: boolean;
  /** The session's rows of the kernel's table (the session's viewers get them too). */
  kernelView(): Promise<KernelRow[]>;
  /** Starts the program `run` names on a listening socket of the session. */
  runProgram(listener: SocketEntry, args: ArgsOf<'run'>): void;
  /** Stops the named program; refuses when it is not running. */
  stopProgram(name: ProgramName): void;
  /** The session's sandbox network; E_NO_NETWORK when it has none. */
  network(): SandboxNetwork;
  /** Builds the session's one network (E_LIMIT if it has one, E_UNSUPPORTED where the machine cannot). */
  createNetwork(topology: ArgsOf<'network'> & { action: 'create' }): Promise<SandboxNetwork>;
  /** Closes the network's sockets in the session's table, then the network. */
  destroyNetwork(): Promise<void>;
  /** Starts, stops or reports the session's packet capture (E_UNSUPPORTED where it cannot run). */
  captureAction(action: ArgsOf<'capture'>['action']): Promise<CaptureState>;
  /** The session's capture as a pcapng file. */
  pcapFile(): ResultOf<'pcap'>;
}

/** How one call was made: by the learner or by a program running in the session. */
export interface CallInfo {
  /** Called at most once, when the call has to wait for the kernel. */
  onBlocked: () => void;
  /** The call comes from a program running in the session (the chat server), not the learner. */
  internal: boolean;
  /** A ping's echo as it happens (an `echo` event beside the ping's step). */
  onEcho?: (host: HostName, address: string, echo: ProtocolEcho) => void;
}
