/**
 * The native lab engine: every learner command is one real socket system call made by the C addon,
 * on a real kernel socket. Nothing is combined or simulated, so `composite` is empty.
 */
import { anyIsConnection } from '../local-endpoint.ts';
import type { PortRange } from '../ephemeral-range.ts';
import type { Engine, Family, SocketType } from '../types.ts';
import { addonLoadFailure, asEngineError, loadNativeAddon, sockDiagCalls } from './addon.ts';
import { NativeSocket } from './socket.ts';

export interface NativeEngineOptions {
  /** Where the kernel may choose a TCP socket's implicit port (server/engines/ephemeral-range.ts); unset: anywhere. */
  ephemeralPorts?: PortRange | null;
}

export function createNativeEngine(options: NativeEngineOptions = {}): Engine {
  const addon = loadNativeAddon();
  if (!addon) {
    throw new Error(`The native lab engine is unavailable: ${addonLoadFailure()}.`);
  }
  const open = new Set<NativeSocket>();
  const sockDiag = sockDiagCalls(addon);
  let ephemeral = options.ephemeralPorts ?? null;
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
      // Not a learner's call (it is not timed, nor shown): it only keeps the kernel's choice of a
      // connect's port out of the lab's range. A kernel without the option (< 6.3) is asked once.
      if (ephemeral && type === 'tcp') {
        try {
          if (!addon.setEphemeralRange(fd, ephemeral[0], ephemeral[1])) ephemeral = null;
        } catch {
          ephemeral = null;
        }
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
