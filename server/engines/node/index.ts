/**
 * The fallback lab engine, on Node's `net` and `dgram`, for machines where the native addon cannot
 * be built. It reports itself as `node`, and every step it performs together with another, or
 * differently from the real call, is described in `composite` (see composite.ts).
 */
import { anyIsConnection } from '../local-endpoint.ts';
import { EngineError, type Engine, type EngineSocket, type Family, type SocketType } from '../types.ts';
import { NODE_COMPOSITE } from './composite.ts';
import { NodeTcpSocket, type SocketRegistry } from './tcp-socket.ts';
import { NodeUdpSocket } from './udp-socket.ts';

export interface NodeEngineOptions {
  /** Fds the engine may hold (the lab's process-wide budget): connections Node accepts beyond it are reset. */
  maxFds?: number;
}

/** Every lab socket counts as one fd from socket() on (Node creates TCP fds only at listen/connect). */
function openFds(open: Set<EngineSocket>): number {
  let n = 0;
  for (const s of open) n += s instanceof NodeTcpSocket ? s.fdsHeld : 1;
  return n;
}

export function createNodeEngine(options: NodeEngineOptions = {}): Engine {
  const open = new Set<EngineSocket>();
  const maxFds = options.maxFds ?? Infinity;
  const registry: SocketRegistry = {
    add: (socket) => open.add(socket),
    delete: (socket) => open.delete(socket),
    all: () => open,
    roomForFd: () => openFds(open) < maxFds,
  };
  return {
    name: 'node',
    composite: NODE_COMPOSITE,
    socket(type: SocketType, family: Family): EngineSocket {
      if (family !== 4 && family !== 6) throw new EngineError('EAFNOSUPPORT', `no IPv${String(family)} sockets`);
      if (type === 'tcp') return new NodeTcpSocket(family, registry);
      if (type === 'udp') return new NodeUdpSocket(family, registry);
      throw new EngineError('EPROTONOSUPPORT', `no ${String(type)} sockets`);
    },
    closeAll(): void {
      for (const socket of [...open]) socket.close();
    },
    isConnection: (from, to) => anyIsConnection(open, from, to),
    openFds: () => openFds(open),
  };
}
