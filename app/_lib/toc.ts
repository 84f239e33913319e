/**
 * The lesson's table of contents: "What you will learn", then the lesson's outline, which the MDX
 * pipeline exports from each lesson module (scripts/rehype-outline.mjs): its `##` headings with the
 * ids rehype-slug gave them on the rendered page, and the fixed sections that skeleton components
 * render (TryIt, Quiz, Recap).
 */

export interface TocEntry {
  id: string;
  text: string;
}

/** Headings the skeleton components render themselves; their ids are fixed. */
export const SECTION_HEADINGS = {
  objectives: { id: 'what-you-will-learn', text: 'What you will learn' },
  TryIt: { id: 'try-it-in-your-terminal', text: 'Try it in your terminal' },
  Quiz: { id: 'check-yourself', text: 'Check yourself' },
  Recap: { id: 'recap', text: 'Recap' },
} as const;

/** One item of a lesson's `outline` export: a heading of the page, or a skeleton section. */
export type OutlineItem = TocEntry | { section: 'TryIt' | 'Quiz' | 'Recap' };

export function tocFromOutline(outline: readonly OutlineItem[]): TocEntry[] {
  return [SECTION_HEADINGS.objectives, ...outline.map((item) => ('section' in item ? SECTION_HEADINGS[item.section] : item))];
}
