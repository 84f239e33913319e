import type { ReactNode } from 'react';
import { SECTION_HEADINGS } from '@/app/_lib/toc';
import { SectionHeading } from './SectionHeading';

/** "Try it in your terminal": an exercise with commands (fenced code blocks get copy buttons). */
export function TryIt({ children }: { children: ReactNode }) {
  const h = SECTION_HEADINGS.TryIt;
  return (
    <section aria-labelledby={h.id} className="not-prose-spacing my-10 rounded-xl border border-emerald-300 bg-emerald-50/60 px-5 py-1 dark:border-emerald-800 dark:bg-emerald-950/30">
      <SectionHeading id={h.id}>
        {h.text}
      </SectionHeading>
      {children}
    </section>
  );
}
