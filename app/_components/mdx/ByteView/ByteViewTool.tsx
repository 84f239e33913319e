'use client';
import { useDeferredValue, useId, useMemo, useState } from 'react';
import { encode, hexDump } from '@/app/_lib/bytes';
import { ByteViewGroup } from './ByteViewGroup';
import { CopyButton } from '../CopyButton';
import { useSettled } from '@/app/_lib/use-settled';

/** Drawing thousands of cells helps nobody; the counts and the hex line still cover everything. */
const MAX_GROUPS_SHOWN = 400;

const ESCAPE_RE = /\\[rnt0\\x]/;


const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** Type text, see the exact bytes a program would send: UTF-8, in hex and decimal, under each character. */
export function ByteViewTool({ initial }: { initial?: string }) {
  const [text, setText] = useState(initial ?? 'Hi é 👋\\r\\n');
  const [escapes, setEscapes] = useState(initial === undefined || ESCAPE_RE.test(initial));
  const deferred = useDeferredValue(text);
  const enc = useMemo(() => encode(deferred, { escapes }), [deferred, escapes]);
  const id = useId();

  const totals = `${plural(enc.bytes.length, 'byte')}, ${plural(enc.characterCount, 'character')}${
    enc.codePointCount !== enc.characterCount ? ` (${plural(enc.codePointCount, 'code point')})` : ''
  }`;
  const spoken = useSettled(`${totals}.${enc.errors.length ? ` ${plural(enc.errors.length, 'escape problem')}.` : ''}`, 700);
  const shown = enc.groups.slice(0, MAX_GROUPS_SHOWN);

  return (
    <section aria-labelledby={`${id}-title`} className="not-prose my-8 rounded-xl border border-gray-200 bg-white p-4 shadow-sm sm:p-5 dark:border-gray-700 dark:bg-gray-900/60">
      <h3 id={`${id}-title`} className="text-lg font-bold text-gray-900 dark:text-gray-100">
        Bytes on the wire
      </h3>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">
        A socket sends bytes, not letters. Type some text to see the exact bytes a program would send, encoded as UTF-8.
      </p>

      <label htmlFor={`${id}-text`} className="mt-4 block text-sm font-semibold text-gray-800 dark:text-gray-200">
        Text to send
      </label>
      <textarea
        id={`${id}-text`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={3}
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        autoCorrect="off"
        aria-describedby={`${id}-totals ${id}-hint`}
        className="mt-1 block w-full min-w-0 resize-y rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-base text-gray-900 shadow-sm dark:border-gray-600 dark:bg-gray-950 dark:text-gray-100"
      />
      <div className="mt-2 flex items-start gap-2">
        <input
          id={`${id}-esc`}
          type="checkbox"
          checked={escapes}
          onChange={(e) => setEscapes(e.target.checked)}
          className="mt-1 h-4 w-4 shrink-0 accent-blue-700"
        />
        <label htmlFor={`${id}-esc`} className="text-sm text-gray-800 dark:text-gray-200">
          Read escapes: <code className="font-mono">\r \n \t \0 \\ \xNN</code>
          <span id={`${id}-hint`} className="block text-gray-600 dark:text-gray-400">
            {escapes
              ? 'So \\r\\n is the two bytes CR LF that end a line in HTTP. Enter in the box types only LF.'
              : 'Off: a backslash is just a backslash. Enter in the box types one LF byte.'}
          </span>
        </label>
      </div>

      <p id={`${id}-totals`} className="mt-4 text-base font-semibold text-gray-900 dark:text-gray-100">
        {totals}
      </p>
      <p role="status" className="sr-only">
        {spoken}
      </p>
      {enc.invalidUtf8 ? (
        <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
          These bytes are not valid UTF-8: a receiver decoding them as text shows � where they break.
        </p>
      ) : null}
      {enc.truncated ? <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">Only the first 4,000 characters are read.</p> : null}
      {enc.errors.length > 0 ? (
        <ul className="mt-2 space-y-1 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
          {enc.errors.map((e) => (
            <li key={e.at}>
              At character {e.column}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}

      {enc.bytes.length > 0 ? (
        <>
          <p className="mt-4 text-sm text-gray-700 dark:text-gray-300">
            Each character with its bytes: <strong className="font-semibold">hex</strong> on top, decimal below. A frame holds the
            bytes of one multi-byte character.
          </p>
          <ol aria-label="Bytes, character by character" className="mt-2 flex flex-wrap gap-1.5">
            {shown.map((g, i) => (
              <ByteViewGroup key={i} group={g} />
            ))}
          </ol>
          {enc.groups.length > shown.length ? (
            <p className="mt-2 text-sm text-gray-700 dark:text-gray-300">
              Showing the first {shown.length} of {enc.groups.length.toLocaleString('en-US')} characters; the hex below has every byte.
            </p>
          ) : null}
          <div data-copy-scope className="mt-4">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className="text-sm font-semibold text-gray-800 dark:text-gray-200">All the bytes in hex</p>
              <CopyButton label="Copy hex" className="rounded-md border border-gray-300 bg-white px-2 py-1 text-xs font-medium text-gray-800 hover:bg-gray-100 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700" />
            </div>
            <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap rounded-md bg-gray-100 p-3 font-mono text-sm text-gray-900 dark:bg-gray-950 dark:text-gray-100">
              {hexDump(enc.bytes)}
            </pre>
          </div>
        </>
      ) : (
        <p className="mt-2 text-sm text-gray-700 dark:text-gray-300">Nothing to send yet: zero bytes.</p>
      )}
    </section>
  );
}
