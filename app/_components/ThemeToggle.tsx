'use client';
import { useEffect, useState } from 'react';
import { applyTheme, THEME_KEY, type ThemeChoice } from '../_lib/theme';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };
const ICON: Record<ThemeChoice, string> = { system: '🖥️', light: '☀️', dark: '🌙' };

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
      aria-label={`${LABEL[choice]} (change theme)`}
      title={`${LABEL[choice]}: click to change`}
    >
      <span aria-hidden="true">{ICON[choice]}</span>
      <span className="ml-1 hidden sm:inline">{choice === 'system' ? 'Auto' : choice === 'light' ? 'Light' : 'Dark'}</span>
    </button>
  );
}
