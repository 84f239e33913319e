/** TCP (RFC 9293): ports, sequence and acknowledgement numbers, flags, window, options and the data. */
import { transportChecksumOk, checksumVerdict } from './checksum.ts';
import { setOrNot, type Decoding } from './decoding.ts';
import type { PseudoHeader } from './layering.ts';
import { hex, hexNumber, payloadPreview, plural } from './format.ts';
import type { TcpFacts } from './types.ts';

/** Flag bits and names in Wireshark's order (lowest bit first), which is also the order summaries list them. */
export const TCP_FLAGS: Array<[number, string]> = [
  [0x001, 'FIN'],
  [0x002, 'SYN'],
  [0x004, 'RST'],
  [0x008, 'PSH'],
  [0x010, 'ACK'],
  [0x020, 'URG'],
  [0x040, 'ECE'],
  [0x080, 'CWR'],
  [0x100, 'AE'],
];

export function flagNames(flags: number): string[] {
  const names: string[] = [];
  for (const [bit, name] of TCP_FLAGS) if (flags & bit) names.push(name);
  return names;
}

const FLAG_FIELDS: Array<[key: string, label: string, byte: 0 | 1, bit: number, explain: string]> = [
  ['tcp.flags.res', 'Reserved', 0, 4, 'Three bits kept for the future; always 0.'],
  ['tcp.flags.ae', 'Accurate ECN', 0, 7, 'Used by Accurate ECN, a newer way to report congestion; usually 0.'],
  ['tcp.flags.cwr', 'CWR', 1, 0, 'Congestion Window Reduced: the sender slowed down after an ECN congestion signal.'],
  ['tcp.flags.ece', 'ECE', 1, 1, 'ECN-Echo: in a SYN, "I can do ECN"; later, "a router on the way signalled congestion".'],
  ['tcp.flags.urg', 'URG', 1, 2, 'Urgent: the urgent pointer field means something. Almost never used.'],
  ['tcp.flags.ack', 'ACK', 1, 3, 'The acknowledgement number is valid. Set on every segment after the first SYN.'],
  ['tcp.flags.push', 'PSH', 1, 4, 'Push: hand the data to the receiving program now. Linux sets it on the last segment of each send().'],
  ['tcp.flags.reset', 'RST', 1, 5, 'Reset: abort the connection at once. Sent to a port where nothing listens (connection refused) or by close() with unread data.'],
  ['tcp.flags.syn', 'SYN', 1, 6, 'Synchronize: the first segment each side sends, carrying its initial sequence number. connect() sends one; the listener answers SYN+ACK.'],
  ['tcp.flags.fin', 'FIN', 1, 7, 'Finish: the sender has no more data (close() or shutdown(SHUT_WR)). It still reads until the other side sends its FIN.'],
];

const OPTION_NAMES: Record<number, string> = {
  0: 'End of option list',
  1: 'No-operation',
  2: 'Maximum segment size',
  3: 'Window scale',
  4: 'SACK permitted',
  5: 'SACK',
  8: 'Timestamps',
  30: 'Multipath TCP',
  34: 'TCP Fast Open cookie',
};

