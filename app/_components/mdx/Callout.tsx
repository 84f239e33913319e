import type { ReactNode } from 'react';

const STYLES = {
  note: { label: 'Note', cls: 'border-sky-300 bg-sky-50 dark:border-sky-800 dark:bg-sky-950/40' },
  tip: { label: 'Tip', cls: 'border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950/40' },
  warning: { label: 'Careful', cls: 'border-amber-300 bg-amber-50 dark:border-amber-700 dark:bg-amber-950/40' },
  deeper: { label: 'Going deeper', cls: 'border-violet-300 bg-violet-50 dark:border-violet-800 dark:bg-violet-950/40' },
} as const;

export function Callout({ type = 'note', title, children }: { type?: keyof typeof STYLES; title?: string; children: ReactNode }) {
  const s = STYLES[type] ?? STYLES.note;
  return (
    <aside className={`my-6 rounded-lg border-l-4 px-4 py-1 ${s.cls}`} aria-label={title ?? s.label}>
      <p className="font-semibold">
        {title ?? s.label}
      </p>
      {children}
    </aside>
  );
}
