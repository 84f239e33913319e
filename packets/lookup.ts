/** From a byte back to the field it belongs to: what a hex view needs to light a field when a byte is hovered. */
import type { DecodedFrame, Field, Layer } from './types.ts';

export interface FieldPath {
  layer: Layer;
  /** From the outermost field to the innermost one that alone holds the byte. */
  fields: Field[];
  /** Below that, the fields that share the byte (bit fields such as IPv4's version and header length); often none. */
  sharing: Field[];
}

const holds = (f: { offset: number; length: number }, at: number) => at >= f.offset && at < f.offset + f.length;

/**
 * The innermost field that holds byte `at`, with the fields around it. Where several sibling
 * fields share the byte (bit fields, like the TCP flags), the path stops at their parent and lists
 * them in `sharing`. Quoted layers (inside an ICMP error) are found like any other. Null for a
 * byte no field describes.
 */
export function fieldAt(frame: DecodedFrame, at: number): FieldPath | null {
  let best: FieldPath | null = null;
  for (const layer of frame.layers) {
    if (!holds(layer, at)) continue;
    const fields: Field[] = [];
    let sharing: Field[] = [];
    let level: Field[] | undefined = layer.fields;
    while (level) {
      const here: Field[] = level.filter((f) => holds(f, at));
      if (here.length !== 1) {
        sharing = here;
        break;
      }
      fields.push(here[0]);
      level = here[0].children;
    }
    // A quoted or payload layer inside a bigger one (an ICMP error's quote) is the more precise answer.
    if ((fields.length || sharing.length) && (!best || layer.offset >= best.layer.offset)) best = { layer, fields, sharing };
  }
  return best;
}
