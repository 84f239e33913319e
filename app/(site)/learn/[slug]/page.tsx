import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { LESSON_SLUGS, isLessonSlug } from '@/content/lessons';
import { getLesson, getLessonMeta } from '@/app/_lib/lessons';
import { SECTION_HEADINGS } from '@/app/_lib/toc';
import { InlineCode } from '@/app/_components/InlineCode';
import { LessonProvider } from '@/app/_components/LessonContext';
import { PrevNext } from '@/app/_components/PrevNext';
import { ReadMarker } from '@/app/_components/ReadMarker';
import { TableOfContents } from '@/app/_components/TableOfContents';

type Params = Promise<{ slug: string }>;

export const dynamicParams = false;

export function generateStaticParams() {
  return LESSON_SLUGS.map((slug) => ({ slug }));
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug } = await params;
  if (!isLessonSlug(slug)) return {};
  const meta = await getLessonMeta(slug);
  return { title: meta.title, description: meta.summary };
}

export default async function LessonPage({ params }: { params: Params }) {
  const { slug } = await params;
  if (!isLessonSlug(slug)) notFound();
  const lesson = await getLesson(slug);
  const i = LESSON_SLUGS.indexOf(slug);
  const [prev, next] = await Promise.all([
    i > 0 ? getLessonMeta(LESSON_SLUGS[i - 1]) : undefined,
    i < LESSON_SLUGS.length - 1 ? getLessonMeta(LESSON_SLUGS[i + 1]) : undefined,
  ]);
  const { Content } = lesson;

  return (
    <div className="lg:grid lg:grid-cols-[minmax(0,1fr)_14rem] lg:gap-10">
      <article className="min-w-0">
        <header className="mb-6">
          <p className="text-sm font-medium text-blue-700 dark:text-blue-300">
            Lesson {lesson.order} of {LESSON_SLUGS.length}
            {lesson.minutes ? ` · ${lesson.minutes} min` : ''}
          </p>
          <h1 className="mt-1 text-3xl font-extrabold tracking-tight sm:text-4xl">{lesson.title}</h1>
          <p className="mt-2 text-lg text-gray-700 dark:text-gray-300">
            <InlineCode text={lesson.summary} />
          </p>
        </header>
        <TableOfContents entries={lesson.toc} variant="collapsed" />
        <section aria-labelledby={SECTION_HEADINGS.objectives.id} className="mb-8 rounded-xl border border-gray-200 bg-gray-50 px-5 py-4 dark:border-gray-800 dark:bg-gray-900/60">
          <h2 id={SECTION_HEADINGS.objectives.id} className="scroll-mt-20 text-lg font-bold">
            {SECTION_HEADINGS.objectives.text}
          </h2>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {lesson.objectives.map((o) => (
              <li key={o}>
                <InlineCode text={o} />
              </li>
            ))}
          </ul>
        </section>
        <div className="prose prose-gray max-w-none dark:prose-invert prose-headings:scroll-mt-20 prose-code:before:content-none prose-code:after:content-none prose-pre:bg-transparent prose-pre:p-0 prose-a:text-blue-700 dark:prose-a:text-blue-300">
          <LessonProvider slug={slug}>
            <Content />
          </LessonProvider>
        </div>
        <ReadMarker slug={slug} />
        <PrevNext prev={prev && { slug: prev.slug, title: prev.title }} next={next && { slug: next.slug, title: next.title }} />
      </article>
      <aside className="hidden lg:block">
        <TableOfContents entries={lesson.toc} variant="sidebar" />
      </aside>
    </div>
  );
}
