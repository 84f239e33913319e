/**
 * The sandbox network's part of `socketlab/1` (issue 16): the args and results of the ops
 * `network`, `firewall`, `forward` and `ping`, and the `echo` event. Written in zod/mini like the
 * rest of the protocol, so the page ships one small zod; server/sandbox/schema.ts holds the full
 * shapes the sandbox itself checks (address syntax, rules that contradict themselves), and the
 * handlers' types make sure what the sandbox returns is what these schemas describe.
 *
 * These schemas check the structure of a command (which keys, which enums, bounded strings and
 * numbers); the sandbox then checks its meaning and answers E_BAD_REQUEST in the op's step.
 */
import * as z from 'zod/mini';

export const TOPOLOGIES = ['home'] as const;
export const HOST_NAMES = ['laptop', 'phone', 'router', 'server'] as const;
export const HostNameSchema = z.enum(HOST_NAMES);
export type HostName = z.infer<typeof HostNameSchema>;

const Family = z.union([z.literal(4), z.literal(6)]);
/** An address or a prefix as text; the sandbox parses it (ipaddr.js) and refuses anything else. */
const AddressText = z.string().check(z.minLength(1), z.maxLength(64));
const RulePort = z.int().check(z.gte(1), z.lte(65535));
const RuleId = z.int().check(z.gte(1), z.lte(2 ** 31));

// ---------------------------------------------------------------------------------------------
// Args

export const NetworkArgsSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('create'), topology: z.enum(TOPOLOGIES) }),
  z.strictObject({ action: z.literal('show') }),
  z.strictObject({ action: z.literal('destroy') }),
  /** A one-time command for a terminal inside `host` (docs/architecture.md, "Lab shells"). */
  z.strictObject({ action: z.literal('shell'), host: HostNameSchema }),
]);

export const CHAINS = ['input', 'forward', 'output'] as const;
export const REJECT_WITH = ['tcp-reset', 'port-unreachable', 'host-unreachable', 'admin-prohibited'] as const;

export const FirewallRuleSchema = z.strictObject({
  chain: z.enum(CHAINS),
  /** Absent: any protocol. */
  protocol: z.optional(z.enum(['tcp', 'udp', 'icmp', 'any'])),
  source: z.optional(AddressText),
  destination: z.optional(AddressText),
  sourcePort: z.optional(RulePort),
  destinationPort: z.optional(RulePort),
  state: z.optional(z.array(z.enum(['new', 'established', 'related'])).check(z.minLength(1), z.maxLength(3))),
  verdict: z.enum(['accept', 'drop', 'reject']),
  rejectWith: z.optional(z.enum(REJECT_WITH)),
});
export type ProtocolFirewallRule = z.infer<typeof FirewallRuleSchema>;

export const FirewallArgsSchema = z.discriminatedUnion('action', [
  z.strictObject({ host: HostNameSchema, action: z.literal('add'), rule: FirewallRuleSchema, position: z.optional(z.enum(['first', 'last'])) }),
  /** By the id `list` shows, or by the same rule as it was added. */
  z.strictObject({ host: HostNameSchema, action: z.literal('delete'), id: z.optional(RuleId), rule: z.optional(FirewallRuleSchema) }),
  z.strictObject({ host: HostNameSchema, action: z.literal('list') }),
  z.strictObject({ host: HostNameSchema, action: z.literal('flush') }),
]);

export const ForwardSpecSchema = z.strictObject({
  protocol: z.enum(['tcp', 'udp']),
  /** The port on the router's WAN address, 203.0.113.1. */
  wanPort: RulePort,
  lanAddress: AddressText,
  lanPort: RulePort,
});

export const ForwardArgsSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('add'), forward: ForwardSpecSchema }),
  z.strictObject({ action: z.literal('delete'), id: z.optional(RuleId), forward: z.optional(ForwardSpecSchema) }),
  z.strictObject({ action: z.literal('list') }),
  z.strictObject({ action: z.literal('flush') }),
]);

export const PingArgsSchema = z.strictObject({
  host: HostNameSchema,
  address: AddressText,
  /** Echo requests, one a second (default 4). */
  count: z.optional(z.int().check(z.gte(1), z.lte(10))),
});

// ---------------------------------------------------------------------------------------------
// Results: the network as the kernel shows it

const InterfaceSchema = z.object({
  name: z.string(),
  kind: z.string(),
  mac: z.nullable(z.string()),
  state: z.string(),
  master: z.nullable(z.string()),
  addresses: z.array(z.object({ address: z.string(), prefixLength: z.int(), family: Family, scope: z.string() })),
});

const RouteSchema = z.object({
  family: Family,
  destination: z.string(),
  gateway: z.nullable(z.string()),
  device: z.nullable(z.string()),
  protocol: z.nullable(z.string()),
});

const NeighbourSchema = z.object({
  family: Family,
  address: z.string(),
  mac: z.nullable(z.string()),
  device: z.string(),
  state: z.array(z.string()),
});

