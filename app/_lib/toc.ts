/**
 * The lesson's table of contents, read from the MDX source: its `## ` headings plus the fixed
 * sections that skeleton components render (TryIt, Quiz, Recap). Ids match rehype-slug's, which
 * uses the same slugger on the same text.
 */
import GithubSlugger from 'github-slugger';

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

function plainText(markdown: string): string {
  return markdown
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]*)\*\*/g, '$1')
    .replace(/\*([^*]*)\*/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
}

export function extractToc(mdx: string): TocEntry[] {
  const slugger = new GithubSlugger();
  const entries: TocEntry[] = [SECTION_HEADINGS.objectives];
  /** The open fence: its character and length (a fence closes only with at least as many, and no info string). */
  let fence: { char: string; length: number } | null = null;
  let inFrontmatter = false;
  const lines = mdx.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (i === 0 && line.trim() === '---') {
      inFrontmatter = true;
      return;
    }
    if (inFrontmatter) {
      if (line.trim() === '---') inFrontmatter = false;
      return;
    }
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fenceMatch) {
      const [, marks, info] = fenceMatch;
      if (fence === null) fence = { char: marks[0], length: marks.length };
      else if (marks[0] === fence.char && marks.length >= fence.length && info.trim() === '') fence = null;
      return;
    }
    if (fence !== null) return;
    // Up to three spaces of indent; a closing run of #s only counts when a space precedes it.
    const h2 = /^ {0,3}##[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (h2) {
      const text = plainText(h2[1]);
      entries.push({ id: slugger.slug(text), text });
      return;
    }
    const tag = /^ {0,3}<(TryIt|Quiz|Recap)\b/.exec(line);
    if (tag) entries.push(SECTION_HEADINGS[tag[1] as 'TryIt' | 'Quiz' | 'Recap']);
  });
  return entries;
}
