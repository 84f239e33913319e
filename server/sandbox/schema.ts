/**
 * The sandbox network's shapes: what a caller may ask for (firewall rules, port forwards, pings)
 * and what it gets back (the live view of a network). Zod schemas with inferred types, and no
 * imports beyond zod and ipaddr.js, so the lab protocol can embed them as they are.
 *
 * Everything a learner types arrives here first. The helper builds `ip` and `nft` arguments only
 * from values these schemas produced: enums, numbers, and addresses re-printed by ipaddr.js.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Names

export const TopologySchema = z.enum(['home']);
export type Topology = z.infer<typeof TopologySchema>;

export const HostNameSchema = z.enum(['laptop', 'phone', 'router', 'server']);
export type HostName = z.infer<typeof HostNameSchema>;

export const SocketKindSchema = z.enum(['tcp', 'udp']);
export const FamilySchema = z.union([z.literal(4), z.literal(6)]);

// ---------------------------------------------------------------------------------------------
// Addresses: literal IPv4 (four decimal parts) or IPv6, printed back in canonical form

/** The canonical text of a literal IP address, or null. IPv4-mapped IPv6 is refused: say which. */
export function canonicalAddress(text: string): { address: string; family: 4 | 6 } | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return { address: ipaddr.IPv4.parse(text).toString(), family: 4 };
  if (!ipaddr.IPv6.isValid(text) || text.includes('%')) return null;
  const v6 = ipaddr.IPv6.parse(text);
  if (v6.isIPv4MappedAddress()) return null;
  return { address: v6.toString(), family: 6 };
}

export const IpAddressSchema = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const canonical = canonicalAddress(text.trim());
    if (!canonical) {
      ctx.addIssue({ code: 'custom', message: `not an IPv4 or IPv6 address: ${JSON.stringify(text.slice(0, 64))}` });
      return z.NEVER;
    }
    return canonical.address;
  });

/** An address or a prefix ("192.168.1.0/24"); host bits are cleared, as the kernel would. */
export const AddressOrPrefixSchema = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const trimmed = text.trim();
    const slash = trimmed.indexOf('/');
    const canonical = canonicalAddress(slash < 0 ? trimmed : trimmed.slice(0, slash));
    if (!canonical) {
      ctx.addIssue({ code: 'custom', message: `not an address or prefix: ${JSON.stringify(text.slice(0, 64))}` });
      return z.NEVER;
    }
    if (slash < 0) return canonical.address;
    const bitsText = trimmed.slice(slash + 1);
    const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
    const max = canonical.family === 4 ? 32 : 128;
    if (!(bits >= 0 && bits <= max)) {
      ctx.addIssue({ code: 'custom', message: `the prefix length must be 0-${max}: ${JSON.stringify(text.slice(0, 64))}` });
      return z.NEVER;
    }
    const network =
      canonical.family === 4
        ? ipaddr.IPv4.networkAddressFromCIDR(`${canonical.address}/${bits}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${canonical.address}/${bits}`);
    return `${network.toString()}/${bits}`;
  });

/** 4 or 6, from an address or prefix these schemas produced. */
export function familyOf(addressOrPrefix: string): 4 | 6 {
  return addressOrPrefix.includes(':') ? 6 : 4;
}

const PortSchema = z.number().int().min(1).max(65535);

// ---------------------------------------------------------------------------------------------
// Firewall rules

export const ChainSchema = z.enum(['input', 'forward', 'output']);
export type Chain = z.infer<typeof ChainSchema>;

export const RejectWithSchema = z.enum(['tcp-reset', 'port-unreachable', 'host-unreachable', 'admin-prohibited']);
export type RejectWith = z.infer<typeof RejectWithSchema>;

export const FirewallRuleSchema = z
  .strictObject({
    chain: ChainSchema,
    protocol: z.enum(['tcp', 'udp', 'icmp', 'any']).default('any'),
    source: AddressOrPrefixSchema.optional(),
    destination: AddressOrPrefixSchema.optional(),
    sourcePort: PortSchema.optional(),
    destinationPort: PortSchema.optional(),
    /** Connection tracking state; several mean "any of them". */
    state: z.array(z.enum(['new', 'established', 'related'])).min(1).max(3).optional(),
    verdict: z.enum(['accept', 'drop', 'reject']),
    /** How a reject answers: a TCP reset, or an ICMP unreachable of this kind. */
    rejectWith: RejectWithSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    const portless = rule.protocol !== 'tcp' && rule.protocol !== 'udp';
    if (portless && (rule.sourcePort !== undefined || rule.destinationPort !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'ports need protocol tcp or udp' });
    }
    if (rule.rejectWith !== undefined && rule.verdict !== 'reject') {
      ctx.addIssue({ code: 'custom', message: 'rejectWith goes with verdict reject' });
    }
    if (rule.rejectWith === 'tcp-reset' && rule.protocol !== 'tcp') {
      ctx.addIssue({ code: 'custom', message: 'a TCP reset answers TCP only: set protocol tcp' });
    }
    if (rule.source && rule.destination && familyOf(rule.source) !== familyOf(rule.destination)) {
      ctx.addIssue({ code: 'custom', message: 'source and destination must both be IPv4 or both IPv6' });
    }
    if (rule.state && new Set(rule.state).size !== rule.state.length) {
      ctx.addIssue({ code: 'custom', message: 'a state is listed twice' });
    }
  });
