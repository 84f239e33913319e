/** Each program (lane) keeps one colour everywhere: its cards, its timeline calls, its arrows. */
const PALETTE = [
  { border: 'border-blue-500', text: 'text-blue-800 dark:text-blue-200', bg: 'bg-blue-50 dark:bg-blue-950/40', line: 'bg-blue-500' },
  { border: 'border-amber-500', text: 'text-amber-900 dark:text-amber-200', bg: 'bg-amber-50 dark:bg-amber-950/40', line: 'bg-amber-500' },
  { border: 'border-emerald-500', text: 'text-emerald-900 dark:text-emerald-200', bg: 'bg-emerald-50 dark:bg-emerald-950/40', line: 'bg-emerald-500' },
  { border: 'border-violet-500', text: 'text-violet-900 dark:text-violet-200', bg: 'bg-violet-50 dark:bg-violet-950/40', line: 'bg-violet-500' },
  { border: 'border-rose-500', text: 'text-rose-900 dark:text-rose-200', bg: 'bg-rose-50 dark:bg-rose-950/40', line: 'bg-rose-500' },
  { border: 'border-cyan-600', text: 'text-cyan-900 dark:text-cyan-200', bg: 'bg-cyan-50 dark:bg-cyan-950/40', line: 'bg-cyan-600' },
];
const OUTSIDE = { border: 'border-gray-500', text: 'text-gray-800 dark:text-gray-200', bg: 'bg-gray-100 dark:bg-gray-800/60', line: 'bg-gray-500' };

export type LaneColor = (typeof PALETTE)[number];

export function laneColor(lanes: string[], lane: string): LaneColor {
  if (lane === 'outside') return OUTSIDE;
  const i = lanes.indexOf(lane);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}
