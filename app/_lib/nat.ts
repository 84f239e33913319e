/**
 * A simulated home router doing NAPT (network address and port translation), for <NatTable>.
 * Pure and deterministic: every function takes a state and returns a new one, so the widget can
 * replay, test and explain each step. Nothing here touches a network.
 *
 * The model, and how it compares with real routers:
 * - Endpoint-independent mapping (RFC 4787 §4.1): one internal address:port keeps one public port,
 *   whatever it talks to. Linux and most home routers behave like that when they can.
 * - Address-and-port-dependent filtering (RFC 4787 §5): an inbound packet on a mapped public port is
 *   let in only from an address:port the inside machine has already sent to. Anything else is
 *   unsolicited and dropped, unless a port-forwarding rule says where it goes.
 * - Public ports are handed out counting up from FIRST_PUBLIC_PORT, skipping ports in use, so a
 *   learner can predict them. Real routers often try to keep the source port, or pick at random.
 * - Mappings never time out here. Real ones are forgotten after some idle time (often 30 s to a few
 *   minutes for UDP, hours for an established TCP connection).
 * IPv4 only: NAT exists because IPv4 addresses ran out; IPv6 normally needs none.
 */
import ipaddr from 'ipaddr.js';

export type Protocol = 'tcp' | 'udp';
export type Direction = 'outbound' | 'inbound';

export interface Endpoint {
  address: string;
  port: number;
}

export interface ForwardRule {
  id: string;
  protocol: Protocol;
  externalPort: number;
  internal: Endpoint;
}

export interface Mapping {
  protocol: Protocol;
  internal: Endpoint;
  publicPort: number;
  /** Outbound traffic made it, or a forwarding rule did. */
  origin: 'outbound' | 'forward';
  /** Remote address:port pairs allowed to answer through this mapping. */
  peers: string[];
}

export interface NatState {
  publicAddress: string;
  lan: string;
  routerLanAddress: string;
  rules: ForwardRule[];
  mappings: Mapping[];
  nextRuleNumber: number;
}

export interface Packet {
  direction: Direction;
  protocol: Protocol;
  source: Endpoint;
  destination: Endpoint;
}

export type Outcome = 'translated' | 'reply' | 'forwarded' | 'dropped' | 'local';

export interface SendResult {
  state: NatState;
  outcome: Outcome;
  before: Packet;
  /** The packet as it leaves the router; null when it is dropped. */
  after: Packet | null;
  /** One sentence for the learner. */
  explanation: string;
  /** The translation used or made, if any. */
  mapping: Mapping | null;
  createdMapping: boolean;
}

/** Where dynamic public ports start. High and fixed, so a learner can follow the allocation. */
export const FIRST_PUBLIC_PORT = 50000;

/** A documentation address (RFC 5737) for the router's public side, and a typical home LAN. */
export const DEFAULT_PUBLIC_ADDRESS = '203.0.113.7';
export const DEFAULT_LAN = '192.168.1.0/24';
export const DEFAULT_ROUTER_LAN_ADDRESS = '192.168.1.1';

export function initialState(): NatState {
  return {
    publicAddress: DEFAULT_PUBLIC_ADDRESS,
    lan: DEFAULT_LAN,
    routerLanAddress: DEFAULT_ROUTER_LAN_ADDRESS,
    rules: [],
    mappings: [],
    nextRuleNumber: 1,
  };
}

export const endpointText = (e: Endpoint) => `${e.address}:${e.port}`;
const PROTO = (p: Protocol) => p.toUpperCase();

// ---------------------------------------------------------------------------------------------
// Reading what the learner typed
// ---------------------------------------------------------------------------------------------

export type FieldErrors<K extends string> = Partial<Record<K, string>>;
export type Checked<T, K extends string> = { ok: true; value: T } | { ok: false; errors: FieldErrors<K> };

/** Port numbers on the wire are 1-65535 (0 means "any" to bind() and never appears in a packet). */
export function parsePort(raw: string): { ok: true; port: number } | { ok: false; error: string } {
  const s = raw.trim();
  if (s === '') return { ok: false, error: 'Type a port number, 1 to 65535.' };
  if (!/^\d{1,5}$/.test(s)) return { ok: false, error: `“${s.slice(0, 12)}” is not a port: use a whole number, 1 to 65535.` };
  const n = Number(s);
  if (n < 1 || n > 65535) return { ok: false, error: `A port is 1 to 65535${n === 0 ? ' (port 0 never appears in a packet)' : ''}.` };
  return { ok: true, port: n };
}

