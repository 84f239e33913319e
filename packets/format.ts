/** Text forms of the values in a frame: addresses, hex, payload previews. */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes [start, end), no separators. */
export function hex(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[bytes[i]];
  return s;
}

export function hexNumber(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

export function mac(bytes: Uint8Array, at: number): string {
  return `${HEX[bytes[at]]}:${HEX[bytes[at + 1]]}:${HEX[bytes[at + 2]]}:${HEX[bytes[at + 3]]}:${HEX[bytes[at + 4]]}:${HEX[bytes[at + 5]]}`;
}

export function ipv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
export function ipv6(bytes: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1]);
  // ::ffff:a.b.c.d, an IPv4 address mapped into IPv6, keeps its dotted tail.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${ipv4(bytes, at + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const part = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return part(0, 8);
  return `${part(0, bestStart)}::${part(bestStart + bestLen, 8)}`;
}

/** An address with a port, as people write it: 127.0.0.1:80 and [::1]:80. */
export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const PREVIEW = 64;

/**
 * A payload as a learner typed it, when it is text: `"hello\n"` with escapes; otherwise the first
 * bytes in hex. Long payloads are cut with "…" and the byte count.
 */
export function payloadPreview(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  const shown = Math.min(n, PREVIEW);
  let printable = 0;
  for (let i = start; i < start + shown; i++) {
    const b = bytes[i];
    if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
  }
  const more = n > shown ? `… (${n} bytes)` : '';
  if (shown > 0 && printable === shown) {
    let text = '';
    for (let i = start; i < start + shown; i++) {
      const b = bytes[i];
      if (b === 0x0a) text += '\\n';
      else if (b === 0x0d) text += '\\r';
      else if (b === 0x09) text += '\\t';
      else if (b === 0x22) text += '\\"';
      else if (b === 0x5c) text += '\\\\';
      else text += String.fromCharCode(b);
    }
    return `"${text}"${more}`;
  }
  let h = '';
  for (let i = start; i < start + shown; i++) h += (i > start ? ' ' : '') + HEX[bytes[i]];
  return h + more;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
