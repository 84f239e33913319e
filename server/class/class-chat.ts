/**
 * The class chat: the capstone chat program, started for the whole class in a lab session of its
 * own that no browser owns, on the host's address and the first free port from the one asked for.
 */
import type { ArgsOf, Op } from '../protocol/index.ts';
import { LabSession, type SessionDeps } from '../lab/session.ts';

export interface ClassChat {
  session: LabSession;
  address: string;
  port: number;
}

/** How many ports after the first one are tried before the class goes without a chat. */
const PORTS_TO_TRY = 20;

/** Starts the chat server; null when it could not (the class runs without a chat). */
export async function startClassChat(deps: SessionDeps, address: string, firstPort: number): Promise<ClassChat | null> {
  const session = new LabSession(deps);
  const call = <O extends Op>(op: O, args: ArgsOf<O>) => session.call(op, args, { quiet: true });
  const family = address.includes(':') ? 6 : 4;
  const s = await call('socket', { type: 'tcp', family, actor: 'class chat' });
  if (!s.ok) return null;
  const sock = s.result.sock;
  const [lo, hi] = deps.policy.ports;
  for (let port = firstPort; port <= Math.min(hi, firstPort + PORTS_TO_TRY); port++) {
    if (port < lo) continue;
    const b = await call('bind', { sock, address, port });
    if (!b.ok) continue;
    const l = await call('listen', { sock, backlog: 64 });
    const r = l.ok ? await call('run', { program: 'chat', sock, log: 'summary', idleSeconds: 3 * 3600 }) : l;
    return r.ok ? { session, address, port } : null;
  }
  session.end('ended', 'no free port for the class chat');
  return null;
}
