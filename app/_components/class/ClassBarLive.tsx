'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useProgress } from '@/app/_lib/progress';
import { classConnection, useClass } from '@/app/_lib/class/use-class';
import { toProgressReport } from '@/app/_lib/class/progress-report';
import { lessonHref, lessonLabel } from '@/app/_lib/class/format';

const STATUS_TEXT = {
  idle: 'not connected',
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  ended: 'the class has ended',
  left: 'not in the class',
} as const;

const LINK = 'rounded px-1.5 py-0.5 font-medium text-indigo-800 underline underline-offset-2 hover:bg-indigo-100 dark:text-indigo-200 dark:hover:bg-indigo-900/60';

/**
 * The student's class bar: which class, as whom, whether connected; links to follow the instructor
 * and to the class chat; "Leave class". Reports progress, and follows "open this lesson" pushes.
 */
export default function ClassBarLive() {
  const cls = useClass();
  const router = useRouter();
  const pathname = usePathname();
  const progress = useProgress();
  const { status, membership, notice, lessonPush } = cls;
  const inClass = status === 'connecting' || status === 'connected' || status === 'reconnecting';

  useEffect(() => {
    classConnection().setProgress(toProgressReport(progress));
  }, [progress]);

  useEffect(() => {
    if (lessonPush && classConnection().takeLessonPush(lessonPush.id)) router.push(lessonHref(lessonPush.slug));
  }, [lessonPush, router]);

  // Pushed news fades after a while; a warning (the lab was reset, the class ended) waits to be read.
  useEffect(() => {
    if (!notice || notice.tone !== 'info') return;
    const t = setTimeout(() => classConnection().dismissNotice(notice.id), 15_000);
    return () => clearTimeout(t);
  }, [notice]);

  const lessonOpen = cls.lesson ? lessonHref(cls.lesson) : null;
  const chat = cls.chat;

  return (
    <div
      role="region"
      aria-label="Your class"
      className="no-print border-b border-indigo-200 bg-indigo-50 text-sm text-indigo-950 dark:border-indigo-900 dark:bg-indigo-950/50 dark:text-indigo-50"
      data-testid="class-bar"
      data-status={status}
    >
      {inClass && membership ? (
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 gap-y-1 px-4 py-1.5">
          <p className="m-0 flex flex-wrap items-center gap-x-1.5">
            <span>
              Class <strong className="font-mono tracking-wider">{membership.code}</strong>
            </span>
            <span aria-hidden="true">·</span>
            <span>
              you are <strong data-testid="class-nickname">{membership.nickname}</strong>
            </span>
            <span aria-hidden="true">·</span>
            <span className="inline-flex items-center gap-1" data-testid="class-status">
              <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${status === 'connected' ? 'bg-emerald-500' : 'bg-amber-500'}`} />
              {STATUS_TEXT[status]}
            </span>
          </p>
          <nav aria-label="Class" className="flex flex-wrap items-center gap-x-2 gap-y-1 sm:ml-auto">
            {cls.presenting ? (
              <Link href="/class/follow" className={`${LINK} font-bold`} data-testid="follow-link">
                Follow the instructor
              </Link>
            ) : null}
            {lessonOpen && lessonOpen !== pathname ? (
              <Link href={lessonOpen} className={LINK}>
                Go to {lessonLabel(cls.lesson!)}
              </Link>
            ) : null}
            <Link href={chat ? `/lab/chat?join=${encodeURIComponent(`${chat.address}:${chat.port}`)}` : '/lab/chat'} className={LINK}>
              Class chat
            </Link>
            {chat ? (
              <span className="text-xs text-indigo-900 dark:text-indigo-200">
                (server <span className="font-mono">{chat.address}</span> port <span className="font-mono">{chat.port}</span>)
              </span>
            ) : null}
            <button
              type="button"
              onClick={() => {
                if (confirm('Leave the class? Your instructor will no longer see your progress. You can join again with the code.')) cls.leave();
              }}
              className="rounded-md border border-indigo-300 px-2 py-0.5 hover:bg-indigo-100 dark:border-indigo-700 dark:hover:bg-indigo-900/60"
            >
              Leave class
            </button>
          </nav>
        </div>
      ) : null}
      <div className={notice?.tone === 'warning' ? 'bg-amber-100 text-amber-950 dark:bg-amber-900/50 dark:text-amber-50' : ''}>
        <div className={notice ? 'mx-auto flex max-w-6xl items-start gap-2 px-4 py-1.5' : ''}>
          {/* Always in the page, so screen readers hear what arrives in it. */}
          <div role="status" aria-live="polite" className="min-w-0 flex-1" data-testid="class-notice">
            {notice ? (
              <p className="m-0">
                {notice.text}
                {status === 'left' || status === 'ended' ? (
                  <>
                    {' '}
                    <Link href="/class" className={LINK}>
                      Join a class
                    </Link>
                  </>
                ) : null}
              </p>
            ) : null}
          </div>
          {notice ? (
            <button type="button" onClick={() => cls.dismissNotice(notice.id)} className="shrink-0 rounded border border-current px-2 text-xs">
              Dismiss
            </button>
          ) : null}
        </div>
      </div>
    </div>
  );
}
