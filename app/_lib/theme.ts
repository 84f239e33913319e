export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_KEY = 'socketlab:theme';

/**
 * Runs inline in <head> before the first paint, so a dark-mode reader never sees a white flash.
 * Kept as a string because it must not wait for React.
 */
export const THEME_INIT_SCRIPT = `(function(){try{var c=localStorage.getItem('${THEME_KEY}');var d=c==='dark'||(c!=='light'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d);}catch(e){}})();`;

export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
}
