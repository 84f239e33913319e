'use client';
import { useState } from 'react';
import { makeSessionFile, sessionLinkFragment, type SessionFile } from '@/app/_lib/lab/session-file';

const BUTTON = 'rounded-md border border-gray-400 px-2 py-0.5 text-xs hover:bg-gray-100 disabled:opacity-50 dark:hover:bg-gray-800';

function fileName(session: SessionFile): string {
  const slug = session.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'session';
  return `socketlab-${slug}-${session.savedAt.slice(0, 19).replace(/[:T]/g, '-')}.json`;
}

/** Keep this session: as a file to hand in, or as a link that replays it in any browser. */
export function SaveSession({ build }: { build: () => Parameters<typeof makeSessionFile>[0] | null }) {
  const [message, setMessage] = useState<{ text: string; link?: string; bad?: boolean } | null>(null);

  function download() {
    const args = build();
    if (!args) return;
    const session = makeSessionFile(args);
    const url = URL.createObjectURL(new Blob([JSON.stringify(session, null, 1)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName(session);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setMessage({ text: `Saved ${a.download}. Open it on the replay page to step through it, or hand it in.` });
  }

  async function link() {
    const args = build();
    if (!args) return;
    const made = await sessionLinkFragment(makeSessionFile(args));
    if (!made.ok) {
      setMessage({ text: made.message, bad: true });
      return;
    }
    const url = `${location.origin}/lab/replay${made.fragment}`;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      /* no clipboard permission: the link is shown to copy by hand */
    }
    setMessage({ text: copied ? 'Link copied. Anyone who opens it steps through this session, read-only.' : 'Copy this link: anyone who opens it steps through this session, read-only.', link: url });
  }

  // Its parts join the lab's toolbar row (display: contents), so they wrap with its other tools.
  return (
    <div className="contents">
      <button type="button" onClick={download} className={BUTTON} data-testid="save-file">
        Save as file
      </button>
      <button type="button" onClick={() => void link()} className={BUTTON} data-testid="save-link">
        Copy link
      </button>
      <a href="/lab/replay" className="text-xs text-blue-700 underline dark:text-blue-300">
        Open a saved session
      </a>
      {message ? (
        <div className={`basis-full text-xs ${message.bad ? 'text-red-800 dark:text-red-200' : 'text-gray-700 dark:text-gray-300'}`} role="status" data-testid="save-message">
          <p className="m-0">{message.text}</p>
          {message.link ? (
            <input readOnly value={message.link} onFocus={(e) => e.currentTarget.select()} aria-label="Link to this session" className="mt-1 w-full rounded border border-gray-300 bg-white px-1 font-mono text-xs dark:border-gray-600 dark:bg-gray-900" data-testid="session-link" />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
