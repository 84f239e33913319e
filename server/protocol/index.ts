/**
 * The lab protocol, `socketlab/1`: the one definition shared by the server and the browser.
 * Every message crossing the /lab WebSocket is described here as a zod schema, and the
 * TypeScript types are inferred from the schemas so the two ends cannot drift apart.
 *
 * Each op ties its arguments to its result, as LSP ties a request's params to its result: a command,
 * its reply and its step event are typed by the op (`Command<'recv'>`, `Reply<'recv'>`,
 * `Step<'recv'>`). A reply carries no op on the wire; the caller knows it by the command's id and
 * checks the result against that op's schema (server/protocol/client.ts).
 *
 * Written with `zod/mini` (zod 4's tree-shakable API) so the browser does not ship all of zod.
 * docs/protocol.md is the prose version of this file.
 */
import * as z from 'zod/mini';
import { ErrorSchema, type LabError } from './errors.ts';
import {
  EchoEventSchema,
  FirewallArgsSchema,
  FirewallResultSchema,
  ForwardArgsSchema,
  ForwardResultSchema,
  HostNameSchema,
  NetworkArgsSchema,
  NetworkResultSchema,
  NetworkSupportSchema,
  PingArgsSchema,
  PingResultSchema,
  type EchoEvent,
} from './network.ts';
import { CheckArgsSchema, CheckResultSchema } from './challenges.ts';
import { CaptureArgsSchema, CaptureEventSchema, CaptureResultSchema, CaptureStateSchema, PacketEventSchema, PcapArgsSchema, PcapResultSchema, type CaptureEvent, type PacketEvent } from './packets.ts';

export { ErrorCodeSchema, ErrorSchema, LAB_ERROR_CODES, type ErrorCode, type LabError, type LabErrorCode } from './errors.ts';
export * from './network.ts';
export * from './challenges.ts';
export * from './packets.ts';

export const PROTOCOL = 'socketlab/1' as const;

// ---------------------------------------------------------------------------------------
// Building blocks

export const SockHandleSchema = z.string().check(z.regex(/^s[1-9][0-9]{0,5}$/, 'a socket handle looks like s1, s2, ...'));
export const PortSchema = z.int().check(z.gte(0), z.lte(65535));
/** Literal IP addresses only: the lab never resolves names, so nothing leaves by DNS. */
export const AddressSchema = z.string().check(z.minLength(1), z.maxLength(64));
export const ActorSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(24), z.regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'letters, digits, space, dot, dash or underscore'));
export const EncodingSchema = z.enum(['utf8', 'base64']);
export const EndpointSchema = z.object({ address: z.string(), port: PortSchema });
export type Endpoint = z.infer<typeof EndpointSchema>;

export const CommandIdSchema = z.union([z.number(), z.string().check(z.maxLength(64))]);
export type CommandId = z.infer<typeof CommandIdSchema>;

/** The programs a session can run on one of its listening sockets (server/programs.ts has one of each). */
export const PROGRAM_NAMES = ['chat', 'http'] as const;
export type ProgramName = (typeof PROGRAM_NAMES)[number];

// ---------------------------------------------------------------------------------------
// The kernel's view

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

const Count = z.int().check(z.gte(0));

/**
 * The kernel's `struct tcp_info` for a TCP socket (what getsockopt(TCP_INFO) returns; the view reads
 * it with the same sock_diag lookup as the row). Times in microseconds, windows and queues in
 * segments or bytes as each name says. Listeners and connections without a full socket (TIME_WAIT, a
 * handshake in progress) have none; the /proc/net reader cannot give it.
 */
