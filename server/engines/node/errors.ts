/**
 * Node reports kernel refusals as `err.code` ('ECONNREFUSED', ...) but its own argument and state
 * checks as ERR_* codes. The lab only speaks errno names, so the ERR_* checks are translated to the
 * errno the kernel gives for the same mistake.
 */
import { isErrorCode, LabFailure, type ErrorCode } from '../../protocol/errors.ts';
import { EngineError } from '../types.ts';

const KERNEL_EQUIVALENT: Readonly<Record<string, ErrorCode>> = {
  ERR_SOCKET_ALREADY_BOUND: 'EINVAL',
  ERR_SERVER_ALREADY_LISTEN: 'EINVAL',
  ERR_SOCKET_BAD_PORT: 'EINVAL',
  ERR_INVALID_IP_ADDRESS: 'EINVAL',
  ERR_INVALID_ADDRESS_FAMILY: 'EAFNOSUPPORT',
  ERR_SOCKET_DGRAM_IS_CONNECTED: 'EISCONN',
  ERR_SOCKET_DGRAM_NOT_CONNECTED: 'ENOTCONN',
  ERR_SOCKET_DGRAM_NOT_RUNNING: 'EBADF',
  ERR_SOCKET_CLOSED: 'EBADF',
  ERR_STREAM_DESTROYED: 'EPIPE',
  ERR_STREAM_WRITE_AFTER_END: 'EPIPE',
};

/** Linux has two names for some numbers; the lab uses one. */
const PREFERRED_NAME: Readonly<Record<string, ErrorCode>> = {
  ENOTSUP: 'EOPNOTSUPP',
  EWOULDBLOCK: 'EAGAIN',
};

/** The errno name for anything Node threw or emitted; E_INTERNAL when it is not a socket error at all. */
export function errnoOf(err: unknown): ErrorCode {
  if (err instanceof LabFailure) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'E_INTERNAL';
  if (/^E[A-Z0-9]+$/.test(code)) return PREFERRED_NAME[code] ?? (isErrorCode(code) ? code : 'E_INTERNAL');
  return KERNEL_EQUIVALENT[code] ?? 'E_INTERNAL';
}

export function toEngineError(err: unknown): LabFailure {
  if (err instanceof LabFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(errnoOf(err), message);
}

export function cancelled(): EngineError {
  return new EngineError('E_CANCELLED', 'the socket was closed while this call was waiting');
}
