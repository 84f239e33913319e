/**
 * What the lab UI knows, derived only from what the server sent: step events (with real results),
 * kernel events and kernel-table snapshots. Pure functions, so the UI logic can be tested without a
 * browser.
 */
import { OptionValueSchema, type Endpoint, type Hello, type KernelEvent, type KernelRow, type Op, type OptionValue, type SocketOption, type Step } from '@/server/protocol';
import { count, NOUNS } from '../plural';
import { expectedLabel } from './outcome';
import { formatOptionValue, isSocketOption } from './socket-options';

export interface SockView {
  handle: string;
  actor: string;
  type: 'tcp' | 'udp';
  family: 4 | 6;
  fd: number | null;
  local?: Endpoint;
  remote?: Endpoint;
  listening: boolean;
  /** The backlog listen() was given. */
  backlog?: number;
  blocking: boolean;
  closed: boolean;
  shut: { read: boolean; write: boolean };
  /** The op currently blocked on this socket, if any. */
  waiting: string[];
  /** For a socket accept() made: the listening socket it came from. */
  acceptedFrom?: string;
  /** What each setsockopt() that succeeded on it asked for (the kernel may keep another value: getsockopt() says). */
  optionsSet?: Partial<Record<SocketOption, OptionValue>>;
}

/** A step with the kernel rows just before and just after it, when the UI fetched them. */
export type StepView = Step & {
  kernelBefore?: KernelRow[];
  kernelAfter?: KernelRow[];
  /** The call was reported blocked before it finished (so it "happened" at its start). */
  wasBlocked?: boolean;
};

/** A kernel view as it was recorded: the rows, and the newest step the UI had seen when it asked. */
export interface KernelSnapshot {
  afterSeq: number;
  rows: KernelRow[];
}

export interface LabState {
  hello: Hello | null;
  steps: StepView[];
  sockets: SockView[];
  kernel: KernelRow[];
  /** Rows as they were at the previous refresh, to highlight what changed. */
  kernelPrevious: KernelRow[];
  kernelError: string | null;
  events: KernelEvent[];
  /** Every kernel view, with the step it followed (the latest view after each step), for rewinding. */
  kernelLog: KernelSnapshot[];
}

export const EMPTY_LAB: LabState = { hello: null, steps: [], sockets: [], kernel: [], kernelPrevious: [], kernelError: null, events: [], kernelLog: [] };

function updateSock(sockets: SockView[], handle: string | undefined, f: (s: SockView) => SockView): SockView[] {
  const next = sockets.map((s) => (s.handle === handle && !s.closed ? f(s) : s));
  // The same array when no socket changed, so what shows the sockets need not redraw.
  return next.every((s, i) => s === sockets[i]) ? sockets : next;
}

/** Socket cards follow from step results alone. */
function applyResult(sockets: SockView[], step: Step): SockView[] {
  switch (step.op) {
    case 'socket': {
      if (!step.result) return sockets;
      return [
        ...sockets,
        {
          handle: step.result.sock,
          actor: step.actor,
          type: step.args.type,
          family: step.args.family ?? 4,
          fd: step.result.fd ?? null,
          listening: false,
          blocking: true,
          closed: false,
          shut: { read: false, write: false },
          waiting: [],
        },
      ];
    }
    case 'bind': {
      const local = step.result;
      return local ? updateSock(sockets, step.sock, (s) => ({ ...s, local: { address: local.address, port: local.port } })) : sockets;
    }
    case 'listen':
      return updateSock(sockets, step.sock, (s) => ({ ...s, listening: true, backlog: step.result?.backlog }));
    case 'accept': {
      if (!step.result) return sockets;
      const parent = sockets.find((s) => s.handle === step.sock);
      return [
        ...sockets,
        {
          handle: step.result.sock,
          actor: step.actor,
          type: 'tcp',
          family: parent?.family ?? 4,
          fd: step.result.fd ?? null,
          local: step.result.local,
          remote: step.result.peer,
          acceptedFrom: step.sock,
          listening: false,
          blocking: true,
          closed: false,
          shut: { read: false, write: false },
          waiting: [],
        },
      ];
    }
    case 'connect': {
      const { address, port } = step.args;
      const local = step.result?.local;
      return updateSock(sockets, step.sock, (s) => ({ ...s, local, remote: { address, port } }));
    }
    case 'send':
    case 'sendto': {
      // The lab bound an unbound UDP socket before the call (docs/protocol.md, implicit binds).
      const bound = step.result?.implicitBind;
      return bound ? updateSock(sockets, step.sock, (s) => ({ ...s, local: bound })) : sockets;
    }
    case 'setblocking': {
      const { blocking } = step.args;
      // The same object when nothing changes, so the socket's card need not redraw.
      return updateSock(sockets, step.sock, (s) => (s.blocking === blocking ? s : { ...s, blocking }));
    }
    case 'shutdown': {
      const { how } = step.args;
      return updateSock(sockets, step.sock, (s) => ({
        ...s,
        shut: { read: s.shut.read || how !== 'write', write: s.shut.write || how !== 'read' },
      }));
    }
    case 'close':
      return sockets.map((s) => (s.handle === step.sock && !s.closed ? { ...s, closed: true, waiting: [] } : s));
    case 'setsockopt': {
      const { option, value } = step.args;
      return updateSock(sockets, step.sock, (s) => ({ ...s, optionsSet: { ...s.optionsSet, [option]: value } }));
    }
    default:
      return sockets;
  }
}

