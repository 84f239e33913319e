/** UDP (RFC 768): ports, length, checksum and the datagram's data. */
import { checksumVerdict, transportChecksumOk } from './checksum.ts';
import type { Decoding } from './decoding.ts';
import type { PseudoHeader } from './layering.ts';
import { hexNumber } from './format.ts';
import { payload } from './tcp.ts';

export function udp(d: Decoding, offset: number, end: number, pseudo: PseudoHeader): void {
  const layer = d.begin('udp', 'User Datagram Protocol', offset);
  const srcPort = d.num('udp.srcport', 'Source port', offset, 2, 'The sending socket\'s port; a reply goes back to it.');
  const dstPort = d.num('udp.dstport', 'Destination port', offset + 2, 2, 'The port of the socket this datagram is for. If no socket has it, the kernel answers with ICMP "port unreachable".');
  const length = d.num('udp.length', 'Length', offset + 4, 2, 'Bytes in the datagram: this 8-byte header plus the data. One sendto() is one datagram.');
  const stop = Math.min(end, offset + Math.max(length, 8));
  const whole = length >= 8 && offset + length <= end && offset + length <= d.bytes.length;
  const sumOk = whole && !d.quoting ? transportChecksumOk(d.bytes, offset, offset + length, 17, pseudo) : null;
  d.num('udp.checksum', 'Checksum', offset + 6, 2, 'A sum over the datagram and the IP addresses. 0 over IPv4 means the sender did not compute one.',
    (n) => `${hexNumber(n, 4)} (${n === 0 && pseudo.version === 4 ? 'none' : d.quoting ? 'not checked in a quoted packet' : checksumVerdict(sumOk)})`);
  const rest = pseudo.firstFragment ? ' The rest of the datagram is in the next fragments.' : '';
  const declared = pseudo.firstFragment ? Math.max(0, length - 8) : Math.max(0, stop - offset - 8);
  if (!d.quoting) d.facts.udp = { srcPort, dstPort, length, payloadLength: declared, payloadOffset: offset + 8 };
  d.finish(layer, offset + 8);
  if (length < 8) {
    d.flag('malformed', `The length field says ${length} bytes, less than the 8-byte header.`);
    return;
  }
  if (offset + length > end && !d.quoting && !pseudo.firstFragment) d.flag('malformed', `The length field says ${length} bytes, more than the IP packet holds (${end - offset}).`);
  payload(d, 'udp.payload', offset + 8, stop, `The bytes the sending program passed to sendto(): one datagram, delivered whole or not at all.${rest}`);
}
