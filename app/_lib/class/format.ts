/**
 * Words and small values for the class pages: error tallies as sentences, lesson names from slugs,
 * progress cells of the instructor's matrix, and the QR code as an image URL. Pure, so tested.
 */
import { LESSON_SLUGS, isLessonSlug } from '@/content/lessons';
import type { LessonProgressReport } from '@/server/protocol/class';

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export interface Tally {
  code: string;
  students: number;
  calls: number;
}

/** "12 students got EADDRINUSE (30 calls)". */
export function tallySentence(t: Tally): string {
  return `${plural(t.students, 'student')} got ${t.code} (${plural(t.calls, 'call')})`;
}

/** Most students first, then most calls, then by code, so the list does not jump between updates. */
export function sortTallies<T extends Tally>(tallies: readonly T[]): T[] {
  return [...tallies].sort((a, b) => b.students - a.students || b.calls - a.calls || a.code.localeCompare(b.code));
}

/** "lesson 12 (how the web works)"; an unknown slug is shown as it is. */
export function lessonLabel(slug: string): string {
  const i = (LESSON_SLUGS as readonly string[]).indexOf(slug);
  if (i < 0) return slug;
  return `lesson ${i + 1} (${slug.replace(/-/g, ' ')})`;
}

/** Where an "open this lesson" push goes: the lesson, or the course map for null or an unknown slug. */
export function lessonHref(slug: string | null): string {
  return slug && isLessonSlug(slug) ? `/learn/${slug}` : '/';
}

export function lessonTotals(lessons: Record<string, LessonProgressReport>): { read: number; passed: number } {
  let read = 0;
  let passed = 0;
  for (const slug of LESSON_SLUGS) {
    const l = lessons[slug];
    if (l?.read) read++;
    if (l?.quiz?.passed) passed++;
  }
  return { read, passed };
}

export interface MatrixCell {
  /** What the cell shows: ✓ for read, the quiz score when there is one, a dash for nothing yet. */
  text: string;
  /** The same in words, for screen readers. */
  label: string;
  tone: 'none' | 'read' | 'passed' | 'failed';
}

export function matrixCell(l: LessonProgressReport | undefined): MatrixCell {
  const cell = quizCell(l);
  const challenges = l?.challenges?.length ?? 0;
  if (!challenges) return cell;
  const said = `${challenges} challenge${challenges === 1 ? '' : 's'} passed`;
  return {
    text: `${cell.tone === 'none' ? '' : `${cell.text} `}★${challenges}`,
    label: cell.tone === 'none' ? said : `${cell.label}, ${said}`,
    tone: cell.tone === 'none' ? 'read' : cell.tone,
  };
}

function quizCell(l: LessonProgressReport | undefined): MatrixCell {
  if (l?.quiz) {
    const { score, total, passed } = l.quiz;
    const read = l.read ? 'read, ' : '';
    return {
      text: `${l.read ? '✓ ' : ''}${score}/${total}`,
      label: `${read}quiz ${score} of ${total}, ${passed ? 'passed' : 'not passed'}`,
      tone: passed ? 'passed' : 'failed',
    };
  }
  if (l?.read) return { text: '✓', label: 'read', tone: 'read' };
  return { text: '–', label: 'not started', tone: 'none' };
}

/** The server's SVG as an <img> source: an image cannot run script, unlike SVG put into the page. */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** Hours, minutes and seconds on this machine's clock. */
export function clock(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A file name for the summary download: letters, digits and dashes only. */
export function summaryFileName(code: string, at: Date): string {
  const day = at.toISOString().slice(0, 10);
  return `socketlab-class-${code.replace(/[^A-Za-z0-9]/g, '') || 'summary'}-${day}.csv`;
}

/** A lesson as the instructor's page lists it (titles come from the lessons' frontmatter). */
export interface LessonEntry {
  slug: string;
  order: number;
  title: string;
}
