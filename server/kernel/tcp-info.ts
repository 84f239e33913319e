/**
 * Decodes the kernel's `struct tcp_info` (include/uapi/linux/tcp.h), as sock_diag's INET_DIAG_INFO
 * extension carries it: the same bytes getsockopt(TCP_INFO) fills. The struct only ever grows at its
 * end, so a field's offset never changes; the fields read here all exist since Linux 4.19
 * (tcpi_bytes_retrans ends at byte 216), and a shorter struct decodes to null.
 */
import type { TcpInfo } from '../protocol/index.ts';
import { stateName } from './rows.ts';

/** Bytes of tcp_info this decoder needs. */
export const TCP_INFO_MIN_BYTES = 216;

// linux/tcp.h: tcpi_options bits.
const TCPI_OPT_TIMESTAMPS = 1;
const TCPI_OPT_SACK = 2;
const TCPI_OPT_WSCALE = 4;
const TCPI_OPT_ECN = 8;
/** TCP_INFINITE_SSTHRESH: no loss seen yet, so slow start has no ceiling. */
const INFINITE_SSTHRESH = 0x7fffffff;

/**
 * The fields the lab shows, or null when the struct is too short or its state is not one the kernel
 * uses. `littleEndian` is the host's order (the kernel writes its own); the window-scale nibbles
 * follow the compiler's bit-field order, which is the byte order's.
 */
export function decodeTcpInfo(bytes: Uint8Array, littleEndian: boolean): TcpInfo | null {
  if (bytes.length < TCP_INFO_MIN_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const u32 = (at: number) => view.getUint32(at, littleEndian);
  const u64 = (at: number) => Number(view.getBigUint64(at, littleEndian));
  const state = stateName('tcp', view.getUint8(0));
  if (!state) return null;
  const options = view.getUint8(5);
  const scales = view.getUint8(6);
  const [snd, rcv] = littleEndian ? [scales & 0x0f, scales >> 4] : [scales >> 4, scales & 0x0f];
  const minRtt = u32(148);
  const ssthresh = u32(76);
  return {
    state,
    rttUs: u32(68),
    rttVarUs: u32(72),
    minRttUs: minRtt === 0xffffffff ? null : minRtt,
    rtoUs: u32(8),
    sndCwnd: u32(80),
    sndSsthresh: ssthresh >= INFINITE_SSTHRESH ? null : ssthresh,
    unacked: u32(24),
    notSentBytes: u32(144),
    retransmits: view.getUint8(2),
    totalRetrans: u32(100),
    sndMss: u32(16),
    rcvMss: u32(20),
    pathMtu: u32(60),
    wscale: options & TCPI_OPT_WSCALE ? { snd, rcv } : null,
    sack: (options & TCPI_OPT_SACK) !== 0,
    timestamps: (options & TCPI_OPT_TIMESTAMPS) !== 0,
    ecn: (options & TCPI_OPT_ECN) !== 0,
    bytesSent: u64(200),
    bytesAcked: u64(120),
    bytesReceived: u64(128),
    bytesRetrans: u64(208),
  };
}
