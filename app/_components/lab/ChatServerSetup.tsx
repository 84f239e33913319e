'use client';
import { useEffect, useId, useState } from 'react';
import type { LabSessionApi } from '@/app/_lib/lab/use-lab-session';
import { CopyButton } from '../mdx/CopyButton';

export interface ServerInfo {
  sock: string;
  address: string;
  port: number;
}

interface Props {
  lab: LabSessionApi;
  server: ServerInfo | null;
  onRunning: (s: ServerInfo) => void;
  joined: boolean;
  busy: boolean;
  onJoin: (port: number, address?: string) => void;
}

type Progress = { sock?: string; port?: number; listening?: boolean };

const STEPS = [
  { op: 'socket()', why: 'a TCP socket for the server' },
  { op: 'bind()', why: '127.0.0.1 and a free port from the lab range' },
  { op: 'listen()', why: 'start accepting connections (backlog 16)' },
  { op: 'run the accept loop', why: 'accept() each client, recv() its lines, send() them to everyone else' },
];

/** Starting the chat server one real call at a time, or joining one that already runs. */
export function ChatServerSetup({ lab, server, onRunning, joined, busy, onJoin }: Props) {
  const id = useId();
  const [progress, setProgress] = useState<Progress>({});
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const [joinPort, setJoinPort] = useState('');
  const [joinAddress, setJoinAddress] = useState('127.0.0.1');
  const open = lab.status === 'open';

  useEffect(() => {
    setProgress({});
    setError(null);
  }, [lab.generation]);

  // A link can name a running server (the class chat): /lab/chat?join=192.168.1.20:41000
  useEffect(() => {
    const m = /^(.+):(\d{1,5})$/.exec(new URLSearchParams(location.search).get('join') ?? '');
    if (m) {
      setJoinAddress(m[1]);
      setJoinPort(m[2]);
    }
  }, []);

  const done = server ? 4 : progress.listening ? 3 : progress.port ? 2 : progress.sock ? 1 : 0;

  async function next() {
    setWorking(true);
    setError(null);
    try {
      if (done === 0) {
        const r = await lab.call('socket', { type: 'tcp', actor: 'chat server' });
        if (r.ok) setProgress({ sock: r.result.sock });
        else setError(`${r.error.code}: ${r.error.message}`);
      } else if (done === 1) {
        const r = await lab.call('bind', { sock: progress.sock!, address: '127.0.0.1', port: 0 });
        if (r.ok) setProgress({ ...progress, port: r.result.port });
        else setError(`${r.error.code}: ${r.error.message}`);
      } else if (done === 2) {
        const r = await lab.call('listen', { sock: progress.sock!, backlog: 16 });
        if (r.ok) setProgress({ ...progress, listening: true });
        else setError(`${r.error.code}: ${r.error.message}`);
      } else if (done === 3) {
        const r = await lab.call('run', { program: 'chat', sock: progress.sock! });
        if (r.ok) onRunning({ sock: progress.sock!, address: r.result.address, port: r.result.port });
        else setError(`${r.error.code}: ${r.error.message}`);
      }
    } finally {
      setWorking(false);
    }
  }

  const addresses = lab.state.hello?.policy.addresses ?? ['127.0.0.1'];
  return (
    <div className="grid gap-3 md:grid-cols-2">
      <section aria-labelledby={`${id}-start`} className="rounded-lg border border-blue-200 bg-blue-50/60 p-3 dark:border-blue-900 dark:bg-blue-950/30">
        <h4 id={`${id}-start`} className="m-0 text-sm font-bold">
          Start a chat server
        </h4>
        <ol className="m-0 mt-2 list-none space-y-1 p-0 text-sm">
          {STEPS.map((s, i) => (
            <li key={s.op} className={i < done ? 'text-emerald-800 dark:text-emerald-300' : i === done ? 'font-semibold' : 'text-gray-600 dark:text-gray-400'}>
              <span aria-hidden="true">{i < done ? '✓ ' : `${i + 1}. `}</span>
              <span className="font-mono">{s.op}</span>: {s.why}
              {i === 1 && progress.port ? <span className="font-mono"> → port {progress.port}</span> : null}
              <span className="sr-only">{i < done ? ' (done)' : ''}</span>
            </li>
          ))}
        </ol>
        {done < 4 ? (
          <button type="button" onClick={() => void next()} disabled={!open || working} className="mt-2 rounded-md bg-blue-700 px-3 py-1 font-mono text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50" data-testid="chat-next">
            {STEPS[done].op}
          </button>
        ) : (
          <div className="mt-2 space-y-2 text-sm" data-testid="chat-running">
            <p className="m-0 font-semibold text-emerald-800 dark:text-emerald-300">
              The chat server is running on {server!.address}:{server!.port}, accepting clients.
            </p>
            <p className="m-0">Join it from a terminal on this machine (each is a real TCP client):</p>
            {[`nc ${server!.address} ${server!.port}`, `python3 client.py ${server!.address} ${server!.port}`].map((cmd) => (
              <div key={cmd} className="relative" data-copy-scope>
                <pre className="m-0 overflow-x-auto rounded bg-white p-2 pr-16 font-mono text-xs dark:bg-gray-950">{cmd}</pre>
                <CopyButton />
              </div>
            ))}
            <p className="m-0 text-xs">
              <a href="/programs/chat/client.py" download className="text-blue-700 underline dark:text-blue-300">
                Download client.py
              </a>{' '}
              · other browser tabs: open this page and use &quot;Join a chat server&quot; with port {server!.port}.
            </p>
            {!joined ? (
              <button type="button" onClick={() => onJoin(server!.port, server!.address)} disabled={busy || !open} className="rounded-md bg-emerald-700 px-3 py-1 text-sm font-semibold text-white hover:bg-emerald-800 disabled:opacity-50" data-testid="chat-join-own">
                Join from this browser
              </button>
            ) : null}
          </div>
        )}
        {error ? (
          <p role="alert" className="m-0 mt-2 text-sm text-red-800 dark:text-red-300">
            {error}
          </p>
        ) : null}
      </section>
      <section aria-labelledby={`${id}-join`} className="rounded-lg border border-gray-200 p-3 dark:border-gray-700">
        <h4 id={`${id}-join`} className="m-0 text-sm font-bold">
          Or join a chat server that is already running
        </h4>
        <p className="m-0 mt-1 text-xs text-gray-700 dark:text-gray-300">Another tab&apos;s, a classmate&apos;s, or one you started in a terminal (python3 server.py 41000).</p>
        <form
          className="mt-2 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (joinPort) onJoin(Number(joinPort), joinAddress);
          }}
        >
          <div>
            <label htmlFor={`${id}-addr`} className="block text-xs font-medium">
              address
            </label>
            <select id={`${id}-addr`} value={joinAddress} onChange={(e) => setJoinAddress(e.target.value)} className="rounded border border-gray-300 bg-white px-2 py-1 font-mono text-sm dark:border-gray-600 dark:bg-gray-900">
              {[...new Set([...addresses, joinAddress])].map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-port`} className="block text-xs font-medium">
              port
            </label>
            <input id={`${id}-port`} inputMode="numeric" value={joinPort} onChange={(e) => setJoinPort(e.target.value.replace(/[^0-9]/g, ''))} placeholder="41000" className="w-24 rounded border border-gray-300 bg-white px-2 py-1 font-mono text-sm dark:border-gray-600 dark:bg-gray-900" />
          </div>
          <button type="submit" disabled={!open || busy || joined || !joinPort} className="rounded-md bg-emerald-700 px-3 py-1 text-sm font-semibold text-white hover:bg-emerald-800 disabled:opacity-50">
            Join
          </button>
        </form>
      </section>
    </div>
  );
}
