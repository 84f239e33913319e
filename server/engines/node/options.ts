/**
 * Socket options in the fallback engine. Node exposes only a few of them (setNoDelay, setKeepAlive,
 * setTTL, buffer sizes on UDP), each as a one-way setter that cannot read the kernel's value back,
 * so the lab refuses them all here rather than show a value it did not read from the kernel.
 */
import type { SocketOption } from '../../protocol/index.ts';
import { EngineError } from '../types.ts';

export function unsupportedOption(option: SocketOption): EngineError {
  return new EngineError(
    'E_UNSUPPORTED',
    `The fallback engine (Node's net/dgram) cannot call setsockopt()/getsockopt() for ${option}: the native engine can.`,
  );
}
