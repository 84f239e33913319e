'use client';
import { useId, useMemo, useState } from 'react';
import { membership } from '@/app/_lib/ip-explorer';
import { useSettled } from '@/app/_lib/use-settled';


/** "Is it in network …?": tests the explorer's address (or block) against a network the learner types. */
export function IpExplorerMembership({ subject, initialNetwork }: { subject: string; initialNetwork: string }) {
  const [net, setNet] = useState(initialNetwork);
  const id = useId();
  const result = useMemo(() => (net.trim() === '' ? null : membership(subject, net)), [subject, net]);
  const spoken = useSettled(
    result === null ? '' : result.ok ? `${result.value.inside ? 'Yes' : 'No'}. ${result.value.why}` : result.error,
    700,
  );

  return (
    <div className="mt-5 rounded-lg border border-gray-200 p-3 dark:border-gray-700">
      <label htmlFor={`${id}-net`} className="block text-sm font-semibold text-gray-800 dark:text-gray-200">
        Is it in network…
      </label>
      <input
        id={`${id}-net`}
        type="text"
        value={net}
        onChange={(e) => setNet(e.target.value)}
        placeholder="e.g. 192.168.1.0/24"
        maxLength={200}
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        autoCorrect="off"
        aria-describedby={`${id}-answer`}
        aria-invalid={result !== null && !result.ok}
        className="mt-1 block w-full min-w-0 rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-base text-gray-900 shadow-sm placeholder:text-gray-500 dark:border-gray-600 dark:bg-gray-950 dark:text-gray-100 dark:placeholder:text-gray-400"
      />
      <p role="status" className="sr-only">
        {spoken}
      </p>
      <div id={`${id}-answer`} className="mt-2 text-sm">
        {result === null ? (
          <p className="text-gray-700 dark:text-gray-300">Type a network in CIDR form to check whether the address above is inside it.</p>
        ) : !result.ok ? (
          <p className="text-red-800 dark:text-red-200">{result.error}</p>
        ) : (
          <p className="text-gray-900 dark:text-gray-100">
            <span
              className={`mr-2 inline-block rounded-md px-2 py-0.5 font-bold ${
                result.value.inside
                  ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100'
                  : 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100'
              }`}
            >
              {result.value.inside ? 'Yes' : 'No'}
            </span>
            {result.value.why}
          </p>
        )}
      </div>
    </div>
  );
}
