import type { Metadata } from 'next';
import { JoinForm } from '@/app/_components/class/JoinForm';

export const metadata: Metadata = {
  title: 'Join a class',
  description: 'Join your instructor’s Socket Lab class with the code they give you and a nickname.',
};

export default function JoinClassPage() {
  return (
    <>
      <h1 className="text-3xl font-extrabold tracking-tight">Join a class</h1>
      <p className="mt-2 mb-6 max-w-3xl text-gray-700 dark:text-gray-300">
        Your instructor is hosting Socket Lab for your class. Type the six-character code they show you and pick a nickname.
        Your instructor then sees which lessons you have read, how your quizzes went and the lab calls you make; they can
        open a lesson for everyone and show you their own lab live.
      </p>
      <JoinForm />
    </>
  );
}
