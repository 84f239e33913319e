/**
 * The lab protocol, `socketlab/1`: the one definition shared by the server and the browser.
 * Every message crossing the /lab WebSocket is described here as a zod schema, and the
 * TypeScript types are inferred from the schemas so the two ends cannot drift apart.
 * docs/protocol.md is the prose version of this file.
 */
import { z } from 'zod';

export const PROTOCOL = 'socketlab/1' as const;

/** Codes the lab itself produces; kernel refusals use the errno name (ECONNREFUSED, ...). */
export const LAB_ERROR_CODES = [
  'E_POLICY',
  'E_BAD_REQUEST',
  'E_LIMIT',
  'E_NO_SOCKET',
  'E_UNSUPPORTED',
  'E_BUSY',
  'E_CANCELLED',
  'E_INTERNAL',
] as const;
export type LabErrorCode = (typeof LAB_ERROR_CODES)[number];

/** An errno name like ECONNREFUSED, or one of the lab's own codes. */
export const ErrorCodeSchema = z.string().regex(/^E[A-Z0-9_]{1,31}$/);

export const ErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
});
export type LabError = z.infer<typeof ErrorSchema>;

// ---------------------------------------------------------------------------------------
// Building blocks

export const SockHandleSchema = z.string().regex(/^s[1-9][0-9]{0,5}$/, 'a socket handle looks like s1, s2, ...');
export const PortSchema = z.number().int().min(0).max(65535);
/** Literal IP addresses only: the lab never resolves names, so nothing leaves by DNS. */
export const AddressSchema = z.string().min(1).max(64);
export const ActorSchema = z
  .string()
  .min(1)
  .max(24)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'letters, digits, space, dot, dash or underscore');
export const EncodingSchema = z.enum(['utf8', 'base64']);
export const EndpointSchema = z.object({ address: z.string(), port: PortSchema });
export type Endpoint = z.infer<typeof EndpointSchema>;

export const CommandIdSchema = z.union([z.number().finite(), z.string().max(64)]);
export type CommandId = z.infer<typeof CommandIdSchema>;

// ---------------------------------------------------------------------------------------
// Ops: each op names its args schema and its result schema.

export const OpArgs = {
  socket: z.strictObject({
    type: z.enum(['tcp', 'udp']),
    family: z.union([z.literal(4), z.literal(6)]).optional(),
    actor: ActorSchema.optional(),
  }),
  bind: z.strictObject({ sock: SockHandleSchema, address: AddressSchema, port: PortSchema }),
  listen: z.strictObject({ sock: SockHandleSchema, backlog: z.number().int().min(0).max(128).optional() }),
  accept: z.strictObject({ sock: SockHandleSchema }),
  connect: z.strictObject({ sock: SockHandleSchema, address: AddressSchema, port: PortSchema }),
  send: z.strictObject({ sock: SockHandleSchema, data: z.string(), encoding: EncodingSchema.optional() }),
  recv: z.strictObject({ sock: SockHandleSchema, max: z.number().int().min(1).max(65536).optional() }),
  sendto: z.strictObject({
    sock: SockHandleSchema,
    data: z.string(),
    encoding: EncodingSchema.optional(),
    address: AddressSchema,
    port: PortSchema,
  }),
  recvfrom: z.strictObject({ sock: SockHandleSchema, max: z.number().int().min(1).max(65536).optional() }),
  shutdown: z.strictObject({ sock: SockHandleSchema, how: z.enum(['read', 'write', 'both']) }),
  close: z.strictObject({ sock: SockHandleSchema }),
  setblocking: z.strictObject({ sock: SockHandleSchema, blocking: z.boolean() }),
  kernel: z.strictObject({}),
  /** Runs a server program on one of the session's listening sockets (the capstone chat server). */
  run: z.strictObject({
    program: z.literal('chat'),
    sock: SockHandleSchema,
    log: z.enum(['steps', 'summary']).optional(),
    idleSeconds: z.number().int().min(1).max(86_400).optional(),
    /** Lines one client may send within 5 s before it is dropped for flooding. */
    floodLines: z.number().int().min(2).max(1_000_000).optional(),
  }),
  stop: z.strictObject({ program: z.literal('chat') }),
} as const;

export type Op = keyof typeof OpArgs;
export const OPS = Object.keys(OpArgs) as Op[];
export type ArgsOf<O extends Op> = z.infer<(typeof OpArgs)[O]>;

