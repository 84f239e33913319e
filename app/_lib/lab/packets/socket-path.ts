/** The inputs of one socket's state machine (tcp-machine.ts), gathered from the session's record. */
import type { KernelSnapshot, SockView, StepView } from '../state';
import { endsOf, factsOf } from './decoded';
import type { PacketView } from './store';
import { tcpPath, type MachineInput, type PathStep } from './tcp-machine';

const same = (a: string, b: string) => a === b || a.replace(/^::ffff:/, '') === b.replace(/^::ffff:/, '');

/** Whether a packet is of this socket's connection, and which way: 'out' (it sent it), 'in', or null. */
export function packetWay(sock: SockView, p: PacketView): 'out' | 'in' | null {
  if (!sock.local || !sock.remote) return null;
  const ends = endsOf(p);
  if (!ends || !factsOf(p).tcp) return null;
  const is = (e: { address: string; port?: number }, x: { address: string; port: number }) => e.port === x.port && same(e.address, x.address);
  if (is(ends.src, sock.local) && is(ends.dst, sock.remote)) return 'out';
  if (is(ends.dst, sock.local) && is(ends.src, sock.remote)) return 'in';
  return null;
}

interface Timed {
  at: number;
  order: number;
  input: MachineInput;
}

export function machineInputs(sock: SockView, steps: readonly StepView[], packets: readonly PacketView[], kernelLog: readonly KernelSnapshot[]): MachineInput[] {
  const timed: Timed[] = [];
  let order = 0;
  const add = (at: number, input: MachineInput) => timed.push({ at, order: order++, input });
  if (sock.acceptedFrom) {
    // Before its packets: the handshake happened while the listener waited.
    add(-Infinity, { kind: 'call', op: 'accepted' });
  }
  for (const s of steps) {
    if (s.sock !== sock.handle || s.status === 'blocked') continue;
    if (s.op === 'listen' && s.status === 'ok') add(s.end ?? s.start, { kind: 'call', op: 'listen' });
    else if (s.op === 'connect' && (s.status === 'ok' || s.error?.code === 'EINPROGRESS' || s.error?.code === 'ECONNREFUSED')) add(s.start, { kind: 'call', op: 'connect' });
  }
  // Connection packets, only where this socket has both ends (a listener has none of its own).
  if (!sock.listening) {
    for (const p of packets) {
      const way = packetWay(sock, p);
      if (!way) continue;
      const t = factsOf(p).tcp!;
      add(p.time, { kind: 'packet', out: way === 'out', flags: t.flags, seq: t.seq, ack: t.ack, length: t.payloadLength, n: p.n });
    }
  }
  const endOf = (seq: number) => {
    const s = steps.find((x) => x.seq === seq);
    return s ? (s.end ?? s.start) + 0.001 : Infinity;
  };
  for (const snap of kernelLog) {
    const row = snap.rows.find((r) => (r.sock === sock.handle && r.relation === 'own') || (r.relation === 'closed' && r.of === sock.handle && sock.closed));
    if (row && row.proto.startsWith('tcp')) add(endOf(snap.afterSeq), { kind: 'kernel', state: row.state });
  }
  timed.sort((a, b) => a.at - b.at || a.order - b.order);
  return timed.map((t) => t.input);
}

export function socketPath(sock: SockView, steps: readonly StepView[], packets: readonly PacketView[], kernelLog: readonly KernelSnapshot[]): PathStep[] {
  return tcpPath(machineInputs(sock, steps, packets, kernelLog));
}
