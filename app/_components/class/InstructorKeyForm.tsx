'use client';
import { useId, useState, type FormEvent } from 'react';
import { parseInstructorKey } from '@/app/_lib/class/instructor-key';

/** For a dashboard opened without its key: paste the instructor URL from the terminal, or the key. */
export function InstructorKeyForm({ refused, onKey }: { refused: boolean; onKey: (key: string) => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [error, setError] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    const key = parseInstructorKey(text);
    if (!key) return setError('That is not an instructor URL or key. Copy the whole line that starts with http and contains #key=.');
    setError('');
    setText('');
    onKey(key);
  }

  const describedBy = [`${id}-hint`, refused ? `${id}-refused` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <form onSubmit={submit} noValidate className="max-w-2xl space-y-3 rounded-xl border border-gray-300 p-4 dark:border-gray-700" data-testid="instructor-key-form">
      {refused ? (
        <p id={`${id}-refused`} role="alert" className="m-0 rounded-md border border-red-300 bg-red-50 p-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
          The class server refused that key. Use the instructor URL printed by the class you are running now.
        </p>
      ) : null}
      <label htmlFor={`${id}-key`} className="block font-medium">
        Instructor URL or key
      </label>
      <p id={`${id}-hint`} className="m-0 text-sm text-gray-700 dark:text-gray-300">
        The terminal where you ran <code>npm start -- --class</code> printed an instructor URL ending in <code>#key=…</code>. Paste it
        here. It is kept in this tab only, and never shown to students.
      </p>
      <input
        id={`${id}-key`}
        type="password"
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className="block w-full rounded-md border border-gray-400 bg-white px-3 py-2 font-mono dark:border-gray-600 dark:bg-gray-900"
      />
      {error ? (
        <p id={`${id}-error`} className="m-0 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <button type="submit" className="rounded-lg bg-blue-700 px-5 py-2 font-semibold text-white hover:bg-blue-800">
        Open the dashboard
      </button>
    </form>
  );
}
