/**
 * What the browser's chat client shows: the server's lines, split as they arrive, and classified.
 *
 * TCP is a byte stream: one recv() can end partway through a character (👋 is four bytes) and the
 * next one starts with the rest. The lab server decodes each recv() on its own, so its `data` text
 * shows such a character as "�"; the exact bytes are in `base64`. The chat decodes those bytes with
 * one streaming decoder per connection, so a split character is shown whole.
 */
export type ChatLineKind = 'message' | 'notice' | 'error' | 'self';

export interface ChatLine {
  id: number;
  kind: ChatLineKind;
  text: string;
}

export function classify(text: string): ChatLineKind {
  if (text.startsWith('* ')) return 'notice';
  if (text.startsWith('! ')) return 'error';
  return 'message';
}

/** Accumulates received text and returns the complete lines; keeps the unfinished tail. */
export class LineSplitter {
  private tail = '';
  push(text: string): string[] {
    const parts = (this.tail + text).split('\n');
    this.tail = parts.pop() ?? '';
    return parts.map((p) => p.replace(/\r$/, ''));
  }
  /** The unfinished tail, once the stream has ended (a last line without "\n"). */
  end(): string[] {
    const rest = this.tail.replace(/\r$/, '');
    this.tail = '';
    return rest ? [rest] : [];
  }
}

/** The exact bytes of a base64 string (a recv result's `base64`). */
export function bytesFromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/**
 * One connection's received bytes as lines of text: UTF-8 decoded across reads (a character split
 * between two reads is whole), bytes that are not UTF-8 shown as "�".
 */
export class ChatTextStream {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly lines = new LineSplitter();

  /** The bytes of one read; returns the lines it completed. */
  push(bytes: Uint8Array): string[] {
    return this.lines.push(this.decoder.decode(bytes, { stream: true }));
  }

  /** A recv() result's exact bytes, as base64. */
  pushBase64(b64: string): string[] {
    return this.push(bytesFromBase64(b64));
  }

  /** The connection ended: whatever is left (a last line without "\n", a cut-off character as "�"). */
  end(): string[] {
    this.lines.push(this.decoder.decode());
    return this.lines.end();
  }
}