export const TcpInfoSchema = z.object({
  /** The state as the kernel's tcp_info gives it (the same as the row's). */
  state: z.enum(TCP_STATES),
  /** Smoothed round-trip time (srtt) and its mean deviation, in µs. */
  rttUs: Count,
  rttVarUs: Count,
  /** The lowest RTT seen; null before the first sample. */
  minRttUs: z.nullable(Count),
  /** Retransmission timeout: how long the kernel waits for an ACK before resending, in µs. */
  rtoUs: Count,
  /** Congestion window: segments the sender may have in flight. */
  sndCwnd: Count,
  /** Slow-start threshold in segments; null while still "infinite" (no loss seen yet). */
  sndSsthresh: z.nullable(Count),
  /** Segments sent and not yet acknowledged. */
  unacked: Count,
  /** Bytes written by the program and not yet sent. */
  notSentBytes: Count,
  /** Retransmission timeouts in a row right now (0 on a healthy connection). */
  retransmits: Count,
  /** Segments retransmitted over the connection's life. */
  totalRetrans: Count,
  /** Maximum segment size for sending and as estimated for receiving, in bytes. */
  sndMss: Count,
  rcvMss: Count,
  /** The path MTU the kernel uses, in bytes (65535 on loopback: the largest IP packet, just under the interface's 65536). */
  pathMtu: Count,
  /** Window scale shifts agreed in the handshake (RFC 7323), or null when not agreed. */
  wscale: z.nullable(z.object({ snd: Count, rcv: Count })),
  /** Selective acknowledgements (RFC 2018), timestamps (RFC 7323) and ECN (RFC 3168) agreed. */
  sack: z.boolean(),
  timestamps: z.boolean(),
  ecn: z.boolean(),
  /** Payload bytes over the connection's life: sent (with retransmissions), acknowledged by the peer, received, retransmitted. */
  bytesSent: Count,
  bytesAcked: Count,
  bytesReceived: Count,
  bytesRetrans: Count,
});
export type TcpInfo = z.infer<typeof TcpInfoSchema>;

export const KernelRowSchema = z.object({
  proto: z.enum(['tcp', 'tcp6', 'udp', 'udp6']),
  local: EndpointSchema,
  remote: EndpointSchema,
  state: z.enum(TCP_STATES),
  /** Bytes received and not yet read; for a LISTEN socket, connections waiting in the accept queue. */
  rxQueue: z.int().check(z.gte(0)),
  /** Bytes sent and not yet acknowledged (0 for a LISTEN socket: /proc/net/tcp does not show its backlog, though `ss` does). */
  txQueue: z.int().check(z.gte(0)),
  inode: z.int().check(z.gte(0)),
  /** The session handle this row belongs to, when it is one of ours. */
  sock: z.optional(SockHandleSchema),
  /**
   * Why a row without a handle of ours is shown: `accept-queue` (a connection the kernel completed
   * for one of our listening sockets, not yet accepted), `closed` (a socket we closed that the kernel
   * still remembers, e.g. TIME_WAIT), `outside` (another program's end of a connection to one of ours,
   * or, on a sandbox host the learner opened a lab shell on, any other program's socket there: no `of`).
   */
  relation: z.enum(['own', 'accept-queue', 'closed', 'outside']),
  /** For accept-queue and closed rows: the handle they relate to. */
  of: z.optional(SockHandleSchema),
  /** The sandbox host whose table the row is from; absent for this machine's own table. */
  host: z.optional(HostNameSchema),
  /** TCP only, where the kernel has it and the reader can ask (see TcpInfoSchema). */
  tcpInfo: z.optional(TcpInfoSchema),
});
export type KernelRow = z.infer<typeof KernelRowSchema>;

// ---------------------------------------------------------------------------------------
// Ops: each op names its args schema and its result schema.

export const OPS = [
  'socket',
  'bind',
  'listen',
  'accept',
  'connect',
  'send',
  'recv',
  'sendto',
  'recvfrom',
  'shutdown',
  'close',
  'setblocking',
  'kernel',
  'run',
  'stop',
  'network',
  'firewall',
  'forward',
  'ping',
  'getsockname',
  'getpeername',
  'setsockopt',
  'getsockopt',
  'poll',
  'check',
  'capture',
  'pcap',
] as const;
export type Op = (typeof OPS)[number];

/** The socket options the lab sets and reads, by name (issue 19); any other name is refused. */
export const SOCKET_OPTIONS = [
  'SO_REUSEADDR',
  'SO_REUSEPORT',
  'SO_KEEPALIVE',
  'TCP_KEEPIDLE',
  'TCP_KEEPINTVL',
  'TCP_KEEPCNT',
  'TCP_NODELAY',
  'SO_LINGER',
  'SO_RCVBUF',
  'SO_SNDBUF',
  'SO_RCVTIMEO',
  'IPV6_V6ONLY',
  'IP_TTL',
  'SO_ERROR',
] as const;
export type SocketOption = (typeof SOCKET_OPTIONS)[number];
/** SO_LINGER's value; `linger` in seconds (0 with onoff: close() sends a RST). */
export const LingerSchema = z.strictObject({ onoff: z.boolean(), linger: z.int().check(z.gte(0), z.lte(3600)) });
/** An option's value: an int (flags 0/1, seconds, bytes, hops; SO_RCVTIMEO in ms), or SO_LINGER's pair. */
export const OptionValueSchema = z.union([z.int().check(z.gte(0), z.lte(2_147_483_647)), LingerSchema]);
export type OptionValue = z.infer<typeof OptionValueSchema>;

