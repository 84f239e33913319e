import type { CancelSignal } from '../engines/types.ts';

/**
 * Cancels a waiting call when its socket closes. A lighter stand-in for AbortController, which costs
 * enough in Node 20 to show up when a busy chat server makes thousands of calls a second.
 */
export class Cancellation implements CancelSignal {
  aborted = false;
  private listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) listener();
    else this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l();
  }
}
