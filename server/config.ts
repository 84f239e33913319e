/**
 * Server settings, from command-line flags and environment variables (flags win), validated once at
 * start. A bad value stops the server with a message naming the setting, before anything listens.
 * Each setting is described once, in ConfigSchema: its flag (`--lab-ports`), its environment
 * variable (`SOCKETLAB_LAB_PORTS`; `PORT` keeps its usual name), the --help line and any old name
 * are all derived from there. `npm start -- --help` lists every setting; docs/hosting.md the ones
 * a class needs, and the old variable names.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import ipaddr from 'ipaddr.js';
import { parseCidr } from './front/client-address.ts';
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

/** An address or a CIDR range, as --trust-proxy takes them (server/front/client-address.ts). */
function isCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', ''])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

/** What --help says about a setting; the flag and variable names come from its key. */
interface SettingInfo {
  help: string;
  /** The default as --help shows it, where the value itself would not say it (a range, a computed limit). */
  defaultText?: string;
  /** The variable's name when it is not SOCKETLAB_<KEY> (only PORT, the name every host knows). */
  env?: string;
  /** The name this setting's variable had before the one SOCKETLAB_ prefix: still read, with a warning. */
  oldEnv?: string;
}

const settingInfo = z.registry<SettingInfo>();

/** An on/off switch: a flag without a value, or a variable set to 1/0, true/false, yes/no. */
const onOff = (info: SettingInfo) => bool.default(false).register(settingInfo, info);

