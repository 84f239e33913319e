import type { ReactNode } from 'react';
import { SECTION_HEADINGS } from '@/app/_lib/toc';
import { SectionHeading } from './SectionHeading';

/** The lesson's closing summary: a short list of what to remember. */
export function Recap({ children }: { children: ReactNode }) {
  const h = SECTION_HEADINGS.Recap;
  return (
    <section aria-labelledby={h.id} className="my-10 rounded-xl border border-blue-200 bg-blue-50/60 px-5 py-1 dark:border-blue-900 dark:bg-blue-950/30">
      <SectionHeading id={h.id}>{h.text}</SectionHeading>
      {children}
    </section>
  );
}
