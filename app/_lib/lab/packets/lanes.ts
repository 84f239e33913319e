/**
 * Which lane of the timeline each end of a packet is in: on the loopback lab, the program (actor)
 * whose socket has that address and port; on a sandbox network, the host that saw it. The arrow
 * runs from the sender's lane to the receiver's.
 */
import type { SockView } from '../state';
import { endsOf } from './decoded';
import type { PacketView } from './store';

type End = { address: string; port?: number };

const same = (a: string, b: string) => a === b || a.replace(/^::ffff:/, '') === b.replace(/^::ffff:/, '');

/** The socket at one end of a packet: exact local match (and, for accepted sockets, the peer too). */
function socketAt(sockets: readonly SockView[], at: End, other: End): SockView | undefined {
  if (at.port === undefined) return undefined;
  const local = sockets.filter((s) => s.local && s.local.port === at.port && (same(s.local.address, at.address) || s.local.address === '0.0.0.0' || s.local.address === '::'));
  // A listener and the sockets it accepted share the port: the one connected to `other` is the end.
  return local.find((s) => s.remote && s.remote.port === other.port && same(s.remote.address, other.address)) ?? local.find((s) => s.listening) ?? local[0];
}

export interface PacketLanes {
  from: string | null;
  to: string | null;
}

/** The lanes of a packet's sender and receiver, or null where neither is a known socket ('outside' if that lane exists). */
export function packetLanes(p: PacketView, sockets: readonly SockView[], lanes: readonly string[]): PacketLanes {
  const ends = endsOf(p);
  if (!ends) return { from: null, to: null };
  const lane = (s: SockView | undefined) => (s ? s.actor : lanes.includes('outside') ? 'outside' : null);
  return { from: lane(socketAt(sockets, ends.src, ends.dst)), to: lane(socketAt(sockets, ends.dst, ends.src)) };
}
