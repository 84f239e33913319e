/** The class a server starts with: a fresh one, or the stored one picked up after a restart. */
import { newSecret } from './class-codes.ts';
import type { ClassStore } from './class-store.ts';

/**
 * Makes a fresh class, or picks up the stored one after a restart (even an ended one, so its
 * summary can still be downloaded; `fresh` starts over). A given instructor key replaces the stored one.
 * Instances that start together on one shared store make one class between them: only the first
 * stores one (startClassIfNone), the others pick it up.
 */
export async function openClass(store: ClassStore, o: { title: string; code: string; instructorKey: string | null; fresh: boolean }): Promise<'new' | 'resumed'> {
  const made = { code: o.code, instructorKey: o.instructorKey ?? newSecret(), title: o.title, startedAt: Date.now() };
  if (o.fresh) {
    await store.startClass(made);
    return 'new';
  }
  if (await store.startClassIfNone(made)) return 'new';
  const existing = (await store.settings())!;
  if (o.instructorKey && o.instructorKey !== existing.instructorKey) await store.setInstructorKey(o.instructorKey);
  return 'resumed';
}
