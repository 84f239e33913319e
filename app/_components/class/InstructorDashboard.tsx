'use client';
import { useEffect, useState } from 'react';
import type { LessonEntry } from '@/app/_lib/class/format';
import { forgetStoredKey, storeKey, takeKeyFromLocation } from '@/app/_lib/class/instructor-key';
import { useInstructorClass, type InstructorStatus } from '@/app/_lib/class/use-class';
import { EndClassControl } from './EndClassControl';
import { ErrorTallies } from './ErrorTallies';
import { InstructorKeyForm } from './InstructorKeyForm';
import { JoinInfo } from './JoinInfo';
import { LabFeed } from './LabFeed';
import { LoopbackWarning } from './LoopbackWarning';
import { OpenLessonControl } from './OpenLessonControl';
import { PresenterLab } from './PresenterLab';
import { ProgressMatrix } from './ProgressMatrix';
import { RosterTable } from './RosterTable';
import { SharedLabViewer } from './SharedLabViewer';
import { SummaryDownload } from './SummaryDownload';

const STATUS_TEXT: Record<InstructorStatus, string> = {
  connecting: 'Connecting to the class…',
  open: 'Live',
  reconnecting: 'Connection lost, reconnecting…',
  forbidden: 'Key refused',
  ended: 'The class has ended',
  stopped: 'Not connected',
};

/** The instructor's page: join info, roster, progress, live feed, controls and presenter mode. */
export function InstructorDashboard({ lessons }: { lessons: LessonEntry[] }) {
  const [key, setKey] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [refused, setRefused] = useState(false);
  /** The student whose shared lab is open below the roster. */
  const [watching, setWatching] = useState<number | null>(null);
  const cls = useInstructorClass(key);

  useEffect(() => {
    setKey(takeKeyFromLocation());
    setLoaded(true);
  }, []);

  useEffect(() => {
    if (cls.status !== 'forbidden') return;
    forgetStoredKey();
    setRefused(true);
    setKey(null);
  }, [cls.status]);

  if (!loaded) return <p className="text-gray-700 dark:text-gray-300">Loading the dashboard…</p>;
  if (!key) {
    return (
      <InstructorKeyForm
        refused={refused}
        onKey={(k) => {
          storeKey(k);
          setRefused(false);
          setKey(k);
        }}
      />
    );
  }

  const d = cls.dashboard;
  const watchedStudent = watching === null ? undefined : d?.students.find((s) => s.id === watching);
  // The greeting says only the title; the dashboard brings the code and the students' address.
  const info = d?.class ?? cls.info;
  const connected = cls.status === 'open';
  const ended = cls.status === 'ended' || Boolean(info?.endedAt);
  return (
    <div className="space-y-8" data-testid="instructor-dashboard">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        {info ? <p className="m-0 text-lg font-semibold">{info.title}</p> : null}
        <p className="m-0 flex items-center gap-1.5 text-sm" role="status" data-testid="dashboard-status" data-status={cls.status}>
          <span aria-hidden="true" className={`inline-block h-2.5 w-2.5 rounded-full ${connected ? 'bg-emerald-500' : ended ? 'bg-gray-500' : 'bg-amber-500'}`} />
          {ended ? STATUS_TEXT.ended : STATUS_TEXT[cls.status]}
        </p>
        {cls.error && cls.status !== 'forbidden' ? (
          <p className="m-0 text-sm text-red-800 dark:text-red-200" role="alert">
            The server said {cls.error.code}: {cls.error.message}
          </p>
        ) : null}
        {d?.partial && !ended ? (
          <p className="m-0 text-sm text-amber-900 dark:text-amber-200" role="status" data-testid="dashboard-partial">
            Partial view: this server cannot reach the other servers of this class just now, so students on them are missing here.
          </p>
        ) : null}
      </div>

      {d && !ended ? <LoopbackWarning studentUrl={d.class.studentUrl} machineAddresses={d.class.machineAddresses} /> : null}
      {d ? <JoinInfo info={d.class} qrSvg={d.qrSvg} /> : null}

      <section aria-label="Class controls" className="grid gap-6 rounded-xl border border-gray-300 p-4 md:grid-cols-2 dark:border-gray-700">
        <OpenLessonControl lessons={lessons} connected={connected} onOpen={cls.openLesson} />
        <div className="space-y-4">
          <SummaryDownload instructorKey={key} code={d?.class.code ?? ''} />
          <EndClassControl connected={connected} ended={ended} onEnd={cls.endClass} />
        </div>
      </section>

      {d ? (
        <>
          <RosterTable students={d.students} onWatch={setWatching} />
          {watchedStudent ? <SharedLabViewer nickname={watchedStudent.nickname} watchToken={watchedStudent.sharedLab} onClose={() => setWatching(null)} /> : null}
          <div className="grid gap-8 lg:grid-cols-2">
            <ErrorTallies errors={d.errors} />
            <LabFeed feed={d.feed} />
          </div>
          <ProgressMatrix students={d.students} lessons={lessons} />
        </>
      ) : null}

      {!ended ? <PresenterLab presenting={d?.presenting ?? null} connected={connected} onPresent={cls.present} /> : null}
    </div>
  );
}
