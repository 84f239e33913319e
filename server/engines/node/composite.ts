/**
 * Every way the fallback engine differs from one real system call per step, in plain words for the
 * learner. The lab sends this in `hello.composite`; each key is the op the note belongs to.
 * Keep it true to what tcp-*.ts and udp-socket.ts do: a difference not written here is disguised.
 */
import { getDefaultHighWaterMark } from 'node:stream';

/** Node stops reading ahead of recv() once its buffer holds this much (libuv reads 64 KiB at a time). */
const READ_AHEAD_KIB = Math.round(getDefaultHighWaterMark(false) / 1024);

export const NODE_COMPOSITE: Record<string, string> = {
  socket:
    'Node has no separate socket() for TCP: the lab keeps a placeholder and the kernel socket (and its fd) ' +
    'is created at listen() or connect(), so fd is null until then. A UDP socket gets its fd at bind() ' +
    "(the learner's, or the one the lab makes before a first sendto(), connect() or send()).",
  bind:
    'For TCP, Node binds inside listen() or connect(): bind() checks the address (an IP address of ' +
    "the socket's family that belongs to this machine, on a port no other lab socket holds), makes a trial " +
    'bind (Node can only bind by listening, so it listens for an instant and closes) so that a port another ' +
    'program holds is EADDRINUSE here, and records the address. The port is not held until listen() or ' +
    'connect(), which can still find it taken by then. For UDP, bind() is a real, separate bind().',
  listen:
    'Node performs bind()+listen() together here. It accepts every connection as soon as it arrives, so ' +
    'the backlog never fills: a client left waiting in SYN_SENT by a full backlog cannot be shown with this engine. ' +
    'Each accepted connection holds a file descriptor, so beyond 128 waiting connections (or when the lab has ' +
    'no file descriptors to spare) a new one is reset at once, where the kernel would leave it waiting.',
  accept:
    'Node accepts connections as they arrive; the lab queues them until you call accept(), so the kernel ' +
    "accept queue stays empty and the kernel view shows them as established already. Their bytes stay in " +
    'the kernel until you accept.',
  connect:
    'Node creates the socket and connects in one step (binding it first to the address given to bind(), ' +
    'if any). A blocking connect() always shows as blocked, because Node always finishes the handshake asynchronously.',
  send:
    "Node queues the write: send() returns the number of bytes handed to Node, which passes them to the " +
    'kernel as soon as it can, so an error such as ECONNRESET or EPIPE shows up on a later call. send() ' +
    "waits (or says EAGAIN) only while Node's own queue is over its limit.",
  recv:
    'Node reads data as it arrives into its own buffer, up to 64 KiB at a time, and stops once it holds ' +
    `${READ_AHEAD_KIB} KiB or more; the rest waits in the kernel. recv() takes from that buffer, so the ` +
    "kernel view's receive queue shows only what Node has not read yet, and 'data waiting' counts only " +
    "what Node holds. TCP is still a stream: two sends " +
    'can come back in one recv(). End of stream comes after the last byte.',
  sendto:
    'For TCP, sendto() is send() (Linux ignores the address). On a connected UDP socket Node refuses another ' +
    'destination (E_UNSUPPORTED), where Linux would send to it.',
  recvfrom:
    'Node receives every datagram as soon as it arrives (so the kernel view shows an empty receive queue); ' +
    'the lab keeps them in order, one per recvfrom() ' +
    '(boundaries kept; a datagram longer than max is cut, the rest lost), and drops new ones beyond 208 KiB ' +
    'as a full kernel buffer would. On a connected UDP socket, the ECONNREFUSED that follows an ICMP ' +
    '"port unreachable" reaches Node as an event; the lab gives it to your next call on that socket.',
  shutdown:
    "shutdown('write') is Node's end(): the FIN follows any bytes Node still has queued. shutdown('read') " +
    'is done by the lab: bytes already received can still be recv()d, then recv() reports end of stream, ' +
    'and bytes arriving later are read and thrown away (Linux would still deliver them). Only a connected ' +
    'TCP socket can be shut down here: on a listening or connecting socket, or a connected UDP socket, it ' +
    'is E_UNSUPPORTED.',
  close:
    "close() destroys Node's socket. If received bytes were never recv()d, the lab resets the connection " +
    '(RST), as the kernel does. Node releases the kernel socket by itself once both directions have ended, ' +
    'so the fd can disappear before you call close().',
  getsockname:
    "Answered from Node's address() / localAddress, not a getsockname() call of its own. A TCP socket " +
    'that is bound but neither listening nor connected has no kernel socket yet here, so the answer is the ' +
    'address bind() recorded (see bind).',
  getpeername:
    "Answered from Node's remoteAddress / remotePort (TCP) or the address given to connect() (UDP), " +
    'not a getpeername() call of its own.',
  setsockopt:
    "Node offers no setsockopt(): every option is E_UNSUPPORTED here (the native engine makes the real call).",
  getsockopt: "Node offers no getsockopt(): every option is E_UNSUPPORTED here (the native engine makes the real call).",
  poll: "Node's sockets do not expose their kernel readiness, so there is no real poll(2) here: poll is E_UNSUPPORTED (the native engine makes the real call).",
};
