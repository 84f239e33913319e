/**
 * The shapes the frame decoder produces. Plain data (numbers, strings, arrays), so a decoded frame
 * can be rendered, compared in tests or sent as JSON without conversion.
 */

/** The link layers a frame can start with; `number` is the pcap/pcapng LINKTYPE_* value. */
export const LINK_TYPES = {
  ethernet: 1,
  /** IP with no link header (Linux tun devices). */
  raw: 101,
  /** Linux "cooked" capture v1, what `tcpdump -i any` wrote before libpcap 1.10. */
  'linux-sll': 113,
  /** Linux "cooked" capture v2, what capturing on `any` gives today. */
  'linux-sll2': 276,
} as const;

export type LinkType = keyof typeof LINK_TYPES;

export type Protocol =
  | 'eth'
  | 'vlan'
  | 'sll'
  | 'sll2'
  | 'arp'
  | 'ip'
  | 'ipv6'
  | 'icmp'
  | 'icmpv6'
  | 'tcp'
  | 'udp'
  | 'payload';

/** A field that is not whole bytes: `offset` bits from the most significant bit of the field's first byte. */
export interface BitRange {
  offset: number;
  length: number;
}

export type ProblemKind = 'truncated' | 'malformed';

export interface Problem {
  kind: ProblemKind;
  /** One plain sentence: what is wrong and where. */
  message: string;
}

export interface Field {
  /**
   * A stable name. Where Wireshark has a display-filter field for it, this is that name (`ip.ttl`,
   * `tcp.flags.syn`), so a learner can type it into Wireshark and tests can compare with tshark.
   */
  key: string;
  /** Short human name: "Time to live". */
  label: string;
  /** Where the field's bytes are in the frame (offset from the frame's first byte, and count). */
  offset: number;
  length: number;
  /** For a bit field, which bits of those bytes. */
  bits?: BitRange;
  /** The value as read: a number for numeric fields, lowercase hex for byte strings and addresses. */
  raw: number | string;
  /** The value as a person reads it: "64", "127.0.0.1", "0x0002 (SYN)". */
  value: string;
  /** What the field means, in plain words for a beginner. */
  explain: string;
  children?: Field[];
}

export interface Layer {
  protocol: Protocol;
  /** "Internet Protocol version 4". */
  label: string;
  /** The bytes of this layer that are in the frame (header and what it carries). */
  offset: number;
  length: number;
  fields: Field[];
  /** Part of the packet an ICMP error quotes back, not the packet's own header. */
  quoted?: boolean;
  /** Set when this layer stops early: the frame ends (truncated) or a value makes no sense (malformed). */
  problem?: Problem;
}

/** The facts a summary or a conversation tracker needs, read once from the outer packet. */
export interface TcpFacts {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The 12 flag bits: FIN 0x001, SYN 0x002, RST 0x004, PSH 0x008, ACK 0x010, URG 0x020, ECE 0x040, CWR 0x080, AE 0x100. */
  flags: number;
  window: number;
  /** Payload bytes the IP length says the segment carries (whether or not the capture kept them). */
  payloadLength: number;
  /** Where the payload starts in the frame. */
  payloadOffset: number;
  options: {
    mss?: number;
    windowScale?: number;
    sackPermitted?: boolean;
    sack?: Array<[number, number]>;
    timestamp?: { value: number; echo: number };
  };
}

export interface UdpFacts {
  srcPort: number;
  dstPort: number;
  length: number;
  payloadLength: number;
  payloadOffset: number;
}

export interface IcmpFacts {
  version: 4 | 6;
  type: number;
  code: number;
  identifier?: number;
  sequence?: number;
  /** Neighbour discovery: the address asked about or announced. */
  target?: string;
  /** Neighbour discovery: a link-layer address option (the answer to "who has"). */
  linkAddress?: string;
  /** What an error message quotes: the packet that caused it. */
  quoted?: { src: string; dst: string; protocol: number; srcPort?: number; dstPort?: number };
}

export interface PacketFacts {
  eth?: { src: string; dst: string; type: number };
  arp?: { operation: number; senderMac: string; senderIp: string; targetMac: string; targetIp: string };
  ip?: {
    version: 4 | 6;
    src: string;
    dst: string;
    /** The transport protocol number (after IPv6 extension headers). */
    protocol: number;
    ttl: number;
    /**
     * Set when the packet is a fragment: the first carries the transport header and the start of
     * the data; a later one carries only more data. (Fragments are not reassembled here.)
     */
    fragment?: 'first' | 'later';
  };
  tcp?: TcpFacts;
  udp?: UdpFacts;
  icmp?: IcmpFacts;
}

export interface DecodedFrame {
  link: LinkType;
  /** Bytes in the frame as captured. */
  length: number;
  /** Bytes the frame had on the wire: more than `length` when the capture's snap length cut it. */
  originalLength: number;
  layers: Layer[];
  facts: PacketFacts;
  /** The first problem any layer met, if one did. */
  problem?: Problem & { protocol: Protocol };
}
