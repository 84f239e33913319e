/**
 * The TCP connection state machine of RFC 9293 (its figure 5), and the path one socket took through
 * it, worked out from what the lab saw: the socket's own calls, the packets of its connection (in
 * capture order) and the kernel's states. Packets drive the path where there are any; a kernel state
 * that can follow the current one moves it too (so the path is right without a capture).
 */
import type { KernelState } from '@/server/protocol';

export const MACHINE_STATES = ['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED_END'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

export interface Transition {
  from: MachineState;
  to: MachineState;
  /** RFC 9293's label in plain words: the event, then what is sent. */
  label: string;
}

export const TRANSITIONS: Transition[] = [
  { from: 'CLOSED', to: 'LISTEN', label: 'listen(): wait for connections' },
  { from: 'CLOSED', to: 'SYN_SENT', label: 'connect(): send SYN' },
  { from: 'LISTEN', to: 'SYN_RECEIVED', label: 'receive SYN: send SYN+ACK' },
  { from: 'SYN_SENT', to: 'SYN_RECEIVED', label: 'receive SYN (both opened at once): send ACK' },
  { from: 'SYN_SENT', to: 'ESTABLISHED', label: 'receive SYN+ACK: send ACK' },
  { from: 'SYN_SENT', to: 'CLOSED_END', label: 'receive RST (connection refused) or close()' },
  { from: 'SYN_RECEIVED', to: 'ESTABLISHED', label: 'receive ACK of the SYN' },
  { from: 'SYN_RECEIVED', to: 'FIN_WAIT_1', label: 'close(): send FIN' },
  { from: 'ESTABLISHED', to: 'FIN_WAIT_1', label: 'close() or shutdown(write): send FIN' },
  { from: 'ESTABLISHED', to: 'CLOSE_WAIT', label: 'receive FIN: send ACK' },
  { from: 'ESTABLISHED', to: 'CLOSED_END', label: 'reset: RST sent (close() with unread data) or received' },
  { from: 'FIN_WAIT_1', to: 'FIN_WAIT_2', label: 'receive ACK of the FIN' },
  { from: 'FIN_WAIT_1', to: 'CLOSING', label: 'receive FIN: send ACK' },
  { from: 'FIN_WAIT_1', to: 'CLOSED_END', label: 'reset: RST sent or received' },
  { from: 'FIN_WAIT_2', to: 'TIME_WAIT', label: 'receive FIN: send ACK' },
  { from: 'FIN_WAIT_2', to: 'CLOSED_END', label: 'reset: RST received' },
  { from: 'CLOSING', to: 'TIME_WAIT', label: 'receive ACK of the FIN' },
  { from: 'CLOSE_WAIT', to: 'LAST_ACK', label: 'close(): send FIN' },
  { from: 'CLOSE_WAIT', to: 'CLOSED_END', label: 'reset: RST sent or received' },
  { from: 'LAST_ACK', to: 'CLOSED_END', label: 'receive ACK of the FIN' },
  { from: 'TIME_WAIT', to: 'CLOSED_END', label: 'after 2 × MSL (60 s on Linux): forget the connection' },
];

export const STATE_WORDS: Record<MachineState, string> = {
  CLOSED: 'CLOSED: no connection yet',
  LISTEN: 'LISTEN: waiting for a SYN',
  SYN_SENT: 'SYN-SENT: sent a SYN, waiting for the answer',
  SYN_RECEIVED: 'SYN-RECEIVED: got a SYN, sent SYN+ACK, waiting for the ACK',
  ESTABLISHED: 'ESTABLISHED: open both ways, data flows',
  FIN_WAIT_1: 'FIN-WAIT-1: sent a FIN, waiting for its ACK',
  FIN_WAIT_2: 'FIN-WAIT-2: our FIN was acknowledged; waiting for the peer\'s FIN',
  CLOSING: 'CLOSING: both sent a FIN at once; waiting for the ACK of ours',
  TIME_WAIT: 'TIME-WAIT: all done; the kernel remembers the connection a while so stray old segments die',
  CLOSE_WAIT: 'CLOSE-WAIT: the peer finished sending (EOF); waiting for this program to close()',
  LAST_ACK: 'LAST-ACK: sent our FIN after the peer\'s; waiting for its ACK',
  CLOSED_END: 'CLOSED: the connection is gone',
};

export type MachineInput =
  | { kind: 'call'; op: 'listen' | 'connect' | 'accepted' | 'close' | 'shutdown-write' }
  /** A packet of this socket's connection: `out` when this socket sent it; raw seq/ack numbers. */
  | { kind: 'packet'; out: boolean; flags: number; seq: number; ack: number; length: number; n?: number }
  | { kind: 'kernel'; state: KernelState };

export interface PathStep {
  from: MachineState;
  to: MachineState;
  /** What moved it, in words: "packet 3: received SYN+ACK" or "kernel: TIME_WAIT". */
  why: string;
}

const KERNEL_TO_MACHINE: Partial<Record<KernelState, MachineState>> = {
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN_SENT',
  SYN_RECV: 'SYN_RECEIVED',
  NEW_SYN_RECV: 'SYN_RECEIVED',
  ESTABLISHED: 'ESTABLISHED',
  FIN_WAIT1: 'FIN_WAIT_1',
  FIN_WAIT2: 'FIN_WAIT_2',
  CLOSING: 'CLOSING',
  TIME_WAIT: 'TIME_WAIT',
  CLOSE_WAIT: 'CLOSE_WAIT',
  LAST_ACK: 'LAST_ACK',
  CLOSE: 'CLOSED_END',
};

const SYN = 0x002;
const FIN = 0x001;
const RST = 0x004;
const ACK = 0x010;
const U32 = 2 ** 32;
/** a ≥ b in 32-bit sequence space. */
const seqGe = (a: number, b: number) => ((a - b + U32) % U32) < U32 / 2;

const edge = (from: MachineState, to: MachineState) => TRANSITIONS.some((t) => t.from === from && t.to === to);

/**
 * The shortest way through the machine from one state to another (first found in TRANSITIONS
 * order), or null: the kernel's table is read between calls, so it can skip states a packet
 * exchange passed through quickly (ESTABLISHED, then TIME_WAIT after a close()).
 */
export function shortestWay(from: MachineState, to: MachineState): MachineState[] | null {
  const back = new Map<MachineState, MachineState>();
  const queue: MachineState[] = [from];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === to) {
      const way: MachineState[] = [];
      for (let s: MachineState = to; s !== from; s = back.get(s)!) way.unshift(s);
      return way;
    }
    for (const t of TRANSITIONS) {
      if (t.from === at && t.to !== from && !back.has(t.to)) {
        back.set(t.to, at);
        queue.push(t.to);
      }
    }
  }
  return null;
}

