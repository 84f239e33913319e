import Link from 'next/link';
import { ThemeToggle } from './ThemeToggle';

export function SiteHeader() {
  return (
    <header className="no-print sticky top-0 z-30 border-b border-gray-200 bg-white/90 backdrop-blur dark:border-gray-800 dark:bg-[#0b1120]/90">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-blue-700 focus:px-3 focus:py-2 focus:text-white">
        Skip to content
      </a>
      <nav aria-label="Main" className="mx-auto flex max-w-6xl items-center gap-1 px-4 py-2 sm:gap-4">
        <Link href="/" className="mr-auto flex items-center gap-2 font-bold tracking-tight">
          <svg aria-hidden="true" viewBox="0 0 32 32" className="h-7 w-7">
            <rect width="32" height="32" rx="7" fill="#1d4ed8" />
            <circle cx="10" cy="16" r="4.5" fill="none" stroke="#fff" strokeWidth="2.5" />
            <circle cx="22" cy="16" r="4.5" fill="#fff" />
            <path d="M14.5 16h3" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
          </svg>
          Socket Lab
        </Link>
        <Link href="/" className="rounded-md px-2 py-1.5 text-sm hover:bg-gray-100 dark:hover:bg-gray-800">
          Course
        </Link>
        <Link href="/lab" className="rounded-md px-2 py-1.5 text-sm hover:bg-gray-100 dark:hover:bg-gray-800">
          Playground
        </Link>
        <Link href="/glossary" className="hidden rounded-md px-2 py-1.5 text-sm hover:bg-gray-100 sm:inline dark:hover:bg-gray-800">
          Glossary
        </Link>
        <ThemeToggle />
      </nav>
    </header>
  );
}
