'use client';
import { useEffect, useMemo, useState } from 'react';
import { hydrateSteps, MAX_SESSION_BYTES, openSessionLink, openSessionText, LINK_PREFIX, type OpenError, type SessionFile } from '@/app/_lib/lab/session-file';
import { replayPlan } from '@/app/_lib/lab/replayer';
import { labAt, lanesOf, lastStepBySock, EMPTY_LAB, kernelAt } from '@/app/_lib/lab/state';
import { count, NOUNS } from '@/app/_lib/plural';
import { SocketLab } from '../mdx/SocketLab';
import { ActorLanes } from './ActorLanes';
import { CoachLine } from './CoachLine';
import { KernelPanel } from './KernelPanel';
import { RewindBar } from './RewindBar';
import { Timeline } from './Timeline';

const noCall = () => {};

/**
 * A saved session, opened from a file or a link: read-only, one recorded step at a time, with the
 * real results and kernel views; "Run it again" makes the same calls live in a new lab session.
 */
export function SessionReplay() {
  const [session, setSession] = useState<SessionFile | null>(null);
  const [error, setError] = useState<OpenError | null>(null);
  const [seq, setSeq] = useState<number | null>(null);
  const [live, setLive] = useState(false);

  function opened(r: Awaited<ReturnType<typeof openSessionLink>>) {
    if (r.ok) {
      setSession(r.session);
      setError(null);
      setLive(false);
      setSeq(r.session.steps.length ? Math.min(...r.session.steps.map((s) => s.seq)) : null);
    } else {
      setError(r.error);
    }
  }

  useEffect(() => {
    const load = () => {
      if (location.hash.startsWith(LINK_PREFIX)) void openSessionLink(location.hash).then(opened);
    };
    load();
    window.addEventListener('hashchange', load);
    return () => window.removeEventListener('hashchange', load);
  }, []);

  async function openFile(file: File | undefined) {
    if (!file) return;
    if (file.size > MAX_SESSION_BYTES) {
      setError({ code: 'E_TOO_BIG', message: `This file is ${Math.ceil(file.size / 1024)} KB; a saved session is at most ${MAX_SESSION_BYTES / 1024} KB.` });
      return;
    }
    opened(openSessionText(await file.text()));
  }

  const steps = useMemo(() => (session ? hydrateSteps(session) : []), [session]);
  const past = useMemo(() => (session && seq !== null ? labAt(steps, session.kernel, seq) : null), [session, steps, seq]);
  const shown = past ? { ...EMPTY_LAB, steps: past.steps, sockets: past.sockets, kernel: past.kernel } : EMPTY_LAB;
  const lanes = lanesOf(shown);
  const lastSteps = useMemo(() => lastStepBySock(shown.steps), [shown.steps]);
  const runAgain = useMemo(() => (session ? replayPlan(session.steps) : []), [session]);

  return (
    <div className="mt-6 space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="block font-medium">Open a session file (.json)</span>
          <input type="file" accept=".json,application/json" onChange={(e) => void openFile(e.target.files?.[0])} className="mt-1 text-sm" data-testid="session-file-input" />
        </label>
        <p className="m-0 max-w-md text-xs text-gray-600 dark:text-gray-400">Or open a session link: its session travels in the part after #, which your browser never sends to any server.</p>
      </div>
      {error ? (
        <p role="alert" className="m-0 rounded-lg border border-red-400 bg-red-50 p-2 text-sm text-red-900 dark:border-red-700 dark:bg-red-950/40 dark:text-red-100" data-testid="session-error" data-code={error.code}>
          {error.message}
        </p>
      ) : null}
      {session && live ? (
        <>
          <p className="m-0 text-sm">
            Running <strong>{session.title}</strong> again, live.{' '}
            <button type="button" onClick={() => setLive(false)} className="text-blue-700 underline dark:text-blue-300">
              Back to the recording
            </button>
          </p>
          <SocketLab title={`${session.title} (again, live)`} headingLevel={2} runAgain={runAgain} />
        </>
      ) : session ? (
        <section aria-labelledby="saved-heading" className="space-y-3 rounded-2xl border border-gray-300 p-3 sm:p-4 dark:border-gray-700" data-testid="session-replay">
          <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <h2 id="saved-heading" className="m-0 text-base font-bold">
              Saved session: {session.title}
            </h2>
            <p className="m-0 text-xs text-gray-700 dark:text-gray-300">
              saved {new Date(session.savedAt).toLocaleString()} · {count(session.steps.length, NOUNS.call)} · engine: {session.engine} · read-only
            </p>
            <button type="button" onClick={() => setLive(true)} disabled={!runAgain.length} className="ml-auto rounded-md bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50" data-testid="run-again">
              Run it again
            </button>
          </header>
          {seq !== null ? (
            <RewindBar steps={steps} seq={seq} onSeq={setSeq} label="Recorded" replayNote="Run it again makes every call of this session for real, on new sockets, in a live lab." />
          ) : (
            <p className="m-0 text-sm">This session has no calls.</p>
          )}
          {past ? <CoachLine step={past.steps[past.steps.length - 1]} sockets={past.sockets} kernel={past.kernel} /> : null}
          <ActorLanes lanes={lanes} sockets={shown.sockets} kernel={shown.kernel} policy={null} connected={false} readOnly showClosed={false} lastSteps={lastSteps} onCall={noCall} />
          <KernelPanel rows={shown.kernel} previous={past ? (kernelAt(session.kernel, (past.kernelAfterSeq ?? 1) - 1)?.rows ?? []) : []} error={null} recordedAfter={past ? past.kernelAfterSeq : undefined} />
          <Timeline steps={shown.steps} sockets={shown.sockets} lanes={lanes} onRewind={setSeq} />
        </section>
      ) : null}
    </div>
  );
}
