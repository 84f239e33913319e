'use client';
import { memo } from 'react';
import { ERRNO_MEANINGS } from '@/server/protocol/meanings';
import { callForReady, reventMeaning } from '@/app/_lib/lab/poll-form';
import { describeCall, describeResult, type SockView, type StepView } from '@/app/_lib/lab/state';

/** The newest poll()'s answer: each polled socket's revents, each in words, or the refusal and why. */
export const PollAnswer = memo(function PollAnswer({ step, sockets }: { step: StepView; sockets: SockView[] }) {
  if (step.op !== 'poll') return null;
  if (step.status === 'error') {
    const code = step.error?.code ?? 'error';
    return (
      <div className="mt-2 rounded-md border-l-4 border-red-600 bg-red-50 px-2 py-1 text-xs text-red-950 dark:border-red-500 dark:bg-red-950/40 dark:text-red-50" data-testid="poll-answer" data-outcome="error" data-seq={step.seq}>
        <p className="m-0 font-mono">
          {describeCall(step)} <span className="font-semibold">{describeResult(step)}</span>
        </p>
        <p className="m-0 mt-0.5">
          {code === 'E_CANCELLED' ? 'Cancelled: one of its sockets was closed while it waited.' : (ERRNO_MEANINGS[code]?.meaning ?? '')} {step.error?.message}
        </p>
      </div>
    );
  }
  if (step.status !== 'ok' || !step.result) return null;
  return (
    <div className="mt-2 rounded-md border-l-4 border-emerald-600 bg-emerald-50 px-2 py-1 text-xs text-emerald-950 dark:border-emerald-500 dark:bg-emerald-950/40 dark:text-emerald-50" data-testid="poll-answer" data-outcome="ok" data-seq={step.seq}>
      <p className="m-0 font-mono">
        {describeCall(step)} <span className="font-semibold">{describeResult(step)}</span>
      </p>
      <ul className="m-0 mt-1 list-none space-y-0.5 p-0">
        {step.result.socks.map((p) => {
          const sock = sockets.find((s) => s.handle === p.sock);
          const next = callForReady(p.revents, sock);
          return (
            <li key={p.sock} data-poll-result={p.sock} data-revents={p.revents.join(' ')}>
              <span className="font-mono font-bold">{p.sock}</span>{' '}
              {p.revents.length ? (
                <>
                  <span className="font-mono font-semibold">{p.revents.join(' | ')}</span>: {p.revents.map((r) => reventMeaning(r, sock)).join('; ')}
                  {next && next !== 'send' ? (
                    <>
                      {' '}
                      → call <span className="font-mono">{next}()</span> on {p.sock}.
                    </>
                  ) : null}
                </>
              ) : (
                <span>nothing ready: {sock?.listening ? 'an accept()' : sock?.type === 'udp' ? 'a recvfrom()' : 'a recv()'} here would block.</span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
});