/** Plain dotted-decimal IPv4 through ipaddr.js; a short reason when it is not. */
export function parseIpv4(raw: string): { ok: true; address: ipaddr.IPv4 } | { ok: false; error: string } {
  const s = raw.trim();
  if (s === '') return { ok: false, error: 'Type an IPv4 address, like 192.168.1.20.' };
  if (s.includes(':') && ipaddr.IPv6.isValid(s)) {
    return { ok: false, error: 'This router simulates IPv4 NAT; IPv6 normally needs no NAT, so type an IPv4 address.' };
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(s)) return { ok: false, error: `“${s.slice(0, 40)}” is not an IPv4 address (four numbers 0-255, like 192.168.1.20).` };
  return { ok: true, address: ipaddr.IPv4.parse(s) };
}

function lanRange(state: NatState): [ipaddr.IPv4, number] {
  return ipaddr.IPv4.parseCIDR(state.lan);
}

function inLan(state: NatState, a: ipaddr.IPv4): boolean {
  return a.match(lanRange(state));
}

/** A LAN address a machine could have: inside the LAN, not its network or broadcast address, not the router. */
function checkLanHost(state: NatState, a: ipaddr.IPv4): string | null {
  const text = a.toString();
  if (!inLan(state, a)) return `${text} is not on the LAN (${state.lan}).`;
  if (text === ipaddr.IPv4.networkAddressFromCIDR(state.lan).toString()) return `${text} is the LAN’s network address, not a machine.`;
  if (text === ipaddr.IPv4.broadcastAddressFromCIDR(state.lan).toString()) return `${text} is the LAN’s broadcast address, not a machine.`;
  if (text === state.routerLanAddress) return `${text} is the router itself; pick a machine on the LAN, like 192.168.1.20.`;
  return null;
}

/** Addresses that never appear as a remote host on the internet side. */
function checkRemoteHost(a: ipaddr.IPv4): string | null {
  const range = a.range();
  const text = a.toString();
  if (range === 'unspecified') return `${text} means “no address” and cannot be a remote host.`;
  if (range === 'broadcast') return `${text} is the broadcast address; routers never forward it.`;
  if (range === 'multicast') return `${text} is a multicast group; this simulation handles one-to-one (unicast) traffic.`;
  if (range === 'loopback') return `${text} is loopback: it never leaves a machine, so it never reaches a router.`;
  return null;
}

export interface PacketDraft {
  direction: Direction;
  protocol: Protocol;
  sourceAddress: string;
  sourcePort: string;
  destinationAddress: string;
  destinationPort: string;
}
export type PacketField = 'sourceAddress' | 'sourcePort' | 'destinationAddress' | 'destinationPort';

export function checkPacket(state: NatState, d: PacketDraft): Checked<Packet, PacketField> {
  const errors: FieldErrors<PacketField> = {};
  const src = parseIpv4(d.sourceAddress);
  const dst = parseIpv4(d.destinationAddress);
  const sp = parsePort(d.sourcePort);
  const dp = parsePort(d.destinationPort);
  if (!sp.ok) errors.sourcePort = sp.error;
  if (!dp.ok) errors.destinationPort = dp.error;
  if (!src.ok) errors.sourceAddress = src.error;
  if (!dst.ok) errors.destinationAddress = dst.error;

  if (d.direction === 'outbound') {
    if (src.ok) {
      const e = checkLanHost(state, src.address);
      if (e) errors.sourceAddress = `An outbound packet comes from a machine on the LAN: ${e}`;
    }
    if (dst.ok) {
      const e = checkRemoteHost(dst.address);
      if (e) errors.destinationAddress = e;
      else if (dst.address.toString() === state.publicAddress) {
        errors.destinationAddress = `${state.publicAddress} is this router’s own public address; this simulation does not do “hairpin” NAT. From the LAN, use the machine’s LAN address.`;
      }
    }
  } else {
    if (dst.ok && dst.address.toString() !== state.publicAddress) {
      errors.destinationAddress = `From the internet, the only address of your LAN anyone can reach is the router’s public address, ${state.publicAddress}.`;
    }
    if (src.ok) {
      const e = checkRemoteHost(src.address);
      if (e) errors.sourceAddress = e;
      else if (inLan(state, src.address)) errors.sourceAddress = `${src.address.toString()} is on your LAN; an inbound packet comes from the internet side.`;
      else if (src.address.toString() === state.publicAddress) errors.sourceAddress = 'That is the router’s own public address; pick a remote machine, like 198.51.100.9.';
    }
  }

  if (Object.keys(errors).length > 0 || !src.ok || !dst.ok || !sp.ok || !dp.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      direction: d.direction,
      protocol: d.protocol,
      source: { address: src.address.toString(), port: sp.port },
      destination: { address: dst.address.toString(), port: dp.port },
    },
  };
}

