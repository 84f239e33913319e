'use client';
import { memo, useId, useState } from 'react';
import type { CallRequest } from './CallForm';

/** socket(): a new socket for a program (a lane) of the learner's choosing. */
export const NewSocketForm = memo(function NewSocketForm({ lanes, disabled, onCall }: { lanes: string[]; disabled: boolean; onCall: (r: CallRequest) => void }) {
  const id = useId();
  const [actor, setActor] = useState('server');
  const [type, setType] = useState<'tcp' | 'udp'>('tcp');
  const [family, setFamily] = useState<4 | 6>(4);
  const field = 'rounded border border-gray-300 bg-white px-2 py-1 text-sm dark:border-gray-600 dark:bg-gray-900';
  const names = [...new Set(['server', 'client', ...lanes.filter((l) => l !== 'outside')])];
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        onCall({ op: 'socket', args: { type, family, actor: actor.trim() || 'program' } });
      }}
    >
      <div>
        <label htmlFor={`${id}-actor`} className="block text-xs font-medium text-gray-700 dark:text-gray-300">
          program
        </label>
        <input id={`${id}-actor`} className={`${field} w-32`} value={actor} onChange={(e) => setActor(e.target.value.slice(0, 24))} list={`${id}-actors`} pattern="[A-Za-z0-9][A-Za-z0-9 _.\-]*" />
        <datalist id={`${id}-actors`}>
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </div>
      <div>
        <label htmlFor={`${id}-type`} className="block text-xs font-medium text-gray-700 dark:text-gray-300">
          type
        </label>
        <select id={`${id}-type`} className={field} value={type} onChange={(e) => setType(e.target.value as 'tcp' | 'udp')}>
          <option value="tcp">TCP (stream)</option>
          <option value="udp">UDP (datagram)</option>
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-family`} className="block text-xs font-medium text-gray-700 dark:text-gray-300">
          family
        </label>
        <select id={`${id}-family`} className={field} value={family} onChange={(e) => setFamily(Number(e.target.value) as 4 | 6)}>
          <option value={4}>IPv4</option>
          <option value={6}>IPv6</option>
        </select>
      </div>
      <button type="submit" disabled={disabled} className="rounded-md bg-blue-700 px-3 py-1.5 font-mono text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50">
        socket()
      </button>
    </form>
  );
});
