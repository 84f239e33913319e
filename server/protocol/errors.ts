/**
 * The lab's one error vocabulary: every refusal has a stable code, either the kernel's errno name
 * (ECONNREFUSED, ...) or one of the lab's own codes (E_POLICY, ...), and one class carries it, from
 * the engines and the kernel reader through the lab to the wire.
 *
 * It lives beside the protocol, not in server/lab/, because the codes are protocol vocabulary and
 * the engines, the kernel reader and the sandbox throw it too: they already depend on the protocol
 * (for Endpoint), and none of them may depend on the lab, which uses them.
 */
import * as z from 'zod/mini';

/** Codes the lab itself produces (the sandbox's E_NO_NETWORK included); kernel refusals use the errno name. */
export const LAB_ERROR_CODES = [
  'E_POLICY',
  'E_BAD_REQUEST',
  'E_LIMIT',
  'E_NO_SOCKET',
  'E_UNSUPPORTED',
  'E_BUSY',
  'E_CANCELLED',
  'E_INTERNAL',
  'E_NO_NETWORK',
] as const;
export type LabErrorCode = (typeof LAB_ERROR_CODES)[number];

/**
 * The errno names a socket call can report: POSIX's (Node's `os.constants.errno` on Linux) and the
 * Linux names the native addon also knows (EHOSTDOWN, ESHUTDOWN, ESOCKTNOSUPPORT). Listed here, not
 * read from `node:os`, because the browser checks codes too.
 */
export const ERRNO_NAMES = [
  'E2BIG', 'EACCES', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EAGAIN', 'EALREADY', 'EBADF', 'EBADMSG', 'EBUSY',
  'ECANCELED', 'ECHILD', 'ECONNABORTED', 'ECONNREFUSED', 'ECONNRESET', 'EDEADLK', 'EDESTADDRREQ', 'EDOM', 'EDQUOT',
  'EEXIST', 'EFAULT', 'EFBIG', 'EHOSTDOWN', 'EHOSTUNREACH', 'EIDRM', 'EILSEQ', 'EINPROGRESS', 'EINTR', 'EINVAL', 'EIO',
  'EISCONN', 'EISDIR', 'ELOOP', 'EMFILE', 'EMLINK', 'EMSGSIZE', 'EMULTIHOP', 'ENAMETOOLONG', 'ENETDOWN', 'ENETRESET',
  'ENETUNREACH', 'ENFILE', 'ENOBUFS', 'ENODATA', 'ENODEV', 'ENOENT', 'ENOEXEC', 'ENOLCK', 'ENOLINK', 'ENOMEM', 'ENOMSG',
  'ENOPROTOOPT', 'ENOSPC', 'ENOSR', 'ENOSTR', 'ENOSYS', 'ENOTCONN', 'ENOTDIR', 'ENOTEMPTY', 'ENOTSOCK', 'ENOTSUP',
  'ENOTTY', 'ENXIO', 'EOPNOTSUPP', 'EOVERFLOW', 'EPERM', 'EPIPE', 'EPROTO', 'EPROTONOSUPPORT', 'EPROTOTYPE', 'ERANGE',
  'EROFS', 'ESHUTDOWN', 'ESOCKTNOSUPPORT', 'ESPIPE', 'ESRCH', 'ESTALE', 'ETIME', 'ETIMEDOUT', 'ETXTBSY', 'EWOULDBLOCK',
  'EXDEV',
] as const;
export type ErrnoName = (typeof ERRNO_NAMES)[number];

/** An errno the native addon has no name for is reported by number, as the kernel gave it (E113). */
export type ErrnoNumber = `E${number}`;

/** Every code a refusal can carry, on the server and on the wire. */
export type ErrorCode = ErrnoName | ErrnoNumber | LabErrorCode;

const NAMED: ReadonlySet<string> = new Set<string>([...ERRNO_NAMES, ...LAB_ERROR_CODES]);
const NUMBERED = /^E[0-9]{1,4}$/;

export function isErrorCode(code: string): code is ErrorCode {
  return NAMED.has(code) || NUMBERED.test(code);
}

/** `code` when it is one of ours; E_INTERNAL for anything else (a code from outside is never passed on unchecked). */
export function toErrorCode(code: unknown): ErrorCode {
  return typeof code === 'string' && isErrorCode(code) ? code : 'E_INTERNAL';
}

export const ErrorCodeSchema = z.custom<ErrorCode>((v) => typeof v === 'string' && isErrorCode(v), 'an errno name or a lab error code');

/** A refusal as it crosses the wire. */
export const ErrorSchema = z.object({ code: ErrorCodeSchema, message: z.string() });
export type LabError = z.infer<typeof ErrorSchema>;

/**
 * A refusal with a stable code, thrown by the lab (policy, quota, bad request), an engine (the
 * kernel's errno), the kernel reader or the sandbox. `forLearner` says whether `message` is written
 * for the learner; when it is not (an engine's detail, such as strerror's text), the learner reads
 * the code's plain meaning instead (server/lab/failure.ts).
 */
export class LabFailure extends Error {
  readonly code: ErrorCode;
  readonly forLearner: boolean;
  constructor(code: ErrorCode, message: string, options: { forLearner?: boolean } = {}) {
    super(message);
    this.name = 'LabFailure';
    this.code = code;
    this.forLearner = options.forLearner ?? true;
  }
}
