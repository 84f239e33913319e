/**
 * The TCP details of a kernel row (the kernel's tcp_info) as lines a learner can read: a short plain
 * label, the value with its unit, and a hint saying what the kernel means by it (shown as a title
 * and read by screen readers). The kernel's own field names are in the hints, so a learner can find
 * them again in `ss -ti` and tcp(7).
 */
import type { TcpInfo } from '@/server/protocol';

export interface TcpInfoLine {
  label: string;
  value: string;
  hint: string;
}

/** Microseconds as µs below a millisecond, else ms with one decimal. */
export function formatMicros(us: number): string {
  return us < 1000 ? `${us} µs` : `${(us / 1000).toFixed(us < 100_000 ? 1 : 0)} ms`;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const n = (x: number) => x.toLocaleString('en-US');
const segments = (x: number) => `${n(x)} segment${x === 1 ? '' : 's'}`;
const bytes = (x: number) => `${n(x)} byte${x === 1 ? '' : 's'}`;

export function tcpInfoLines(info: TcpInfo): TcpInfoLine[] {
  return [
    { label: 'Round-trip time', value: `${formatMicros(info.rttUs)} ± ${formatMicros(info.rttVarUs)}`, hint: 'How long a segment takes to be acknowledged, smoothed over the connection, ± its typical variation (tcpi_rtt, tcpi_rttvar).' },
    { label: 'Fastest round trip', value: info.minRttUs === null ? 'none measured yet' : formatMicros(info.minRttUs), hint: 'The lowest round-trip time seen on this connection (tcpi_min_rtt).' },
    { label: 'Resend timer', value: formatMicros(info.rtoUs), hint: 'Retransmission timeout: how long the kernel waits for an acknowledgement before sending a segment again; Linux never goes below 200 ms (tcpi_rto).' },
    { label: 'Congestion window', value: segments(info.sndCwnd), hint: 'How many segments this end may have in flight unacknowledged; it grows while nothing is lost and shrinks when something is (tcpi_snd_cwnd).' },
    { label: 'Slow-start threshold', value: info.sndSsthresh === null ? 'not set (no loss yet)' : segments(info.sndSsthresh), hint: 'Above this window size, growth slows from doubling each round trip to one segment each; set when a loss is seen (tcpi_snd_ssthresh).' },
    { label: 'Unacknowledged', value: segments(info.unacked), hint: 'Segments sent and not yet acknowledged by the peer (tcpi_unacked).' },
    { label: 'Not sent yet', value: bytes(info.notSentBytes), hint: 'Bytes the program wrote that the kernel has not sent yet (tcpi_notsent_bytes); Send-Q counts these too.' },
    { label: 'Retransmissions', value: `${n(info.retransmits)} now, ${n(info.totalRetrans)} in all`, hint: 'Timeouts in a row right now (0 on a healthy connection), and segments sent again over the whole connection (tcpi_retransmits, tcpi_total_retrans).' },
    { label: 'Segment size (MSS)', value: `send ${bytes(info.sndMss)}, receive ${bytes(info.rcvMss)}`, hint: 'Maximum segment size: the most payload one segment carries each way, from the path MTU minus the IP and TCP headers; the receive side is the kernel\'s estimate from what arrived (tcpi_snd_mss, tcpi_rcv_mss).' },
    { label: 'Path MTU', value: bytes(info.pathMtu), hint: 'The largest IP packet the kernel sends on this path (tcpi_pmtu): 1,500 on Ethernet, 65,535 on loopback.' },
    { label: 'Window scaling', value: info.wscale ? `send ×${2 ** info.wscale.snd}, receive ×${2 ** info.wscale.rcv}` : 'not agreed', hint: 'Agreed in the handshake (RFC 7323): the 16-bit window field is multiplied by this, so windows can exceed 64 KiB (tcpi_snd_wscale, tcpi_rcv_wscale).' },
    { label: 'Selective ACK (SACK)', value: yesNo(info.sack), hint: 'Agreed in the handshake (RFC 2018): the receiver can say exactly which later segments arrived, so only the missing ones are resent.' },
    { label: 'Timestamps', value: yesNo(info.timestamps), hint: 'Agreed in the handshake (RFC 7323): each segment carries a timestamp, for RTT measurement and to tell old segments from new after sequence numbers wrap.' },
    { label: 'ECN', value: yesNo(info.ecn), hint: 'Explicit congestion notification agreed (RFC 3168): routers can mark packets instead of dropping them.' },
    { label: 'Bytes sent / acknowledged', value: `${n(info.bytesSent)} / ${n(info.bytesAcked)}`, hint: 'Payload bytes sent (retransmissions included) and acknowledged by the peer over the connection (tcpi_bytes_sent, tcpi_bytes_acked; on the connecting end the acknowledged count includes 1 for its SYN).' },
    { label: 'Bytes received', value: n(info.bytesReceived), hint: 'Payload bytes the kernel received in order over the connection, read by the program or not (tcpi_bytes_received).' },
    { label: 'Bytes resent', value: n(info.bytesRetrans), hint: 'Payload bytes sent again over the connection (tcpi_bytes_retrans).' },
  ];
}
