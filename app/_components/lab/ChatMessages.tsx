'use client';
import { useEffect, useId, useRef, useState } from 'react';
import type { ChatLine } from '@/app/_lib/lab/chat-lines';

const TONE: Record<ChatLine['kind'], string> = {
  message: '',
  self: 'text-blue-800 dark:text-blue-300',
  notice: 'italic text-gray-600 dark:text-gray-400',
  error: 'text-red-800 dark:text-red-300',
};

/** The conversation as this browser's socket received it. Every line is rendered as text. */
export function ChatMessages({ lines, connected, onSay, onLeave }: { lines: ChatLine[]; connected: boolean; onSay: (t: string) => void; onLeave: () => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [nick, setNick] = useState('');
  const end = useRef<HTMLDivElement>(null);
  // Keep the newest line in view by scrolling the list itself, never the page.
  useEffect(() => {
    const list = end.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [lines.length]);

  return (
    <section aria-labelledby={`${id}-h`} className="flex min-w-0 flex-col rounded-lg border border-gray-200 p-3 dark:border-gray-700">
      <h4 id={`${id}-h`} className="m-0 text-sm font-bold">
        Chat {connected ? '' : '(not joined yet)'}
      </h4>
      <div ref={end} role="log" aria-live="polite" aria-label="Chat messages" className="mt-2 h-64 space-y-0.5 overflow-y-auto rounded bg-gray-50 p-2 font-mono text-sm dark:bg-gray-900" data-testid="chat-messages" tabIndex={0}>
        {lines.map((l) => (
          <p key={l.id} className={`m-0 break-words ${TONE[l.kind]}`}>
            {l.text}
          </p>
        ))}
      </div>
      <form
        className="mt-2 flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          onSay(text);
          setText('');
        }}
      >
        <label htmlFor={`${id}-msg`} className="sr-only">
          Message
        </label>
        <input id={`${id}-msg`} value={text} onChange={(e) => setText(e.target.value)} disabled={!connected} maxLength={4000} placeholder={connected ? 'Type a message, or /who' : 'Join a server first'} className="min-w-0 flex-1 rounded border border-gray-300 bg-white px-2 py-1 text-sm dark:border-gray-600 dark:bg-gray-900" />
        <button type="submit" disabled={!connected} className="rounded-md bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50">
          Send
        </button>
      </form>
      <form
        className="mt-2 flex flex-wrap items-center gap-2 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          if (nick.trim()) onSay(`/nick ${nick.trim()}`);
        }}
      >
        <label htmlFor={`${id}-nick`} className="text-xs font-medium">
          nickname
        </label>
        <input id={`${id}-nick`} value={nick} onChange={(e) => setNick(e.target.value.slice(0, 20))} disabled={!connected} className="w-32 rounded border border-gray-300 bg-white px-2 py-1 text-sm dark:border-gray-600 dark:bg-gray-900" />
        <button type="submit" disabled={!connected} className="rounded-md border border-gray-400 px-2 py-1 text-xs disabled:opacity-50">
          Set nickname
        </button>
        <button type="button" onClick={() => onSay('/who')} disabled={!connected} className="rounded-md border border-gray-400 px-2 py-1 text-xs disabled:opacity-50">
          Who is here?
        </button>
        <button type="button" onClick={onLeave} disabled={!connected} className="ml-auto rounded-md border border-gray-400 px-2 py-1 text-xs disabled:opacity-50">
          Leave
        </button>
      </form>
    </section>
  );
}
