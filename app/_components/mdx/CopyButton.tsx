'use client';
import { useRef, useState } from 'react';

/** 22 px tall at 8 px from the top: centred on the first line of a block padded 8 px, so it fits a one-line block. */
const FLOATING =
  'absolute right-2 top-2 rounded-md border border-gray-300 bg-white/90 px-2 py-0.5 text-xs leading-4 font-medium text-gray-700 hover:bg-gray-100 dark:border-gray-600 dark:bg-gray-800/90 dark:text-gray-200 dark:hover:bg-gray-700';

/**
 * Copies the text of the <pre> inside the nearest [data-copy-scope] around it. Reads the DOM so the
 * server need not send the text twice.
 */
export function CopyButton({ label = 'Copy', className = FLOATING }: { label?: string; className?: string }) {
  const ref = useRef<HTMLButtonElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    const pre = ref.current?.closest('[data-copy-scope]')?.querySelector('pre');
    const text = pre?.innerText ?? '';
    try {
      await navigator.clipboard.writeText(text.replace(/\n$/, ''));
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 1800);
  }
  return (
    <button
      ref={ref}
      type="button"
      onClick={copy}
      className={`no-print ${className}`}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Press Ctrl+C' : label}
      <span className="sr-only" aria-live="polite">
        {state === 'copied' ? ' copied to clipboard' : ''}
      </span>
    </button>
  );
}
