'use client';
import { useId, useState } from 'react';
import { importProgress, useProgress } from '../_lib/progress';
import { mergeProgress, progressCode, progressFile, readProgressCode, readProgressFile, summarize, type Imported } from '../_lib/progress-transfer';
import { count, NOUNS } from '../_lib/plural';

const BUTTON = 'rounded-md border border-gray-300 px-3 py-1.5 text-sm hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800';

/** Progress to another browser and back, with no account: a file, or a short code. */
export function ProgressTransfer() {
  const id = useId();
  const progress = useProgress();
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<{ text: string; bad: boolean } | null>(null);
  const myCode = progressCode(progress);

  function take(r: Imported) {
    if (!r.ok) {
      setMessage({ text: r.message, bad: true });
      return;
    }
    const merged = importProgress((mine) => mergeProgress(mine, r.progress));
    const got = summarize(r.progress);
    const now = summarize(merged);
    setMessage({
      text: `Imported ${count(got.read, NOUNS.lesson)} read and ${count(got.passed, NOUNS.quiz)} passed. This browser now has ${count(now.read, NOUNS.lesson)} read and ${count(now.passed, NOUNS.quiz)} passed.`,
      bad: false,
    });
  }

  function download() {
    const url = URL.createObjectURL(new Blob([progressFile(progress)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'socketlab-progress.json';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <details className="mt-4 rounded-xl border border-gray-200 p-3 dark:border-gray-800" data-testid="progress-transfer">
      <summary className="cursor-pointer font-semibold">Move your progress to another browser</summary>
      <p className="m-0 mt-2 text-sm text-gray-700 dark:text-gray-300">
        Your progress lives in this browser only. Take it with you as a file or a code, and bring it in on the other side: it
        merges with what is there.
      </p>
      <div className="mt-3 grid gap-4 md:grid-cols-2">
        <div>
          <h3 className="m-0 text-sm font-bold">Export</h3>
          <button type="button" onClick={download} className={`${BUTTON} mt-2`} data-testid="progress-download">
            Download progress file
          </button>
          <p className="m-0 mt-2 text-sm">Or this code:</p>
          {myCode ? (
            <output className="mt-1 block break-all rounded bg-gray-100 px-2 py-1 font-mono text-sm dark:bg-gray-800" data-testid="progress-code">
              {myCode}
            </output>
          ) : (
            <p className="m-0 mt-1 text-sm">(A quiz here is too long for a code: use the file.)</p>
          )}
        </div>
        <div>
          <h3 className="m-0 text-sm font-bold">Import</h3>
          <label className="mt-2 block text-sm">
            <span className="block">A progress file</span>
            <input
              type="file"
              accept=".json,application/json"
              className="mt-1 text-sm"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) take(f.size > 256 * 1024 ? { ok: false, message: 'This file is too big to be a progress file.' } : readProgressFile(await f.text()));
              }}
              data-testid="progress-file"
            />
          </label>
          <form
            className="mt-2 flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              take(readProgressCode(code));
            }}
          >
            <label htmlFor={`${id}-code`} className="block text-sm">
              <span className="block">or a code</span>
              <input id={`${id}-code`} value={code} onChange={(e) => setCode(e.target.value)} placeholder="SL-…" spellCheck={false} autoComplete="off" className="mt-1 w-64 max-w-full rounded border border-gray-400 bg-white px-2 py-1 font-mono text-sm dark:border-gray-600 dark:bg-gray-900" data-testid="progress-code-input" />
            </label>
            <button type="submit" className={BUTTON} data-testid="progress-import">
              Import code
            </button>
          </form>
        </div>
      </div>
      {message ? (
        <p role="status" className={`m-0 mt-3 text-sm ${message.bad ? 'text-red-800 dark:text-red-200' : 'text-emerald-800 dark:text-emerald-200'}`} data-testid="progress-message">
          {message.text}
        </p>
      ) : null}
    </details>
  );
}
