'use client';
import { useState } from 'react';
import type { LabSessionApi } from '@/app/_lib/lab/use-lab-session';
import { base64Bytes } from '@/app/_lib/lab/packets/store';

/**
 * "Download .pcapng": asks the server for the session's capture (op `pcap`) and saves it, to open
 * in Wireshark. The file is fetched on click, so a long capture costs nothing until wanted.
 */
export function PcapDownload({ call }: { call: LabSessionApi['call'] }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function download() {
    setBusy(true);
    setError(null);
    const r = await call('pcap', {});
    setBusy(false);
    if (!r.ok) {
      setError(`${r.error.code}: ${r.error.message}`);
      return;
    }
    const bytes = base64Bytes(r.result.file);
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.result.name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <button type="button" onClick={() => void download()} disabled={busy} className="rounded-md border border-gray-400 px-2 py-0.5 text-xs hover:bg-gray-100 disabled:opacity-50 dark:hover:bg-gray-800" data-testid="pcap-download">
        {busy ? 'Preparing…' : 'Download .pcapng'}
      </button>
      <span className="text-xs text-gray-700 dark:text-gray-300">opens in Wireshark</span>
      {error ? (
        <span role="alert" className="text-xs text-red-800 dark:text-red-200">
          {error}
        </span>
      ) : null}
    </span>
  );
}
