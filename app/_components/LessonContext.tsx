'use client';
import { createContext, useContext, type ReactNode } from 'react';

/** Which lesson the components inside the MDX belong to (the quiz saves its result under it). */
const LessonSlugContext = createContext<string | null>(null);

export function LessonProvider({ slug, children }: { slug: string; children: ReactNode }) {
  return <LessonSlugContext.Provider value={slug}>{children}</LessonSlugContext.Provider>;
}

export function useLessonSlug(): string | null {
  return useContext(LessonSlugContext);
}
