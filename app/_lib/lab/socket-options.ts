/**
 * The socket options the lab's call form offers (the protocol's named set, SOCKET_OPTIONS), as a
 * learner meets them: grouped by the level the kernel files them under, each with a one-line hint,
 * the shape of its value (a switch, a number with its unit, linger's pair), and the words for what
 * getsockopt() reads back. Pure data and functions, so the form's checks are unit-tested
 * (tests/unit/socket-options.test.ts) and the browser ships no schema of its own for them.
 */
import { SOCKET_OPTIONS, type OptionValue, type SocketOption } from '@/server/protocol';

export type OptionGroup = 'socket' | 'tcp' | 'ip' | 'ipv6';

export const OPTION_GROUPS: readonly { id: OptionGroup; label: string }[] = [
  { id: 'socket', label: 'Socket level (SOL_SOCKET)' },
  { id: 'tcp', label: 'TCP (IPPROTO_TCP)' },
  { id: 'ip', label: 'IPv4 (IPPROTO_IP)' },
  { id: 'ipv6', label: 'IPv6 (IPPROTO_IPV6)' },
];

/** How an option's value is entered: on/off, a whole number in a unit, linger's pair, or nothing (read only). */
export type OptionShape =
  | { kind: 'flag' }
  | { kind: 'number'; unit: 'bytes' | 'seconds' | 'milliseconds' | 'probes' | 'hops'; min: number; max: number; initial: number }
  | { kind: 'linger' }
  | { kind: 'read-only' };

export interface OptionInfo {
  option: SocketOption;
  group: OptionGroup;
  /** One line in plain words: what setting it changes. */
  hint: string;
  shape: OptionShape;
  /** The socket types it makes sense on; on another the kernel refuses it. */
  types: readonly ('tcp' | 'udp')[];
  /** The address family it needs, when it needs one (Linux lets an IPv6 socket set IPv4 options too). */
  family?: 6;
  /** The kernel refuses to change it once the socket has an address (EINVAL). */
  beforeBind?: true;
}

const INT_MAX = 2_147_483_647;
const BOTH = ['tcp', 'udp'] as const;
const TCP = ['tcp'] as const;

/** In the picker's order: grouped, the everyday ones first in each group. */
export const OPTION_INFO: readonly OptionInfo[] = [
  { option: 'SO_REUSEADDR', group: 'socket', types: BOTH, shape: { kind: 'flag' }, hint: 'Lets a new server bind a port an old connection still holds in TIME_WAIT. Set it before bind().' },
  { option: 'SO_REUSEPORT', group: 'socket', types: BOTH, shape: { kind: 'flag' }, hint: 'Lets several sockets bind the same address and port; the kernel spreads new connections among them.' },
  { option: 'SO_KEEPALIVE', group: 'socket', types: BOTH, shape: { kind: 'flag' }, hint: 'Sends probes on an idle connection, so a peer that vanished is noticed.' },
  { option: 'SO_LINGER', group: 'socket', types: BOTH, shape: { kind: 'linger' }, hint: 'What close() does with unsent data; on with 0 seconds, close() sends a RST instead of a FIN.' },
  { option: 'SO_RCVBUF', group: 'socket', types: BOTH, shape: { kind: 'number', unit: 'bytes', min: 0, max: INT_MAX, initial: 8192 }, hint: 'The size of the kernel\'s receive buffer: how much can arrive before the program reads.' },
  { option: 'SO_SNDBUF', group: 'socket', types: BOTH, shape: { kind: 'number', unit: 'bytes', min: 0, max: INT_MAX, initial: 8192 }, hint: 'The size of the kernel\'s send buffer: how much send() can queue before it waits.' },
  { option: 'SO_RCVTIMEO', group: 'socket', types: BOTH, shape: { kind: 'number', unit: 'milliseconds', min: 0, max: INT_MAX, initial: 2000 }, hint: 'How long a blocking recv() waits before it gives up with EAGAIN; 0 waits for ever.' },
  { option: 'SO_ERROR', group: 'socket', types: BOTH, shape: { kind: 'read-only' }, hint: 'The error waiting on the socket (a failed non-blocking connect, say). Read only: reading it clears it.' },
  { option: 'TCP_NODELAY', group: 'tcp', types: TCP, shape: { kind: 'flag' }, hint: 'Sends small writes at once instead of waiting to group them (Nagle\'s algorithm off): for chat and games.' },
  { option: 'TCP_KEEPIDLE', group: 'tcp', types: TCP, shape: { kind: 'number', unit: 'seconds', min: 1, max: 32767, initial: 10 }, hint: 'How long a connection stays idle before the first keepalive probe (with SO_KEEPALIVE on).' },
  { option: 'TCP_KEEPINTVL', group: 'tcp', types: TCP, shape: { kind: 'number', unit: 'seconds', min: 1, max: 32767, initial: 5 }, hint: 'The time between keepalive probes that get no answer.' },
  { option: 'TCP_KEEPCNT', group: 'tcp', types: TCP, shape: { kind: 'number', unit: 'probes', min: 1, max: 127, initial: 3 }, hint: 'How many unanswered probes before the kernel gives up on the peer (ETIMEDOUT).' },
  { option: 'IP_TTL', group: 'ip', types: BOTH, shape: { kind: 'number', unit: 'hops', min: 1, max: 255, initial: 64 }, hint: 'How many routers a packet may cross before one drops it (time to live).' },
  { option: 'IPV6_V6ONLY', group: 'ipv6', types: BOTH, family: 6, beforeBind: true, shape: { kind: 'flag' }, hint: 'On: an IPv6 socket bound to :: takes IPv6 only. Off: IPv4 clients arrive too, as ::ffff:a.b.c.d. Set it before bind().' },
];

