/** Relative TCP numbers for every kept packet, in capture order (one tracker per link, as each link is its own capture). */
import { TcpTracker, type TcpRelative } from '@/packets';
import { factsOf } from './decoded';
import type { PacketView } from './store';

export function relativeNumbers(list: readonly PacketView[]): Map<PacketView, TcpRelative> {
  const trackers = new Map<string, TcpTracker>();
  const out = new Map<PacketView, TcpRelative>();
  for (const p of [...list].sort((a, b) => a.n - b.n)) {
    const key = `${p.link} ${p.host ?? ''}`;
    let t = trackers.get(key);
    if (!t) trackers.set(key, (t = new TcpTracker()));
    const rel = t.track(factsOf(p));
    if (rel) out.set(p, rel);
  }
  return out;
}