/**
 * The lab bound the socket itself before the call, where the kernel would have bound it implicitly
 * to the wildcard address and a random port (a UDP socket's first sendto, connect or send): a real
 * bind() to that address, inside the lab's range. The learner's step shows it.
 */
export const ImplicitBindSchema = EndpointSchema;
export type ImplicitBind = z.infer<typeof ImplicitBindSchema>;

const DataResult = {
  /** The bytes as UTF-8 text (invalid sequences become U+FFFD); `base64` is exact. */
  data: z.string(),
  base64: z.string(),
  bytes: z.number().int().min(0),
};

export const OpResults = {
  socket: z.object({ sock: SockHandleSchema, fd: z.number().int().nullable() }),
  bind: EndpointSchema,
  /** The backlog given to the kernel (the default when the command had none). */
  listen: z.object({ backlog: z.number().int() }),
  accept: z.object({ sock: SockHandleSchema, fd: z.number().int().nullable(), peer: EndpointSchema, local: EndpointSchema }),
  connect: z.object({ local: EndpointSchema, implicitBind: ImplicitBindSchema.optional() }),
  send: z.object({ bytes: z.number().int().min(0), implicitBind: ImplicitBindSchema.optional() }),
  recv: z.union([z.object(DataResult), z.object({ bytes: z.literal(0), eof: z.literal(true) })]),
  sendto: z.object({ bytes: z.number().int().min(0), implicitBind: ImplicitBindSchema.optional() }),
  recvfrom: z.object({ ...DataResult, from: EndpointSchema }),
  shutdown: z.object({}),
  close: z.object({}),
  setblocking: z.object({}),
  kernel: z.object({ rows: z.array(z.lazy(() => KernelRowSchema)) }),
  run: z.object({ program: z.literal('chat'), address: z.string(), port: PortSchema }),
  stop: z.object({}),
} as const;
export type ResultOf<O extends Op> = z.infer<(typeof OpResults)[O]>;

export const TCP_STATES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
  'UNCONN',
] as const;
export type KernelState = (typeof TCP_STATES)[number];

export const KernelRowSchema = z.object({
  proto: z.enum(['tcp', 'tcp6', 'udp', 'udp6']),
  local: EndpointSchema,
  remote: EndpointSchema,
  state: z.enum(TCP_STATES),
  /** Bytes received and not yet read; for a LISTEN socket, connections waiting in the accept queue. */
  rxQueue: z.number().int().min(0),
  /** Bytes sent and not yet acknowledged (0 for a LISTEN socket: /proc/net/tcp does not show its backlog, though `ss` does). */
  txQueue: z.number().int().min(0),
  inode: z.number().int().min(0),
  /** The session handle this row belongs to, when it is one of ours. */
  sock: SockHandleSchema.optional(),
  /**
   * Why a row without a handle of ours is shown: `accept-queue` (a connection the kernel completed
   * for one of our listening sockets, not yet accepted), `closed` (a socket we closed that the kernel
   * still remembers, e.g. TIME_WAIT), `outside` (another program's end of a connection to one of ours).
   */
  relation: z.enum(['own', 'accept-queue', 'closed', 'outside']),
  /** For accept-queue and closed rows: the handle they relate to. */
  of: SockHandleSchema.optional(),
});
export type KernelRow = z.infer<typeof KernelRowSchema>;

// ---------------------------------------------------------------------------------------
// Commands (browser → server)

const commandVariants = OPS.map((op) =>
  z.strictObject({ id: CommandIdSchema, op: z.literal(op), args: OpArgs[op] }),
) as unknown as [z.ZodObject, ...z.ZodObject[]];

export const CommandSchema = z.discriminatedUnion('op', commandVariants) as unknown as z.ZodType<Command>;
export type Command = { [O in Op]: { id: CommandId; op: O; args: ArgsOf<O> } }[Op];
export type CommandOf<O extends Op> = Extract<Command, { op: O }>;

// ---------------------------------------------------------------------------------------
// Server → browser

export const PolicySchema = z.object({
  ports: z.tuple([PortSchema, PortSchema]),
  addresses: z.array(z.string()),
  /** The site's own port, which connect may also reach (the HTTP lesson). */
  sitePort: PortSchema.nullable(),
  limits: z.object({
    sockets: z.number().int(),
    sendBytes: z.number().int(),
    commandsPerSecond: z.number(),
    idleSeconds: z.number().int(),
  }),
});
export type Policy = z.infer<typeof PolicySchema>;

