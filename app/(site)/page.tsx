import { CourseMap } from '../_components/CourseMap';
import { CourseStart } from '../_components/CourseStart';
import { getAllLessonMeta } from '../_lib/lessons';

export default async function Home() {
  const lessons = await getAllLessonMeta();
  const entries = lessons.map(({ slug, order, title, summary, minutes }) => ({ slug, order, title, summary, minutes }));
  return (
    <>
      <section className="mb-10 max-w-3xl">
        <h1 className="text-3xl font-extrabold tracking-tight sm:text-4xl">How network sockets really work</h1>
        <p className="mt-3 text-lg text-gray-700 dark:text-gray-300">
          Eighteen short lessons, from what a network is to a chat server of your own. Beside them, live demos where every
          click is one real system call (<code>socket</code>, <code>bind</code>, <code>listen</code>, <code>accept</code>,{' '}
          <code>connect</code>, <code>send</code>, <code>recv</code>) on a real kernel socket, with the kernel&apos;s own view
          of what happened.
        </p>
        <CourseStart lessons={entries} />
      </section>
      <CourseMap lessons={entries} />
    </>
  );
}
