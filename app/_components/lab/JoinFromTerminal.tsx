'use client';
import { memo } from 'react';
import type { SockView } from '@/app/_lib/lab/state';
import { CopyButton } from '../mdx/CopyButton';

const COPY = 'rounded-md border border-gray-300 bg-white px-2 py-0.5 text-xs font-medium text-gray-700 hover:bg-gray-100 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-200 dark:hover:bg-gray-700';

function commandsFor(s: SockView): { label: string; cmd: string }[] {
  const { address, port } = s.local!;
  const host = address.includes(':') ? address : address;
  if (s.type === 'udp') {
    return [
      { label: 'netcat (UDP)', cmd: `nc -u ${host} ${port}` },
      { label: 'Python', cmd: `python3 -c "import socket; s=socket.socket(socket.AF_INET${address.includes(':') ? '6' : ''}, socket.SOCK_DGRAM); s.sendto(b'hello from python\\n', ('${address}', ${port}))"` },
    ];
  }
  return [
    { label: 'netcat', cmd: `nc ${host} ${port}` },
    {
      label: 'Python',
      cmd: `python3 -c "import socket; s=socket.create_connection(('${address}', ${port})); s.sendall(b'hello from python\\n'); print(s.recv(1024))"`,
    },
  ];
}

/** The exact commands that reach a listening lab socket from the learner's own terminal. */
export const JoinFromTerminal = memo(function JoinFromTerminal({ sockets }: { sockets: SockView[] }) {
  const open = sockets.filter((s) => !s.closed && s.local && (s.listening || s.type === 'udp'));
  if (!open.length) return null;
  return (
    <section className="rounded-lg border border-emerald-300 bg-emerald-50/60 p-3 dark:border-emerald-800 dark:bg-emerald-950/30">
      <h3 className="m-0 text-sm font-bold">
        Join from your terminal
      </h3>
      <p className="m-0 mb-2 text-xs text-gray-700 dark:text-gray-300">
        On the machine running Socket Lab, any program can connect to these sockets. Its connection and bytes appear here like any other.
      </p>
      <ul className="m-0 list-none space-y-2 p-0">
        {open.flatMap((s) =>
          commandsFor(s).map((c) => (
            <li key={`${s.handle}-${c.label}`} data-copy-scope>
              <div className="flex items-center justify-between gap-2">
                <span className="text-xs font-semibold">
                  {s.handle} ({s.type.toUpperCase()} {s.listening ? 'listening' : 'bound'}) · {c.label}
                </span>
                <CopyButton className={COPY} />
              </div>
              {/* Wrapped, not scrolled: the whole command stays in view on a phone, and copies as one line. */}
              <pre className="m-0 mt-0.5 whitespace-pre-wrap rounded bg-white p-2 [overflow-wrap:anywhere] font-mono text-xs dark:bg-gray-950">{c.cmd}</pre>
            </li>
          )),
        )}
      </ul>
    </section>
  );
});
