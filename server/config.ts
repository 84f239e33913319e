/**
 * Server settings, from command-line flags and environment variables (flags win), validated once at
 * start. A bad value stops the server with a message naming the setting, before anything listens.
 * docs/hosting.md lists every setting.
 */
import { parseArgs } from 'node:util';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const portNumber = z.coerce.number().int().min(0).max(65535);

const ipLiteral = z.string().refine((s) => ipaddr.isValid(s), 'must be a literal IPv4 or IPv6 address');

const portRange = z
  .string()
  .regex(/^\d+-\d+$/, 'must look like 41000-41999')
  .transform((s) => s.split('-').map(Number) as [number, number])
  .refine(([lo, hi]) => lo >= 1024 && hi <= 65535 && lo <= hi, 'must be within 1024-65535, low-high')
  .refine(([lo, hi]) => hi - lo + 1 >= 10, 'must hold at least 10 ports');

const addressList = z
  .string()
  .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
  .pipe(
    z.array(
      ipLiteral.refine(
        (a) => !ipaddr.isValid(a) || ipaddr.process(a).range() !== 'unspecified',
        'must be one address of this machine, not 0.0.0.0 or :: (every interface)',
      ),
    ),
  );

const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', ''])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

export const ConfigSchema = z.object({
  port: portNumber.default(3000),
  host: z.string().min(1).default('127.0.0.1'),
  dev: bool.default(false),
  /** Force the fallback engine on `net`/`dgram` even where the native addon is built. */
  engine: z.enum(['auto', 'native', 'node']).default('auto'),
  /** How the kernel view is read: netlink sock_diag (the session's own sockets) or all of /proc/net. */
  kernelView: z.enum(['auto', 'netlink', 'proc']).default('auto'),
  labPorts: portRange.default([41000, 41999]),
  /** Addresses lab sockets may bind and connect to beside loopback (127.0.0.1 and ::1 always may). */
  labAddresses: addressList.default([]),
  maxSockets: z.coerce.number().int().min(1).max(256).default(16),
  /** Lab sockets the whole server may hold; default and ceiling come from RLIMIT_NOFILE (server/lab/fd-budget.ts). */
  labFdBudget: z.coerce.number().int().min(1).optional(),
  /** Clients one chat server (the capstone program) may hold beyond the usual socket cap. */
  chatMaxClients: z.coerce.number().int().min(2).max(2000).default(128),
  maxSendBytes: z.coerce.number().int().min(1).max(1 << 20).default(64 * 1024),
  commandsPerSecond: z.coerce.number().min(1).max(10_000).default(20),
  idleSeconds: z.coerce.number().int().min(2).max(24 * 3600).default(15 * 60),
  /** How often the server pings each browser; one missed answer and the connection is dropped. */
  heartbeatSeconds: z.coerce.number().min(0.2).max(600).default(30),
  sessionsPerAddress: z.coerce.number().int().min(1).max(10_000).default(32),
  /** Extra page origins allowed to open /lab (the site's own origin always is). */
  allowedOrigins: z
    .string()
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
    .default([]),
  /** Host a class: join codes, roster, instructor dashboard, presenter mode (docs/hosting.md). */
  class: bool.default(false),
  classTitle: z.string().min(1).max(80).default('Socket Lab class'),
  /** The instructor's key; generated (and printed) when not given. */
  instructorKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, '16-64 letters, digits, - or _').optional(),
  /** The class's SQLite file: roster, progress and quiz results survive restarts. */
  classData: z.string().min(1).default('.data/class.sqlite'),
  /** Start a new class even if the data file holds one. */
  newClass: bool.default(false),
  /** First port to try for the class chat server (inside the lab range). */
  classChatPort: portNumber.optional(),
  /** Students who may join from one client address: a classroom behind one NAT is one address. */
  classStudentsPerAddress: z.coerce.number().int().min(1).max(100_000).default(150),
  /** Serve only /lab, without the Next.js site (used by tests and benchmarks). */
  labOnly: bool.default(false),
  quiet: bool.default(false),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Each setting: its flag, its environment variable, and a one-line description for --help. */
const SETTINGS: { key: keyof Config; flag: string; env: string; help: string; boolean?: true }[] = [
  { key: 'port', flag: 'port', env: 'PORT', help: 'port for the site and /lab (default 3000; 0 picks a free one)' },
  { key: 'host', flag: 'host', env: 'HOST', help: 'address to listen on (default 127.0.0.1; a LAN address to host a class)' },
  { key: 'dev', flag: 'dev', env: 'SOCKETLAB_DEV', help: 'development mode with hot reload', boolean: true },
  { key: 'engine', flag: 'engine', env: 'SOCKETLAB_ENGINE', help: 'auto | native | node (force the fallback engine)' },
  { key: 'kernelView', flag: 'kernel-view', env: 'SOCKETLAB_KERNEL_VIEW', help: 'auto | netlink | proc (read all of /proc/net, to compare)' },
  { key: 'labPorts', flag: 'lab-ports', env: 'LAB_PORTS', help: 'port range for lab sockets (default 41000-41999)' },
  { key: 'labAddresses', flag: 'lab-addresses', env: 'LAB_ADDRESSES', help: 'comma-separated addresses lab sockets may use beside 127.0.0.1 and ::1' },
  { key: 'maxSockets', flag: 'max-sockets', env: 'LAB_MAX_SOCKETS', help: 'open sockets per session (default 16)' },
  { key: 'labFdBudget', flag: 'lab-fd-budget', env: 'LAB_FD_BUDGET', help: 'lab sockets the whole server may hold (default: 3/4 of the open-file limit)' },
  { key: 'chatMaxClients', flag: 'chat-max-clients', env: 'LAB_CHAT_MAX_CLIENTS', help: 'clients one chat server may hold (default 128)' },
  { key: 'maxSendBytes', flag: 'max-send-bytes', env: 'LAB_MAX_SEND_BYTES', help: 'bytes per send (default 65536)' },
  { key: 'commandsPerSecond', flag: 'commands-per-second', env: 'LAB_COMMANDS_PER_SECOND', help: 'lab calls per second per session (default 20)' },
  { key: 'idleSeconds', flag: 'idle-seconds', env: 'LAB_IDLE_SECONDS', help: 'end a session after this long without a call (default 900)' },
  { key: 'heartbeatSeconds', flag: 'heartbeat-seconds', env: 'LAB_HEARTBEAT_SECONDS', help: 'ping browsers this often; drop those that do not answer (default 30)' },
  { key: 'sessionsPerAddress', flag: 'sessions-per-address', env: 'LAB_SESSIONS_PER_ADDRESS', help: 'lab sessions per client address (default 32)' },
  { key: 'allowedOrigins', flag: 'allowed-origins', env: 'LAB_ALLOWED_ORIGINS', help: 'extra page origins allowed to open /lab' },
  { key: 'class', flag: 'class', env: 'SOCKETLAB_CLASS', help: 'host a class (join code, roster, instructor dashboard)', boolean: true },
  { key: 'classTitle', flag: 'class-title', env: 'CLASS_TITLE', help: 'the class name shown to students' },
  { key: 'instructorKey', flag: 'instructor-key', env: 'INSTRUCTOR_KEY', help: 'the instructor key (generated when not given)' },
  { key: 'classData', flag: 'class-data', env: 'CLASS_DATA', help: 'SQLite file for the class (default .data/class.sqlite)' },
  { key: 'newClass', flag: 'new-class', env: 'NEW_CLASS', help: 'start a new class instead of resuming the stored one', boolean: true },
  { key: 'classChatPort', flag: 'class-chat-port', env: 'CLASS_CHAT_PORT', help: 'port for the class chat server (default: the first lab port)' },
  { key: 'classStudentsPerAddress', flag: 'class-students-per-address', env: 'CLASS_STUDENTS_PER_ADDRESS', help: 'students who may join from one address, e.g. behind a NAT (default 150)' },
  { key: 'labOnly', flag: 'lab-only', env: 'SOCKETLAB_LAB_ONLY', help: 'serve only /lab, without the site', boolean: true },
  { key: 'quiet', flag: 'quiet', env: 'SOCKETLAB_QUIET', help: 'print only errors', boolean: true },
];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function helpText(): string {
  const rows = SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(26)} ${s.help}`);
  return ['Usage: npm start -- [options]', '', '  flag                     environment variable       meaning', ...rows, '  --help'].join('\n');
}

/** Reads flags and environment; throws ConfigError with a message naming the bad setting. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const s of SETTINGS) options[s.flag] = { type: s.boolean ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\n\n${helpText()}`);
  }
  if (values.help) throw new ConfigError(helpText());

  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const s of SETTINGS) {
    const fromFlag = values[s.flag];
    const fromEnv = env[s.env];
    if (fromFlag !== undefined) {
      raw[s.key] = fromFlag;
      origin[s.key] = `--${s.flag}`;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[s.key] = fromEnv;
      origin[s.key] = s.env;
    }
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `  ${origin[key] ?? key}=${JSON.stringify(raw[key])}: ${i.message}`;
    });
    throw new ConfigError(`Invalid setting:\n${lines.join('\n')}\n\nRun with --help to see every setting.`);
  }
  const config = parsed.data;
  if (!ipaddr.isValid(config.host) && config.host !== 'localhost') {
    throw new ConfigError(`Invalid setting:\n  ${origin.host ?? 'host'}=${JSON.stringify(config.host)}: must be an IP address or "localhost"`);
  }
  return config;
}