export const ConfigSchema = z.object({
  port: portNumber.default(3000).register(settingInfo, { help: 'port for the site and /lab; 0 picks a free one', env: 'PORT' }),
  host: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .register(settingInfo, { help: 'address to listen on; a LAN address to host a class', oldEnv: 'HOST' }),
  dev: onOff({ help: 'development mode with hot reload' }),
  engine: z
    .enum(['auto', 'native', 'node'])
    .default('auto')
    .register(settingInfo, { help: 'auto | native | node (force the fallback engine on net/dgram even where the addon is built)' }),
  kernelView: z
    .enum(['auto', 'netlink', 'proc'])
    .default('auto')
    .register(settingInfo, { help: 'auto | netlink (each session\'s own sockets) | proc (all of /proc/net, to compare)' }),
  labPorts: portRange.default([41000, 41999]).register(settingInfo, { help: 'port range for lab sockets', defaultText: '41000-41999', oldEnv: 'LAB_PORTS' }),
  labAddresses: addressList.default([]).register(settingInfo, {
    help: 'comma-separated addresses lab sockets may bind and connect to beside 127.0.0.1 and ::1',
    oldEnv: 'LAB_ADDRESSES',
  }),
  maxSockets: z.coerce.number().int().min(1).max(256).default(16).register(settingInfo, { help: 'open sockets per session', oldEnv: 'LAB_MAX_SOCKETS' }),
  /** Default and ceiling come from RLIMIT_NOFILE (server/lab/fd-budget.ts). */
  labFdBudget: z.coerce.number().int().min(1).optional().register(settingInfo, {
    help: 'lab sockets the whole server may hold (it can only be lowered)',
    defaultText: '3/4 of the open-file limit',
    oldEnv: 'LAB_FD_BUDGET',
  }),
  chatMaxClients: z.coerce.number().int().min(2).max(2000).default(128).register(settingInfo, {
    help: 'clients one chat server (the capstone program) may hold beyond the usual socket cap',
    oldEnv: 'LAB_CHAT_MAX_CLIENTS',
  }),
  maxSendBytes: z.coerce.number().int().min(1).max(1 << 20).default(64 * 1024).register(settingInfo, { help: 'bytes per send', oldEnv: 'LAB_MAX_SEND_BYTES' }),
  commandsPerSecond: z.coerce.number().min(1).max(10_000).default(20).register(settingInfo, { help: 'lab calls per second per session', oldEnv: 'LAB_COMMANDS_PER_SECOND' }),
  idleSeconds: z.coerce.number().int().min(2).max(24 * 3600).default(15 * 60).register(settingInfo, {
    help: 'end a session after this long without a call',
    oldEnv: 'LAB_IDLE_SECONDS',
  }),
  heartbeatSeconds: z.coerce.number().min(0.2).max(600).default(30).register(settingInfo, {
    help: 'ping each browser this often; one missed answer and the connection is dropped',
    oldEnv: 'LAB_HEARTBEAT_SECONDS',
  }),
  sessionsPerAddress: z.coerce.number().int().min(1).max(10_000).default(32).register(settingInfo, {
    help: 'lab sessions per client address',
    oldEnv: 'LAB_SESSIONS_PER_ADDRESS',
  }),
  allowedOrigins: z
    .string()
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
    .default([])
    .register(settingInfo, { help: 'extra page origins allowed to open /lab (the site\'s own origin always is)', oldEnv: 'LAB_ALLOWED_ORIGINS' }),
  sandboxNetworks: z.coerce.number().int().min(0).max(10_000).default(300).register(settingInfo, {
    help: 'sandbox networks (issue 16: hosts, router, NAT, firewall in network namespaces) alive at once, one per session; 0 switches them off',
  }),
  sandboxRulesPerHost: z.coerce.number().int().min(1).max(1000).default(32).register(settingInfo, { help: 'firewall rules a learner may add per sandbox host' }),
  sandboxForwards: z.coerce.number().int().min(1).max(1000).default(16).register(settingInfo, { help: 'port forwards per sandbox network' }),
  sandboxPingsPerSecond: z.coerce.number().min(0.1).max(100).default(5).register(settingInfo, { help: 'ICMP echo requests per second per sandbox network (faster pings wait their turn)' }),
  capturePackets: z.coerce.number().int().min(0).max(100_000).default(5000).register(settingInfo, {
    help: "packets a session's capture keeps and sends (issue 17), then it counts only; 0 switches packet capture off",
  }),
  labShell: z.enum(['auto', 'on', 'off']).default('auto').register(settingInfo, {
    help: 'terminals inside a learner\'s own sandbox network (npm run lab-shell), for users of this machine: auto = on when listening on loopback without --class',
  }),
  class: onOff({ help: 'host a class: join codes, roster, instructor dashboard, presenter mode' }),
  classTitle: z.string().min(1).max(80).default('Socket Lab class').register(settingInfo, { help: 'the class name shown to students', oldEnv: 'CLASS_TITLE' }),
  instructorKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/, '16-64 letters, digits, - or _')
    .optional()
    .register(settingInfo, { help: 'the instructor key', defaultText: 'generated, and printed', oldEnv: 'INSTRUCTOR_KEY' }),
  classData: z.string().min(1).default('.data/class.sqlite').register(settingInfo, {
    help: 'where the class is kept (roster, progress, quiz results survive restarts): a SQLite file path, or a postgres:// URL for PostgreSQL (several instances, docs/hosting.md)',
    oldEnv: 'CLASS_DATA',
  }),
  newClass: onOff({ help: 'start a new class even if the data file holds one', oldEnv: 'NEW_CLASS' }),
  classChatPort: portNumber.optional().register(settingInfo, {
    help: 'first port to try for the class chat server (inside the lab range)',
    defaultText: 'the first lab port',
    oldEnv: 'CLASS_CHAT_PORT',
  }),
  classStudentsPerAddress: z.coerce.number().int().min(1).max(100_000).default(150).register(settingInfo, {
    help: 'students who may join from one client address (a classroom behind one NAT is one address)',
    oldEnv: 'CLASS_STUDENTS_PER_ADDRESS',
  }),
  workers: z.coerce.number().int().min(1).max(256).default(availableParallelism()).register(settingInfo, {
    help: 'lab worker threads: each session, its sockets and its sandbox network live on one (docs/architecture.md, "Threads")',
    defaultText: 'one per core',
  }),
  redis: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
    .optional()
    .register(settingInfo, { help: 'with --class: Redis for live class events between instances serving one class (docs/hosting.md, "Many instances")' }),
  trustProxy: z
    .string()
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine((c) => isCidr(c), 'must be an address or a CIDR range like 127.0.0.1/32 or 10.0.0.0/8')))
    .default([])
    .register(settingInfo, {
      help: 'comma-separated proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client, for the per-address limits behind a reverse proxy (docs/hosting.md)',
      defaultText: 'none',
    }),
  labOnly: onOff({ help: 'serve only /lab, without the Next.js site (tests and benchmarks)' }),
  quiet: onOff({ help: 'print only errors (and warnings about old variable names)' }),
});

