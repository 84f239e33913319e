/**
 * Holds a lazy widget's place while its code loads on a client-side navigation, at the height of the
 * widget, so the page does not jump when it arrives.
 */
export function WidgetPlaceholder({ title, minHeight }: { title: string; minHeight: string }) {
  return (
    <div className={`not-prose my-8 ${minHeight} rounded-xl border border-gray-200 bg-white p-4 sm:p-5 dark:border-gray-700 dark:bg-gray-900/60`}>
      <p className="text-lg font-bold text-gray-900 dark:text-gray-100">{title}</p>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">Loading…</p>
    </div>
  );
}