export interface RuleDraft {
  protocol: Protocol;
  externalPort: string;
  internalAddress: string;
  internalPort: string;
}
export type RuleField = 'externalPort' | 'internalAddress' | 'internalPort';

export function checkRule(state: NatState, d: RuleDraft): Checked<Omit<ForwardRule, 'id'>, RuleField> {
  const errors: FieldErrors<RuleField> = {};
  const ext = parsePort(d.externalPort);
  const inPort = parsePort(d.internalPort);
  const host = parseIpv4(d.internalAddress);
  if (!ext.ok) errors.externalPort = ext.error;
  if (!inPort.ok) errors.internalPort = inPort.error;
  if (!host.ok) errors.internalAddress = host.error;
  else {
    const e = checkLanHost(state, host.address);
    if (e) errors.internalAddress = `Forward to a machine on the LAN: ${e}`;
  }
  if (ext.ok) {
    const taken = state.rules.find((r) => r.protocol === d.protocol && r.externalPort === ext.port);
    if (taken) {
      errors.externalPort = `${PROTO(d.protocol)} port ${ext.port} is already forwarded to ${endpointText(taken.internal)}: one public port can lead to only one machine.`;
    } else if (state.mappings.some((m) => m.protocol === d.protocol && m.publicPort === ext.port)) {
      errors.externalPort = `${PROTO(d.protocol)} port ${ext.port} is in use by a translation in the table; pick another port or clear the table.`;
    }
  }
  if (Object.keys(errors).length > 0 || !ext.ok || !inPort.ok || !host.ok) return { ok: false, errors };
  return {
    ok: true,
    value: { protocol: d.protocol, externalPort: ext.port, internal: { address: host.address.toString(), port: inPort.port } },
  };
}

// ---------------------------------------------------------------------------------------------
// Changing the router
// ---------------------------------------------------------------------------------------------

export function addRule(state: NatState, d: RuleDraft): { state: NatState; errors: FieldErrors<RuleField> | null; rule: ForwardRule | null } {
  const checked = checkRule(state, d);
  if (!checked.ok) return { state, errors: checked.errors, rule: null };
  const rule: ForwardRule = { id: `rule-${state.nextRuleNumber}`, ...checked.value };
  return { state: { ...state, rules: [...state.rules, rule], nextRuleNumber: state.nextRuleNumber + 1 }, errors: null, rule };
}

/** Removing a rule also forgets the connections it let in: simpler to follow than conntrack's leftovers. */
export function removeRule(state: NatState, id: string): NatState {
  const rule = state.rules.find((r) => r.id === id);
  if (!rule) return state;
  return {
    ...state,
    rules: state.rules.filter((r) => r.id !== id),
    mappings: state.mappings.filter((m) => !(m.origin === 'forward' && m.protocol === rule.protocol && m.publicPort === rule.externalPort)),
  };
}

export function clearMappings(state: NatState): NatState {
  return { ...state, mappings: [] };
}

function portInUse(state: NatState, protocol: Protocol, port: number): boolean {
  return (
    state.mappings.some((m) => m.protocol === protocol && m.publicPort === port) ||
    state.rules.some((r) => r.protocol === protocol && r.externalPort === port)
  );
}

/** The lowest free public port from FIRST_PUBLIC_PORT up, per protocol; null when all are taken. */
export function allocatePublicPort(state: NatState, protocol: Protocol): number | null {
  for (let p = FIRST_PUBLIC_PORT; p <= 65535; p++) if (!portInUse(state, protocol, p)) return p;
  return null;
}

const sameEndpoint = (a: Endpoint, b: Endpoint) => a.address === b.address && a.port === b.port;

function withPeer(m: Mapping, peer: string): Mapping {
  return m.peers.includes(peer) ? m : { ...m, peers: [...m.peers, peer] };
}

function replaceMapping(state: NatState, old: Mapping | undefined, next: Mapping): NatState {
  return { ...state, mappings: old ? state.mappings.map((m) => (m === old ? next : m)) : [...state.mappings, next] };
}

// ---------------------------------------------------------------------------------------------
// Sending a packet through
// ---------------------------------------------------------------------------------------------

