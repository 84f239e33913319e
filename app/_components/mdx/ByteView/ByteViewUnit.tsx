import { hex, type ByteUnit } from '@/app/_lib/bytes';

const UNIT_TONE: Record<ByteUnit['kind'], string> = {
  char: '',
  escape: 'bg-sky-50 dark:bg-sky-950/60',
  byte: 'bg-amber-50 dark:bg-amber-950/60',
  invalid: 'bg-red-50 dark:bg-red-950/60',
};

/** The bytes of one code point or escape; a frame holds the bytes of a multi-byte character together. */
export function ByteViewUnit({ unit }: { unit: ByteUnit }) {
  const multi = unit.bytes.length > 1;
  return (
    <span
      className={`inline-flex gap-px rounded ${multi ? 'border-2 border-violet-500 p-px dark:border-violet-400' : ''} ${UNIT_TONE[unit.kind]}`}
      title={unit.name}
    >
      {unit.bytes.map((b, i) => (
        <span key={i} className="flex min-w-[2.1rem] flex-col items-center px-0.5 py-0.5 font-mono leading-tight">
          <span className="text-sm font-semibold text-gray-900 dark:text-gray-100">{hex(b)}</span>
          <span className="text-xs text-gray-600 dark:text-gray-400">{b}</span>
        </span>
      ))}
    </span>
  );
}
