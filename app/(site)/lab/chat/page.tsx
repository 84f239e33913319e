import type { Metadata } from 'next';
import Link from 'next/link';
import { ChatLab } from '@/app/_components/mdx/ChatLab';

export const metadata: Metadata = {
  title: 'Chat lab',
  description: 'Start a real chat server one system call at a time, and chat with it from browsers and terminals.',
};

export default function ChatPage() {
  return (
    <>
      <h1 className="text-3xl font-extrabold tracking-tight">Chat lab</h1>
      <p className="mt-2 max-w-3xl text-gray-700 dark:text-gray-300">
        Start a chat server with real <code>socket</code>, <code>bind</code> and <code>listen</code> calls, let it run its accept loop, then
        chat with it from this page, from other tabs and from terminals with <code>nc</code>. The design and the code are explained in{' '}
        <Link href="/learn/chat-capstone" className="text-blue-700 underline dark:text-blue-300">
          the capstone lesson
        </Link>
        .
      </p>
      <h2 className="mt-8 text-xl font-bold">Your chat server</h2>
      <p className="mt-1 max-w-3xl text-gray-700 dark:text-gray-300">
        Three steps: make a listening socket, start the server&apos;s accept loop on it, then join and chat.
      </p>
      <ChatLab />
    </>
  );
}
