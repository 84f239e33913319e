/** The class a server starts with: a fresh one, or the stored one picked up after a restart. */
import { newSecret } from './class-codes.ts';
import type { ClassStore } from './class-store.ts';

/**
 * Makes a fresh class, or picks up the stored one after a restart (even an ended one, so its
 * summary can still be downloaded; `fresh` starts over). A given instructor key replaces the stored one.
 */
export function openClass(store: ClassStore, o: { title: string; code: string; instructorKey: string | null; fresh: boolean }): 'new' | 'resumed' {
  const existing = store.settings();
  if (existing && !o.fresh) {
    if (o.instructorKey && o.instructorKey !== existing.instructorKey) store.setInstructorKey(o.instructorKey);
    return 'resumed';
  }
  store.startClass({ code: o.code, instructorKey: o.instructorKey ?? newSecret(), title: o.title, startedAt: Date.now() });
  return 'new';
}
