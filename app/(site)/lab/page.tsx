import type { Metadata } from 'next';
import { Playground } from '@/app/_components/lab/Playground';

export const metadata: Metadata = {
  title: 'Playground',
  description: 'Make real socket calls one at a time and watch the kernel’s socket table change.',
};

export default function LabPage() {
  return (
    <>
      <h1 className="text-3xl font-extrabold tracking-tight">Socket playground</h1>
      <p className="mt-2 mb-4 max-w-3xl text-gray-700 dark:text-gray-300">
        Every button below makes one real system call on a real socket on the Socket Lab server, and shows the kernel&apos;s
        answer: the result, or the error it gave. Try calls in any order (accept before listen, send on a closed socket)
        and see what the kernel says. Lab sockets live on this machine&apos;s loopback address, ports 41000-41999.
      </p>
      <Playground />
    </>
  );
}
