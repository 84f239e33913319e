'use client';
import { useState } from 'react';
import type { HostName, KernelRow, LabError, NetworkSupport, ShellTicket } from '@/server/protocol';
import { CopyButton } from '../CopyButton';
import { OpError } from './OpError';
import { PANEL, TOOL } from './styles';

export type ShellAnswer = { ok: true; ticket: ShellTicket } | { ok: false; error: LabError };

interface HostTerminalProps {
  host: HostName;
  /** What the server's hello said about lab shells (absent: it did not say). */
  support: NetworkSupport['shell'];
  disabled: boolean;
  /** The kernel view as the page last read it. */
  kernel: KernelRow[];
  onRequest: (host: HostName) => Promise<ShellAnswer>;
  /** Reads the kernel view again (a shell's sockets appear without any step of the page). */
  onLookAgain: () => Promise<KernelRow[] | null>;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * "Open a terminal on <host>": a one-time command for a terminal of the machine running the
 * server, which opens a shell inside this host of the learner's own network. The command is asked
 * for when the disclosure opens (it works once, for minutes), never before.
 */
export function HostTerminal({ host, support, disabled, kernel, onRequest, onLookAgain }: HostTerminalProps) {
  const [ticket, setTicket] = useState<ShellTicket | null>(null);
  const [error, setError] = useState<LabError | null>(null);
  const [busy, setBusy] = useState(false);
  const [rows, setRows] = useState<KernelRow[] | null>(null);
  const current = ticket && ticket.host === host ? ticket : null;

  async function request() {
    setBusy(true);
    setError(null);
    const r = await onRequest(host);
    setBusy(false);
    if (r.ok) setTicket(r.ticket);
    else setError(r.error);
  }

  function onToggle(open: boolean) {
    if (open && support?.available && !disabled && (!current || current.expiresAt <= Date.now())) void request();
  }

  async function lookAgain() {
    setRows(await onLookAgain());
  }

  const others = (rows ?? kernel).filter((r) => r.host === host && r.relation === 'outside' && !r.of);

  return (
    <details className={PANEL} onToggle={(e) => onToggle(e.currentTarget.open)} data-testid="host-terminal">
      <summary className="cursor-pointer text-sm font-bold">Open a terminal on {host}</summary>
      {!support ? (
        <p className="m-0 mt-1 text-sm">This server does not offer terminals inside the sandbox.</p>
      ) : !support.available ? (
        <p className="m-0 mt-1 text-sm" data-testid="host-terminal-unavailable">
          {support.reason ?? 'This server does not offer terminals inside the sandbox.'}
        </p>
      ) : (
        <div className="mt-1 space-y-2 text-sm">
          <p className="m-0 max-w-prose">
            In a terminal of the computer running Socket Lab, in the project&apos;s folder, run this line. You get a shell on {host}: <code>ip addr</code>,{' '}
            <code>ip route</code>, <code>ss -tan</code>, <code>ping</code>, <code>nc</code> and <code>python3</code> there act on this network, and the sockets they make show in the kernel view below.
          </p>
          {current ? (
            <>
              <div className="relative" data-copy-scope>
                <pre className="m-0 whitespace-pre-wrap break-all rounded-md bg-gray-100 p-2 pr-28 font-mono text-xs text-gray-900 dark:bg-gray-900 dark:text-gray-100" data-testid="host-terminal-command">
                  {current.command}
                </pre>
                <CopyButton label="Copy command" />
              </div>
              <p className="m-0 text-xs text-gray-700 dark:text-gray-300">
                It works once, until {time(current.expiresAt)}, and only while this network lives; the shell closes when the network goes.
              </p>
            </>
          ) : null}
          {error ? <OpError what="Asking for a terminal" error={error} onDismiss={() => setError(null)} /> : null}
          <div className="flex flex-wrap gap-2">
            <button type="button" className={TOOL} disabled={disabled || busy} onClick={() => void request()}>
              {busy ? 'Asking…' : current ? 'A new command' : 'Get the command'}
            </button>
            <button type="button" className={TOOL} disabled={disabled} onClick={() => void lookAgain()}>
              Look at {host}&apos;s sockets again
            </button>
          </div>
          <section aria-label={`Other programs' sockets on ${host}`}>
            <h5 className="m-0 text-xs font-bold">Other programs&apos; sockets on {host} (your terminal&apos;s)</h5>
            {others.length === 0 ? (
              <p className="m-0 text-xs text-gray-700 dark:text-gray-300">None yet.</p>
            ) : (
              <ul className="m-0 list-none p-0 font-mono text-xs" data-testid="host-terminal-sockets">
                {others.map((r) => (
                  <li key={`${r.proto} ${r.local.address}:${r.local.port} ${r.remote.address}:${r.remote.port} ${r.inode}`}>
                    {r.proto} {r.local.address}:{r.local.port} → {r.remote.address}:{r.remote.port} {r.state}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </details>
  );
}