export function tcp(d: Decoding, offset: number, end: number, pseudo: PseudoHeader): void {
  const layer = d.begin('tcp', 'Transmission Control Protocol', offset);
  const srcPort = d.num('tcp.srcport', 'Source port', offset, 2, 'The sending socket\'s port. A client usually gets a temporary one from the kernel; a server\'s is the port it listens on.');
  const dstPort = d.num('tcp.dstport', 'Destination port', offset + 2, 2, 'The port of the socket this segment is for. Together with the two addresses and the source port it names the connection.');
  const seq = d.num('tcp.seq_raw', 'Sequence number', offset + 4, 4,
    'The position of this segment\'s first data byte in the sender\'s byte stream. It starts at a random number (the ISN, sent in the SYN); tools show it relative to that, from 0.');
  const ack = d.num('tcp.ack_raw', 'Acknowledgement number', offset + 8, 4,
    'When ACK is set: the next byte the sender expects from the other side, which says every byte before it arrived.');
  const dataOffset = d.bitsOf('tcp.hdr_len', 'Header length', offset + 12, 1, 0, 4,
    'This header\'s length in 4-byte words: 5 (20 bytes) without options, more with them. The data starts right after.',
    (n) => `${n * 4} bytes (${n})`);
  const flags = d.bitsOf('tcp.flags', 'Flags', offset + 12, 2, 4, 12,
    'Bits that say what this segment does: SYN opens, FIN closes one direction, RST aborts, ACK acknowledges, PSH delivers now.',
    (n) => `${hexNumber(n, 3)} (${flagNames(n).join(', ') || 'none'})`);
  if (d.detail) {
    d.within(d.lastField(), () => {
      for (const [key, label, byte, bit, explain] of FLAG_FIELDS) {
        d.bitsOf(key, label, offset + 12 + byte, 1, bit, key === 'tcp.flags.res' ? 3 : 1, explain, key === 'tcp.flags.res' ? undefined : setOrNot);
      }
    });
  }
  const window = d.num('tcp.window_size_value', 'Window', offset + 14, 2,
    'How many more bytes the sender can receive right now (its free buffer space), multiplied by 2^scale when the SYNs agreed a window scale. 0 means "stop sending".');
  const headerLength = dataOffset * 4;
  const payloadOffset = offset + headerLength;
  const whole = payloadOffset <= end && end <= d.bytes.length && dataOffset >= 5;
  const sumOk = whole && !d.quoting ? transportChecksumOk(d.bytes, offset, end, 6, pseudo) : null;
  d.num('tcp.checksum', 'Checksum', offset + 16, 2, 'A sum over the segment and the IP addresses, so the receiver can spot damage.',
    (n) => `${hexNumber(n, 4)} (${d.quoting ? 'not checked in a quoted packet' : checksumVerdict(sumOk)})`);
  d.num('tcp.urgent_pointer', 'Urgent pointer', offset + 18, 2, 'Where urgent data ends, when URG is set. Almost always 0.');
  const facts: TcpFacts = { srcPort, dstPort, seq, ack, flags, window, payloadLength: Math.max(0, end - payloadOffset), payloadOffset, options: {} };
  if (!d.quoting) d.facts.tcp = facts;
  if (dataOffset < 5) {
    d.finish(layer, offset + 20);
    d.flag('malformed', `The header length says ${headerLength} bytes, less than the 20 every TCP header has.`);
    return;
  }
  if (payloadOffset > end) {
    d.finish(layer, end);
    d.flag('malformed', `The header length says ${headerLength} bytes, past the end of the packet.`);
    return;
  }
  if (headerLength > 20) options(d, offset + 20, payloadOffset, facts);
  d.finish(layer, payloadOffset);
  payload(d, 'tcp.payload', payloadOffset, end, 'The bytes the sending program passed to send(): TCP delivers them, in order, to the other program\'s recv().');
}

function options(d: Decoding, start: number, end: number, facts: TcpFacts): void {
  d.need(start, end - start, 'TCP options');
  const group = d.field('tcp.options', 'Options', start, end - start, hex(d.bytes, start, end), plural(end - start, 'byte'),
    'Extras after the 20-byte header. The SYNs use them to agree on segment size, window scaling, selective acknowledgement and timestamps.');
  d.within(group, () => {
    let at = start;
    while (at < end) {
      const kind = d.u8(at);
      if (kind === 0) {
        const f = d.field('tcp.options.eol', 'End of option list', at, 1, '00', 'End of option list', 'Marks the end of the options; any bytes after it are padding.');
        d.within(f, () => d.num('tcp.option_kind', 'Kind', at, 1, 'Option kind 0: end of the list.'));
        if (at + 1 < end) d.field('lab.tcp.options.padding', 'Padding', at + 1, end - at - 1, hex(d.bytes, at + 1, end), plural(end - at - 1, 'byte'), 'Zeros that fill the header to a whole number of 4-byte words.');
        return;
      }
      if (kind === 1) {
        const f = d.field('tcp.options.nop', 'No-operation', at, 1, '01', 'No-operation', 'One byte of filler that lines the next option up on a 4-byte boundary.');
        d.within(f, () => d.num('tcp.option_kind', 'Kind', at, 1, 'Option kind 1: no-operation (filler).'));
        at += 1;
        continue;
      }
      const len = at + 1 < end ? d.u8(at + 1) : 0;
      if (len < 2 || at + len > end) {
        d.flag('malformed', `The TCP option at byte ${at} (kind ${kind}) has a length (${len}) that does not fit the header.`);
        d.field('lab.tcp.options.bad', 'Bad option', at, end - at, hex(d.bytes, at, end), hex(d.bytes, at, end), 'An option whose length field is impossible; the rest of the options are not read.');
        return;
      }
      option(d, kind, at, len, facts);
      at += len;
    }
  });
}