const BY_OPTION = new Map(OPTION_INFO.map((o) => [o.option, o]));

export function optionInfo(option: SocketOption): OptionInfo {
  const info = BY_OPTION.get(option);
  // OPTION_INFO names every option (tests/unit/socket-options.test.ts); this only satisfies the type.
  if (!info) throw new Error(`no picker entry for ${option}`);
  return info;
}

export function isSocketOption(name: string): name is SocketOption {
  return SOCKET_OPTIONS.some((o) => o === name);
}

/** What the learner has typed or ticked for an option's value, whatever its shape. */
export interface OptionDraft {
  on: boolean;
  /** The number field, as typed. */
  number: string;
  /** SO_LINGER's seconds, as typed. */
  lingerSeconds: string;
}

/** The form's starting value for an option: on, its usual example number, linger on with 0 s (the RST). */
export function initialDraft(option: SocketOption): OptionDraft {
  const shape = optionInfo(option).shape;
  return { on: true, number: shape.kind === 'number' ? String(shape.initial) : '', lingerSeconds: '0' };
}

export type ParsedValue = { ok: true; value: OptionValue } | { ok: false; message: string };

function wholeNumber(text: string, min: number, max: number, unit: string): ParsedValue {
  const t = text.trim();
  if (!/^[0-9]+$/.test(t)) return { ok: false, message: `Type a whole number of ${unit}${min > 0 ? ` from ${min}` : ''}.` };
  const n = Number(t);
  if (n < min || n > max) return { ok: false, message: `Between ${min} and ${max.toLocaleString('en')} ${unit}.` };
  return { ok: true, value: n };
}

/** The value setsockopt() sends for what the learner entered, or why it cannot be sent. */
export function parseOptionValue(option: SocketOption, draft: OptionDraft): ParsedValue {
  const shape = optionInfo(option).shape;
  switch (shape.kind) {
    case 'flag':
      return { ok: true, value: draft.on ? 1 : 0 };
    case 'number':
      return wholeNumber(draft.number, shape.min, shape.max, shape.unit);
    case 'linger': {
      const seconds = wholeNumber(draft.lingerSeconds, 0, 3600, 'seconds');
      if (!seconds.ok) return seconds;
      return { ok: true, value: { onoff: draft.on, linger: typeof seconds.value === 'number' ? seconds.value : 0 } };
    }
    case 'read-only':
      return { ok: false, message: `${option} can only be read: use getsockopt().` };
  }
}

