'use client';
import { useMemo } from 'react';
import type { ClassInfo } from '@/server/protocol/class';
import { svgDataUrl } from '@/app/_lib/class/format';

/** How students get in: the code, the URL and its QR code, large enough for a projector. */
export function JoinInfo({ info, qrSvg }: { info: ClassInfo; qrSvg: string }) {
  const qr = useMemo(() => (qrSvg ? svgDataUrl(qrSvg) : null), [qrSvg]);
  return (
    <section aria-labelledby="join-info-heading" className="flex flex-wrap items-center gap-6 rounded-xl border border-gray-300 p-4 dark:border-gray-700">
      <div className="min-w-[15rem] flex-1 space-y-2">
        <h2 id="join-info-heading" className="m-0 text-xl font-bold">
          Students join here
        </h2>
        <p className="m-0 text-gray-700 dark:text-gray-300">Open this address and type the code (or scan the QR code):</p>
        <p className="m-0 break-all font-mono text-lg sm:text-2xl">
          <a href={info.studentUrl} className="text-blue-700 underline dark:text-blue-300" data-testid="student-url">
            {info.studentUrl}
          </a>
        </p>
        <p className="m-0">
          <span className="block text-sm text-gray-700 dark:text-gray-300">Join code</span>
          <strong className="font-mono text-4xl tracking-[0.3em] sm:text-6xl" data-testid="join-code">
            {info.code}
          </strong>
        </p>
        {info.chat ? (
          <p className="m-0 text-sm text-gray-700 dark:text-gray-300">
            Class chat server: <span className="font-mono">{info.chat.address}</span> port <span className="font-mono">{info.chat.port}</span> (from a
            terminal: <code className="font-mono">nc {info.chat.address} {info.chat.port}</code>)
          </p>
        ) : null}
      </div>
      {qr ? (
        <img src={qr} alt={`QR code that opens ${info.studentUrl}`} width={224} height={224} className="h-56 w-56 rounded-lg bg-white p-2" data-testid="join-qr" />
      ) : null}
    </section>
  );
}
