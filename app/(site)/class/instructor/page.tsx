import type { Metadata } from 'next';
import { InstructorDashboard } from '@/app/_components/class/InstructorDashboard';
import { getAllLessonMeta } from '@/app/_lib/lessons';

export const metadata: Metadata = {
  title: 'Class dashboard',
  description: 'The instructor’s dashboard for a Socket Lab class.',
  robots: { index: false, follow: false },
};

export default async function InstructorPage() {
  const lessons = (await getAllLessonMeta()).map(({ slug, order, title }) => ({ slug, order, title }));
  return (
    <>
      <h1 className="mb-4 text-3xl font-extrabold tracking-tight">Class dashboard</h1>
      <InstructorDashboard lessons={lessons} />
    </>
  );
}