function option(d: Decoding, kind: number, at: number, len: number, facts: TcpFacts): void {
  const name = OPTION_NAMES[kind] ?? `Option ${kind}`;
  const key =
    kind === 2 ? 'tcp.options.mss' : kind === 3 ? 'tcp.options.wscale' : kind === 4 ? 'tcp.options.sack_perm' : kind === 5 ? 'tcp.options.sack' : kind === 8 ? 'tcp.options.timestamp' : 'tcp.options.unknown';
  const explain =
    kind === 2 ? 'Maximum segment size: the most data this side wants in one segment. Sent only in SYNs.'
      : kind === 3 ? 'Window scale: lets the window grow past 64 KiB by multiplying it by 2^shift. Sent only in SYNs, used only if both sides send it.'
        : kind === 4 ? 'SACK permitted: this side can receive selective acknowledgements. Sent only in SYNs.'
          : kind === 5 ? 'Selective acknowledgement: blocks of data that arrived after a gap, so the sender resends only what is missing.'
            : kind === 8 ? 'Timestamps: a clock value from the sender and the last one it heard from the other side; they measure round-trip time and guard against old segments.'
              : 'A TCP option not decoded here.';
  const f = d.field(key, name, at, len, hex(d.bytes, at, at + len), d.detail ? optionValue(d, kind, at, len) : '', explain);
  d.within(f, () => {
    d.num('tcp.option_kind', 'Kind', at, 1, 'Which option this is.', (n) => `${n} (${name})`);
    d.num('tcp.option_len', 'Length', at + 1, 1, 'Bytes in this option, kind and length included.');
    if (kind === 2 && len === 4) {
      facts.options.mss = d.num('tcp.options.mss_val', 'MSS', at + 2, 2, 'The largest segment payload, in bytes. On loopback it is large (65495) since the link carries 64 KiB packets.');
    } else if (kind === 3 && len === 3) {
      const shift = d.num('tcp.options.wscale.shift', 'Shift count', at + 2, 1, 'Window values from this side are to be multiplied by 2 to the power of this.');
      facts.options.windowScale = shift;
      d.field('tcp.options.wscale.multiplier', 'Multiplier', at + 2, 1, 2 ** Math.min(shift, 14), String(2 ** Math.min(shift, 14)), 'The multiplier, 2^shift (a shift above 14 counts as 14).');
    } else if (kind === 4 && len === 2) {
      facts.options.sackPermitted = true;
    } else if (kind === 5 && (len - 2) % 8 === 0) {
      const blocks: Array<[number, number]> = [];
      for (let b = at + 2; b < at + len; b += 8) {
        const left = d.num('tcp.options.sack_le', 'Left edge', b, 4, 'The first sequence number of a block that arrived.');
        const right = d.num('tcp.options.sack_re', 'Right edge', b + 4, 4, 'The sequence number just after the block.');
        blocks.push([left, right]);
      }
      facts.options.sack = blocks;
    } else if (kind === 8 && len === 10) {
      const value = d.num('tcp.options.timestamp.tsval', 'Timestamp value', at + 2, 4, 'The sender\'s clock when it sent this segment (in kernel ticks, not wall time).');
      const echo = d.num('tcp.options.timestamp.tsecr', 'Timestamp echo reply', at + 6, 4, 'The latest timestamp value received from the other side, sent back so it can measure the round trip. 0 in the first SYN.');
      facts.options.timestamp = { value, echo };
    } else if (len > 2) {
      d.field('tcp.options.unknown.payload', 'Data', at + 2, len - 2, hex(d.bytes, at + 2, at + len), hex(d.bytes, at + 2, at + len), 'The option\'s contents.');
    }
  });
}

/** An option's contents in a few words, for its line in a packet's detail. */
function optionValue(d: Decoding, kind: number, at: number, len: number): string {
  if (kind === 2 && len === 4) return `${d.u16(at + 2)} bytes`;
  if (kind === 3 && len === 3) return `shift ${d.u8(at + 2)} (×${2 ** Math.min(d.u8(at + 2), 14)})`;
  if (kind === 4 && len === 2) return 'permitted';
  if (kind === 5 && (len - 2) % 8 === 0) {
    const blocks: string[] = [];
    for (let b = at + 2; b < at + len; b += 8) blocks.push(`${d.u32(b)}-${d.u32(b + 4)}`);
    return blocks.join(', ');
  }
  if (kind === 8 && len === 10) return `value ${d.u32(at + 2)}, echo ${d.u32(at + 6)}`;
  return plural(len, 'byte');
}

/** The data a segment or datagram carries: the learner's own bytes. */
export function payload(d: Decoding, key: string, offset: number, end: number, explain: string): void {
  if (end <= offset) return;
  const present = Math.min(end, d.bytes.length) - offset;
  if (present <= 0) {
    if (!d.quoting) d.flag('truncated', d.shortBy('the data', end - offset, 0));
    return;
  }
  const layer = d.begin('payload', 'Data', offset);
  const cut = present < end - offset;
  d.field(key, 'Data', offset, present, hex(d.bytes, offset, offset + present), payloadPreview(d.bytes, offset, offset + present),
    cut ? `${explain} The capture kept ${present} of its ${end - offset} bytes.` : explain);
  d.finish(layer, offset + present);
  if (cut && !d.quoting) d.flag('truncated', d.shortBy('the data', end - offset, present));
}
