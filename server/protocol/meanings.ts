/**
 * What errno codes and kernel socket states mean, in plain words: the copy the lab shows next to a
 * code or a state, and the glossary's text. Kept beside the protocol (the server uses the errno
 * meanings as error messages) but apart from its schemas: it is teaching text, not wire format.
 */
import type { ErrorCode } from './errors.ts';

export interface Meaning {
  /** One sentence: what it means. */
  meaning: string;
  /** What usually leads to it (for an errno) or how a socket gets there (for a state). */
  cause: string;
}

/** Plain-words meaning of each errno a learner is likely to meet, shown next to the code. */
const ERRNOS = {
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
    cause: 'send() or recv() on a TCP socket before connect() or accept() gave it a peer, or getpeername() on a socket with no peer (a listener, an unconnected UDP socket).',
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
    cause: 'listen() or accept() on a UDP socket, or getsockopt() of a TCP option on a UDP socket.',
  },
  ENOPROTOOPT: {
    meaning: 'Protocol not available: this option does not exist for this kind of socket.',
    cause: 'setsockopt() of a TCP option (TCP_NODELAY, TCP_KEEPIDLE...) on a UDP socket, or an IPv6 option on an IPv4 socket.',
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
} satisfies { [C in ErrorCode]?: Meaning };

/** Looked up by any code (a code from a tally may be one the lab has no words for). */
export const ERRNO_MEANINGS: Readonly<Record<string, Meaning>> = ERRNOS;


/** Each state the kernel view can show (TCP_STATES), in plain words. */
export const STATE_MEANINGS: Record<string, Meaning> = {
  LISTEN: {
    meaning: 'Listening: a server socket waiting for connections. The kernel finishes each handshake itself and queues the connection for accept().',
    cause: 'bind() then listen() on a TCP socket.',
  },
  SYN_SENT: {
    meaning: 'Connecting: this side sent its SYN and waits for the server\'s SYN-ACK.',
    cause: 'connect() has started and the handshake is not finished (you see it when the server never answers, or on a non-blocking socket).',
  },
  SYN_RECV: {
    meaning: 'Half open, server side: a SYN arrived, the kernel answered SYN-ACK and waits for the client\'s final ACK.',
    cause: 'A client is in the middle of connect() to a listening socket.',
  },
  NEW_SYN_RECV: {
    meaning: 'Half open, as Linux stores it: a small request the kernel keeps while the handshake finishes (ss prints it as SYN-RECV).',
    cause: 'A connection to a listening socket whose handshake is not finished, often because the accept queue is full.',
  },
  ESTABLISHED: {
    meaning: 'Connected: the handshake is done and both sides can send and receive.',
    cause: 'connect() succeeded (client), or the kernel completed a connection on a listening socket (server, before and after accept()).',
  },
  FIN_WAIT1: {
    meaning: 'Closing: this side sent its FIN and waits for the peer to acknowledge it.',
    cause: 'close() or shutdown(write) on a connected socket, an instant before the peer\'s ACK.',
  },
  FIN_WAIT2: {
    meaning: 'Half closed: the peer acknowledged this side\'s FIN; this side can still receive and waits for the peer\'s FIN.',
    cause: 'shutdown(write) or close() first, while the peer has not closed yet.',
  },
  CLOSE_WAIT: {
    meaning: 'The peer closed its side: its FIN arrived and recv() returns 0 (EOF). The kernel waits for this program to close() too.',
    cause: 'The other side called close() or shutdown(write). A socket stuck here is a program that forgot to close().',
  },
  LAST_ACK: {
    meaning: 'Closing second: this side sent its FIN after the peer\'s and waits for the last acknowledgement.',
    cause: 'close() on a socket in CLOSE_WAIT.',
  },
  CLOSING: {
    meaning: 'Both sides sent FIN at nearly the same moment; each waits for the other\'s acknowledgement.',
    cause: 'A simultaneous close: rare, and brief.',
  },
  TIME_WAIT: {
    meaning: 'Closed, but remembered: the side that closed first keeps the connection\'s addresses for a while (60 s on Linux), so a late packet cannot land in a new connection on the same ports.',
    cause: 'Closing first. It is why a restarted server\'s bind() can fail with EADDRINUSE (SO_REUSEADDR allows it).',
  },
  CLOSE: {
    meaning: 'No connection: a TCP socket that is neither listening nor connected (Linux calls the state TCP_CLOSE).',
    cause: 'A fresh or failed socket the kernel lists, for example a bound one.',
  },
  UNCONN: {
    meaning: 'Unconnected datagram socket: a bound UDP socket that can sendto() and recvfrom() any address.',
    cause: 'bind() on a UDP socket (ss prints UNCONN where /proc says state 07, TCP_CLOSE).',
  },
};
