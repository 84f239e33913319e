/**
 * A simulated packet filter for <FirewallEvaluator>: an ordered rule list, first match wins, and a
 * default policy when nothing matches — the model of iptables chains, nftables, ufw, pf with
 * `quick`, and cloud security lists. Pure functions; nothing touches a network.
 *
 * Field meanings follow the packet: `source` is the address the packet comes from (for an outgoing
 * packet that is this machine), `port` is its destination port. A bare address in a rule's source
 * means that one address (/32 or /128), as `iptables -s 192.0.2.1` does.
 *
 * The optional stateful mode stands for connection tracking ("ct state established accept" put
 * first): a packet that belongs to a connection already allowed goes through without a rule.
 */
import ipaddr from 'ipaddr.js';

export type Action = 'allow' | 'deny' | 'reject';
export type Direction = 'in' | 'out';
export type Protocol = 'tcp' | 'udp';
export type RuleProtocol = Protocol | 'any';

export interface PortRange {
  from: number;
  to: number;
}

export interface SourceMatch {
  /** Normalised CIDR text, e.g. "10.0.0.0/8". */
  cidr: string;
  version: 4 | 6;
}

export interface FirewallRule {
  id: string;
  action: Action;
  direction: Direction;
  protocol: RuleProtocol;
  /** null = any source. */
  source: SourceMatch | null;
  /** null = any port. */
  ports: PortRange | null;
}

export interface FirewallPacket {
  direction: Direction;
  protocol: Protocol;
  source: string;
  sourceVersion: 4 | 6;
  port: number;
  /** It belongs to a connection that is already established (only the stateful mode looks). */
  established: boolean;
}

export type FieldErrors<K extends string> = Partial<Record<K, string>>;
export type Checked<T, K extends string> = { ok: true; value: T } | { ok: false; errors: FieldErrors<K> };

// ---------------------------------------------------------------------------------------------
// Reading what the learner typed
// ---------------------------------------------------------------------------------------------

const ANY = /^(any|\*)$/i;

type AddrParse = { ok: true; addr: ipaddr.IPv4 | ipaddr.IPv6 } | { ok: false; error: string };

/** Plain dotted-decimal IPv4 or IPv6 (no zone), through ipaddr.js. */
function parseAddress(s: string): AddrParse {
  if (s.includes('%')) return { ok: false, error: 'Leave out the zone (%eth0): firewall rules match addresses, not interfaces.' };
  if (s.includes(':')) {
    if (!ipaddr.IPv6.isValid(s)) return { ok: false, error: `“${s.slice(0, 40)}” is not a valid IPv6 address.` };
    return { ok: true, addr: ipaddr.IPv6.parse(s) };
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(s)) return { ok: false, error: `“${s.slice(0, 40)}” is not an IPv4 address (four numbers 0-255, like 192.0.2.10).` };
  return { ok: true, addr: ipaddr.IPv4.parse(s) };
}

export function parseSource(raw: string): { ok: true; source: SourceMatch | null } | { ok: false; error: string } {
  const s = raw.trim();
  if (s === '') return { ok: false, error: 'Type “any”, an address, or a network like 10.0.0.0/8.' };
  if (ANY.test(s)) return { ok: true, source: null };
  if (s.length > 60) return { ok: false, error: 'That is too long for an address or network.' };
  const slash = s.indexOf('/');
  const addrText = slash === -1 ? s : s.slice(0, slash);
  const parsed = parseAddress(addrText);
  if (!parsed.ok) return parsed;
  const version = parsed.addr.kind() === 'ipv4' ? 4 : 6;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = s.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > max) return { ok: false, error: `The prefix length after “/” must be 0 to ${max} for IPv${version}.` };
    prefix = Number(p);
  }
  const cidrText = `${addrText}/${prefix}`;
  const net = version === 4 ? ipaddr.IPv4.networkAddressFromCIDR(cidrText) : ipaddr.IPv6.networkAddressFromCIDR(cidrText);
  return { ok: true, source: { cidr: `${net.toString()}/${prefix}`, version } };
}

function portNumber(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : null;
}

export function parsePorts(raw: string): { ok: true; ports: PortRange | null } | { ok: false; error: string } {
  const s = raw.trim();
  if (s === '') return { ok: false, error: 'Type a port (22), a range (8000-8099), or “any”.' };
  if (ANY.test(s)) return { ok: true, ports: null };
  if (s.includes(',')) return { ok: false, error: 'One port or one range per rule; add another rule for the next port.' };
  const range = /^(\S+?)\s*[-–:]\s*(\S+)$/.exec(s);
  if (range) {
    const from = portNumber(range[1]);
    const to = portNumber(range[2]);
    if (from === null || to === null) return { ok: false, error: 'Both ends of a range must be ports from 1 to 65535, like 8000-8099.' };
    if (from > to) return { ok: false, error: `A range goes from low to high: write ${to}-${from}.` };
    return { ok: true, ports: { from, to } };
  }
  const n = portNumber(s);
  if (n === null) return { ok: false, error: `“${s.slice(0, 20)}” is not a port: use a number from 1 to 65535, a range, or “any”.` };
  return { ok: true, ports: { from: n, to: n } };
}

