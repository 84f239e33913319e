/**
 * The kernel's own socket table, as Linux prints it in /proc/net/{tcp,tcp6,udp,udp6}.
 *
 * What these files do and do not show (worth knowing when reading the rows):
 * - A TCP socket that is only bound (not listening, not connected) is in neither of the kernel's
 *   lookup tables, so it has no row at all until listen() or connect().
 * - For a LISTEN socket rx_queue is the number of connections waiting in the accept queue and
 *   tx_queue is 0 (`ss` shows the backlog there, but it reads netlink, not /proc).
 * - Connections in an accept queue, TIME_WAIT and NEW_SYN_RECV rows have inode 0: no fd owns them.
 * - For UDP, rx_queue is kernel memory charged to queued datagrams, not payload bytes.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Endpoint } from '../protocol/index.ts';
import { LabFailure } from '../protocol/errors.ts';
import type { KernelReader } from './reader.ts';
import { formatAddress, stateName, type KernelProto, type RawKernelRow } from './rows.ts';

export type ProcNetProto = KernelProto;
export type { RawKernelRow };

/**
 * The kernel prints each 32-bit word of the address with %08X of the word as it sits in memory, so
 * on a little-endian machine the bytes of every word come out reversed.
 */
function addressBytes(hex: string, littleEndian: boolean): number[] | null {
  if (hex.length !== 8 && hex.length !== 32) return null;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word: number[] = [];
    for (let b = 0; b < 8; b += 2) word.push(Number.parseInt(hex.slice(w + b, w + b + 2), 16));
    if (word.some(Number.isNaN)) return null;
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  return bytes;
}

function parseEndpoint(text: string, littleEndian: boolean): Endpoint | null {
  const [hexAddress, hexPort, extra] = text.split(':');
  if (hexAddress === undefined || hexPort === undefined || extra !== undefined) return null;
  const bytes = addressBytes(hexAddress, littleEndian);
  const port = Number.parseInt(hexPort, 16);
  if (!bytes || !/^[0-9A-Fa-f]{4}$/.test(hexPort)) return null;
  return { address: formatAddress(bytes), port };
}

function parseQueues(text: string): { txQueue: number; rxQueue: number } | null {
  const m = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})$/.exec(text);
  if (!m) return null;
  return { txQueue: Number.parseInt(m[1]!, 16), rxQueue: Number.parseInt(m[2]!, 16) };
}

/**
 * Parses the text of one /proc/net file. Lines that do not look like socket rows (the header, a
 * truncated last line) are skipped rather than failing the whole table.
 * `littleEndian` defaults to this machine's byte order, which is the order the kernel printed in.
 */
export function parseProcNet(text: string, proto: ProcNetProto, littleEndian = endianness() === 'LE'): RawKernelRow[] {
  const rows: RawKernelRow[] = [];
  for (const line of text.split('\n')) {
    // sl local remote st tx:rx tr:when retrnsmt uid timeout inode ...
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0]!)) continue;
    const local = parseEndpoint(f[1]!, littleEndian);
    const remote = parseEndpoint(f[2]!, littleEndian);
    const state = stateName(proto, Number.parseInt(f[3]!, 16));
    const queues = parseQueues(f[4]!);
    const inode = Number(f[9]);
    if (!local || !remote || !state || !queues || !Number.isSafeInteger(inode) || inode < 0) continue;
    rows.push({ proto, local, remote, state, rxQueue: queues.rxQueue, txQueue: queues.txQueue, inode });
  }
  return rows;
}

const FILES: ProcNetProto[] = ['tcp', 'tcp6', 'udp', 'udp6'];

/** Reads the whole table. A missing file (IPv6 disabled, say) counts as no rows. Linux only. */
export async function readKernelTable(): Promise<RawKernelRow[]> {
  if (process.platform !== 'linux') {
    throw new LabFailure('E_UNSUPPORTED', `The kernel's socket table is read from /proc/net, which ${process.platform} does not have.`);
  }
  const texts = await Promise.all(
    FILES.map((proto) =>
      readFile(`/proc/net/${proto}`, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '';
        throw e;
      }),
    ),
  );
  return FILES.flatMap((proto, i) => parseProcNet(texts[i]!, proto));
}

/**
 * The whole table, whatever the session: the kernel prints every socket on the machine, and the
 * lab keeps the session's rows (server/lab/kernel-view.ts). Its cost follows the machine's table.
 */
export const procNetReader: KernelReader = {
  source: 'proc',
  read: () => readKernelTable(),
};
