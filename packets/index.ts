/**
 * Socket Lab's packet toolkit: decode a captured frame into annotated fields, track TCP
 * conversations for relative sequence numbers, summarise a packet in one line, and write pcapng.
 * Pure TypeScript with no Node or DOM APIs: the server and the browser both import it.
 */
export { decodeFrame, linkTypeOf, type DecodeOptions } from './decode.ts';
export { PcapngWriter, type PcapngInterface, type PcapngPacket } from './pcapng.ts';
export type { BitRange, DecodedFrame, Field, IcmpFacts, Layer, LinkType, PacketFacts, Problem, ProblemKind, Protocol, TcpFacts, UdpFacts } from './types.ts';
export { LINK_TYPES } from './types.ts';
export { TcpTracker, type TcpRelative } from './conversation.ts';
export { summarize } from './summary.ts';
export { fieldAt, type FieldPath } from './lookup.ts';