export type Config = z.infer<typeof ConfigSchema>;

/** One setting as the command line and the environment name it. */
export interface Setting {
  key: keyof Config;
  flag: string;
  env: string;
  oldEnv?: string;
  help: string;
  /** The default as --help shows it; undefined when there is nothing to show (off, empty). */
  defaultText?: string;
  boolean: boolean;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const DEFAULTS: Partial<Record<keyof Config, unknown>> = ConfigSchema.parse({});

function shownDefault(value: unknown): string | undefined {
  if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) return undefined;
  return String(value);
}

/** Every setting, in the schema's order, with its names derived from its key. */
export const SETTINGS: readonly Setting[] = (Object.keys(ConfigSchema.shape) as (keyof Config)[]).map((key) => {
  const field = ConfigSchema.shape[key];
  const info = settingInfo.get(field);
  if (!info) throw new Error(`config: setting ${key} has no description`);
  return {
    key,
    flag: kebab(key),
    env: info.env ?? `SOCKETLAB_${kebab(key).replaceAll('-', '_').toUpperCase()}`,
    oldEnv: info.oldEnv,
    help: info.help,
    defaultText: info.defaultText ?? shownDefault(DEFAULTS[key]),
    boolean: DEFAULTS[key] === false,
  };
});

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function helpText(): string {
  const rows = SETTINGS.map((s) => {
    const help = s.defaultText === undefined ? s.help : `${s.help} (default ${s.defaultText})`;
    return `  --${s.flag.padEnd(28)} ${s.env.padEnd(38)} ${help}`;
  });
  const renamed = SETTINGS.filter((s) => s.oldEnv).map((s) => s.oldEnv);
  return [
    'Usage: npm start -- [options]',
    '',
    `  ${'flag'.padEnd(30)} ${'environment variable'.padEnd(38)} meaning`,
    ...rows,
    '  --help',
    '',
    `Flags win over variables. These old variable names still work in this release, with a warning: ${renamed.join(', ')}.`,
  ].join('\n');
}

export interface LoadOptions {
  /** Told once per old variable name in use (and when it is ignored for its new name). */
  warn?: (line: string) => void;
}

/** A variable's value, or undefined when it is unset or empty. */
function envValue(env: Record<string, string | undefined>, name: string | undefined): string | undefined {
  const value = name === undefined ? undefined : env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads flags and environment; throws ConfigError with a message naming the bad setting. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>, { warn = (line) => console.warn(line) }: LoadOptions = {}): Config {
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
    const fromEnv = envValue(env, s.env);
    const fromOldEnv = envValue(env, s.oldEnv);
    if (fromOldEnv !== undefined) {
      warn(
        fromEnv !== undefined
          ? `socketlab: both ${s.oldEnv} and ${s.env} are set; using ${s.env} (${s.oldEnv} is its old name: remove it).`
          : `socketlab: ${s.oldEnv} is now called ${s.env}; the old name still works in this release but not in the next.`,
      );
    }
    if (fromFlag !== undefined) {
      raw[s.key] = fromFlag;
      origin[s.key] = `--${s.flag}`;
    } else if (fromEnv !== undefined) {
      raw[s.key] = fromEnv;
      origin[s.key] = s.env;
    } else if (fromOldEnv !== undefined && s.oldEnv !== undefined) {
      raw[s.key] = fromOldEnv;
      origin[s.key] = s.oldEnv;
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