export function send(state: NatState, packet: Packet): SendResult {
  return packet.direction === 'outbound' ? sendOutbound(state, packet) : sendInbound(state, packet);
}

function sendOutbound(state: NatState, p: Packet): SendResult {
  const base = { before: p, createdMapping: false };
  if (inLan(state, ipaddr.IPv4.parse(p.destination.address))) {
    return {
      ...base,
      state,
      outcome: 'local',
      after: p,
      mapping: null,
      explanation: `${p.destination.address} is on the same LAN, so the packet goes straight there through the switch: the router does not translate it.`,
    };
  }
  const peer = endpointText(p.destination);
  const existing = state.mappings.find((m) => m.protocol === p.protocol && sameEndpoint(m.internal, p.source));
  let mapping: Mapping;
  let created = false;
  if (existing) {
    mapping = withPeer(existing, peer);
  } else {
    const port = allocatePublicPort(state, p.protocol);
    if (port === null) {
      return {
        ...base,
        state,
        outcome: 'dropped',
        after: null,
        mapping: null,
        explanation: `Every public ${PROTO(p.protocol)} port from ${FIRST_PUBLIC_PORT} up is in use, so the router cannot translate this packet and drops it.`,
      };
    }
    mapping = { protocol: p.protocol, internal: p.source, publicPort: port, origin: 'outbound', peers: [peer] };
    created = true;
  }
  const after: Packet = { ...p, source: { address: state.publicAddress, port: mapping.publicPort } };
  const explanation = created
    ? `New translation: the router rewrote the source ${endpointText(p.source)} to its public ${endpointText(after.source)} and will send replies from ${peer} back inside.`
    : `Same inside endpoint, same translation: the source ${endpointText(p.source)} again becomes ${endpointText(after.source)}${existing!.peers.includes(peer) ? '' : `, and ${peer} may now answer too`}.`;
  return { ...base, state: replaceMapping(state, existing, mapping), outcome: 'translated', after, mapping, createdMapping: created, explanation };
}

function sendInbound(state: NatState, p: Packet): SendResult {
  const base = { before: p, createdMapping: false };
  const peer = endpointText(p.source);
  const port = p.destination.port;
  const mapping = state.mappings.find((m) => m.protocol === p.protocol && m.publicPort === port);
  const rule = state.rules.find((r) => r.protocol === p.protocol && r.externalPort === port);

  if (mapping && mapping.peers.includes(peer)) {
    const after: Packet = { ...p, destination: mapping.internal };
    return {
      ...base,
      state,
      outcome: 'reply',
      after,
      mapping,
      explanation: `A reply: ${peer} is answering ${endpointText(mapping.internal)} through public port ${port}, so the router rewrites the destination back to ${endpointText(mapping.internal)}.`,
    };
  }

  if (rule) {
    const existing = state.mappings.find((m) => m.origin === 'forward' && m.protocol === p.protocol && m.publicPort === port);
    const next: Mapping = existing ? withPeer(existing, peer) : { protocol: p.protocol, internal: rule.internal, publicPort: port, origin: 'forward', peers: [peer] };
    const after: Packet = { ...p, destination: rule.internal };
    return {
      ...base,
      state: replaceMapping(state, existing, next),
      outcome: 'forwarded',
      after,
      mapping: next,
      createdMapping: !existing,
      explanation: `Port forwarding: the rule for ${PROTO(p.protocol)} port ${port} sends it to ${endpointText(rule.internal)}, and the router remembers the connection so the answers go back out from port ${port}.`,
    };
  }

  let explanation: string;
  if (mapping) {
    explanation = `Dropped: public port ${port} belongs to ${endpointText(mapping.internal)}, but only for replies from ${mapping.peers.join(', ')}; ${peer} never got a packet from it, so this is unsolicited.`;
  } else {
    const other: Protocol = p.protocol === 'tcp' ? 'udp' : 'tcp';
    const otherUse =
      state.rules.some((r) => r.protocol === other && r.externalPort === port) || state.mappings.some((m) => m.protocol === other && m.publicPort === port);
    explanation = otherUse
      ? `Dropped: port ${port} is in use for ${PROTO(other)} only; TCP and UDP ports are separate, and nothing is set up for ${PROTO(p.protocol)} port ${port}.`
      : `Dropped: no translation and no forwarding rule for ${PROTO(p.protocol)} port ${port}, so the router cannot know which machine inside should get it.`;
  }
  return { ...base, state, outcome: 'dropped', after: null, mapping: null, explanation };
}
