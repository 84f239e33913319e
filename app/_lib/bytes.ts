/**
 * The logic behind <ByteView>: turn typed text into the exact bytes a program would send, UTF-8
 * encoded, keeping track of which bytes belong to which character so they can be shown together.
 *
 * With escapes on, `\r \n \t \0 \\` and `\xNN` stand for one byte each, so a learner can write
 * `GET / HTTP/1.1\r\nHost: x\r\n\r\n`. `\xNN` is a raw byte, not a character: `\xc3\xa9` is the
 * UTF-8 of é, while a lone `\xff` is a byte no UTF-8 text contains. An unknown or incomplete escape
 * is reported and kept as the characters typed, so the byte count still matches what is shown.
 */

export const MAX_TEXT_LENGTH = 4000;

export type UnitKind = 'char' | 'escape' | 'byte' | 'invalid';

/** One thing the learner typed: a character (code point), an escape, or a bad escape. */
export interface ByteUnit {
  kind: UnitKind;
  /** What was typed, e.g. "é", "\\r", "\\x41". */
  source: string;
  /** How to show it above its bytes: the character itself, or a name for an invisible one. */
  glyph: string;
  /** `glyph` is a name such as "CR" or "U+200B" rather than the character itself. */
  glyphIsName: boolean;
  /** The Unicode code point, for characters and simple escapes; null for raw bytes. */
  codePoint: number | null;
  /** A longer name for screen readers and tooltips, e.g. "U+00E9 é" or "CR (carriage return)". */
  name: string;
  bytes: number[];
  /** Offset of `source` in the typed text (UTF-16 units), for error messages. */
  at: number;
}

/** Units that make one character on screen: an emoji with a skin tone is two code points, 8 bytes. */
export interface UnitGroup {
  units: ByteUnit[];
  /** More than one code point shown as one character. */
  cluster: boolean;
  glyph: string;
}

export interface EscapeError {
  /** Offset in the typed text (UTF-16 units). */
  at: number;
  /** 1-based position counted in characters as a person counts them (code points), for messages. */
  column: number;
  message: string;
}

export interface Encoded {
  groups: UnitGroup[];
  bytes: Uint8Array;
  /** Characters as a receiver decoding the bytes as UTF-8 would count them (user-perceived characters). */
  characterCount: number;
  codePointCount: number;
  errors: EscapeError[];
  /** The bytes are not valid UTF-8 (only possible with \xNN escapes, or a lone surrogate pasted in). */
  invalidUtf8: boolean;
  truncated: boolean;
}

const CONTROL_NAMES: Record<number, [string, string]> = {
  0x00: ['NUL', 'NUL (zero byte)'],
  0x07: ['BEL', 'BEL (bell)'],
  0x08: ['BS', 'BS (backspace)'],
  0x09: ['TAB', 'TAB (horizontal tab)'],
  0x0a: ['LF', 'LF (line feed, “\\n”)'],
  0x0b: ['VT', 'VT (vertical tab)'],
  0x0c: ['FF', 'FF (form feed)'],
  0x0d: ['CR', 'CR (carriage return, “\\r”)'],
  0x1b: ['ESC', 'ESC (escape)'],
  0x20: ['SP', 'space'],
  0x7f: ['DEL', 'DEL (delete)'],
  0xa0: ['NBSP', 'no-break space'],
  0xad: ['SHY', 'soft hyphen'],
  0x200b: ['ZWSP', 'zero-width space'],
  0x200c: ['ZWNJ', 'zero-width non-joiner'],
  0x200d: ['ZWJ', 'zero-width joiner'],
  0x2028: ['LSEP', 'line separator'],
  0x2029: ['PSEP', 'paragraph separator'],
  0xfe0f: ['VS16', 'variation selector-16 (emoji style)'],
  0xfeff: ['BOM', 'byte order mark (zero-width no-break space)'],
};

export function codePointLabel(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A visible stand-in for characters that draw nothing (controls, spaces, joiners, combining marks). */
function glyphFor(ch: string, cp: number): { glyph: string; glyphIsName: boolean; name: string } {
  const u = codePointLabel(cp);
  const named = CONTROL_NAMES[cp];
  if (named) return { glyph: named[0], glyphIsName: true, name: `${u} ${named[1]}` };
  if (cp < 0x20 || (cp >= 0x80 && cp < 0xa0)) return { glyph: u, glyphIsName: true, name: `${u} control character` };
  if (cp >= 0xd800 && cp <= 0xdfff) return { glyph: '�', glyphIsName: false, name: `${u} lone surrogate: not a character, encoded as U+FFFD` };
  if (/\p{M}/u.test(ch)) return { glyph: `◌${ch}`, glyphIsName: false, name: `${u} combining mark` };
  if (/\p{Z}/u.test(ch)) return { glyph: u, glyphIsName: true, name: `${u} space` };
  if (/\p{Cf}/u.test(ch)) return { glyph: u, glyphIsName: true, name: `${u} invisible format character` };
  return { glyph: ch, glyphIsName: false, name: `${u} ${ch}` };
}

const ENCODER = new TextEncoder();

function charUnit(ch: string, at: number): ByteUnit {
  const cp = ch.codePointAt(0)!;
  return { kind: 'char', source: ch, ...glyphFor(ch, cp), codePoint: cp, bytes: [...ENCODER.encode(ch)], at };
}

const SIMPLE_ESCAPES: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, '0': 0x00, '\\': 0x5c };

