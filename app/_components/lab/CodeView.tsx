'use client';
import { useMemo, useState } from 'react';
import type { Step } from '@/server/protocol';
import { generatePrograms, type Language } from '@/app/_lib/lab/codegen';
import { CopyButton } from '../mdx/CopyButton';

const TABS: { id: Language; label: string; run: string }[] = [
  { id: 'python', label: 'Python', run: 'python3 FILE' },
  { id: 'c', label: 'C', run: 'cc -o prog FILE && ./prog' },
  { id: 'node', label: 'Node.js (TypeScript)', run: 'npx tsx FILE' },
];

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The session so far as real programs, one per program lane, updated after every step. */
export function CodeView({ steps }: { steps: Step[] }) {
  const [lang, setLang] = useState<Language>('python');
  const programs = useMemo(() => generatePrograms(steps, lang), [steps, lang]);
  const tab = TABS.find((t) => t.id === lang)!;
  return (
    <div>
      <div role="tablist" aria-label="Language" className="flex flex-wrap gap-1">
        {TABS.map((t) => (
          <button
            key={t.id}
            role="tab"
            type="button"
            aria-selected={lang === t.id}
            onClick={() => setLang(t.id)}
            className={`rounded-t-md border px-3 py-1 text-sm ${lang === t.id ? 'border-blue-600 bg-blue-600 font-semibold text-white dark:border-blue-400 dark:bg-blue-500 dark:text-gray-950' : 'border-gray-300 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800'}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tab.label} className="space-y-3 border-t border-gray-300 pt-3 dark:border-gray-600">
        {programs.length === 0 ? <p className="m-0 text-sm text-gray-600 dark:text-gray-400">Make a call and its program appears here.</p> : null}
        {programs.map((p) => (
          <figure key={p.fileName} className="m-0" data-copy-scope data-program={p.fileName}>
            <figcaption className="flex flex-wrap items-center gap-2 text-xs">
              <span className="font-mono font-semibold">{p.fileName}</span>
              <span className="text-gray-600 dark:text-gray-400">the &quot;{p.actor}&quot; program · run: {tab.run.replace('FILE', p.fileName)}</span>
              <span className="ml-auto flex gap-1">
                <CopyButton className="rounded border border-gray-300 px-2 py-0.5 dark:border-gray-600" />
                <button type="button" onClick={() => download(p.fileName, p.source)} className="rounded border border-gray-300 px-2 py-0.5 dark:border-gray-600">
                  Download <span className="sr-only">{p.fileName}</span>
                </button>
              </span>
            </figcaption>
            <pre className="m-0 mt-1 max-h-80 overflow-auto rounded bg-gray-50 p-2 font-mono text-xs dark:bg-gray-950" tabIndex={0}>
              {p.source}
            </pre>
          </figure>
        ))}
      </div>
    </div>
  );
}
