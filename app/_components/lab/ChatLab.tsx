'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useLabSession } from '@/app/_lib/lab/use-lab-session';
import { ChatTextStream, classify, type ChatLine } from '@/app/_lib/lab/chat-lines';
import { ChatMessages } from './ChatMessages';
import { ChatServerSetup, type ServerInfo } from './ChatServerSetup';
import { KernelPanel } from './KernelPanel';
import { LabStatus } from './LabStatus';
import { ServerStepLog } from './ServerStepLog';

const MAX_LINES = 500;

/**
 * The capstone's live chat: the learner starts a chat server step by step on the lab engine (or
 * joins one already running), and chats from the browser through a real lab TCP client socket,
 * with terminals (nc, python3 client.py) joining the same server. Every call the server makes is
 * in its step log; the kernel panel shows one connection per client.
 */
export default function ChatLab() {
  const lab = useLabSession();
  const { state, status } = lab;
  const [server, setServer] = useState<ServerInfo | null>(null);
  const [joined, setJoined] = useState<{ sock: string; port: number } | null>(null);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const lineId = useRef(0);

  // A fresh session (first load, reset, reconnect after a restart) starts from nothing.
  useEffect(() => {
    setServer(null);
    setJoined(null);
    setLines([]);
    setProblem(null);
  }, [lab.generation]);

  const addLines = useCallback((texts: string[], kind?: ChatLine['kind']) => {
    setLines((prev) => [...prev, ...texts.map((text) => ({ id: ++lineId.current, kind: kind ?? classify(text), text }))].slice(-MAX_LINES));
  }, []);

  /** socket() + connect() for the browser's own client, then a recv() loop until EOF. */
  const join = useCallback(
    async (port: number, address = '127.0.0.1') => {
      setBusy(true);
      setProblem(null);
      try {
        const s = await lab.call('socket', { type: 'tcp', actor: 'you' });
        if (!s.ok) return setProblem(`socket(): ${s.error.code} ${s.error.message}`);
        const c = await lab.call('connect', { sock: s.result.sock, address, port });
        if (!c.ok) {
          await lab.call('close', { sock: s.result.sock });
          return setProblem(`connect(): ${c.error.code} ${c.error.message}`);
        }
        const sock = s.result.sock;
        setJoined({ sock, port });
        // One decoder for the whole connection: a character split between two reads stays whole.
        const text = new ChatTextStream();
        void (async () => {
          for (;;) {
            const r = await lab.call('recv', { sock, max: 4096 });
            if (!r.ok) {
              if (r.error.code === 'E_LIMIT') {
                await new Promise((res) => setTimeout(res, 250));
                continue;
              }
              if (r.error.code !== 'E_CANCELLED') addLines([`! recv(): ${r.error.code}`], 'error');
              break;
            }
            if ('eof' in r.result) {
              addLines(text.end());
              addLines(['* the server closed the connection'], 'notice');
              break;
            }
            addLines(text.pushBase64(r.result.base64));
          }
          setJoined((j) => (j?.sock === sock ? null : j));
        })();
      } finally {
        setBusy(false);
      }
    },
    [lab, addLines],
  );

  const say = useCallback(
    async (text: string) => {
      if (!joined) return;
      const r = await lab.call('send', { sock: joined.sock, data: `${text}\n` });
      if (!r.ok) addLines([`! send(): ${r.error.code} ${r.error.message}`], 'error');
      else if (!text.startsWith('/')) addLines([`<you> ${text}`], 'self');
    },
    [joined, lab, addLines],
  );

  const leave = useCallback(async () => {
    if (!joined) return;
    await lab.call('close', { sock: joined.sock });
    setJoined(null);
  }, [joined, lab]);

  return (
    <section aria-label="Live lab: a chat server" className="not-prose my-8 space-y-3 rounded-2xl border border-gray-300 bg-white p-3 text-gray-900 shadow-sm sm:p-4 dark:border-gray-700 dark:bg-gray-950 dark:text-gray-100" data-testid="chat-lab">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h3 className="m-0 text-base font-bold">Live lab: a chat server of your own</h3>
        <LabStatus status={status} hello={state.hello} />
        <button type="button" onClick={lab.reset} className="ml-auto rounded-md border border-gray-400 px-3 py-1 text-sm hover:bg-gray-100 dark:hover:bg-gray-800">
          Reset (close everything)
        </button>
      </header>
      {lab.notice ? (
        <p role="alert" className="m-0 rounded-lg border border-amber-400 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950/40">
          {lab.notice}
        </p>
      ) : null}
      <ChatServerSetup lab={lab} server={server} onRunning={setServer} joined={joined !== null} busy={busy} onJoin={join} />
      {problem ? (
        <p role="alert" className="m-0 text-sm text-red-800 dark:text-red-300">
          {problem}
        </p>
      ) : null}
      <div className="grid gap-3 lg:grid-cols-2">
        <ChatMessages lines={lines} connected={joined !== null} onSay={say} onLeave={leave} />
        <ServerStepLog steps={state.steps} actor="chat server" />
      </div>
      <KernelPanel rows={state.kernel} previous={state.kernelPrevious} error={state.kernelError} source={state.hello?.kernelView} />
    </section>
  );
}
