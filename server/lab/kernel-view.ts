/**
 * The kernel's own view of one session: rows of the kernel's socket table (read by server/kernel/)
 * that belong to the session's sockets (joined by socket inode), plus the rows that explain them:
 * connections waiting in the accept queue of one of our listeners, sockets we closed that the
 * kernel still keeps (TIME_WAIT), and the other program's end of a connection to one of ours (e.g.
 * a learner's `nc`). Nothing outside that is shown, so one learner never sees another's sockets,
 * however many rows the reader handed in (all of /proc/net, or the sock_diag reader's few).
 */
import type { Endpoint, HostName, KernelRow, TcpInfo } from '../protocol/index.ts';
import type { ConnectionTuple, RawKernelRow } from '../kernel/index.ts';
import { canonicalAddress } from './policy.ts';

export interface OwnSocket {
  handle: string;
  inode: number | null;
  /** The connection's addresses as last seen, to recognise its TIME_WAIT row (which has no inode). */
  tuple?: Tuple;
}

export type Tuple = ConnectionTuple;

export interface ClosedSocket extends Tuple {
  handle: string;
  /** The sandbox host it lived on; absent for this machine's own. */
  host?: HostName;
}

const QUEUE_STATES = new Set(['ESTABLISHED', 'SYN_RECV', 'NEW_SYN_RECV', 'CLOSE_WAIT']);
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/** canonicalAddress() parses the text each time; a view compares the same few addresses often. */
const canonical = new Map<string, string>();
function canonicalOf(address: string): string {
  let c = canonical.get(address);
  if (c === undefined) {
    c = canonicalAddress(address);
    if (canonical.size >= 4096) canonical.clear();
    canonical.set(address, c);
  }
  return c;
}

function same(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && (a.address === b.address || canonicalOf(a.address) === canonicalOf(b.address));
}

function isTcp(r: RawKernelRow): boolean {
  return r.proto === 'tcp' || r.proto === 'tcp6';
}

/**
 * `everyProgram`: the table is the learner's own (a sandbox host they opened a lab shell on), so
 * rows of other programs that relate to none of ours are shown too, as `outside` rows without `of`.
 */
export function joinKernelRows(raw: RawKernelRow[], own: OwnSocket[], closed: ClosedSocket[], options: { everyProgram?: boolean } = {}): KernelRow[] {
  const byInode = new Map<number, string>();
  for (const s of own) if (s.inode) byInode.set(s.inode, s.handle);

  const ownRows: KernelRow[] = [];
  for (const r of raw) {
    const handle = r.inode ? byInode.get(r.inode) : undefined;
    if (handle) ownRows.push({ ...r, sock: handle, relation: 'own' });
  }
  const ownInodes = new Set(ownRows.map((r) => r.inode));
  const related = new Map<string, KernelRow[]>();
  const add = (handle: string, row: KernelRow) => {
    const list = related.get(handle) ?? [];
    list.push(row);
    related.set(handle, list);
  };

  const listeners = ownRows.filter((r) => r.state === 'LISTEN');
  const connected = ownRows.filter((r) => r.remote.port !== 0);
  const queued: KernelRow[] = [];

  // First pass: rows that are ours, queued for one of our listeners, or kept after we closed them.
  const unclaimed: RawKernelRow[] = [];
  for (const r of raw) {
    if (ownInodes.has(r.inode) && r.inode !== 0) continue;
    if (isTcp(r) && r.inode === 0 && QUEUE_STATES.has(r.state)) {
      const listener = listeners.find(
        (l) => l.local.port === r.local.port && (UNSPECIFIED.has(l.local.address) || same(l.local, r.local)),
      );
      if (listener) {
        const row: KernelRow = { ...r, relation: 'accept-queue', of: listener.sock };
        add(listener.sock!, row);
        queued.push(row);
        continue;
      }
    }
    if (r.inode === 0) {
      // A connection that reached TIME_WAIT while its descriptor is still open: the kernel moved it
      // to a socket without an inode, but it is still this handle's connection.
      const open = own.find((o) => o.tuple && o.tuple.tcp === isTcp(r) && same(o.tuple.local, r.local) && same(o.tuple.remote, r.remote));
      if (open) {
        ownRows.push({ ...r, sock: open.handle, relation: 'own' });
        continue;
      }
      const gone = closed.find((c) => c.tcp === isTcp(r) && same(c.local, r.local) && same(c.remote, r.remote));
      if (gone) {
        add(gone.handle, { ...r, relation: 'closed', of: gone.handle });
        continue;
      }
    }
    unclaimed.push(r);
  }
  // Second pass, once every row of ours is known (/proc lists rows in hash order, not ours first):
  // the other program's end of a connection to one of ours.
  const ends = [...connected, ...queued];
  const others: KernelRow[] = [];
  for (const r of unclaimed) {
    const peerOf = ends.find((o) => same(o.local, r.remote) && same(o.remote, r.local) && isTcp(o as RawKernelRow) === isTcp(r));
    if (peerOf) add(peerOf.sock ?? peerOf.of!, { ...r, relation: 'outside', of: peerOf.sock ?? peerOf.of });
    else if (options.everyProgram) others.push({ ...r, relation: 'outside' });
  }

  const handleNumber = (h: string) => Number(h.slice(1));
  const rows: KernelRow[] = [];
  const handles = [...new Set([...ownRows.map((r) => r.sock!), ...related.keys()])].sort((a, b) => handleNumber(a) - handleNumber(b));
  for (const h of handles) {
    rows.push(...ownRows.filter((r) => r.sock === h));
    rows.push(...(related.get(h) ?? []));
  }
  rows.push(...others);
  return rows;
}

/**
 * For rows read without tcp_info (a sandbox host's /proc/net): each of the session's own connected
 * TCP sockets gets it from its fd. A listener is left without, as the sock_diag reader leaves it
 * (its tcp_info holds its queues under other names), and so is a TIME_WAIT kept for an open fd (the
 * fd's socket is then CLOSE; the connection lives on without it); other relations have no fd here.
 */
export function addOwnTcpInfo(rows: KernelRow[], fdOf: (handle: string) => number | null, read: (fd: number) => TcpInfo | null): KernelRow[] {
  return rows.map((r) => {
    if (r.relation !== 'own' || !r.sock || r.inode === 0 || !isTcp(r) || r.state === 'LISTEN' || r.tcpInfo) return r;
    const fd = fdOf(r.sock);
    const info = fd === null ? null : read(fd);
    return info ? { ...r, tcpInfo: info } : r;
  });
}
