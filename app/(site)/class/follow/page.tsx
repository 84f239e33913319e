import type { Metadata } from 'next';
import { FollowInstructor } from '@/app/_components/class/FollowInstructor';

export const metadata: Metadata = {
  title: 'Follow the instructor',
  description: 'Your instructor’s live lab, mirrored read-only while they present it.',
};

export default function FollowPage() {
  return (
    <>
      <h1 className="text-3xl font-extrabold tracking-tight">Follow the instructor</h1>
      <p className="mt-2 max-w-3xl text-gray-700 dark:text-gray-300">
        Your instructor&apos;s lab, live: every call they make appears here as they make it, with the kernel&apos;s view beside it.
        You can watch but not click; your own sockets are in your sandbox.
      </p>
      <FollowInstructor />
    </>
  );
}
