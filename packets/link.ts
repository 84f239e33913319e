/** Link layers: Ethernet II (with 802.1Q VLAN tags) and Linux "cooked" captures (SLL and SLL2). */
import { etherPayload } from './dispatch.ts';
import { ETHER_TYPES } from './numbers.ts';
import type { Decoding } from './decoding.ts';
import { hex, hexNumber, ipv4, mac } from './format.ts';

const etherTypeName = (t: number) => ETHER_TYPES[t] ?? (t < 0x0600 ? 'length (802.3)' : 'unknown');
const showEtherType = (t: number) => `${hexNumber(t, 4)} (${etherTypeName(t)})`;

const ETHERTYPE_EXPLAIN =
  'Says what the frame carries, so the receiver knows which protocol should read the rest: 0x0800 is IPv4, 0x86dd is IPv6, 0x0806 is ARP.';

export function ethernet(d: Decoding, offset: number): void {
  const layer = d.begin('eth', 'Ethernet II', offset);
  d.need(offset, 14, 'Ethernet header');
  const dst = mac(d.bytes, offset);
  const src = mac(d.bytes, offset + 6);
  const loopback = dst === '00:00:00:00:00:00' && src === '00:00:00:00:00:00';
  d.field('eth.dst', 'Destination', offset, 6, hex(d.bytes, offset, offset + 6), dst,
    loopback
      ? 'The hardware (MAC) address of the network card this frame is for. On loopback there is no card, so Linux writes zeros.'
      : 'The hardware (MAC) address of the network card this frame is for on this link. ff:ff:ff:ff:ff:ff means every card on the link (broadcast).');
  d.field('eth.src', 'Source', offset + 6, 6, hex(d.bytes, offset + 6, offset + 12), src,
    loopback
      ? 'The hardware (MAC) address of the sender. On loopback there is no card, so Linux writes zeros.'
      : 'The hardware (MAC) address of the network card that sent this frame. It changes at every router: MAC addresses only matter on one link.');
  let type = d.num('eth.type', 'Type', offset + 12, 2, ETHERTYPE_EXPLAIN, showEtherType);
  d.facts.eth = { src, dst, type };
  let at = offset + 14;
  d.finish(layer, at);
  while (type === 0x8100 || type === 0x88a8) {
    const tag = d.begin('vlan', '802.1Q virtual LAN tag', at);
    d.bitsOf('vlan.priority', 'Priority', at, 2, 0, 3, 'How urgent the frame is for switches that honour priorities (0 is ordinary).');
    d.bitsOf('vlan.dei', 'Drop eligible', at, 2, 3, 1, 'Set when a busy switch may drop this frame first.');
    d.bitsOf('vlan.id', 'VLAN', at, 2, 4, 12, 'Which virtual LAN the frame belongs to: one cable can carry several separate networks.');
    type = d.num('vlan.etype', 'Type', at + 2, 2, ETHERTYPE_EXPLAIN, showEtherType);
    at += 4;
    d.finish(tag, at);
  }
  if (type < 0x0600) {
    d.current = layer;
    d.flag('malformed', 'This is an IEEE 802.3 frame with a length, not Ethernet II with a type; it is not decoded further.');
    return;
  }
  etherPayload(d, type, at);
}

const PACKET_TYPES: Record<number, string> = {
  0: 'to this host',
  1: 'broadcast',
  2: 'multicast',
  3: 'to another host',
  4: 'sent by this host',
};
const PKTTYPE_EXPLAIN = 'Which way the packet went, as the capturing machine saw it: addressed to this host, broadcast, multicast, to another host, or sent by this host.';
const HATYPE_EXPLAIN = 'The kind of link the packet was captured on (1 is Ethernet, 772 is loopback). A "cooked" capture replaces the real link header with this summary.';

function linkAddress(d: Decoding, at: number, halen: number, hatype: number): void {
  const n = Math.min(halen, 8);
  d.need(at, 8, 'link-layer address');
  if (halen === 6 && (hatype === 1 || hatype === 772)) {
    d.field('sll.src.eth', 'Source', at, 6, hex(d.bytes, at, at + 6), mac(d.bytes, at), 'The hardware (MAC) address of the sender, where the link has one.');
  } else if (halen === 4) {
    d.field('sll.src.ipv4', 'Source', at, 4, hex(d.bytes, at, at + 4), ipv4(d.bytes, at), 'The sender\'s link address (an IPv4 address on this kind of link).');
  } else if (n > 0) {
    d.field('sll.src.other', 'Source', at, n, hex(d.bytes, at, at + n), hex(d.bytes, at, at + n), 'The sender\'s link-layer address.');
  }
  if (n < 8) d.field('sll.unused', 'Unused', at + n, 8 - n, hex(d.bytes, at + n, at + 8), hex(d.bytes, at + n, at + 8), 'Room for a longer address; not used here.');
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL): 16 bytes. */
export function sll(d: Decoding, offset: number): void {
  const layer = d.begin('sll', 'Linux cooked capture v1', offset);
  d.num('sll.pkttype', 'Packet type', offset, 2, PKTTYPE_EXPLAIN, (n) => `${n} (${PACKET_TYPES[n] ?? 'unknown'})`);
  const hatype = d.num('sll.hatype', 'Link-layer address type', offset + 2, 2, HATYPE_EXPLAIN);
  const halen = d.num('sll.halen', 'Link-layer address length', offset + 4, 2, 'How many of the next 8 bytes are the sender\'s address.');
  linkAddress(d, offset + 6, halen, hatype);
  const type = d.num('sll.etype', 'Protocol', offset + 14, 2, ETHERTYPE_EXPLAIN, showEtherType);
  d.finish(layer, offset + 16);
  etherPayload(d, type, offset + 16);
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): 20 bytes, with the interface index. */
export function sll2(d: Decoding, offset: number): void {
  const layer = d.begin('sll2', 'Linux cooked capture v2', offset);
  const type = d.num('sll.etype', 'Protocol', offset, 2, ETHERTYPE_EXPLAIN, showEtherType);
  d.num('lab.sll2.reserved', 'Reserved', offset + 2, 2, 'Always zero.');
  d.num('sll.ifindex', 'Interface index', offset + 4, 4, 'The number Linux gave the network interface the packet was seen on (see `ip link`).');
  const hatype = d.num('sll.hatype', 'Link-layer address type', offset + 8, 2, HATYPE_EXPLAIN);
  d.num('sll.pkttype', 'Packet type', offset + 10, 1, PKTTYPE_EXPLAIN, (n) => `${n} (${PACKET_TYPES[n] ?? 'unknown'})`);
  const halen = d.num('sll.halen', 'Link-layer address length', offset + 11, 1, 'How many of the next 8 bytes are the sender\'s address.');
  linkAddress(d, offset + 12, halen, hatype);
  d.finish(layer, offset + 20);
  etherPayload(d, type, offset + 20);
}
