'use client';
import { useState } from 'react';
import { summaryFileName } from '@/app/_lib/class/format';

/**
 * The class summary (attendance, progress, quiz results) as CSV. The key goes in a header, never in
 * the URL, so a plain link cannot do: fetch it, then hand the browser a Blob to save.
 */
export function SummaryDownload({ instructorKey, code }: { instructorKey: string; code: string }) {
  const [state, setState] = useState<{ busy: boolean; message: string }>({ busy: false, message: '' });

  async function download() {
    setState({ busy: true, message: 'Preparing the summary…' });
    try {
      const res = await fetch('/class/summary.csv', { headers: { Authorization: `Bearer ${instructorKey}` }, cache: 'no-store' });
      if (!res.ok) throw new Error(res.status === 401 || res.status === 403 ? 'the server refused the instructor key' : `the server answered HTTP ${res.status}`);
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = summaryFileName(code, new Date());
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, message: `Downloaded ${a.download}.` });
    } catch (e) {
      setState({ busy: false, message: `Could not download the summary: ${e instanceof Error ? e.message : String(e)}.` });
    }
  }

  return (
    <div className="space-y-1">
      <button type="button" onClick={download} disabled={state.busy} className="rounded-lg border border-gray-400 px-4 py-1.5 font-medium hover:bg-gray-100 disabled:opacity-60 dark:border-gray-600 dark:hover:bg-gray-800">
        Download summary (CSV)
      </button>
      <p role="status" className="m-0 min-h-[1.25rem] text-sm text-gray-700 dark:text-gray-300">
        {state.message}
      </p>
    </div>
  );
}
