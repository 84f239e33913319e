'use client';
import type { DecodedFrame, TcpRelative } from '@/packets';
import { shownValue, type FieldRow } from '@/app/_lib/lab/packets/field-bytes';

interface Props {
  frame: DecodedFrame;
  rows: readonly FieldRow[];
  rel: TcpRelative | null;
  raw: boolean;
  /** The lit field's id, and its ancestors' (lit more faintly). */
  lit: string | null;
  onLight: (id: string | null) => void;
  /** Prefix for element ids (one detail per page at a time, but keep them unique anyway). */
  idBase: string;
  /** Field ids the router rewrote (marked), when the packet crossed it. */
  rewritten: ReadonlySet<string>;
}

/**
 * Every layer and field of a packet, outermost first, each a focusable button: focusing or hovering
 * one lights its bytes in the hex view. Its plain-words explanation is its description.
 */
export function FieldTree({ frame, rows, rel, raw, lit, onLight, idBase, rewritten }: Props) {
  return (
    <div className="min-w-0 space-y-2" data-testid="field-tree">
      {frame.layers.map((layer, li) => {
        const mine = rows.filter((r) => r.id.split('.')[0] === String(li));
        return (
          <section key={li} aria-label={layer.label} className="rounded border border-gray-200 p-1 dark:border-gray-700">
            <h5 className="m-0 text-xs font-bold">
              {layer.label}
              {layer.quoted ? ' (quoted by the ICMP error)' : ''} <span className="font-normal text-gray-600 dark:text-gray-400">bytes {layer.offset}–{layer.offset + layer.length - 1}</span>
            </h5>
            {layer.problem ? <p className="m-0 text-xs text-red-800 dark:text-red-200">{layer.problem.message}</p> : null}
            <ul className="m-0 list-none p-0">
              {mine.map((r) => {
                const isLit = lit === r.id;
                const inLit = !isLit && lit !== null && lit.startsWith(`${r.id}.`);
                const marked = rewritten.has(r.id);
                return (
                  <li key={r.id} style={{ paddingLeft: `${r.depth * 0.75}rem` }}>
                    <button
                      type="button"
                      className={`w-full rounded px-1 text-left font-mono text-[0.7rem] leading-snug ${isLit ? 'bg-yellow-200 text-gray-900 dark:bg-yellow-700 dark:text-white' : inLit ? 'bg-yellow-50 dark:bg-yellow-950' : 'hover:bg-gray-100 dark:hover:bg-gray-800'}`}
                      onMouseEnter={() => onLight(r.id)}
                      onFocus={() => onLight(r.id)}
                      aria-describedby={`${idBase}-x-${r.id}`}
                      data-field={r.field.key}
                      data-field-id={r.id}
                      data-lit={isLit ? 'true' : undefined}
                      title={r.field.explain}
                    >
                      <span className="font-semibold">{r.field.label}</span>: {shownValue(r.field, rel, raw)}
                      {marked ? <span className="ml-1 rounded bg-orange-200 px-1 text-gray-900 dark:bg-orange-800 dark:text-white">rewritten by the router</span> : null}
                    </button>
                    <span id={`${idBase}-x-${r.id}`} className="sr-only">
                      {r.field.explain} Bytes {r.field.offset}
                      {r.field.length > 1 ? `–${r.field.offset + r.field.length - 1}` : ''}.
                    </span>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
