'use client';
import dynamic from 'next/dynamic';

/**
 * Every lesson loads the whole tag registry, so this stays a thin wrapper: the widget's code (and
 * ipaddr.js) is a separate chunk that only pages rendering it download. The server still renders the
 * full widget, so nothing moves when it hydrates; the placeholder only shows on client navigation.
 */
const IpExplorerTool = dynamic(() => import('./IpExplorerTool').then((m) => m.IpExplorerTool), {
  loading: () => (
    <div className="not-prose my-8 min-h-[46rem] rounded-xl border border-gray-200 bg-white p-4 sm:p-5 dark:border-gray-700 dark:bg-gray-900/60">
      <p className="text-lg font-bold text-gray-900 dark:text-gray-100">IP address explorer</p>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">Loading…</p>
    </div>
  ),
});

export function IpExplorer(props: { initial?: string; network?: string }) {
  return <IpExplorerTool {...props} />;
}