/** The UI keeps this many recent steps (a busy chat server makes thousands). */
export const MAX_STEPS = 3000;

export function applyStep(state: LabState, step: Step): LabState {
  // Blocked steps complete soon after; search from the end.
  let i = -1;
  for (let j = state.steps.length - 1; j >= 0; j--) {
    if (state.steps[j].seq === step.seq) {
      i = j;
      break;
    }
  }
  const view: StepView = { ...step, kernelBefore: state.kernel };
  let steps: StepView[];
  if (i !== -1) steps = state.steps.map((s, j) => (j === i ? { ...view, kernelBefore: s.kernelBefore, wasBlocked: s.status === 'blocked' || s.wasBlocked } : s));
  else {
    // In call order: a call that started earlier (a program's run) can report after a later one blocks.
    let at = state.steps.length;
    while (at > 0 && state.steps[at - 1].seq > step.seq) at--;
    steps = [...state.steps.slice(0, at), view, ...state.steps.slice(at)];
  }
  if (steps.length > MAX_STEPS) steps = steps.slice(steps.length - MAX_STEPS);
  let sockets = state.sockets;
  if (step.status === 'blocked') {
    sockets = updateSock(sockets, step.sock, (s) => ({ ...s, waiting: [...s.waiting, step.op] }));
  } else {
    if (i !== -1) sockets = updateSock(sockets, step.sock, (s) => ({ ...s, waiting: s.waiting.filter((op) => op !== step.op) }));
    if (step.status === 'ok') sockets = applyResult(sockets, step);
    else if (step.op === 'connect' && (step.error?.code === 'EINPROGRESS' || step.error?.code === 'EALREADY')) {
      // The handshake goes on in the kernel: the socket already has its peer.
      const { address, port } = step.args;
      sockets = updateSock(sockets, step.sock, (s) => ({ ...s, remote: { address, port } }));
    }
  }
  return { ...state, steps, sockets };
}

/** A new kernel snapshot; completed steps that have no "after" view yet get this one. */
export function applyKernel(state: LabState, rows: KernelRow[], requestedAtSeq: number): LabState {
  const waitsForView = (s: StepView) => s.status !== 'blocked' && !s.kernelAfter && s.seq <= requestedAtSeq;
  // The same array when no step changes, so the timeline need not redraw for a kernel refresh.
  const steps = state.steps.some(waitsForView) ? state.steps.map((s) => (waitsForView(s) ? { ...s, kernelAfter: rows } : s)) : state.steps;
  const sockets = localsFromKernel(state.sockets, rows);
  return { ...state, steps, sockets, kernel: rows, kernelPrevious: state.kernel, kernelError: null, kernelLog: logKernel(state.kernelLog, rows, Math.min(requestedAtSeq, newestSeq(state.steps))) };
}

/**
 * A socket whose address the kernel chose without a result saying so (a non-blocking connect that
 * answered EINPROGRESS) gets it from its own kernel row: an accept()'s peer can then be matched to
 * the client it really came from.
 */
