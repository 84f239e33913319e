'use client';
import Link from 'next/link';
import { useClassMembership } from '@/app/_lib/class/class-store';
import { useClass } from '@/app/_lib/class/use-class';
import { SocketLab } from '../mdx/SocketLab';

const BUTTON = 'inline-block rounded-lg border border-gray-400 px-4 py-2 font-medium hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800';

/** The read-only mirror of the lab the instructor presents; it switches when they present another. */
export function FollowInstructor() {
  const membership = useClassMembership();
  const cls = useClass();
  const watch = cls.status === 'connected' || cls.status === 'reconnecting' ? cls.presenting : null;

  let message: string;
  if (!membership) message = 'This browser is not in a class, so there is no instructor to follow.';
  else if (cls.status === 'connecting' || cls.status === 'idle') message = 'Connecting to your class…';
  else if (!watch) message = 'Your instructor is not presenting a lab right now. It appears here as soon as they do.';
  else message = 'Your instructor is presenting. The lab below follows their calls as they make them.';

  return (
    <div className="mt-4 space-y-3" data-testid="follow-instructor">
      <div className="flex flex-wrap items-center gap-3">
        <p className="m-0 text-gray-800 dark:text-gray-200" role="status" aria-live="polite" data-testid="follow-status">
          {message}
        </p>
        <Link href="/lab" className={`${BUTTON} sm:ml-auto`}>
          Back to your own sandbox
        </Link>
        {!membership ? (
          <Link href="/class" className={BUTTON}>
            Join a class
          </Link>
        ) : null}
      </div>
      {watch ? <SocketLab key={watch} watch={watch} /> : null}
    </div>
  );
}