/** What `poll` can wait for on a socket: POLLIN and POLLOUT. */
export const POLL_EVENTS = ['in', 'out'] as const;
export type PollEvent = (typeof POLL_EVENTS)[number];
/** What `poll` reports per socket: the asked events that are ready, and hup/err/nval, which poll(2) reports unasked. */
export const POLL_REVENTS = ['in', 'out', 'hup', 'err', 'nval'] as const;
export type PollRevent = (typeof POLL_REVENTS)[number];
/** How many sockets one poll may name (each at most once). */
export const POLL_MAX_SOCKETS = 64;
/** The longest finite poll timeout, in ms; -1 waits until a socket is ready, as poll(2)'s -1 does. */
export const POLL_MAX_TIMEOUT_MS = 60_000;

function allDifferent(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

const RecvMaxSchema = z.int().check(z.gte(1), z.lte(65536));

export const OpArgs = {
  socket: z.strictObject({
    type: z.enum(['tcp', 'udp']),
    family: z.optional(z.union([z.literal(4), z.literal(6)])),
    actor: z.optional(ActorSchema),
    /** The sandbox host the socket lives on (the session's network); absent: this machine's loopback. */
    host: z.optional(HostNameSchema),
  }),
  bind: z.strictObject({ sock: SockHandleSchema, address: AddressSchema, port: PortSchema }),
  listen: z.strictObject({ sock: SockHandleSchema, backlog: z.optional(z.int().check(z.gte(0), z.lte(128))) }),
  accept: z.strictObject({ sock: SockHandleSchema }),
  connect: z.strictObject({ sock: SockHandleSchema, address: AddressSchema, port: PortSchema }),
  send: z.strictObject({ sock: SockHandleSchema, data: z.string(), encoding: z.optional(EncodingSchema) }),
  recv: z.strictObject({ sock: SockHandleSchema, max: z.optional(RecvMaxSchema) }),
  sendto: z.strictObject({
    sock: SockHandleSchema,
    data: z.string(),
    encoding: z.optional(EncodingSchema),
    address: AddressSchema,
    port: PortSchema,
  }),
  recvfrom: z.strictObject({ sock: SockHandleSchema, max: z.optional(RecvMaxSchema) }),
  shutdown: z.strictObject({ sock: SockHandleSchema, how: z.enum(['read', 'write', 'both']) }),
  close: z.strictObject({ sock: SockHandleSchema }),
  setblocking: z.strictObject({ sock: SockHandleSchema, blocking: z.boolean() }),
  kernel: z.strictObject({}),
  /**
   * Runs a server program on one of the session's listening sockets: the capstone chat server, or
   * `http`, a small real HTTP/1.1 server (node:http) for lesson 12. `log` and `floodLines` are the
   * chat's; `idleSeconds` is either's limit on a silent client.
   */
  run: z.strictObject({
    program: z.enum(PROGRAM_NAMES),
    sock: SockHandleSchema,
    log: z.optional(z.enum(['steps', 'summary'])),
    idleSeconds: z.optional(z.int().check(z.gte(1), z.lte(86_400))),
    /** Lines one client may send within 5 s before it is dropped for flooding. */
    floodLines: z.optional(z.int().check(z.gte(2), z.lte(1_000_000))),
  }),
  stop: z.strictObject({ program: z.enum(PROGRAM_NAMES) }),
  network: NetworkArgsSchema,
  firewall: FirewallArgsSchema,
  forward: ForwardArgsSchema,
  ping: PingArgsSchema,
  getsockname: z.strictObject({ sock: SockHandleSchema }),
  getpeername: z.strictObject({ sock: SockHandleSchema }),
  setsockopt: z.strictObject({ sock: SockHandleSchema, option: z.enum(SOCKET_OPTIONS), value: OptionValueSchema }),
  getsockopt: z.strictObject({ sock: SockHandleSchema, option: z.enum(SOCKET_OPTIONS) }),
  /** poll(2): each socket once, with the events wanted; timeout in ms (-1: until one is ready, 0: just look). */
  poll: z.strictObject({
    socks: z
      .array(
        z.strictObject({
          sock: SockHandleSchema,
          events: z.array(z.enum(POLL_EVENTS)).check(z.minLength(1), z.refine(allDifferent, 'name each event once')),
        }),
      )
      .check(
        z.minLength(1),
        z.maxLength(POLL_MAX_SOCKETS),
        z.refine((socks) => allDifferent(socks.map((s) => s.sock)), 'name each socket once, with every event wanted on it'),
      ),
    timeout: z.int().check(z.gte(-1), z.lte(POLL_MAX_TIMEOUT_MS)),
  }),
  check: CheckArgsSchema,
  capture: CaptureArgsSchema,
  pcap: PcapArgsSchema,
} satisfies { [O in Op]: z.ZodMiniType };

export type ArgsOf<O extends Op> = z.output<(typeof OpArgs)[O]>;

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
  bytes: z.int().check(z.gte(0)),
};
const SentResult = z.object({ bytes: z.int().check(z.gte(0)), implicitBind: z.optional(ImplicitBindSchema) });
const NoResult = z.object({});

