import type { Metadata } from 'next';
import { SessionReplay } from '@/app/_components/lab/SessionReplay';

export const metadata: Metadata = {
  title: 'Replay a saved session',
  description: 'Step through a saved lab session with its real recorded results, or run it again live.',
};

export default function ReplayPage() {
  return (
    <>
      <h1 className="text-3xl font-extrabold tracking-tight">Replay a saved session</h1>
      <p className="mt-2 max-w-3xl text-gray-700 dark:text-gray-300">
        Step through a lab session someone saved: each call with the result the kernel really gave, and the kernel&apos;s view
        after it, exactly as recorded. Nothing runs until you press &quot;Run it again&quot;, which makes the same calls for real
        on new sockets.
      </p>
      <SessionReplay />
    </>
  );
}