function flagWords(flags: number): string {
  const names = [flags & SYN && 'SYN', flags & ACK && 'ACK', flags & FIN && 'FIN', flags & RST && 'RST'].filter(Boolean);
  return names.join('+') || 'data';
}

/** Walks the machine over the inputs, in order; returns each transition taken. */
export function tcpPath(inputs: readonly MachineInput[]): PathStep[] {
  let state = 'CLOSED' as MachineState;
  /** The sequence number just after our FIN, once we sent one. */
  let finEnd: number | null = null;
  const path: PathStep[] = [];
  const go = (to: MachineState, why: string) => {
    if (to === state || !edge(state, to)) return false;
    path.push({ from: state, to, why });
    state = to;
    return true;
  };
  for (const input of inputs) {
    if (input.kind === 'call') {
      if (input.op === 'listen') go('LISTEN', 'listen()');
      else if (input.op === 'connect') go('SYN_SENT', 'connect()');
      else if (input.op === 'accepted' && state === 'CLOSED') {
        // accept() hands over a connection the listener's kernel side already set up: it began in LISTEN.
        state = 'LISTEN';
      }
      continue;
    }
    if (input.kind === 'kernel') {
      const to = KERNEL_TO_MACHINE[input.state];
      if (!to || to === state) continue;
      const way = shortestWay(state, to) ?? [];
      for (const s of way) go(s, s === to ? `the kernel's table: ${input.state}` : `passed through between two looks at the kernel's table (it showed ${input.state} next)`);
      continue;
    }
    const { out, flags } = input;
    const label = `${input.n ? `packet ${input.n}: ` : ''}${out ? 'sent' : 'received'} ${flagWords(flags)}`;
    if (flags & RST) {
      go('CLOSED_END', label);
      continue;
    }
    if (flags & SYN) {
      if (out && !(flags & ACK)) go('SYN_SENT', label);
      else if (!out && !(flags & ACK)) go('SYN_RECEIVED', label);
      else if (!out && flags & ACK) go('ESTABLISHED', label);
      else if (out && flags & ACK && state === 'LISTEN') go('SYN_RECEIVED', label);
      continue;
    }
    const acksOurFin = !out && flags & ACK && finEnd !== null && seqGe(input.ack, finEnd);
    if (!out && flags & ACK && state === 'SYN_RECEIVED') go('ESTABLISHED', label);
    if (out && flags & FIN) {
      finEnd = (input.seq + input.length + 1) % U32;
      if (state === 'ESTABLISHED' || state === 'SYN_RECEIVED') go('FIN_WAIT_1', label);
      else if (state === 'CLOSE_WAIT') go('LAST_ACK', label);
      continue;
    }
    if (!out && flags & FIN) {
      if (state === 'ESTABLISHED') go('CLOSE_WAIT', label);
      else if (state === 'FIN_WAIT_1') {
        // A FIN that also acknowledges ours: FIN-WAIT-2 for no time, then TIME-WAIT (what Linux does).
        if (acksOurFin) {
          go('FIN_WAIT_2', label);
          go('TIME_WAIT', label);
        } else go('CLOSING', label);
      } else if (state === 'FIN_WAIT_2') go('TIME_WAIT', label);
      else if (state === 'CLOSING' && acksOurFin) go('TIME_WAIT', label);
      continue;
    }
    if (acksOurFin) {
      if (state === 'FIN_WAIT_1') go('FIN_WAIT_2', label);
      else if (state === 'CLOSING') go('TIME_WAIT', label);
      else if (state === 'LAST_ACK') go('CLOSED_END', label);
    }
  }
  return path;
}

/** The path as one sentence per move, for screen readers and the diagram's text alternative. */
export function pathSentences(path: readonly PathStep[]): string[] {
  return path.map((p) => `${p.from.replace('_END', '')} → ${p.to.replace('_END', '')}: ${p.why}. ${TRANSITIONS.find((t) => t.from === p.from && t.to === p.to)?.label ?? ''}`.trim());
}
