/**
 * Where the kernel may put a lab socket's implicit port (a TCP connect's client port). Linux picks it
 * from its ephemeral range, 32768-60999 by default, which holds the lab's own range (41000-41999).
 * A client port chosen there is left in TIME_WAIT for a minute after an active close, and bind()
 * inside the lab range then fails on it with EADDRINUSE: under load (hundreds of sessions, each
 * connecting a few times a second) the whole lab range fills with other sessions' TIME_WAIT and the
 * port picker runs out of tries. So every lab TCP socket is given the larger part of the system's
 * ephemeral range that lies outside the lab's range (IP_LOCAL_PORT_RANGE, per socket).
 */
import { readFileSync } from 'node:fs';

export type PortRange = readonly [number, number];

/** The system's ephemeral range (net.ipv4.ip_local_port_range), or null where it cannot be read. */
export function systemEphemeralRange(path = '/proc/sys/net/ipv4/ip_local_port_range'): PortRange | null {
  try {
    const [lo, hi] = readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(lo) && Number.isInteger(hi) && lo! <= hi! ? [lo!, hi!] : null;
  } catch {
    return null;
  }
}

/**
 * The part of `system` the kernel should choose from so that it never picks a port in `lab`: null
 * when the two do not overlap (nothing to do), else the larger side left over; when `lab` covers all
 * of `system` there is no side, and the system's range stays (the picker's retries are all that is left).
 */
export function ephemeralRangeAvoiding(lab: PortRange, system: PortRange | null): PortRange | null {
  if (!system) return null;
  const [lo, hi] = system;
  if (lab[1] < lo || lab[0] > hi) return null;
  const below: PortRange | null = lab[0] > lo ? [lo, lab[0] - 1] : null;
  const above: PortRange | null = lab[1] < hi ? [lab[1] + 1, hi] : null;
  const size = (r: PortRange | null) => (r ? r[1] - r[0] + 1 : 0);
  if (!below && !above) return null;
  return size(above) >= size(below) ? above : below;
}