export type FirewallRule = z.output<typeof FirewallRuleSchema>;

const IdSchema = z.number().int().min(1).max(2 ** 31);

export const FirewallCommandSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('add'),
    rule: FirewallRuleSchema,
    /** `last` appends to the chain (nft add), `first` puts it before every rule (nft insert). */
    position: z.enum(['first', 'last']).default('last'),
  }),
  z
    .strictObject({ action: z.literal('delete'), id: IdSchema.optional(), rule: FirewallRuleSchema.optional() })
    .refine((c) => (c.id === undefined) !== (c.rule === undefined), 'delete takes an id or a rule, not both'),
  z.strictObject({ action: z.literal('list') }),
  z.strictObject({ action: z.literal('flush') }),
]);
export type FirewallCommand = z.input<typeof FirewallCommandSchema>;
export type ParsedFirewallCommand = z.output<typeof FirewallCommandSchema>;

// ---------------------------------------------------------------------------------------------
// Port forwards (on the router)

export const ForwardSpecSchema = z.strictObject({
  protocol: z.enum(['tcp', 'udp']),
  /** The port on the router's WAN address (203.0.113.1). */
  wanPort: PortSchema,
  /** Where it goes on the LAN. */
  lanAddress: IpAddressSchema,
  lanPort: PortSchema,
});
export type ForwardSpec = z.output<typeof ForwardSpecSchema>;

export const ForwardCommandSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('add'), forward: ForwardSpecSchema }),
  z
    .strictObject({ action: z.literal('delete'), id: IdSchema.optional(), forward: ForwardSpecSchema.optional() })
    .refine((c) => (c.id === undefined) !== (c.forward === undefined), 'delete takes an id or a forward, not both'),
  z.strictObject({ action: z.literal('list') }),
  z.strictObject({ action: z.literal('flush') }),
]);
export type ForwardCommand = z.input<typeof ForwardCommandSchema>;
export type ParsedForwardCommand = z.output<typeof ForwardCommandSchema>;

// ---------------------------------------------------------------------------------------------
// Ping

export const PingOptionsSchema = z.strictObject({
  count: z.number().int().min(1).max(10).default(4),
  /** How long each echo waits for its reply. */
  timeoutMs: z.number().int().min(100).max(5000).default(1000),
  /** Time between echo requests (the pings-per-second cap may stretch it). */
  intervalMs: z.number().int().min(100).max(5000).default(1000),
});
export type PingOptions = z.input<typeof PingOptionsSchema>;

export const EchoSchema = z.object({
  seq: z.number().int(),
  status: z.enum(['reply', 'timeout', 'error']),
  /** Who answered (for a reply). */
  from: z.string().nullable(),
  bytes: z.number().int().nullable(),
  timeMs: z.number().nullable(),
  /** The kernel's errno when sendto() itself failed (ENETUNREACH, EHOSTUNREACH, ...). */
  errno: z.string().nullable(),
});
export type Echo = z.infer<typeof EchoSchema>;

export const PingResultSchema = z.object({
  host: HostNameSchema,
  address: z.string(),
  sent: z.number().int(),
  received: z.number().int(),
  echoes: z.array(EchoSchema),
});
export type PingResult = z.infer<typeof PingResultSchema>;

// ---------------------------------------------------------------------------------------------
// The view of a network, live from the kernel

export const InterfaceAddressSchema = z.object({
  address: z.string(),
  prefixLength: z.number().int(),
  family: FamilySchema,
  scope: z.string(),
});

