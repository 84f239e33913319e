'use client';
import dynamic from 'next/dynamic';

/**
 * Every lesson loads the whole tag registry, so this stays a thin wrapper: the widget's code (and
 * ipaddr.js) is a separate chunk that only pages rendering it download. The server still renders the
 * full widget, so nothing moves when it hydrates; the placeholder only shows on client navigation.
 */
const NatTableTool = dynamic(() => import('./NatTableTool').then((m) => m.NatTableTool), {
  loading: () => (
    <div className="not-prose my-8 min-h-[72rem] rounded-xl border border-gray-200 bg-white p-4 sm:p-5 dark:border-gray-700 dark:bg-gray-900/60">
      <p className="text-lg font-bold text-gray-900 dark:text-gray-100">Home router: NAT and port forwarding</p>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">Loading…</p>
    </div>
  ),
});

export function NatTable() {
  return <NatTableTool />;
}