export function localsFromKernel(sockets: SockView[], rows: readonly KernelRow[]): SockView[] {
  if (!sockets.some((s) => !s.local && !s.closed)) return sockets;
  const next = sockets.map((s) => {
    if (s.local || s.closed) return s;
    const row = rows.find((r) => r.sock === s.handle && r.relation === 'own' && r.local.port !== 0);
    return row ? { ...s, local: row.local } : s;
  });
  return next.every((s, i) => s === sockets[i]) ? sockets : next;
}

function newestSeq(steps: readonly Step[]): number {
  return steps.length ? steps[steps.length - 1].seq : 0;
}

/** Appends a view; a newer view after the same step replaces the older one. */
function logKernel(log: KernelSnapshot[], rows: KernelRow[], afterSeq: number): KernelSnapshot[] {
  const last = log[log.length - 1];
  const kept = last && last.afterSeq === afterSeq ? log.slice(0, -1) : log;
  const next = [...kept, { afterSeq, rows }];
  return next.length > MAX_STEPS ? next.slice(next.length - MAX_STEPS) : next;
}

/** The newest recorded kernel view taken after this step and before the next, or before it. */
export function kernelAt(log: readonly KernelSnapshot[], seq: number): KernelSnapshot | null {
  for (let i = log.length - 1; i >= 0; i--) if (log[i].afterSeq <= seq) return log[i];
  return null;
}

export interface PastLab {
  /** The steps up to and including the chosen one, as they stood then. */
  steps: StepView[];
  sockets: SockView[];
  kernel: KernelRow[];
  /** The step the kernel view was recorded after (it can be an earlier one). */
  kernelAfterSeq: number | null;
}

/**
 * The lab as it was just after step `seq`, rebuilt from the recorded steps and kernel views (nothing
 * is re-run). A call that finished later, like an accept() that waited for a client, is shown as
 * still waiting then.
 */
export function labAt(steps: readonly StepView[], log: readonly KernelSnapshot[], seq: number): PastLab {
  const upto = steps.filter((s) => s.seq <= seq);
  // "After step N" lasts until the next call starts: whatever finished by then had finished.
  const next = steps.find((s) => s.seq > seq);
  const moment = next ? next.start : Number.POSITIVE_INFINITY;
  const asThen = upto.map((s): StepView => {
    if (s.status === 'blocked' || (s.end !== undefined && s.end <= moment)) return s;
    return { ...s, status: 'blocked', result: undefined, error: undefined, end: undefined };
  });
  let state = EMPTY_LAB;
  for (const s of asThen) {
    if (s.status === 'blocked') state = applyStep(state, s);
    else {
      // A finished call: first blocked, if it was, so its socket stops waiting as it did live.
      if (s.wasBlocked) state = applyStep(state, { ...s, status: 'blocked', result: undefined, error: undefined, end: undefined });
      state = applyStep(state, s);
    }
  }
  // Folding gave each step the fold's own (empty) kernel view: put back the recorded ones.
  const recorded = new Map(upto.map((s) => [s.seq, s]));
  const pastSteps = state.steps.map((s) => {
    const r = recorded.get(s.seq);
    return { ...s, kernelBefore: r?.kernelBefore, kernelAfter: s.status === 'blocked' ? undefined : r?.kernelAfter };
  });
  const view = kernelAt(log, seq);
  return { steps: pastSteps, sockets: localsFromKernel(state.sockets, view?.rows ?? []), kernel: view?.rows ?? [], kernelAfterSeq: view?.afterSeq ?? null };
}

export function applyKernelEvent(state: LabState, e: KernelEvent): LabState {
  return { ...state, events: [...state.events.slice(-49), e] };
}

/** A row's identity across refreshes: the same socket, even as its state changes. */
export function rowKey(r: KernelRow): string {
  return `${r.proto}|${r.local.address}:${r.local.port}|${r.remote.address}:${r.remote.port}|${r.relation}`;
}

export type RowChange = 'new' | 'state' | 'queues' | null;

export function rowChange(row: KernelRow, previous: KernelRow[]): { change: RowChange; before?: KernelRow } {
  const before = previous.find((p) => rowKey(p) === rowKey(row));
  if (!before) return { change: 'new' };
  if (before.state !== row.state) return { change: 'state', before };
  if (before.rxQueue !== row.rxQueue || before.txQueue !== row.txQueue) return { change: 'queues', before };
  return { change: null, before };
}

