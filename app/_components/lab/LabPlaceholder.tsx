/** Holds the live lab's place while its code loads, so the page does not jump. */
export function LabPlaceholder() {
  return (
    <div className="not-prose my-8 flex min-h-[28rem] items-center justify-center rounded-2xl border border-dashed border-gray-300 text-sm text-gray-600 dark:border-gray-700 dark:text-gray-400" role="status">
      Loading the live lab…
    </div>
  );
}
