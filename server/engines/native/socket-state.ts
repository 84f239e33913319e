/**
 * Where a native lab socket is in its life, as one field (ws's `readyState` is the model). Every
 * change is an event applied by `nextState`, so the transitions live here and nowhere else.
 *
 * The kernel decides what is allowed (listen on a connected socket is EINVAL): an event is applied
 * only after the call that causes it succeeded, and one that does not apply to the current state
 * leaves it as it is.
 */
export type SocketState =
  /** Made, or back to unconnected after a failed connect. */
  | 'created'
  | 'listening'
  /** A TCP connect() is in progress. */
  | 'connecting'
  /** A connected stream (or a UDP socket with a default peer), its reads still open. */
  | 'connected'
  /** Connected, but nothing more will arrive: the peer closed (and we said so) or reads were shut down. */
  | 'reads-ended'
  | 'closed';

export type SocketEvent =
  | 'listened'
  /** connect() said EINPROGRESS or EALREADY on a TCP socket. */
  | 'connect-pending'
  | 'connected'
  /** connect() failed with the kernel's verdict (not cancelled). */
  | 'connect-failed'
  /** shutdown() of the read side, or the peer's end of stream was reported. */
  | 'reads-ended'
  | 'closed';

export function nextState(state: SocketState, event: SocketEvent): SocketState {
  if (state === 'closed' || event === 'closed') return 'closed';
  switch (event) {
    case 'listened':
      return 'listening';
    case 'connect-pending':
      return state === 'created' || state === 'connecting' ? 'connecting' : state;
    case 'connected':
      // EISCONN also answers connect() on a listening socket (it stays a listener) and on one whose
      // reads ended (they stay ended).
      return state === 'listening' || state === 'reads-ended' ? state : 'connected';
    case 'connect-failed':
      return state === 'connecting' ? 'created' : state;
    case 'reads-ended':
      return state === 'connected' ? 'reads-ended' : state;
  }
}
