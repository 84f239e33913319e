/**
 * The native lab engine: every learner command is one real socket system call made by the C addon,
 * on a real kernel socket. Nothing is combined or simulated, so `composite` is empty.
 */
import { anyIsConnection } from '../local-endpoint.ts';
import type { Engine, Family, SocketType } from '../types.ts';
import { addonLoadFailure, asEngineError, loadNativeAddon, sockDiagCalls } from './addon.ts';
import { NativeSocket } from './socket.ts';

export function createNativeEngine(): Engine {
  const addon = loadNativeAddon();
  if (!addon) {
    throw new Error(`The native lab engine is unavailable: ${addonLoadFailure()}.`);
  }
  const open = new Set<NativeSocket>();
  const sockDiag = sockDiagCalls(addon);
  return {
    name: 'native',
    composite: {},
    socket(type: SocketType, family: Family): NativeSocket {
      let fd: number;
      try {
        fd = addon.socket(family, type);
      } catch (e) {
        throw asEngineError(e);
      }
      return new NativeSocket(addon, fd, type, family, open);
    },
    closeAll(): void {
      for (const socket of [...open]) socket.close();
      sockDiag?.close();
    },
    isConnection: (from, to) => anyIsConnection(open, from, to),
    openFds: () => open.size,
    sockDiag,
    syscallClock: () => {
      const [ns, calls] = addon.syscallClock();
      return { ns, calls };
    },
  };
}
