import Link from 'next/link';
import type { ReactNode } from 'react';
import { ClassBar } from '../_components/class/ClassBar';
import { SiteHeader } from '../_components/SiteHeader';

export default function SiteLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SiteHeader />
      <ClassBar />
      <main id="main" className="mx-auto max-w-6xl px-4 pb-16 pt-6">
        {children}
      </main>
      <footer className="no-print border-t border-gray-200 py-6 text-center text-sm text-gray-600 dark:border-gray-800 dark:text-gray-400">
        Socket Lab: every demo is a real system call on a real kernel socket. ·{' '}
        <Link href="/glossary" className="underline">
          Glossary
        </Link>
      </footer>
    </>
  );
}
