/**
 * What the server and its sandbox helper say to each other: one JSON object per line on the
 * helper's stdin (requests) and stdout (replies), and, beside them, each created socket as an
 * SCM_RIGHTS message on a SOCK_SEQPACKET channel tagged with its request's id. Both ends validate
 * every message with these schemas; the helper builds commands only from what they produced.
 */
import { z } from 'zod';
import {
  FamilySchema,
  FirewallCommandSchema,
  FirewallRuleViewSchema,
  ForwardCommandSchema,
  ForwardViewSchema,
  HostNameSchema,
  NetworkViewSchema,
  TopologySchema,
} from './schema.ts';

/** The helper's settings, given as one JSON argument when it starts. */
export const HelperSettingsSchema = z.strictObject({
  /** The server's pid: the helper exits at once if its parent is already someone else. */
  serverPid: z.number().int().min(1),
  synRetries: z.number().int().min(1).max(6),
  rulesPerHost: z.number().int().min(1).max(1000),
  forwardsPerNetwork: z.number().int().min(1).max(1000),
  /** Child processes (ip, nft) running at once. */
  commandConcurrency: z.number().int().min(1).max(64),
  commandTimeoutMs: z.number().int().min(100).max(120_000),
});
export type HelperSettings = z.infer<typeof HelperSettingsSchema>;

const IdSchema = z.number().int().min(1).max(0xffffffff);
const NetworkIdSchema = z.number().int().min(1).max(0xffffffff);

export const HelperRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ id: IdSchema, op: z.literal('create'), network: NetworkIdSchema, topology: TopologySchema }),
  z.strictObject({ id: IdSchema, op: z.literal('destroy'), network: NetworkIdSchema }),
  z.strictObject({
    id: IdSchema,
    op: z.literal('socket'),
    network: NetworkIdSchema,
    host: HostNameSchema,
    family: FamilySchema,
    kind: z.enum(['tcp', 'udp', 'icmp']),
  }),
  /** A packet socket in `host`'s namespace for capturing `interface` (issue 17), sent unbound; the reply says the link's ifindex. */
  z.strictObject({
    id: IdSchema,
    op: z.literal('capture'),
    network: NetworkIdSchema,
    host: HostNameSchema,
    interface: z.string().regex(/^[a-z][a-z0-9-]{0,14}$/),
  }),
  z.strictObject({ id: IdSchema, op: z.literal('show'), network: NetworkIdSchema }),
  z.strictObject({ id: IdSchema, op: z.literal('firewall'), network: NetworkIdSchema, host: HostNameSchema, command: FirewallCommandSchema }),
  z.strictObject({ id: IdSchema, op: z.literal('forward'), network: NetworkIdSchema, command: ForwardCommandSchema }),
  z.strictObject({ id: IdSchema, op: z.literal('procnet'), network: NetworkIdSchema, host: HostNameSchema }),
  z.strictObject({ id: IdSchema, op: z.literal('entry'), network: NetworkIdSchema, host: HostNameSchema }),
  z.strictObject({ id: IdSchema, op: z.literal('stats') }),
]);
export type HelperRequest = z.input<typeof HelperRequestSchema>;
export type ParsedHelperRequest = z.output<typeof HelperRequestSchema>;
export type HelperOp = HelperRequest['op'];

export const HelperReplySchema = z.union([
  z.strictObject({
    id: IdSchema,
    ok: z.literal(true),
    value: z.unknown(),
    /** A socket for this request is waiting on the channel. */
    fd: z.boolean().optional(),
  }),
  z.strictObject({
    id: IdSchema,
    ok: z.literal(false),
    error: z.object({ code: z.string().regex(/^E[A-Z0-9_]{1,31}$/), message: z.string().max(2000) }),
  }),
]);
export type HelperReply = z.infer<typeof HelperReplySchema>;

export const HelperReadySchema = z.strictObject({ event: z.literal('ready'), pid: z.number().int() });

// Values of successful replies, per op.

export const FirewallResultSchema = z.object({
  host: HostNameSchema,
  /** The rule the action added or deleted; null for list and flush. */
  rule: FirewallRuleViewSchema.nullable(),
  /** The host's rules after the action, in the order the kernel applies them, with counters. */
  rules: z.array(FirewallRuleViewSchema),
});
export type FirewallResult = z.infer<typeof FirewallResultSchema>;

export const ForwardResultSchema = z.object({
  forward: ForwardViewSchema.nullable(),
  forwards: z.array(ForwardViewSchema),
});
export type ForwardResult = z.infer<typeof ForwardResultSchema>;

export const ProcNetSchema = z.object({
  tcp: z.string(),
  tcp6: z.string(),
  udp: z.string(),
  udp6: z.string(),
});
export type ProcNetTexts = z.infer<typeof ProcNetSchema>;

/**
 * Where a lab shell joins a host (server/sandbox/shell.ts): the helper's pid, the fd it holds the
 * host's network namespace by, and the inodes of that namespace and of the helper's user namespace,
 * so the terminal can check it opened the very namespaces meant before it enters them.
 */
export const ShellEntrySchema = z.object({
  pid: z.number().int().min(1),
  netFd: z.number().int().min(0),
  netInode: z.number().int().min(1),
  userInode: z.number().int().min(1),
});
export type ShellEntry = z.infer<typeof ShellEntrySchema>;

export const HelperStatsSchema = z.object({
  networks: z.number().int(),
  /** Network namespaces the helper holds open (one per host). */
  namespaces: z.number().int(),
});
export type HelperStats = z.infer<typeof HelperStatsSchema>;

export const ReplyValueSchemas = {
  create: NetworkViewSchema,
  destroy: z.null(),
  socket: z.null(),
  capture: z.object({ ifindex: z.number().int().min(1) }),
  show: NetworkViewSchema,
  firewall: FirewallResultSchema,
  forward: ForwardResultSchema,
  procnet: ProcNetSchema,
  entry: ShellEntrySchema,
  stats: HelperStatsSchema,
} satisfies Record<HelperOp, z.ZodType>;