/** The kernel's state for one of our sockets, or a plain description when it has no row. */
export function kernelStateOf(sock: SockView, rows: KernelRow[]): string {
  if (sock.closed) return 'closed';
  const row = rows.find((r) => r.sock === sock.handle && r.relation === 'own');
  if (row) return row.state;
  if (sock.type === 'tcp') return sock.local ? 'bound (no row until listen/connect)' : 'new (no address yet)';
  return sock.local ? 'UNCONN' : 'new (no address yet)';
}

export function formatEndpoint(e: Endpoint | undefined): string {
  if (!e) return '—';
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Lanes: each program (actor) in order of appearance, plus "outside" when another program is involved. */
export function lanesOf(state: LabState): string[] {
  const lanes: string[] = [];
  for (const s of state.sockets) if (!lanes.includes(s.actor)) lanes.push(s.actor);
  if (state.kernel.some((r) => r.relation === 'outside') || state.steps.some((s) => isOutsidePeer(state, s))) lanes.push('outside');
  return lanes;
}

/** An accept whose peer is not one of this session's sockets came from another program. */
export function isOutsidePeer(state: LabState, step: Step): boolean {
  if (step.op !== 'accept' || step.status !== 'ok') return false;
  const peer = step.result?.peer;
  return !!peer && !state.sockets.some((s) => s.local && s.local.port === peer.port && s.local.address === peer.address);
}

/** For arrows in the timeline: which lane the other end of a call is in. */
export function peerLane(sockets: SockView[], step: Step): string | null {
  const sock = sockets.find((s) => s.handle === step.sock);
  const byLocal = (address: string, port: number) =>
    sockets.find((s) => s.local && s.local.port === port && (s.local.address === address || s.listening));
  switch (step.op) {
    case 'connect':
    case 'sendto': {
      const target = byLocal(step.args.address, step.args.port);
      return target ? target.actor : 'outside';
    }
    case 'send': {
      if (!sock?.remote) return null;
      const target = sockets.find((s) => s.local && s.remote && s.local.port === sock.remote!.port && s.remote.port === sock.local?.port);
      return target ? target.actor : 'outside';
    }
    case 'accept': {
      const peer = step.result?.peer;
      if (!peer) return null;
      const from = sockets.find((s) => s.local && s.local.port === peer.port);
      return from ? from.actor : 'outside';
    }
    default:
      return null;
  }
}

/** A send's payload as text (programs like the chat server send base64 for exact bytes). */
export function payloadText(args: Record<string, unknown>): string {
  const data = String(args.data ?? '');
  if (args.encoding !== 'base64') return data;
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  } catch {
    return data;
  }
}

/** One line for the timeline and the screen-reader announcement (a step's, or a call about to be made). */
export function describeCall(step: { op: Op; args: Record<string, unknown> }): string {
  const a = step.args;
  const q = (v: unknown) => JSON.stringify(String(v));
  const at = (v: Record<string, unknown>) => formatEndpoint({ address: String(v.address), port: Number(v.port) });
  switch (step.op) {
    case 'socket':
      return `socket(${a.type === 'udp' ? 'UDP' : 'TCP'}${a.family === 6 ? ', IPv6' : ''})`;
    case 'bind':
      return `bind(${a.sock}, ${at(a)})`;
    case 'listen':
      return `listen(${a.sock}${a.backlog !== undefined ? `, backlog=${a.backlog}` : ''})`;
    case 'connect':
      return `connect(${a.sock}, ${at(a)})`;
    case 'send':
      return `send(${a.sock}, ${q(payloadText(a))})`;
    case 'sendto':
      return `sendto(${a.sock}, ${q(payloadText(a))}, ${at(a)})`;
    case 'recv':
    case 'recvfrom':
      return `${step.op}(${a.sock}${a.max !== undefined ? `, max=${a.max}` : ''})`;
    case 'shutdown':
      return `shutdown(${a.sock}, ${a.how})`;
    case 'setblocking':
      return `setblocking(${a.sock}, ${a.blocking})`;
    case 'setsockopt': {
      const option = String(a.option);
      const value = OptionValueSchema.safeParse(a.value);
      return `setsockopt(${a.sock}, ${option}, ${isSocketOption(option) && value.success ? formatOptionValue(option, value.data) : JSON.stringify(a.value)})`;
    }
    case 'getsockopt':
      return `getsockopt(${a.sock}, ${a.option})`;
    case 'poll': {
      const socks = Array.isArray(a.socks) ? a.socks.map((p: { sock?: unknown; events?: unknown }) => `${p.sock} ${Array.isArray(p.events) ? p.events.join('|') : ''}`) : [];
      return `poll([${socks.join(', ')}], ${a.timeout === -1 ? 'no timeout' : `${a.timeout} ms`})`;
    }
    default:
      return `${step.op}(${a.sock ?? ''})`;
  }
}

