/**
 * A host's view, read from the kernel: `ip -json -details -batch` output (addresses, routes,
 * neighbours) and /proc/net/nf_conntrack, turned into the shapes of schema.ts. Nothing here is
 * remembered by the sandbox; every field is what the kernel said at that moment.
 */
import { z } from 'zod';
import type { ConntrackEntry, InterfaceView, NeighbourView, RouteView } from './schema.ts';

/** The `ip -batch` lines whose outputs parseIpBatch() reads, in order. */
export const SHOW_BATCH = ['addr show', 'route show table all', 'neigh show'];

const AddrInfoSchema = z.object({
  family: z.string(),
  local: z.string(),
  prefixlen: z.number(),
  scope: z.string().default('global'),
});
const LinkSchema = z.object({
  ifname: z.string(),
  operstate: z.string().default('UNKNOWN'),
  address: z.string().optional(),
  link_type: z.string().optional(),
  master: z.string().optional(),
  linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
  addr_info: z.array(z.record(z.string(), z.unknown())).default([]),
});
const RouteSchema = z.object({
  type: z.string().optional(),
  dst: z.string(),
  gateway: z.string().optional(),
  dev: z.string().optional(),
  table: z.string().optional(),
  protocol: z.string().optional(),
});
const NeighSchema = z.object({
  dst: z.string(),
  dev: z.string(),
  lladdr: z.string().optional(),
  state: z.array(z.string()).default([]),
});

export interface IpView {
  interfaces: InterfaceView[];
  routes: RouteView[];
  neighbours: NeighbourView[];
}

function each<T>(schema: z.ZodType<T>, items: unknown): T[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Parses the three JSON arrays `ip -json -details -batch` prints for SHOW_BATCH, one per line. */
export function parseIpBatch(output: string): IpView {
  const arrays = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('['))
    .map((l): unknown => JSON.parse(l));
  if (arrays.length !== SHOW_BATCH.length) throw new Error(`ip printed ${arrays.length} tables, expected ${SHOW_BATCH.length}`);
  const [links, routes, neighs] = arrays;

  const interfaces = each(LinkSchema, links).map(
    (l): InterfaceView => ({
      name: l.ifname,
      kind: l.linkinfo?.info_kind ?? (l.link_type === 'loopback' ? 'loopback' : (l.link_type ?? 'unknown')),
      mac: l.address && l.link_type !== 'loopback' ? l.address : null,
      state: l.operstate,
      master: l.master ?? null,
      addresses: each(AddrInfoSchema, l.addr_info).map((a) => ({
        address: a.local,
        prefixLength: a.prefixlen,
        family: a.family === 'inet6' ? 6 : 4,
        scope: a.scope,
      })),
    }),
  );

  // `table all` lists both families; only the main table's unicast routes are the host's routes
  // (the local table holds its own addresses and broadcast/multicast entries).
  const routeViews = each(RouteSchema, routes)
    .filter((r) => (r.table === undefined || r.table === 'main') && (r.type === undefined || r.type === 'unicast'))
    .map(
      (r): RouteView => ({
        family: r.dst.includes(':') || (r.gateway ?? '').includes(':') ? 6 : 4,
        destination: r.dst,
        gateway: r.gateway ?? null,
        device: r.dev ?? null,
        protocol: r.protocol ?? null,
      }),
    );

  const neighbours = each(NeighSchema, neighs).map(
    (n): NeighbourView => ({
      family: n.dst.includes(':') ? 6 : 4,
      address: n.dst,
      mac: n.lladdr ?? null,
      device: n.dev,
      state: n.state,
    }),
  );
  return { interfaces, routes: routeViews, neighbours };
}

// ---------------------------------------------------------------------------------------------
// Connection tracking

/**
 * One line of /proc/net/nf_conntrack, e.g.
 *   ipv4     2 tcp      6 117 TIME_WAIT src=192.168.1.10 dst=203.0.113.80 sport=51234 dport=80
 *   src=203.0.113.80 dst=203.0.113.1 sport=80 dport=51234 [ASSURED] mark=0 zone=0 use=2
 * The first src/dst/sport/dport set is the original direction, the second the reply.
 */
export function parseConntrackLine(line: string): ConntrackEntry | null {
  const words = line.trim().split(/\s+/);
  if (words.length < 6 || (words[0] !== 'ipv4' && words[0] !== 'ipv6')) return null;
  const protocol = words[2];
  const expiresIn = Number(words[4]);
  if (!protocol || !Number.isInteger(expiresIn)) return null;
  let i = 5;
  const state = words[i] && !words[i]!.includes('=') && !words[i]!.startsWith('[') ? words[i++]! : null;
  const tuples: Array<Record<string, string>> = [{}, {}];
  const flags: string[] = [];
  let which = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('[') && w.endsWith(']')) {
      flags.push(w.slice(1, -1));
      continue;
    }
    const eq = w.indexOf('=');
    if (eq < 0) continue;
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    if (!['src', 'dst', 'sport', 'dport'].includes(key)) continue;
    if (tuples[which]![key] !== undefined) which = 1;
    if (tuples[which]![key] === undefined) tuples[which]![key] = value;
  }
  const tuple = (t: Record<string, string>) => ({
    source: t.src ?? '',
    destination: t.dst ?? '',
    sourcePort: t.sport !== undefined ? Number(t.sport) : null,
    destinationPort: t.dport !== undefined ? Number(t.dport) : null,
  });
  const original = tuple(tuples[0]!);
  const reply = tuple(tuples[1]!);
  if (!original.source || !reply.source) return null;
  return {
    family: words[0] === 'ipv6' ? 6 : 4,
    protocol,
    state,
    expiresIn,
    original,
    reply,
    sourceNat: reply.destination !== original.source,
    destinationNat: reply.source !== original.destination,
    flags,
  };
}

export function parseConntrack(text: string): ConntrackEntry[] {
  return text.split('\n').flatMap((line) => {
    const entry = parseConntrackLine(line);
    return entry ? [entry] : [];
  });
}
