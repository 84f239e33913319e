'use client';
import { useId, useMemo, useState } from 'react';
import type { TcpRelative } from '@/packets';
import { detailOf } from '@/app/_lib/lab/packets/decoded';
import { byteRange, fieldIdAt, fieldRows } from '@/app/_lib/lab/packets/field-bytes';
import { REWRITE_WORDS, type Crossing } from '@/app/_lib/lab/packets/crossings';
import type { PacketView } from '@/app/_lib/lab/packets/store';
import { FieldTree } from './FieldTree';
import { HexView } from './HexView';

interface Props {
  packet: PacketView;
  rel: TcpRelative | null;
  /** Its other sighting across the router, when it has one. */
  crossing?: Crossing;
  onClose: () => void;
}

const REWRITE_KEYS: Record<string, string[]> = {
  'src-address': ['ip.src', 'ipv6.src'],
  'dst-address': ['ip.dst', 'ipv6.dst'],
  'src-port': ['tcp.srcport', 'udp.srcport'],
  'dst-port': ['tcp.dstport', 'udp.dstport'],
};

/** One packet, every field explained, with its bytes beside it: a field and its bytes light together. */
export function PacketDetail({ packet, rel, crossing, onClose }: Props) {
  const frame = useMemo(() => detailOf(packet), [packet]);
  const rows = useMemo(() => fieldRows(frame), [frame]);
  const [lit, setLit] = useState<string | null>(null);
  const [raw, setRaw] = useState(false);
  const idBase = useId().replace(/:/g, '');
  const litRow = rows.find((r) => r.id === lit) ?? null;
  const rewritten = useMemo(() => {
    const keys = new Set((crossing?.rewritten ?? []).flatMap((r) => REWRITE_KEYS[r] ?? []));
    return new Set(rows.filter((r) => r.depth === 0 && keys.has(r.field.key)).map((r) => r.id));
  }, [crossing, rows]);
  const describe = (at: number) => {
    const id = fieldIdAt(frame, rows, at);
    const r = rows.find((x) => x.id === id);
    return r ? `${r.layer.label}, ${r.field.label}: ${r.field.value}` : 'no field (padding)';
  };
  const payload = rows.find((r) => r.field.key.endsWith('.payload') && r.depth === 0 && !r.layer.quoted);
  return (
    <section aria-labelledby={`${idBase}-h`} className="rounded-lg border border-gray-300 p-2 dark:border-gray-700" data-testid="packet-detail" data-packet={packet.n}>
      <div className="flex flex-wrap items-start gap-2">
        <h4 id={`${idBase}-h`} className="m-0 min-w-0 flex-1 text-sm font-bold [overflow-wrap:anywhere]">
          Packet {packet.n} on {packet.link}
          {packet.host ? ` (${packet.host})` : ''}: <span className="font-mono font-normal">{packet.summary}</span>
        </h4>
        <label className="flex items-center gap-1 text-xs">
          <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} data-testid="raw-numbers" /> raw sequence numbers
        </label>
        <button type="button" onClick={onClose} className="rounded border border-gray-400 px-2 text-xs">
          Close
        </button>
      </div>
      <p className="m-0 mb-1 text-xs text-gray-700 dark:text-gray-300">
        {packet.length} bytes on the wire{packet.frame.length < packet.length ? `, the first ${packet.frame.length} kept` : ''}; {packet.direction === 'out' ? 'sent by' : 'arriving at'} the host on {packet.link}. Hover or focus a field to light its bytes; focus the bytes and use the arrow keys to find a byte&apos;s field.
      </p>
      {crossing ? (
        <p className="m-0 mb-1 text-xs" data-testid="crossing">
          The router passed this packet between lan and wan: it is packet {crossing.twin.n} on {crossing.twin.link}.{' '}
          {crossing.rewritten.length ? `It rewrote the ${crossing.rewritten.map((r) => REWRITE_WORDS[r]).join(' and ')} (marked).` : 'It changed no address or port.'}
        </p>
      ) : null}
      <div className="grid gap-2 md:grid-cols-2">
        <FieldTree frame={frame} rows={rows} rel={rel} raw={raw} lit={lit} onLight={setLit} idBase={idBase} rewritten={rewritten} />
        <div className="min-w-0 space-y-2">
          <HexView frame={packet.frame} lit={litRow ? byteRange(litRow) : null} onByte={(at) => setLit(fieldIdAt(frame, rows, at))} describe={describe} packetNumber={packet.n} />
          <div className="rounded bg-gray-50 p-1 text-xs dark:bg-gray-900" data-testid="field-explain">
            {litRow ? (
              <>
                <p className="m-0 font-bold">
                  {litRow.field.label} <span className="font-mono font-normal">({litRow.field.key})</span>
                </p>
                <p className="m-0">{litRow.field.explain}</p>
              </>
            ) : (
              <p className="m-0">Point at a field or a byte to see what it means.</p>
            )}
          </div>
          {payload ? (
            <p className="m-0 text-xs">
              The program&apos;s own bytes (the payload): <span className="font-mono [overflow-wrap:anywhere]">{payload.field.value}</span>
            </p>
          ) : null}
        </div>
      </div>
    </section>
  );
}
