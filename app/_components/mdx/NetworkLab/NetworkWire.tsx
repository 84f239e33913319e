/** A link in the drawing: a vertical wire with the interfaces it joins. */
export function NetworkWire({ label }: { label: string }) {
  return (
    <div className="flex items-center gap-2 py-1 pl-6 text-xs text-gray-700 dark:text-gray-300">
      <span aria-hidden="true" className="inline-block h-6 w-0.5 shrink-0 bg-gray-500" />
      <span className="font-mono">{label}</span>
    </div>
  );
}
