import { useId } from 'react';
import { HOST_NAMES, type HostName } from '@/server/protocol';

/** Which host the forms below act on: a radio group, so arrows move between hosts. */
export function HostPicker({ host, onHost }: { host: HostName; onHost: (h: HostName) => void }) {
  const name = useId();
  return (
    <fieldset className="m-0 flex flex-wrap items-center gap-1 border-0 p-0">
      <legend className="float-left mr-2 text-sm font-bold">Work on host</legend>
      {HOST_NAMES.map((h) => (
        <label
          key={h}
          className={`cursor-pointer rounded-md border px-2 py-1 font-mono text-sm has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-blue-500 ${
            h === host ? 'border-blue-700 bg-blue-700 text-white dark:border-blue-400 dark:bg-blue-400 dark:text-gray-950' : 'border-gray-400 hover:bg-gray-100 dark:hover:bg-gray-800'
          }`}
        >
          <input type="radio" name={name} value={h} checked={h === host} onChange={() => onHost(h)} className="sr-only" data-testid={`pick-${h}`} />
          {h}
        </label>
      ))}
    </fieldset>
  );
}
