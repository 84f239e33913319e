/** Class names the network lab's forms share, written out in full so Tailwind sees them. */
export const FIELD = 'block w-full min-w-0 rounded-md border border-gray-300 bg-white px-2 py-1 font-mono text-sm text-gray-900 dark:border-gray-600 dark:bg-gray-950 dark:text-gray-100';
export const LABEL = 'block text-xs font-medium text-gray-800 dark:text-gray-200';
export const BUTTON = 'rounded-md bg-blue-700 px-3 py-1.5 font-mono text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50';
export const TOOL = 'rounded-md border border-gray-400 px-2 py-1 text-xs text-gray-900 hover:bg-gray-100 disabled:opacity-50 dark:text-gray-100 dark:hover:bg-gray-800';
export const PANEL = 'rounded-lg border border-gray-200 p-2 dark:border-gray-700';
/** A kernel table's lines. */
export const LIST = 'm-0 list-none space-y-0.5 p-0 font-mono text-xs';
export const PACKET = { one: 'packet', other: 'packets' };