export interface RuleDraft {
  action: Action;
  direction: Direction;
  protocol: RuleProtocol;
  source: string;
  ports: string;
}
export type RuleField = 'source' | 'ports';

export function checkRule(d: RuleDraft): Checked<Omit<FirewallRule, 'id'>, RuleField> {
  const errors: FieldErrors<RuleField> = {};
  const source = parseSource(d.source);
  const ports = parsePorts(d.ports);
  if (!source.ok) errors.source = source.error;
  if (!ports.ok) errors.ports = ports.error;
  if (!source.ok || !ports.ok) return { ok: false, errors };
  return { ok: true, value: { action: d.action, direction: d.direction, protocol: d.protocol, source: source.source, ports: ports.ports } };
}

export interface PacketDraft {
  direction: Direction;
  protocol: Protocol;
  source: string;
  port: string;
  established: boolean;
}
export type PacketField = 'source' | 'port';

export function checkPacket(d: PacketDraft): Checked<FirewallPacket, PacketField> {
  const errors: FieldErrors<PacketField> = {};
  const s = d.source.trim();
  let addr: AddrParse;
  if (s === '') addr = { ok: false, error: 'Type the address the packet comes from, like 198.51.100.9.' };
  else if (s.includes('/')) addr = { ok: false, error: 'A packet comes from one address, not a network: leave out the /prefix.' };
  else addr = parseAddress(s);
  const n = portNumber(d.port.trim());
  if (!addr.ok) errors.source = addr.error;
  if (n === null) errors.port = 'A packet has one destination port, from 1 to 65535.';
  if (!addr.ok || n === null) return { ok: false, errors };
  return {
    ok: true,
    value: {
      direction: d.direction,
      protocol: d.protocol,
      source: addr.addr.toString(),
      sourceVersion: addr.addr.kind() === 'ipv4' ? 4 : 6,
      port: n,
      established: d.established,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

export function portsText(p: PortRange | null): string {
  if (p === null) return 'any port';
  return p.from === p.to ? `port ${p.from}` : `ports ${p.from}-${p.to}`;
}

/** e.g. "allow in tcp from 10.0.0.0/8 to port 22" — close to how ufw reads. */
export function describeRule(r: Omit<FirewallRule, 'id'>): string {
  const proto = r.protocol === 'any' ? 'tcp/udp' : r.protocol;
  return `${r.action} ${r.direction} ${proto} from ${r.source ? r.source.cidr : 'any'} to ${portsText(r.ports)}`;
}

export function describePacket(p: FirewallPacket): string {
  return `${p.direction === 'in' ? 'incoming' : 'outgoing'} ${p.protocol.toUpperCase()} from ${p.source} to port ${p.port}${p.established ? ' (established connection)' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

export interface RuleCheck {
  index: number;
  matched: boolean;
  /** Why it matched or which field did not fit. */
  reason: string;
}

/** One rule against one packet: the first field that does not fit decides. */
export function checkRuleAgainst(rule: Omit<FirewallRule, 'id'>, p: FirewallPacket): { matched: boolean; reason: string } {
  if (rule.direction !== p.direction) {
    return { matched: false, reason: `direction: the rule is for ${rule.direction === 'in' ? 'incoming' : 'outgoing'} packets` };
  }
  if (rule.protocol !== 'any' && rule.protocol !== p.protocol) {
    return { matched: false, reason: `protocol: the rule is for ${rule.protocol.toUpperCase()}, the packet is ${p.protocol.toUpperCase()}` };
  }
  if (rule.source) {
    if (rule.source.version !== p.sourceVersion) {
      return { matched: false, reason: `source: the rule’s network is IPv${rule.source.version}, the packet comes from an IPv${p.sourceVersion} address` };
    }
    const [net, bits] = ipaddr.parseCIDR(rule.source.cidr);
    if (!ipaddr.parse(p.source).match(net, bits)) {
      return { matched: false, reason: `source: ${p.source} is not inside ${rule.source.cidr}` };
    }
  }
  if (rule.ports && (p.port < rule.ports.from || p.port > rule.ports.to)) {
    return { matched: false, reason: `port: ${p.port} is not ${rule.ports.from === rule.ports.to ? rule.ports.from : `in ${rule.ports.from}-${rule.ports.to}`}` };
  }
  return { matched: true, reason: 'direction, protocol, source and port all fit' };
}

export interface Verdict {
  action: Action;
  /** Index of the rule that decided, or null when the default policy or connection tracking did. */
  ruleIndex: number | null;
  by: 'rule' | 'default' | 'state';
  /** Every rule looked at, in order, up to and including the one that matched. */
  checks: RuleCheck[];
  /** What the sender (or the program on this machine) experiences. */
  effect: string;
  /** One sentence on how the decision was reached. */
  summary: string;
}

export interface EvaluateOptions {
  stateful: boolean;
}

export function evaluate(rules: readonly Omit<FirewallRule, 'id'>[], defaultPolicy: Action, p: FirewallPacket, opts: EvaluateOptions): Verdict {
  if (opts.stateful && p.established) {
    return {
      action: 'allow',
      ruleIndex: null,
      by: 'state',
      checks: [],
      effect: effectOf('allow', p),
      summary: 'Allowed by connection tracking before any rule: the packet belongs to a connection that was already let through.',
    };
  }
  const checks: RuleCheck[] = [];
  for (let i = 0; i < rules.length; i++) {
    const c = checkRuleAgainst(rules[i], p);
    checks.push({ index: i, ...c });
    if (c.matched) {
      return { action: rules[i].action, ruleIndex: i, by: 'rule', checks, effect: effectOf(rules[i].action, p), summary: `Rule ${i + 1} is the first that matches, so it decides: ${rules[i].action}.${statelessNote(rules[i].action, p, opts)}` };
    }
  }
  const none = rules.length === 0 ? 'There are no rules' : 'No rule matches';
  return {
    action: defaultPolicy,
    ruleIndex: null,
    by: 'default',
    checks,
    effect: effectOf(defaultPolicy, p),
    summary: `${none}, so the default policy decides: ${defaultPolicy}.${statelessNote(defaultPolicy, p, opts)}`,
  };
}

function statelessNote(action: Action, p: FirewallPacket, opts: EvaluateOptions): string {
  if (opts.stateful || !p.established || action === 'allow') return '';
  return ' Without connection tracking the firewall cannot tell a reply from a stranger, so this reply is blocked and the connection it belongs to stalls.';
}

/** What the other end sees; the errno names are what a Linux program gets. */
export function effectOf(action: Action, p: FirewallPacket): string {
  const tcp = p.protocol === 'tcp';
  if (p.direction === 'in') {
    if (action === 'allow') {
      return tcp
        ? `Delivered. If a program listens on TCP port ${p.port} the connection is made; if none does, the kernel itself answers with a reset and the sender gets ECONNREFUSED.`
        : `Delivered. If a program has a UDP socket bound to port ${p.port} it receives the datagram; if none does, the kernel answers “ICMP port unreachable”.`;
    }
    if (action === 'deny') {
      return tcp
        ? 'Silence: the packet is dropped without a word. The sender’s connect() resends its SYN a few times and finally fails with ETIMEDOUT (about two minutes on Linux).'
        : 'Silence: the datagram is dropped. UDP has no handshake, so the sender cannot even tell; its sendto() succeeded and no answer ever comes.';
    }
    return tcp
      ? 'Refused at once: the firewall answers with a TCP reset (or ICMP “port unreachable”), so the sender’s connect() fails immediately with ECONNREFUSED.'
      : 'Refused: the firewall answers with ICMP “port unreachable”; a connected UDP socket on the sender gets ECONNREFUSED on its next call.';
  }
  if (action === 'allow') return 'The packet leaves this machine on its way to the network.';
  if (action === 'deny') {
    return tcp
      ? 'The packet never leaves. The program’s connect() keeps retrying and ends with ETIMEDOUT; nobody outside sees anything.'
      : 'The packet never leaves. On Linux the program’s sendto() fails at once with EPERM (“Operation not permitted”).';
  }
  return tcp
    ? 'The packet never leaves, and the firewall answers the program itself: connect() fails at once with ECONNREFUSED.'
    : 'The packet never leaves. On Linux the program’s send fails at once with EPERM (“Operation not permitted”), just as for a drop.';
}

// ---------------------------------------------------------------------------------------------
// Editing the ordered list
// ---------------------------------------------------------------------------------------------

/** Moves item `index` by `delta` places, clamped to the list; returns the same array when nothing moves. */
export function moveItem<T>(list: readonly T[], index: number, delta: number): readonly T[] {
  const to = Math.max(0, Math.min(list.length - 1, index + delta));
  if (index < 0 || index >= list.length || to === index) return list;
  const next = list.slice();
  const [item] = next.splice(index, 1);
  next.splice(to, 0, item);
  return next;
}

export function removeAt<T>(list: readonly T[], index: number): readonly T[] {
  return list.filter((_, i) => i !== index);
}