/** Splits typed text into units; with escapes on, backslash sequences become bytes. */
export function toUnits(text: string, escapes: boolean): { units: ByteUnit[]; errors: Omit<EscapeError, 'column'>[] } {
  const units: ByteUnit[] = [];
  const errors: Omit<EscapeError, 'column'>[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    if (!escapes || ch !== '\\') {
      units.push(charUnit(ch, i));
      i += ch.length;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) {
      errors.push({ at: i, message: 'A backslash at the very end starts no escape; write \\\\ for a backslash. It was kept as one “\\”.' });
      units.push({ ...charUnit('\\', i), kind: 'invalid' });
      i += 1;
      continue;
    }
    if (next in SIMPLE_ESCAPES) {
      const b = SIMPLE_ESCAPES[next];
      const { glyph, glyphIsName, name } = glyphFor(String.fromCharCode(b), b);
      units.push({ kind: 'escape', source: `\\${next}`, glyph, glyphIsName, codePoint: b, name: `${name}, typed as \\${next}`, bytes: [b], at: i });
      i += 2;
      continue;
    }
    if (next === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        const b = parseInt(hex, 16);
        units.push({ kind: 'byte', source: `\\x${hex}`, glyph: `\\x${hex.toUpperCase()}`, glyphIsName: true, codePoint: null, name: `raw byte 0x${hex.toUpperCase()} (${b})`, bytes: [b], at: i });
        i += 4;
        continue;
      }
      errors.push({ at: i, message: `\\x needs exactly two hex digits (0-9, a-f), like \\x41; “\\x${hex}” was kept as typed.` });
    } else {
      errors.push({ at: i, message: `\\${next} is not an escape this tool knows (\\r \\n \\t \\0 \\\\ \\xNN); it was kept as the two characters “\\${next}”.` });
    }
    units.push({ ...charUnit('\\', i), kind: 'invalid' });
    i += 1;
  }
  return { units, errors };
}

/** The grapheme splitter, where the runtime has one (TypeScript's ES2022 lib types it; older browsers lack it). */
function graphemeSegmenter(): Intl.Segmenter | null {
  return typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
}

/**
 * Splits a string into user-perceived characters (one code point each where Intl.Segmenter is missing).
 * Unicode makes CR LF one grapheme; here they stay two, because on the wire they are two control
 * characters a protocol counts separately (and a learner counting bytes expects that).
 */
export function graphemes(s: string): string[] {
  const seg = graphemeSegmenter();
  const parts = seg ? Array.from(seg.segment(s), (x) => x.segment) : Array.from(s);
  return parts.flatMap((g) => (g === '\r\n' ? ['\r', '\n'] : [g]));
}

/** Groups runs of typed characters into what the screen shows as one character; escapes stand alone. */
function groupUnits(units: ByteUnit[]): UnitGroup[] {
  const groups: UnitGroup[] = [];
  let run: ByteUnit[] = [];
  const flush = () => {
    if (run.length === 0) return;
    let k = 0;
    for (const g of graphemes(run.map((u) => u.source).join(''))) {
      const n = Array.from(g).length;
      const members = run.slice(k, k + n);
      k += n;
      groups.push({ units: members, cluster: members.length > 1, glyph: members.length > 1 ? g : members[0].glyph });
    }
    run = [];
  };
  for (const u of units) {
    if (u.kind === 'char') run.push(u);
    else {
      flush();
      groups.push({ units: [u], cluster: false, glyph: u.glyph });
    }
  }
  flush();
  return groups;
}

export function encode(text: string, opts: { escapes: boolean }): Encoded {
  const truncated = text.length > MAX_TEXT_LENGTH;
  const input = truncated ? text.slice(0, MAX_TEXT_LENGTH) : text;
  const { units, errors: raw } = toUnits(input, opts.escapes);
  const errors = raw.map((e) => ({ ...e, column: Array.from(input.slice(0, e.at)).length + 1 }));
  const flat = units.flatMap((u) => u.bytes);
  const bytes = Uint8Array.from(flat);
  const hasLoneSurrogate = units.some((u) => u.kind === 'char' && /^[\uD800-\uDFFF]$/.test(u.source));
  let invalidUtf8 = hasLoneSurrogate;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    invalidUtf8 = true;
  }
  const decoded = new TextDecoder('utf-8').decode(bytes);
  return {
    groups: groupUnits(units),
    bytes,
    characterCount: graphemes(decoded).length,
    codePointCount: Array.from(decoded).length,
    errors,
    invalidUtf8,
    truncated,
  };
}

export const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');

/** "47 45 54 20" — the bytes as most packet tools print them. */
export function hexDump(bytes: Uint8Array | number[]): string {
  return Array.from(bytes, hex).join(' ');
}