/** When the lab bound the socket before this call, the sentence that says where and why; else null. */
export function implicitBindSentence(step: Step): string | null {
  // Only the calls that may bind implicitly carry it (ImplicitBindSchema in the protocol).
  const bound = step.status === 'ok' && (step.op === 'connect' || step.op === 'send' || step.op === 'sendto') ? step.result?.implicitBind : undefined;
  if (!bound) return null;
  const family = bound.address.includes(':') ? 6 : 4;
  return (
    `${step.sock} had no address, so the lab first bound it to ${formatEndpoint(bound)} (a real bind() inside the lab's ports). ` +
    `The kernel would have bound it to ${family === 4 ? '0.0.0.0' : '[::]'} and a random port, reachable from other machines.`
  );
}

export function describeResult(step: Step): string {
  if (step.status === 'blocked') return 'waiting…';
  if (step.status === 'error') {
    // EINPROGRESS, EAGAIN: the kernel's normal answer on a non-blocking socket, not a failure.
    const expected = expectedLabel(step.op, step.error?.code);
    return expected ? `… ${step.error?.code}: ${expected}` : `✗ ${step.error?.code}`;
  }
  switch (step.op) {
    case 'socket': {
      const fd = step.result?.fd;
      return `→ ${step.result?.sock}${fd !== null && fd !== undefined ? ` (fd ${fd})` : ''}`;
    }
    case 'bind':
      return step.result ? `→ ${formatEndpoint(step.result)}` : '→ 0 (ok)';
    case 'accept':
      return step.result ? `→ ${step.result.sock} from ${formatEndpoint(step.result.peer)}` : '→ 0 (ok)';
    case 'connect':
      return step.result ? `→ connected from ${formatEndpoint(step.result.local)}` : '→ 0 (ok)';
    case 'send':
    case 'sendto': {
      const bound = step.result?.implicitBind;
      return `→ ${count(step.result?.bytes ?? 0, NOUNS.byte)}${bound ? `, from ${formatEndpoint(bound)} (bound by the lab)` : ''}`;
    }
    case 'recv': {
      const r = step.result;
      if (!r) return '→ 0 (ok)';
      return 'eof' in r ? '→ 0 bytes: EOF' : `→ ${count(r.bytes, NOUNS.byte)} ${JSON.stringify(r.data)}`;
    }
    case 'recvfrom':
      return step.result ? `→ ${count(step.result.bytes, NOUNS.byte)} ${JSON.stringify(step.result.data)} from ${formatEndpoint(step.result.from)}` : '→ 0 (ok)';
    case 'poll': {
      const r = step.result;
      if (!r) return '→ 0 (ok)';
      if (r.ready === 0) return '→ 0: nothing ready';
      const ready = r.socks.filter((s) => s.revents.length > 0).map((s) => `${s.sock} ${s.revents.join('|')}`);
      return `→ ${r.ready} ready: ${ready.join(', ')}`;
    }
    case 'getsockname':
    case 'getpeername':
      return step.result ? `→ ${formatEndpoint(step.result)}` : '→ 0 (ok)';
    case 'getsockopt':
      return step.result ? `→ ${formatOptionValue(step.result.option, step.result.value)}` : '→ 0 (ok)';
    default:
      return '→ 0 (ok)';
  }
}

/** Each socket's newest call (a socket's first is the socket() that made it), newest first search. */
export function lastStepBySock(steps: readonly StepView[]): Map<string, StepView> {
  const last = new Map<string, StepView>();
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    if (s.sock && !last.has(s.sock)) last.set(s.sock, s);
  }
  return last;
}
