/**
 * Picks the engine: the native addon (one real syscall per step) when it is built, else the fallback
 * on Node's net/dgram, which says in every hello which steps it performs together.
 */
import type { NativeEngineOptions } from './native/index.ts';
import type { NodeEngineOptions } from './node/index.ts';
import type { Engine } from './types.ts';

export interface EngineChoice {
  engine: Engine;
  /** Why the fallback is in use, when it is. */
  fallbackReason?: string;
}

/**
 * `maxFds` concerns the fallback (the native engine's fds wait in the kernel's queues, not in Node);
 * `ephemeralPorts` the native engine (Node's net cannot set IP_LOCAL_PORT_RANGE before connecting).
 */
export async function selectEngine(preference: 'auto' | 'native' | 'node', options: NodeEngineOptions & NativeEngineOptions = {}): Promise<EngineChoice> {
  let fallbackReason = 'forced with --engine node (SOCKETLAB_ENGINE=node)';
  if (preference !== 'node') {
    try {
      const { createNativeEngine } = await import('./native/index.ts');
      return { engine: createNativeEngine({ ephemeralPorts: options.ephemeralPorts }) };
    } catch (e) {
      if (preference === 'native') throw e;
      fallbackReason = (e as Error).message;
    }
  }
  const { createNodeEngine } = await import('./node/index.ts');
  return { engine: createNodeEngine({ maxFds: options.maxFds }), fallbackReason };
}
