/**
 * Turning a lab session into programs: one program per actor (the server, the client...), with that
 * actor's calls in the order it made them, so each can run in its own terminal like the real thing.
 * Lab refusals (E_POLICY, E_NO_SOCKET...) never reached the kernel and are left out.
 */
import type { Step } from '@/server/protocol';

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
