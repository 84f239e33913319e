/**
 * Turning a lab session into programs: one program per actor (the server, the client...), with that
 * actor's calls in the order it made them, so each can run in its own terminal like the real thing.
 * Lab refusals (E_POLICY, E_NO_SOCKET...) never reached the kernel and are left out.
 */
import { SOCKET_OPTIONS, type SocketOption, type Step } from '@/server/protocol';

export type Language = 'python' | 'c' | 'node';

export interface ProgramStep {
  op: Step['op'];
  sock?: string;
  args: Record<string, unknown>;
  result?: Record<string, unknown>;
  /** The errno the lab got, when the kernel refused. */
  errno?: string;
}

export interface ActorProgram {
  actor: string;
  steps: ProgramStep[];
  /** Sockets this actor uses that another actor created (none in the lab's scenarios). */
}

/** Groups completed kernel-level steps by actor, in the order the calls were made. */
export function programsFromSteps(steps: Step[]): ActorProgram[] {
  const byActor = new Map<string, ProgramStep[]>();
  const done = steps.filter((s) => s.status !== 'blocked' && s.op !== 'kernel').sort((a, b) => a.seq - b.seq);
  for (const s of done) {
    if (s.status === 'error' && s.error?.code.startsWith('E_')) continue;
    const list = byActor.get(s.actor) ?? [];
    list.push({
      op: s.op,
      sock: s.sock,
      args: s.args,
      result: s.result,
      errno: s.status === 'error' ? s.error?.code : undefined,
    });
    byActor.set(s.actor, list);
  }
  return [...byActor.entries()].map(([actor, list]) => ({ actor, steps: list }));
}

/** A file name for an actor's program: "server", "client 2" → "client-2". */
export function programName(actor: string): string {
  return actor.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'program';
}

/** The port a bind actually used (the lab may have picked it for port 0). */
export function boundPort(step: ProgramStep): number {
  return Number(step.result?.port ?? step.args.port);
}

/** Text payload as the bytes the lab sent (base64 payloads decoded). */
export function payloadBytes(step: ProgramStep): Uint8Array {
  const data = String(step.args.data ?? '');
  if (step.args.encoding === 'base64') return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(data);
}

export function isV6(address: unknown): boolean {
  return String(address).includes(':');
}

/** A poll step's sockets and the events wanted on each, as the programs need them. */
export interface PollCall {
  socks: { sock: string; events: ('in' | 'out')[] }[];
  /** In ms; -1 waits until a socket is ready. */
  timeout: number;
}

/** Reads a poll step's args (already validated by the lab); events other than in/out are never emitted. */
export function pollCall(args: Record<string, unknown>): PollCall {
  const socks = Array.isArray(args.socks) ? args.socks : [];
  return {
    socks: socks.map((p: { sock?: unknown; events?: unknown }) => ({
      sock: String(p.sock),
      events: (Array.isArray(p.events) ? p.events : []).filter((e): e is 'in' | 'out' => e === 'in' || e === 'out'),
    })),
    timeout: Math.trunc(Number(args.timeout ?? -1)),
  };
}

/** A setsockopt/getsockopt step's option, its level's name and its value, as the programs need them. */
export interface OptionCall {
  option: SocketOption;
  level: 'SOL_SOCKET' | 'IPPROTO_TCP' | 'IPPROTO_IPV6' | 'IPPROTO_IP';
  /** An int option's value (SO_RCVTIMEO in ms), or SO_LINGER's pair; undefined for getsockopt. */
  value?: number | { onoff: boolean; linger: number };
}

/** Reads an option step's args; null for anything outside the lab's named set (never emitted). */
export function optionCall(args: Record<string, unknown>): OptionCall | null {
  const option = SOCKET_OPTIONS.find((o) => o === args.option);
  if (!option) return null;
  const level = option.startsWith('TCP_') ? 'IPPROTO_TCP' : option.startsWith('IPV6_') ? 'IPPROTO_IPV6' : option.startsWith('IP_') ? 'IPPROTO_IP' : 'SOL_SOCKET';
  const v = args.value;
  if (typeof v === 'number') return { option, level, value: Math.trunc(v) };
  if (v && typeof v === 'object' && 'onoff' in v && 'linger' in v) return { option, level, value: { onoff: v.onoff === true, linger: Math.trunc(Number(v.linger)) } };
  return { option, level };
}
