import type { Metadata } from 'next';
import { GLOSSARY, lessonHref, lessonNumber, scenarioHref, type GlossaryItem } from '@/app/_lib/glossary';
import { getAllLessonMeta } from '@/app/_lib/lessons';
import { SCENARIOS } from '@/content/scenarios';
import { GlossarySearch } from '@/app/_components/GlossarySearch';

export const metadata: Metadata = {
  title: 'Glossary',
  description: 'Every errno and socket state the lab shows, in plain words, with the lesson and the live scenario that show it.',
};

export default async function GlossaryPage() {
  const lessons = await getAllLessonMeta();
  const titles = new Map(lessons.map((l) => [l.slug, l.title]));
  const items: GlossaryItem[] = GLOSSARY.map((e) => ({
    term: e.term,
    kind: e.kind,
    meaning: e.meaning,
    cause: e.cause,
    lesson: e.lesson ? { href: lessonHref(e.lesson), label: `Lesson ${lessonNumber(e.lesson)}: ${titles.get(e.lesson)}` } : undefined,
    scenario: e.scenario ? { href: scenarioHref(e.scenario), label: SCENARIOS[e.scenario].title } : undefined,
  }));
  return (
    <>
      <h1 className="text-3xl font-extrabold tracking-tight">Glossary</h1>
      <p className="mt-2 max-w-3xl text-gray-700 dark:text-gray-300">
        The error codes and socket states you meet in the lab and the lessons, in plain words. Error codes (errno) are the
        kernel&apos;s answers to a call; codes that start with <code>E_</code> are the lab&apos;s own. States are what the
        kernel&apos;s socket table says about a socket, as <code>ss</code> shows it.
      </p>
      <GlossarySearch items={items} />
    </>
  );
}
