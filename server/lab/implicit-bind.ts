/**
 * Implicit binds. The kernel binds a socket on its own when a call needs a local address and the
 * socket has none: listen() on an unbound TCP socket, and sendto(), connect() or send() on an
 * unbound UDP socket (even when the call then fails, e.g. EDESTADDRREQ or EAFNOSUPPORT). It picks
 * the wildcard address (0.0.0.0 or [::], every interface, reachable from the LAN) and an ephemeral
 * port outside the lab's range. The lab never lets that happen (docs/protocol.md, Policy):
 *
 * - listen() on a TCP socket that was never bound is refused: a real server binds first.
 * - Before a UDP call that would bind, the lab makes a real bind() itself, inside the range, to the
 *   address the kernel would have sent from (the destination's own address: every allowed address is
 *   this machine's), and the call's result says so (`implicitBind`).
 *
 * A TCP connect() is left to the kernel: it binds the address it routes from (loopback, for the
 * loopback destinations the policy allows) and an ephemeral port, and only the peer can reach that
 * connection. Lesson 5 shows that port.
 */
import ipaddr from 'ipaddr.js';
import type { Endpoint } from '../protocol/index.ts';
import { LabFailure, toLabError } from './failure.ts';
import type { OpContext } from './op-context.ts';
import type { SocketEntry } from './socket-table.ts';

const LOOPBACK = { 4: '127.0.0.1', 6: '::1' } as const;

function describe(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/**
 * Refuses listen() on a TCP socket the learner has not bound inside the policy. A connected socket
 * is left to the kernel, which refuses it (EINVAL) without binding anything.
 */
export function checkListenAddress(session: OpContext, entry: SocketEntry): void {
  if (entry.type !== 'tcp') return; // the kernel refuses listen() on UDP (EOPNOTSUPP) without binding
  if (entry.host !== undefined) return; // a sandbox host's wildcard is that host's own interfaces: let the kernel bind
  const local = entry.sock.localAddress();
  const wildcard = entry.family === 4 ? '0.0.0.0' : '[::]';
  if (!local) {
    throw new LabFailure(
      'E_POLICY',
      `${entry.handle} has no address yet: call bind() first. A real server binds before it listens; here the kernel ` +
        `would have bound it to ${wildcard} (every interface, reachable from other machines) and a random port ` +
        `outside the lab's range, so the lab refuses.`,
    );
  }
  if (entry.sock.remoteAddress()) return;
  const { policy } = session.deps;
  if (!policy.allows(local.address) || !policy.inRange(local.port)) {
    throw new LabFailure(
      'E_POLICY',
      `${entry.handle} is bound to ${describe(local)} (the kernel chose it during an earlier call), outside the lab's ` +
        `addresses and ports ${policy.ports[0]}-${policy.ports[1]}: the lab will not listen there. Use a new socket and bind() it.`,
    );
  }
}

/** The address the kernel would send from to reach `destination` from a socket of `family`. */
function sourceFor(family: 4 | 6, destination: string | null): string {
  if (destination === null) return LOOPBACK[family];
  const parsed = ipaddr.parse(destination);
  if (family === 4) return parsed.kind() === 'ipv4' ? parsed.toString() : LOOPBACK[4]; // the kernel will refuse the family
  const v4 = ipaddr.process(destination);
  // An IPv6 socket reaches IPv4 destinations through IPv4-mapped addresses (dual stack).
  return v4.kind() === 'ipv4' ? `::ffff:${v4.toString()}` : parsed.toString();
}

/**
 * Runs `call` on a UDP socket, binding it first inside the policy if it has no address yet.
 * `destination` is the call's destination, or null for send(). Returns the call's result and the
 * bind the lab made, if any. A failing call after the lab's bind says so in its error message.
 */
export async function withBoundUdp<T>(
  session: OpContext,
  entry: SocketEntry,
  destination: string | null,
  call: () => Promise<T>,
): Promise<{ value: T; implicitBind?: Endpoint }> {
  // A sandbox host's own interfaces reach nothing real: there the kernel binds as it would anywhere.
  if (entry.type !== 'udp' || entry.host !== undefined || entry.sock.localAddress()) return { value: await call() };
  const address = sourceFor(entry.family, destination);
  let bound: Endpoint;
  try {
    bound = await session.deps.ports.bindFree(entry.sock, address);
  } catch (e) {
    const { code, message } = toLabError(e);
    throw new LabFailure(code, `${entry.handle} had no address, and the lab's bind() to ${address} inside its range failed first: ${message}`);
  }
  const implicitBind = { address: bound.address, port: bound.port };
  try {
    return { value: await call(), implicitBind };
  } catch (e) {
    if (!(e instanceof LabFailure)) throw e;
    const { code, message } = toLabError(e);
    throw new LabFailure(code, `${message} (${implicitBindNote(entry.handle, implicitBind, entry.family)})`);
  }
}

/** The sentence a learner reads about a bind the lab made for them. */
export function implicitBindNote(handle: string, bound: Endpoint, family: 4 | 6): string {
  const wildcard = family === 4 ? '0.0.0.0' : '[::]';
  return (
    `${handle} had no address, so the lab first bound it to ${describe(bound)}; the kernel would have bound it ` +
    `to ${wildcard} and a random port, reachable from other machines`
  );
}