export const FirewallRuleViewSchema = z.object({
  /** The kernel's handle of the rule: `firewall delete` takes it as `id`. */
  id: z.int(),
  chain: z.enum(CHAINS),
  /** The rule as structured, or null for one the sandbox made itself (a forward's accept). */
  rule: z.nullable(FirewallRuleSchema),
  /** The same rule as an nft command line, for the page to show. */
  nft: z.string(),
  origin: z.enum(['firewall', 'forward']),
  packets: z.int(),
  bytes: z.int(),
});

const NatRuleSchema = z.object({ id: z.int(), kind: z.enum(['masquerade', 'forward']), nft: z.string(), packets: z.int(), bytes: z.int() });

export const ForwardViewSchema = z.object({ id: z.int(), forward: ForwardSpecSchema, nft: z.array(z.string()), packets: z.int(), bytes: z.int() });

const TupleSchema = z.object({ source: z.string(), destination: z.string(), sourcePort: z.nullable(z.int()), destinationPort: z.nullable(z.int()) });

const ConntrackSchema = z.object({
  family: Family,
  protocol: z.string(),
  state: z.nullable(z.string()),
  expiresIn: z.int(),
  original: TupleSchema,
  reply: TupleSchema,
  sourceNat: z.boolean(),
  destinationNat: z.boolean(),
  flags: z.array(z.string()),
});

const HostViewSchema = z.object({
  name: HostNameSchema,
  role: z.string(),
  interfaces: z.array(InterfaceSchema),
  routes: z.array(RouteSchema),
  neighbours: z.array(NeighbourSchema),
  forwarding: z.boolean(),
  firewall: z.array(FirewallRuleViewSchema),
  nat: z.array(NatRuleSchema),
  conntrack: z.nullable(z.array(ConntrackSchema)),
});

const HostPortSchema = z.object({ host: HostNameSchema, interface: z.string() });

export const NetworkViewSchema = z.object({
  topology: z.enum(TOPOLOGIES),
  hosts: z.array(HostViewSchema),
  links: z.array(z.object({ segment: z.enum(['lan', 'wan']), a: HostPortSchema, b: HostPortSchema })),
  segments: z.array(z.object({ name: z.enum(['lan', 'wan']), description: z.string(), prefixes: z.array(z.string()) })),
  forwards: z.array(ForwardViewSchema),
});
export type ProtocolNetworkView = z.infer<typeof NetworkViewSchema>;

/**
 * What `shell` gives: a command to paste into a terminal of the machine running the server, in the
 * project's folder. It works once, until `expiresAt`, and only while the network lives.
 */
export const ShellTicketSchema = z.object({
  host: HostNameSchema,
  /** The secret part of `command`; it opens this session's network only. */
  token: z.string(),
  command: z.string(),
  /** When the command stops working, ms since the epoch. */
  expiresAt: z.number(),
});
export type ShellTicket = z.infer<typeof ShellTicketSchema>;

/** create and show: the network; destroy: null; shell: null (the network is unchanged) and the shell. */
export const NetworkResultSchema = z.object({ network: z.nullable(NetworkViewSchema), shell: z.optional(ShellTicketSchema) });

export const FirewallResultSchema = z.object({
  host: HostNameSchema,
  /** The rule the action added or deleted; null for list and flush. */
  rule: z.nullable(FirewallRuleViewSchema),
  /** The host's rules after the action, in the kernel's order, with their counters. */
  rules: z.array(FirewallRuleViewSchema),
});

export const ForwardResultSchema = z.object({ forward: z.nullable(ForwardViewSchema), forwards: z.array(ForwardViewSchema) });

export const EchoSchema = z.object({
  seq: z.int(),
  status: z.enum(['reply', 'timeout', 'error']),
  from: z.nullable(z.string()),
  bytes: z.nullable(z.int()),
  timeMs: z.nullable(z.number()),
  /** The kernel's errno when sendto() itself failed (ENETUNREACH...). */
  errno: z.nullable(z.string()),
});
export type ProtocolEcho = z.infer<typeof EchoSchema>;

export const PingResultSchema = z.object({
  host: HostNameSchema,
  address: z.string(),
  sent: z.int(),
  received: z.int(),
  echoes: z.array(EchoSchema),
});

/**
 * One echo of a running ping, as it happens: a reply, a timeout or an error. It belongs to the
 * ping's step (same `seq` and `id`); the step itself finishes with every echo in its result.
 */
export const EchoEventSchema = z.object({
  event: z.literal('echo'),
  seq: z.int().check(z.gte(1)),
  id: z.nullable(z.union([z.number(), z.string()])),
  host: HostNameSchema,
  address: z.string(),
  echo: EchoSchema,
  at: z.number(),
});
export type EchoEvent = z.infer<typeof EchoEventSchema>;

/** Whether this server has sandbox networks, and why not (the hello says it, once). */
export const NetworkSupportSchema = z.object({
  available: z.boolean(),
  /** Why not, and what the host can do about it (when not available). */
  reason: z.optional(z.string()),
  maxNetworks: z.int(),
  /** Whether `network` `shell` hands out terminals here, and why not (absent: an older server). */
  shell: z.optional(z.object({ available: z.boolean(), reason: z.optional(z.string()) })),
});
export type NetworkSupport = z.infer<typeof NetworkSupportSchema>;
