/**
 * The link between a packet's field tree and its hex dump: every field's bytes, the field a byte
 * belongs to, and the rows of the dump. Hovering or focusing either side lights the other.
 */
import { fieldAt, type DecodedFrame, type Field, type Layer, type TcpRelative } from '@/packets';

export interface FieldRow {
  /** Stable within one packet: the layer's index, then each child's index (`2.5.1`). */
  id: string;
  field: Field;
  layer: Layer;
  depth: number;
  parent: string | null;
}

/** Every field in display order (a parent before its children), with an id. */
export function fieldRows(frame: DecodedFrame): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (fields: Field[], layer: Layer, prefix: string, depth: number, parent: string | null) => {
    fields.forEach((field, i) => {
      const id = `${prefix}.${i}`;
      rows.push({ id, field, layer, depth, parent });
      if (field.children) walk(field.children, layer, id, depth + 1, id);
    });
  };
  frame.layers.forEach((layer, i) => walk(layer.fields, layer, String(i), 0, null));
  return rows;
}

/** The id of the field a byte belongs to (the innermost one that alone holds it), or null. */
export function fieldIdAt(frame: DecodedFrame, rows: readonly FieldRow[], at: number): string | null {
  const path = fieldAt(frame, at);
  if (!path) return null;
  const target = path.fields.length ? path.fields[path.fields.length - 1] : path.sharing[0];
  return rows.find((r) => r.field === target)?.id ?? null;
}

/** The bytes [start, end) a field covers. */
export function byteRange(row: FieldRow): [number, number] {
  return [row.field.offset, row.field.offset + row.field.length];
}

export interface HexLine {
  offset: number;
  bytes: number[];
}

/** The frame as lines of `width` bytes, the way Wireshark's bytes pane shows them. */
export function hexLines(frame: Uint8Array, width = 16): HexLine[] {
  const lines: HexLine[] = [];
  for (let at = 0; at < frame.length; at += width) lines.push({ offset: at, bytes: Array.from(frame.subarray(at, at + width)) });
  return lines;
}

export const hexByte = (b: number) => b.toString(16).padStart(2, '0');
export const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·');

/**
 * A field's value as shown: sequence and acknowledgement numbers relative to the ISNs (as Wireshark
 * shows them), the raw number beside it on request; everything else as decoded.
 */
export function shownValue(field: Field, rel: TcpRelative | null, raw: boolean): string {
  if (!rel) return field.value;
  if (field.key === 'tcp.seq_raw') return raw ? `${field.value} (relative ${rel.seq})` : `${rel.seq} (relative)`;
  if (field.key === 'tcp.ack_raw' && rel.ack !== null) return raw ? `${field.value} (relative ${rel.ack})` : `${rel.ack} (relative)`;
  if (field.key === 'tcp.window_size_value' && rel.window !== field.raw) return `${field.value} (× scale = ${rel.window} bytes)`;
  return field.value;
}
