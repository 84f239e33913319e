/**
 * Plain words for the error codes a learner is likely to meet, shown next to the code (the lab page,
 * the instructor's dashboard) and used by the server as the message of an engine's refusal. UI copy,
 * kept beside the protocol, not in it.
 */
import type { ErrorCode } from './errors.ts';

export interface ErrnoMeaning {
  meaning: string;
  cause: string;
}

/** Plain-words meaning of each errno a learner is likely to meet, shown next to the code. */
const MEANINGS = {
  ECONNREFUSED: {
    meaning: 'Connection refused: nobody is listening on that address and port.',
    cause: 'The server has not called listen() yet, has closed, or you typed the wrong port. For UDP, the peer answered with an ICMP "port unreachable".',
  },
  EADDRINUSE: {
    meaning: 'Address already in use: another socket is already bound to this address and port.',
    cause: 'A second server on the same port, or a bind to a port another program (or another learner) holds.',
  },
  EADDRNOTAVAIL: {
    meaning: 'Address not available: this machine has no interface with that address.',
    cause: 'Binding to an IP address that belongs to another machine.',
  },
  EINVAL: {
    meaning: 'Invalid argument: the call does not make sense in the socket\'s current state.',
    cause: 'accept() before listen(), bind() on a socket that is already bound, or listen() on a UDP socket.',
  },
  EAGAIN: {
    meaning: 'Try again: the call would have to wait, and the socket is non-blocking.',
    cause: 'Nothing to accept or receive yet. A blocking socket would have waited here.',
  },
  EWOULDBLOCK: {
    meaning: 'Would block: same as EAGAIN.',
    cause: 'Nothing to accept or receive yet on a non-blocking socket.',
  },
  EINPROGRESS: {
    meaning: 'In progress: the connection has started but is not finished yet.',
    cause: 'connect() on a non-blocking socket. The handshake continues in the kernel.',
  },
  EALREADY: {
    meaning: 'Already in progress: a previous connect() on this socket has not finished yet.',
    cause: 'Calling connect() again on a non-blocking socket before the first one completed.',
  },
  ENOTCONN: {
    meaning: 'Not connected: this call needs a connected socket.',
    cause: 'send() or recv() on a TCP socket before connect() or accept() gave it a peer.',
  },
  EISCONN: {
    meaning: 'Already connected: this socket already has a peer.',
    cause: 'Calling connect() twice on the same TCP socket.',
  },
  EPIPE: {
    meaning: 'Broken pipe: you cannot send any more on this connection.',
    cause: 'Sending after shutdown(write), or after the peer has closed and reset the connection.',
  },
  ECONNRESET: {
    meaning: 'Connection reset by peer: the other side aborted the connection.',
    cause: 'The peer closed with unread data, crashed, or sent a TCP RST.',
  },
  EBADF: {
    meaning: 'Bad file descriptor: this descriptor is not open.',
    cause: 'Using a socket after close().',
  },
  EOPNOTSUPP: {
    meaning: 'Operation not supported on this kind of socket.',
    cause: 'listen() or accept() on a UDP socket.',
  },
  EDESTADDRREQ: {
    meaning: 'Destination address required.',
    cause: 'send() on a UDP socket that was never connected: use sendto() with an address.',
  },
  EAFNOSUPPORT: {
    meaning: 'Address family not supported: an IPv4 address on an IPv6 socket or the other way round.',
    cause: 'Mixing 127.0.0.1 with a family-6 socket, or ::1 with a family-4 socket.',
  },
  EMSGSIZE: {
    meaning: 'Message too long for one datagram.',
    cause: 'A UDP payload larger than the socket can send in one piece.',
  },
  ETIMEDOUT: {
    meaning: 'Timed out: the other side never answered.',
    cause: 'The peer is unreachable or a firewall drops the packets silently.',
  },
  EHOSTUNREACH: { meaning: 'No route to host.', cause: 'The address is not reachable from this machine.' },
  ENETUNREACH: { meaning: 'Network is unreachable.', cause: 'No route to that network.' },
  E_POLICY: {
    meaning: 'Outside the lab\'s policy: the lab refused before making any system call.',
    cause: 'An address or port outside the lab\'s allowed list. The lab only uses loopback and its own port range.',
  },
  E_BAD_REQUEST: { meaning: 'The lab could not understand the request.', cause: 'A missing or malformed argument.' },
  E_LIMIT: { meaning: 'Over a lab quota.', cause: 'Too many sockets, too many bytes in one send, or too many calls per second.' },
  E_NO_SOCKET: { meaning: 'No such socket in this session.', cause: 'The handle was never created here, or was closed.' },
  E_UNSUPPORTED: { meaning: 'This platform or engine cannot do that.', cause: 'A feature the fallback engine or this OS lacks.' },
  E_BUSY: {
    meaning: 'A call of this kind is already waiting on this socket.',
    cause: 'A blocked recv() or accept() is still pending; close the socket or wait for it.',
  },
  E_CANCELLED: { meaning: 'The waiting call was cancelled.', cause: 'The socket was closed while the call was blocked.' },
  E_INTERNAL: { meaning: 'Something went wrong inside the lab.', cause: 'A bug: please report it.' },
} satisfies { [C in ErrorCode]?: ErrnoMeaning };

/** Looked up by any code (a code from a tally may be one the lab has no words for). */
export const ERRNO_MEANINGS: Readonly<Record<string, ErrnoMeaning>> = MEANINGS;
