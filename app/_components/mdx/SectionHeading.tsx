import type { ReactNode } from 'react';

/** An h2 with a fixed id, so skeleton sections can be linked from the table of contents. */
export function SectionHeading({ id, children }: { id: string; children: ReactNode }) {
  return (
    <h2 id={id} className="scroll-mt-20">
      {children}
    </h2>
  );
}