/** A value as the timeline and the card show it: `1 (on)`, `16384 bytes`, `{on, 0 s}`. */
export function formatOptionValue(option: SocketOption, value: OptionValue): string {
  if (typeof value !== 'number') return `{${value.onoff ? 'on' : 'off'}, ${value.linger} s}`;
  const shape = optionInfo(option).shape;
  if (shape.kind === 'flag') return `${value} (${value ? 'on' : 'off'})`;
  if (shape.kind === 'number') {
    if (option === 'SO_RCVTIMEO' && value === 0) return '0 (no timeout)';
    const unit = shape.unit === 'milliseconds' ? 'ms' : shape.unit === 'seconds' ? 's' : shape.unit;
    return `${value} ${value === 1 && unit.endsWith('s') && unit.length > 2 ? unit.slice(0, -1) : unit}`;
  }
  if (option === 'SO_ERROR') return value === 0 ? '0 (no error)' : `${value}${LINUX_ERRNO_NAMES[value] ? ` (${LINUX_ERRNO_NAMES[value]})` : ''}`;
  return String(value);
}

/** SO_ERROR reads a raw errno number: the names of the ones a lab socket can hold (Linux numbering). */
const LINUX_ERRNO_NAMES: Readonly<Record<number, string>> = {
  32: 'EPIPE',
  104: 'ECONNRESET',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  113: 'EHOSTUNREACH',
  101: 'ENETUNREACH',
};

/**
 * What a getsockopt() reading means, in a sentence; `asked` is what this socket's last
 * setsockopt() of the option sent, when it did.
 */
export function readingMeaning(option: SocketOption, value: OptionValue, asked?: OptionValue): string {
  if (option === 'SO_RCVBUF' || option === 'SO_SNDBUF') {
    const which = option === 'SO_RCVBUF' ? 'receive' : 'send';
    if (typeof asked === 'number' && typeof value === 'number' && value === asked * 2) {
      return `The kernel doubles it: you asked for ${asked} bytes and it keeps ${value}, the extra half for its own bookkeeping of each packet. (man 7 socket)`;
    }
    if (typeof asked === 'number' && typeof value === 'number') {
      return `You asked for ${asked} bytes; the kernel keeps ${value}: it doubles the request and holds it within its own minimum and maximum (net.core.${option === 'SO_RCVBUF' ? 'r' : 'w'}mem_max).`;
    }
    return `The ${which} buffer the kernel keeps for this socket, in bytes. A size set with setsockopt() reads back doubled: the kernel adds room for its bookkeeping.`;
  }
  if (option === 'SO_LINGER' && typeof value !== 'number') {
    if (!value.onoff) return 'Off: close() returns at once and the kernel still sends unsent data, then a FIN.';
    return value.linger === 0 ? 'On with 0 s: close() throws unsent data away and sends a RST; the peer sees ECONNRESET.' : `On: close() waits up to ${value.linger} s for unsent data to be acknowledged.`;
  }
  if (option === 'SO_ERROR') return value === 0 ? 'No error is pending on this socket (reading SO_ERROR also clears it).' : 'The error the socket held, now cleared by this read.';
  const shape = optionInfo(option).shape;
  if (shape.kind === 'flag') return `${option} is ${value ? 'on' : 'off'} for this socket.`;
  return `The kernel's value for ${option} on this socket now.`;
}

/** The picker's options for one call: every option, in its group, in the picker's order. */
export function optionsByGroup(): { group: (typeof OPTION_GROUPS)[number]; options: OptionInfo[] }[] {
  return OPTION_GROUPS.map((group) => ({ group, options: OPTION_INFO.filter((o) => o.group === group.id) }));
}

/**
 * The errno the kernel will most likely answer for this option on this socket, and why, or null: an
 * option of another protocol or family (setsockopt says ENOPROTOOPT, getsockopt EOPNOTSUPP), or
 * IPV6_V6ONLY on a bound socket. The form still lets the call be made: the refusal is part of the lesson.
 */
export function optionMismatch(
  op: 'setsockopt' | 'getsockopt',
  option: SocketOption,
  sock: { type: 'tcp' | 'udp'; family: 4 | 6; bound: boolean },
): { code: string; why: string } | null {
  const info = optionInfo(option);
  const code = op === 'setsockopt' ? 'ENOPROTOOPT' : 'EOPNOTSUPP';
  if (!info.types.includes(sock.type)) return { code, why: `${option} is a TCP option, and this is a UDP socket` };
  if (info.family && info.family !== sock.family) return { code, why: `${option} is an IPv${info.family} option, and this is an IPv${sock.family} socket` };
  if (op === 'setsockopt' && info.beforeBind && sock.bound) return { code: 'EINVAL', why: `${option} can only change before bind(), and this socket has an address` };
  return null;
}