/** Each op's result schema, as written (content/scenario-schema.ts reads the shapes). */
export const OpResultSchemas = {
  socket: z.object({ sock: SockHandleSchema, fd: z.nullable(z.int()) }),
  bind: EndpointSchema,
  /** The backlog given to the kernel (the default when the command had none). */
  listen: z.object({ backlog: z.int() }),
  accept: z.object({ sock: SockHandleSchema, fd: z.nullable(z.int()), peer: EndpointSchema, local: EndpointSchema }),
  connect: z.object({ local: EndpointSchema, implicitBind: z.optional(ImplicitBindSchema) }),
  send: SentResult,
  recv: z.union([z.object(DataResult), z.object({ bytes: z.literal(0), eof: z.literal(true) })]),
  sendto: SentResult,
  recvfrom: z.object({ ...DataResult, from: EndpointSchema }),
  shutdown: NoResult,
  close: NoResult,
  setblocking: NoResult,
  kernel: z.object({ rows: z.array(KernelRowSchema) }),
  run: z.object({ program: z.enum(PROGRAM_NAMES), address: z.string(), port: PortSchema }),
  stop: NoResult,
  network: NetworkResultSchema,
  firewall: FirewallResultSchema,
  forward: ForwardResultSchema,
  ping: PingResultSchema,
  /** The kernel's getsockname(): an unbound socket has the wildcard address and port 0. */
  getsockname: EndpointSchema,
  /** The kernel's getpeername(); a socket with no peer fails with ENOTCONN. */
  getpeername: EndpointSchema,
  setsockopt: NoResult,
  /** What the kernel reports now (SO_RCVBUF/SO_SNDBUF: double what was set). */
  getsockopt: z.object({ option: z.enum(SOCKET_OPTIONS), value: OptionValueSchema }),
  /**
   * poll(2)'s answer: `ready` is its return value (sockets with any revents; 0 when the timeout
   * passed), and every polled socket in the command's order with its revents ([] when none).
   */
  poll: z.object({
    ready: z.int().check(z.gte(0)),
    socks: z.array(z.object({ sock: SockHandleSchema, revents: z.array(z.enum(POLL_REVENTS)) })),
  }),
  check: CheckResultSchema,
  capture: CaptureResultSchema,
  pcap: PcapResultSchema,
} satisfies { [O in Op]: z.ZodMiniType };

export type ResultOf<O extends Op> = z.output<(typeof OpResultSchemas)[O]>;

/** Each op's result schema, typed by the op: `OpResults[op]` checks a `ResultOf<typeof op>` even for a generic op. */
export const OpResults: { readonly [O in Op]: z.ZodMiniType<ResultOf<O>> } = OpResultSchemas;

// ---------------------------------------------------------------------------------------
// Commands (browser → server)

/**
 * A command for each op, keyed by op: `Command<'bind'>` is one bind command, `Command` any command.
 * (Mapped over O itself, so that a `Command<O>` of a generic O is also a `Command`.)
 */