export const HelloSchema = z.object({
  event: z.literal('hello'),
  protocol: z.literal(PROTOCOL),
  session: z.string(),
  engine: z.enum(['native', 'node']),
  policy: PolicySchema,
  /** 'owner' may send commands; 'viewer' only receives this session's events. */
  role: z.enum(['owner', 'viewer']),
  /** Give this to another viewer (`/lab?watch=<token>`) to mirror the session read-only. */
  watchToken: z.string().optional(),
  /** Ops that the engine performs together with others, in the fallback engine. */
  composite: z.record(z.string(), z.string()),
});
export type Hello = z.infer<typeof HelloSchema>;

export const ReplySchema = z.union([
  z.object({ id: CommandIdSchema.nullable(), ok: z.literal(true), result: z.record(z.string(), z.unknown()) }),
  z.object({ id: CommandIdSchema.nullable(), ok: z.literal(false), error: ErrorSchema }),
]);
export type Reply = z.infer<typeof ReplySchema>;

export const StepStatusSchema = z.enum(['blocked', 'ok', 'error']);
export const StepSchema = z.object({
  event: z.literal('step'),
  /** Per-session step number; a blocked step and its completion share it. */
  seq: z.number().int().min(1),
  id: CommandIdSchema.nullable(),
  actor: z.string(),
  op: z.enum(OPS as [Op, ...Op[]]),
  sock: SockHandleSchema.optional(),
  args: z.record(z.string(), z.unknown()),
  status: StepStatusSchema,
  result: z.record(z.string(), z.unknown()).optional(),
  error: ErrorSchema.optional(),
  /** Milliseconds since the epoch: the call began, and (unless blocked) ended. */
  start: z.number(),
  end: z.number().optional(),
});
export type Step = z.infer<typeof StepSchema>;

/** Something the kernel did on its own that the engine noticed, between the learner's calls. */
export const KernelEventSchema = z.object({
  event: z.literal('kernel'),
  sock: SockHandleSchema,
  change: z.enum(['connection-waiting', 'data-waiting', 'peer-closed', 'error', 'writable']),
  /** For data-waiting: bytes readable now; for connection-waiting: the peer, when known. */
  bytes: z.number().int().min(0).optional(),
  peer: EndpointSchema.optional(),
  errno: z.string().optional(),
  at: z.number(),
});
export type KernelEvent = z.infer<typeof KernelEventSchema>;

/** What a running program (the chat server) reports beside its steps. */
export const ProgramEventSchema = z.object({
  event: z.literal('program'),
  program: z.literal('chat'),
  kind: z.enum(['started', 'joined', 'left', 'stats', 'stopped']),
  sock: SockHandleSchema.optional(),
  nick: z.string().optional(),
  reason: z.string().optional(),
  stats: z
    .object({ clients: z.number(), accepts: z.number(), linesIn: z.number(), linesOut: z.number(), bytesIn: z.number(), bytesOut: z.number() })
    .optional(),
  at: z.number(),
});
export type ProgramEvent = z.infer<typeof ProgramEventSchema>;

/** For viewers of a session: the owner's latest kernel view, sent whenever the owner refreshes it. */
export const KernelTableSchema = z.object({
  event: z.literal('kernel-table'),
  rows: z.array(KernelRowSchema),
  at: z.number(),
});
export type KernelTable = z.infer<typeof KernelTableSchema>;

export const ByeSchema = z.object({
  event: z.literal('bye'),
  reason: z.enum(['idle', 'closed', 'shutdown', 'replaced', 'ended']),
  message: z.string(),
});
export type Bye = z.infer<typeof ByeSchema>;

export const ServerEventSchema = z.discriminatedUnion('event', [HelloSchema, StepSchema, KernelEventSchema, ProgramEventSchema, KernelTableSchema, ByeSchema]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;

/** Anything the server sends: an event, or a reply to a command. */
export const ServerMessageSchema = z.union([ServerEventSchema, ReplySchema]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

export function isReply(m: ServerMessage): m is Reply {
  return 'ok' in m;
}

// Plain-words meanings of errno codes and kernel states live beside the protocol (UI copy).
export { ERRNO_MEANINGS, STATE_MEANINGS, type Meaning } from './meanings.ts';
