import { codePointLabel, hex, type ByteUnit, type UnitGroup } from '@/app/_lib/bytes';
import { ByteViewUnit } from './ByteViewUnit';

const KIND_WORD: Record<ByteUnit['kind'], string> = {
  char: '',
  escape: 'escape',
  byte: 'raw byte',
  invalid: 'bad escape',
};

function describe(u: ByteUnit): string {
  const n = u.bytes.length;
  return `${u.name}: ${n} byte${n === 1 ? '' : 's'}, hex ${u.bytes.map(hex).join(' ')}, decimal ${u.bytes.join(' ')}`;
}

/** One character on screen (or one escape) above its bytes. */
export function ByteViewGroup({ group }: { group: UnitGroup }) {
  const first = group.units[0];
  const spoken = group.cluster
    ? `${group.glyph}, one character made of ${group.units.length} code points: ${group.units.map(describe).join('; ')}`
    : describe(first);
  const word = KIND_WORD[first.kind];
  const small = !group.cluster && first.glyphIsName;
  return (
    <li
      className={`rounded-md border px-1 py-1 ${
        group.cluster ? 'border-dashed border-gray-500 dark:border-gray-400' : 'border-gray-200 dark:border-gray-700'
      }`}
    >
      <span className="sr-only">{spoken}</span>
      <span aria-hidden="true" className="flex flex-col items-center gap-0.5">
        <span
          className={
            small
              ? 'flex h-6 items-center font-mono text-xs font-semibold text-gray-700 dark:text-gray-300'
              : 'h-6 whitespace-pre text-lg leading-6 text-gray-900 dark:text-gray-100'
          }
        >
          {group.glyph}
        </span>
        {word ? <span className="text-[10px] uppercase tracking-wide text-gray-700 dark:text-gray-300">{word}</span> : null}
        <span className="flex gap-1">
          {group.units.map((u, i) => (
            <span key={i} className="flex flex-col items-center">
              {group.cluster ? (
                <span className="font-mono text-[10px] text-gray-700 dark:text-gray-300">{u.codePoint === null ? u.glyph : codePointLabel(u.codePoint)}</span>
              ) : null}
              <ByteViewUnit unit={u} />
            </span>
          ))}
        </span>
      </span>
    </li>
  );
}
