/** What the browser's chat client shows: the server's lines, split as they arrive, and classified. */
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
}
