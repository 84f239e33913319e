/**
 * Why capture cannot run here, in one line, and what would make it run: what the lab shows
 * instead of packets (nothing else in the lab depends on capture).
 */

export interface CaptureUnavailable {
  /** A stable code: the errno name (EPERM, ENODEV...) or E_NO_ADDON. */
  code: string;
  /** One sentence: why there are no packets. */
  reason: string;
  /** One sentence: what would enable capture. */
  enable: string;
}

const SETCAP = 'sudo setcap cap_net_raw+ep "$(readlink -f "$(command -v node)")"';

export function unavailableFrom(code: string, detail: string, link: string): CaptureUnavailable {
  switch (code) {
    case 'EPERM':
    case 'EACCES':
      return {
        code,
        reason: `Capturing packets on ${link} needs root or the CAP_NET_RAW capability, and this server has neither.`,
        enable: `Run the server as root, or give Node the capability once with \`${SETCAP}\`; the sandbox network captures without either.`,
      };
    case 'ENODEV':
    case 'ENXIO':
      return { code, reason: `There is no network interface named ${link} here.`, enable: 'Capture on an interface that exists (see `ip link`).' };
    case 'EAFNOSUPPORT':
      return {
        code,
        reason: 'This kernel has no packet sockets (AF_PACKET), which capture uses.',
        enable: 'Load the af_packet module (`sudo modprobe af_packet`) or use a kernel built with CONFIG_PACKET.',
      };
    case 'ENOTSUP':
      return { code, reason: 'Packet capture uses Linux packet sockets, and this server is not running on Linux.', enable: 'Run the lab server on Linux (or in WSL 2).' };
    case 'E_NO_ADDON':
      return { code, reason: `Packet capture needs the native lab engine: ${detail}.`, enable: 'Install a C compiler and Python 3, then run `node scripts/build-addon.mjs`.' };
    case 'EBADF':
    case 'EPROTOTYPE':
    case 'ENOTSOCK':
      return { code, reason: `The socket handed over for capturing ${link} is not a packet socket of this server (${code}).`, enable: 'Pass a packet socket (AF_PACKET, SOCK_RAW) received by the native addon.' };
    default:
      return { code, reason: `Capturing packets on ${link} failed: ${detail} (${code}).`, enable: 'See the server log; capture is optional and the lab works without it.' };
  }
}

/** The reason and the remedy, as the lab's one line. */
export function describeUnavailable(u: CaptureUnavailable): string {
  return `${u.reason} ${u.enable}`;
}