export const InterfaceViewSchema = z.object({
  name: z.string(),
  /** veth, bridge, loopback... (the kernel's link kind). */
  kind: z.string(),
  mac: z.string().nullable(),
  /** The kernel's operational state: UP, DOWN, UNKNOWN (loopback), LOWERLAYERDOWN... */
  state: z.string(),
  /** The bridge this interface is a port of. */
  master: z.string().nullable(),
  addresses: z.array(InterfaceAddressSchema),
});
export type InterfaceView = z.infer<typeof InterfaceViewSchema>;

export const RouteViewSchema = z.object({
  family: FamilySchema,
  /** "default" or a prefix. */
  destination: z.string(),
  gateway: z.string().nullable(),
  device: z.string().nullable(),
  /** kernel (from an address), static (configured), ... */
  protocol: z.string().nullable(),
});
export type RouteView = z.infer<typeof RouteViewSchema>;

export const NeighbourViewSchema = z.object({
  family: FamilySchema,
  address: z.string(),
  mac: z.string().nullable(),
  device: z.string(),
  /** REACHABLE, STALE, INCOMPLETE, FAILED... */
  state: z.array(z.string()),
});
export type NeighbourView = z.infer<typeof NeighbourViewSchema>;

export const FirewallRuleViewSchema = z.object({
  /** The kernel's handle of the rule: the id to delete it by. */
  id: z.number().int(),
  chain: ChainSchema,
  /** The structured rule, or null for a rule the sandbox made itself (a port forward's accept). */
  rule: FirewallRuleSchema.nullable(),
  /** The same rule as an nft command line. */
  nft: z.string(),
  origin: z.enum(['firewall', 'forward']),
  packets: z.number().int(),
  bytes: z.number().int(),
});
export type FirewallRuleView = z.infer<typeof FirewallRuleViewSchema>;

export const NatRuleViewSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['masquerade', 'forward']),
  nft: z.string(),
  packets: z.number().int(),
  bytes: z.number().int(),
});
export type NatRuleView = z.infer<typeof NatRuleViewSchema>;

export const ForwardViewSchema = z.object({
  id: z.number().int(),
  forward: ForwardSpecSchema,
  /** The DNAT rule and the forward-chain accept that make it, as nft command lines. */
  nft: z.array(z.string()),
  packets: z.number().int(),
  bytes: z.number().int(),
});
export type ForwardView = z.infer<typeof ForwardViewSchema>;

const TupleSchema = z.object({
  source: z.string(),
  destination: z.string(),
  sourcePort: z.number().int().nullable(),
  destinationPort: z.number().int().nullable(),
});

export const ConntrackEntrySchema = z.object({
  family: FamilySchema,
  protocol: z.string(),
  /** TCP's state (ESTABLISHED, TIME_WAIT...); null for UDP and ICMP. */
  state: z.string().nullable(),
  /** Seconds until the kernel forgets the entry. */
  expiresIn: z.number().int(),
  original: TupleSchema,
  reply: TupleSchema,
  /** The reply goes to another address than the original came from: source NAT (masquerade). */
  sourceNat: z.boolean(),
  /** The original went to another address than the reply comes from: destination NAT (a forward). */
  destinationNat: z.boolean(),
  flags: z.array(z.string()),
});
export type ConntrackEntry = z.infer<typeof ConntrackEntrySchema>;

export const HostViewSchema = z.object({
  name: HostNameSchema,
  role: z.string(),
  interfaces: z.array(InterfaceViewSchema),
  routes: z.array(RouteViewSchema),
  neighbours: z.array(NeighbourViewSchema),
  /** Forwarding between interfaces (a router). */
  forwarding: z.boolean(),
  firewall: z.array(FirewallRuleViewSchema),
  nat: z.array(NatRuleViewSchema),
  /** The host's connection tracking table; null where the kernel does not show it (no procfs). */
  conntrack: z.array(ConntrackEntrySchema).nullable(),
});
export type HostView = z.infer<typeof HostViewSchema>;

export const LinkViewSchema = z.object({
  segment: z.enum(['lan', 'wan']),
  a: z.object({ host: HostNameSchema, interface: z.string() }),
  b: z.object({ host: HostNameSchema, interface: z.string() }),
});
export type LinkView = z.infer<typeof LinkViewSchema>;

export const SegmentViewSchema = z.object({
  name: z.enum(['lan', 'wan']),
  description: z.string(),
  prefixes: z.array(z.string()),
});

export const NetworkViewSchema = z.object({
  topology: TopologySchema,
  hosts: z.array(HostViewSchema),
  links: z.array(LinkViewSchema),
  segments: z.array(SegmentViewSchema),
  forwards: z.array(ForwardViewSchema),
});
export type NetworkView = z.infer<typeof NetworkViewSchema>;
