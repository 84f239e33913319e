/**
 * What one read's bytes are, for the step detail: the exact bytes in hex, and whether the read
 * starts or ends partway through a UTF-8 character. TCP delivers bytes, not characters: a recv()
 * can return the first two bytes of 👋 and the next one the other two. The server's `data` text
 * decodes each read alone, so such a character shows as "�" there; the bytes show what happened.
 */
import { hexDump } from '../bytes';
import { bytesFromBase64 } from './chat-lines';

/** More than this many bytes are summarised ("… and 4,000 more") so a big read stays readable. */
export const SHOWN_BYTES = 256;

export interface ReadBytes {
  count: number;
  /** The first SHOWN_BYTES bytes, "68 69 20 F0 9F". */
  hex: string;
  /** Bytes not shown in `hex`. */
  more: number;
  /** Continuation bytes at the start: the end of a character that began in an earlier read. */
  cutAtStart: number[];
  /** The start of a character whose remaining bytes were not in this read. */
  cutAtEnd: { bytes: number[]; of: number } | null;
}

const isContinuation = (b: number) => (b & 0xc0) === 0x80;

/** The length of the UTF-8 sequence a lead byte starts, or 0 for a byte that starts none. */
function sequenceLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

export function readBytes(base64: string): ReadBytes {
  const bytes = bytesFromBase64(base64);
  let start = 0;
  while (start < Math.min(3, bytes.length) && isContinuation(bytes[start])) start++;
  let cutAtEnd: ReadBytes['cutAtEnd'] = null;
  // The last lead byte, at most three bytes back: does its character end inside this read?
  for (let back = 1; back <= Math.min(3, bytes.length - start); back++) {
    const b = bytes[bytes.length - back];
    if (isContinuation(b)) continue;
    const of = sequenceLength(b);
    if (of > back) cutAtEnd = { bytes: [...bytes.subarray(bytes.length - back)], of };
    break;
  }
  return {
    count: bytes.length,
    hex: hexDump(bytes.subarray(0, SHOWN_BYTES)),
    more: Math.max(0, bytes.length - SHOWN_BYTES),
    cutAtStart: [...bytes.subarray(0, start)],
    cutAtEnd,
  };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Plain sentences about a character cut by this read, or none. */
export function splitNotes(r: ReadBytes): string[] {
  const notes: string[] = [];
  if (r.cutAtStart.length) {
    notes.push(
      `The first ${plural(r.cutAtStart.length, 'byte')} (${hexDump(r.cutAtStart)}) finish a character that began in an earlier read, so decoded alone they show as “�”.`,
    );
  }
  if (r.cutAtEnd) {
    const { bytes, of } = r.cutAtEnd;
    notes.push(
      `The last ${plural(bytes.length, 'byte')} (${hexDump(bytes)}) begin a ${of}-byte character whose other ${plural(of - bytes.length, 'byte')} were not in this read: TCP delivers a stream of bytes, not characters or messages, so a read can end in the middle of one. The next recv() returns the rest; a program that shows text must decode across reads (the chat does).`,
    );
  }
  return notes;
}
