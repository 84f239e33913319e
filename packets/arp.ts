/** ARP (RFC 826): how a host finds the hardware address behind an IPv4 address on its own link. */
import type { Decoding } from './decoding.ts';
import { hex, hexNumber, ipv4, mac } from './format.ts';

const OPERATIONS: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'RARP request', 4: 'RARP reply' };

export function arp(d: Decoding, offset: number): void {
  const layer = d.begin('arp', 'Address Resolution Protocol', offset);
  const htype = d.num('arp.hw.type', 'Hardware type', offset, 2, 'The kind of link: 1 is Ethernet.', (n) => (n === 1 ? '1 (Ethernet)' : String(n)));
  const ptype = d.num('arp.proto.type', 'Protocol type', offset + 2, 2, 'The kind of address being resolved: 0x0800 is IPv4.', (n) => `${hexNumber(n, 4)}${n === 0x0800 ? ' (IPv4)' : ''}`);
  const hlen = d.num('arp.hw.size', 'Hardware size', offset + 4, 1, 'Bytes in a hardware address (6 for a MAC address).');
  const plen = d.num('arp.proto.size', 'Protocol size', offset + 5, 1, 'Bytes in a protocol address (4 for IPv4).');
  const op = d.num('arp.opcode', 'Operation', offset + 6, 2,
    'A request asks the whole link "who has this IP address?"; the owner answers with a reply saying "it is at my MAC address".',
    (n) => `${n} (${OPERATIONS[n] ?? 'unknown'})`);
  let at = offset + 8;
  if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) {
    const end = Math.min(d.bytes.length, at + 2 * (hlen + plen));
    if (end > at) d.field('lab.arp.addresses', 'Addresses', at, end - at, hex(d.bytes, at, end), hex(d.bytes, at, end), 'Sender and target addresses of a kind not decoded here.');
    d.finish(layer, end);
    return;
  }
  d.need(at, 20, 'ARP addresses');
  const senderMac = mac(d.bytes, at);
  const senderIp = ipv4(d.bytes, at + 6);
  const targetMac = mac(d.bytes, at + 10);
  const targetIp = ipv4(d.bytes, at + 16);
  d.field('arp.src.hw_mac', 'Sender MAC address', at, 6, hex(d.bytes, at, at + 6), senderMac, 'The hardware address of the host sending this ARP message.');
  d.field('arp.src.proto_ipv4', 'Sender IP address', at + 6, 4, hex(d.bytes, at + 6, at + 10), senderIp, 'The IPv4 address of the host sending this ARP message.');
  d.field('arp.dst.hw_mac', 'Target MAC address', at + 10, 6, hex(d.bytes, at + 10, at + 16), targetMac,
    op === 1 ? 'Unknown yet (that is the question), so a request leaves it as zeros.' : 'The hardware address of the host this reply is for.');
  d.field('arp.dst.proto_ipv4', 'Target IP address', at + 16, 4, hex(d.bytes, at + 16, at + 20), targetIp,
    op === 1 ? 'The IPv4 address whose owner the sender is looking for.' : 'The IPv4 address of the host this reply is for.');
  at += 20;
  d.facts.arp = { operation: op, senderMac, senderIp, targetMac, targetIp };
  d.finish(layer, at);
  if (d.bytes.length > at) {
    const pad = d.begin('payload', 'Padding', at);
    d.field('eth.padding', 'Padding', at, d.bytes.length - at, hex(d.bytes, at, d.bytes.length), `${d.bytes.length - at} bytes`,
      'Ethernet frames must be at least 60 bytes long, so a short message like ARP is padded with zeros.');
    d.finish(pad, d.bytes.length);
  }
}
