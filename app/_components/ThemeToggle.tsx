'use client';
import { useEffect, useState } from 'react';
import { applyTheme, THEME_KEY, type ThemeChoice } from '../_lib/theme';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };
// Inline SVG paths (24×24, stroked): emoji fonts are not on every machine.
const ICON: Record<ThemeChoice, string> = {
  system: 'M3 5h18v11H3zM8 20h8M12 16v4',
  light: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4',
  dark: 'M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z',
};

/** Cycles system → light → dark; "system" follows the OS setting live. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>('system');

  useEffect(() => {
    const saved = localStorage.getItem(THEME_KEY);
    if (saved === 'light' || saved === 'dark') setChoice(saved);
  }, []);

  useEffect(() => {
    if (choice !== 'system') return;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const follow = () => applyTheme('system');
    mq.addEventListener('change', follow);
    return () => mq.removeEventListener('change', follow);
  }, [choice]);

  function cycle() {
    const next = NEXT[choice];
    setChoice(next);
    try {
      if (next === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, next);
    } catch {
      /* storage disabled: the choice lasts for this page only */
    }
    applyTheme(next);
  }

  return (
    <button
      type="button"
      onClick={cycle}
      className="rounded-md px-2 py-1.5 text-sm hover:bg-gray-100 dark:hover:bg-gray-800"
      title={`${LABEL[choice]}: click to change`}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" className="inline h-4 w-4 align-[-2px]" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d={ICON[choice]} />
      </svg>
      <span className="sr-only">Theme: </span>
      <span className="ml-1 sr-only sm:not-sr-only">{choice === 'system' ? 'Auto' : choice === 'light' ? 'Light' : 'Dark'}</span>
    </button>
  );
}
