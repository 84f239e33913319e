/**
 * Lesson 3: "send exactly 9 bytes of payload from laptop to server over TCP, and one datagram over
 * UDP, and leave them unread on server". Read from server's own socket table: a TCP connection
 * from the router's public address whose receive queue holds exactly 9 bytes (for TCP the kernel
 * counts payload bytes there, headers already stripped), confirmed as laptop's by the router's
 * conntrack; and a UDP socket with a datagram waiting (for UDP the kernel shows the memory the
 * datagram is charged, not its payload, so only "something waits" can be read from outside).
 */
import type { ChallengeCheck, KernelRow } from '../../protocol/index.ts';
import type { ConntrackEntry } from '../../sandbox/index.ts';
import { ipv4Of, ROUTER_WAN } from './addresses.ts';
import type { NetworkChecker } from './context.ts';

export const PAYLOAD_BYTES = 9;

type Row = Pick<KernelRow, 'proto' | 'local' | 'remote' | 'state' | 'rxQueue'>;

export const bytesLeftOnServer: NetworkChecker = async ({ network }) => {
  const laptop = ipv4Of('laptop');
  const rows: Row[] = await network.kernelTable('server');
  const fromRouter = rows.filter((r) => r.proto.startsWith('tcp') && r.state !== 'LISTEN' && sameAddress(r.remote.address, ROUTER_WAN));
  const exact = fromRouter.filter((r) => r.rxQueue === PAYLOAD_BYTES);
  const checks: ChallengeCheck[] = [
    {
      name: `server's kernel holds exactly ${PAYLOAD_BYTES} unread bytes on a TCP connection from ${ROUTER_WAN} (your home, after NAT)`,
      passed: exact.length > 0,
      detail:
        exact.length > 0
          ? exact.map(describeTcp).join('; ')
          : fromRouter.length > 0
            ? `${fromRouter.map(describeTcp).join('; ')}${fromRouter.some((r) => r.rxQueue > PAYLOAD_BYTES) ? ': TCP keeps no boundaries, every send() adds to the same count' : ''}`
            : `server has no TCP connection from ${ROUTER_WAN}: connect from laptop to a listener on server first`,
    },
  ];
  if (exact.length > 0) checks.push(await fromLaptop(network, exact, laptop));

  const udp = rows.filter((r) => r.proto.startsWith('udp'));
  const waiting = udp.filter((r) => r.rxQueue > 0);
  checks.push({
    name: 'a UDP socket on server has a datagram waiting, unread',
    passed: waiting.length > 0,
    detail:
      waiting.length > 0
        ? waiting.map((r) => `${r.local.address}:${r.local.port}: ${r.rxQueue} bytes of kernel memory charged (the datagram and the kernel's bookkeeping for it)`).join('; ')
        : udp.length > 0
          ? `server's UDP sockets (${udp.map((r) => `${r.local.address}:${r.local.port}`).join(', ')}) have nothing waiting: send a datagram to one from laptop, and do not recvfrom() it`
          : 'server has no UDP socket: bind one on server, then send it a datagram from laptop',
  });
  return checks;
};

/** The router's conntrack names who is behind each NAT'd port: the connection must be laptop's. */
async function fromLaptop(network: Parameters<NetworkChecker>[0]['network'], exact: readonly Row[], laptop: string): Promise<ChallengeCheck> {
  const view = await network.show();
  const table = view.hosts.find((h) => h.name === 'router')?.conntrack ?? null;
  const name = `the router's conntrack says that connection comes from laptop (${laptop})`;
  if (table === null) return { name, passed: false, detail: "the router's conntrack table cannot be read on this machine, so who sent it cannot be told" };
  const owners = exact.map((row) => ({ row, entry: table.find((e) => isNatOf(e, row)) }));
  const mine = owners.find((o) => o.entry?.original.source === laptop);
  if (mine) return { name, passed: true, detail: `${ROUTER_WAN}:${mine.row.remote.port} is ${laptop}:${mine.entry!.original.sourcePort} behind the router` };
  const others = owners.filter((o) => o.entry).map((o) => `${ROUTER_WAN}:${o.row.remote.port} is ${o.entry!.original.source}:${o.entry!.original.sourcePort}`);
  return { name, passed: false, detail: others.length > 0 ? `${others.join('; ')}: not laptop` : 'the router has no conntrack entry for it' };
}

/** The conntrack entry of a NAT'd connection as server sees it (the reply goes to the router's port). */
function isNatOf(entry: ConntrackEntry, row: Row): boolean {
  return (
    entry.protocol === 'tcp' &&
    entry.reply.sourcePort === row.local.port &&
    entry.reply.destinationPort === row.remote.port &&
    sameAddress(entry.reply.destination, ROUTER_WAN)
  );
}

function sameAddress(a: string, ipv4: string): boolean {
  return a === ipv4 || a === `::ffff:${ipv4}`;
}

function describeTcp(r: Row): string {
  return `${r.local.address}:${r.local.port} ⇄ ${r.remote.address}:${r.remote.port}, ${r.state}, ${r.rxQueue} byte(s) unread`;
}