export type Command<O extends Op = Op> = { [P in O]: { id: CommandId; op: P; args: ArgsOf<P> } }[O];

function commandSchema<O extends Op>(op: O) {
  return z.strictObject({ id: CommandIdSchema, op: z.literal(op), args: OpArgs[op] });
}

export const CommandSchema = z.discriminatedUnion('op', [
  commandSchema('socket'),
  commandSchema('bind'),
  commandSchema('listen'),
  commandSchema('accept'),
  commandSchema('connect'),
  commandSchema('send'),
  commandSchema('recv'),
  commandSchema('sendto'),
  commandSchema('recvfrom'),
  commandSchema('shutdown'),
  commandSchema('close'),
  commandSchema('setblocking'),
  commandSchema('kernel'),
  commandSchema('run'),
  commandSchema('stop'),
  commandSchema('network'),
  commandSchema('firewall'),
  commandSchema('forward'),
  commandSchema('ping'),
  commandSchema('getsockname'),
  commandSchema('getpeername'),
  commandSchema('setsockopt'),
  commandSchema('getsockopt'),
  commandSchema('poll'),
  commandSchema('check'),
  commandSchema('capture'),
  commandSchema('pcap'),
]);

// ---------------------------------------------------------------------------------------
// Server → browser

export const PolicySchema = z.object({
  ports: z.tuple([PortSchema, PortSchema]),
  addresses: z.array(z.string()),
  /** The site's own port, which connect may also reach (the HTTP lesson). */
  sitePort: z.nullable(PortSchema),
  limits: z.object({
    sockets: z.int(),
    sendBytes: z.int(),
    commandsPerSecond: z.number(),
    idleSeconds: z.int(),
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
  watchToken: z.optional(z.string()),
  /** Ops that the engine performs together with others, in the fallback engine. */
  composite: z.record(z.string(), z.string()),
  /** Where the kernel view is read: netlink sock_diag lookups (what `ss` uses) or /proc/net. */
  kernelView: z.optional(z.enum(['netlink', 'proc'])),
  /** Whether `network` can build a sandbox network here, and why not. */
  network: z.optional(NetworkSupportSchema),
  /** Whether this session's packets can be captured here (state 'off' until the page asks), and why not. */
  capture: z.optional(CaptureStateSchema),
});
export type Hello = z.infer<typeof HelloSchema>;

/**
 * A reply as it crosses the wire: the command's id and either a result or an error. Which op's
 * result it is, only the caller knows (by the id), so the result is checked there (`OpResults`).
 */
export const ReplySchema = z.union([
  z.object({ id: z.nullable(CommandIdSchema), ok: z.literal(true), result: z.record(z.string(), z.unknown()) }),
  z.object({ id: z.nullable(CommandIdSchema), ok: z.literal(false), error: ErrorSchema }),
]);
export type WireReply = z.infer<typeof ReplySchema>;

/** A reply to a command of op O: its result typed by the op. */
export type Reply<O extends Op = Op> = { [P in O]: { id: CommandId | null; ok: true; result: ResultOf<P> } | ErrorReply }[O];
export type ErrorReply = { id: CommandId | null; ok: false; error: LabError };

export const StepStatusSchema = z.enum(['blocked', 'ok', 'error']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** A step event for each op, keyed by op: its args and result typed by the op. */
export type Step<O extends Op = Op> = {
  [P in O]: {
    event: 'step';
    seq: number;
    id: CommandId | null;
    actor: string;
    op: P;
    sock?: string;
    args: ArgsOf<P>;
    status: StepStatus;
    result?: ResultOf<P>;
    error?: LabError;
    start: number;
    end?: number;
  };
}[O];

function stepSchema<O extends Op>(op: O) {
  return z.object({
    event: z.literal('step'),
    /** Per-session step number; a blocked step and its completion share it. */
    seq: z.int().check(z.gte(1)),
    id: z.nullable(CommandIdSchema),
    actor: z.string(),
    op: z.literal(op),
    sock: z.optional(SockHandleSchema),
    args: OpArgs[op],
    status: StepStatusSchema,
    result: z.optional(OpResults[op]),
    error: z.optional(ErrorSchema),
    /** Milliseconds since the epoch: the call began, and (unless blocked) ended. */
    start: z.number(),
    end: z.optional(z.number()),
  });
}

export const StepSchema = z.discriminatedUnion('op', [
  stepSchema('socket'),
  stepSchema('bind'),
  stepSchema('listen'),
  stepSchema('accept'),
  stepSchema('connect'),
  stepSchema('send'),
  stepSchema('recv'),
  stepSchema('sendto'),
  stepSchema('recvfrom'),
  stepSchema('shutdown'),
  stepSchema('close'),
  stepSchema('setblocking'),
  stepSchema('kernel'),
  stepSchema('run'),
  stepSchema('stop'),
  stepSchema('network'),
  stepSchema('firewall'),
  stepSchema('forward'),
  stepSchema('ping'),
  stepSchema('getsockname'),
  stepSchema('getpeername'),
  stepSchema('setsockopt'),
  stepSchema('getsockopt'),
  stepSchema('poll'),
  stepSchema('check'),
  stepSchema('capture'),
  stepSchema('pcap'),
]);

/** What the kernel did on its own (the engines' SocketChange, server/engines/types.ts). */
export const KERNEL_CHANGES = ['connection-waiting', 'data-waiting', 'peer-closed', 'error'] as const;

/** Something the kernel did on its own that the engine noticed, between the learner's calls. */
export const KernelEventSchema = z.object({
  event: z.literal('kernel'),
  sock: SockHandleSchema,
  change: z.enum(KERNEL_CHANGES),
  /** For data-waiting: bytes readable now; for connection-waiting: the peer, when known. */
  bytes: z.optional(z.int().check(z.gte(0))),
  peer: z.optional(EndpointSchema),
  errno: z.optional(z.string()),
  at: z.number(),
});
export type KernelEvent = z.infer<typeof KernelEventSchema>;

/** The chat server's counters, reported once a second in 'summary' mode and when it stops. */
export const ChatStatsSchema = z.object({
  clients: z.number(),
  accepts: z.number(),
  linesIn: z.number(),
  linesOut: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
});
export type ChatStats = z.infer<typeof ChatStatsSchema>;

export const PROGRAM_EVENT_KINDS = ['started', 'joined', 'left', 'stats', 'stopped', 'request'] as const;

/** One exchange the http program answered (its access log line): who asked, what, and the status sent. */
export const HttpExchangeSchema = z.object({
  peer: EndpointSchema,
  /** The method and target as parsed; empty when the request could not be parsed (a 400 or 431). */
  method: z.string(),
  target: z.string(),
  status: z.int(),
});
export type HttpExchange = z.infer<typeof HttpExchangeSchema>;

/** What a running program (the chat server) reports beside its steps. */
export const ProgramEventSchema = z.object({
  event: z.literal('program'),
  program: z.enum(PROGRAM_NAMES),
  kind: z.enum(PROGRAM_EVENT_KINDS),
  sock: z.optional(SockHandleSchema),
  nick: z.optional(z.string()),
  reason: z.optional(z.string()),
  stats: z.optional(ChatStatsSchema),
  /** kind 'request' (the http program): the exchange it answered on `sock`. */
  http: z.optional(HttpExchangeSchema),
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

/** Why a session ended, as its last event says (`crashed`: the lab worker holding it died). */
export const SESSION_END_REASONS = ['idle', 'closed', 'shutdown', 'replaced', 'ended', 'crashed'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export const ByeSchema = z.object({
  event: z.literal('bye'),
  reason: z.enum(SESSION_END_REASONS),
  message: z.string(),
});
export type Bye = z.infer<typeof ByeSchema>;

export const ServerEventSchema = z.discriminatedUnion('event', [HelloSchema, StepSchema, KernelEventSchema, ProgramEventSchema, KernelTableSchema, ByeSchema, EchoEventSchema, PacketEventSchema, CaptureEventSchema]);
export type ServerEvent = Hello | Step | KernelEvent | ProgramEvent | KernelTable | Bye | EchoEvent | PacketEvent | CaptureEvent;

/** Anything the server sends: an event, or a reply to a command. */
export const ServerMessageSchema = z.union([ServerEventSchema, ReplySchema]);
export type ServerMessage = ServerEvent | Reply;
/** A message as the browser has parsed it: a reply's result is not checked against its op yet. */
export type ParsedServerMessage = z.infer<typeof ServerMessageSchema>;

export function isReply<M extends ParsedServerMessage | ServerMessage>(m: M): m is Extract<M, { ok: boolean }> {
  return 'ok' in m;
}
