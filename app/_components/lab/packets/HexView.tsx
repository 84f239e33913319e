'use client';
import { useState } from 'react';
import { hexByte, printable } from '@/app/_lib/lab/packets/field-bytes';

interface Props {
  frame: Uint8Array;
  /** The lit bytes [start, end), or null. */
  lit: [number, number] | null;
  /** A byte was hovered or reached with the arrow keys: light the field it belongs to. */
  onByte: (at: number) => void;
  /** What the byte under the keyboard cursor belongs to, read out as it moves. */
  describe: (at: number) => string;
  packetNumber: number;
}

/**
 * The frame's bytes in hex with their text beside them. Hovering a byte lights its field; so does
 * moving through the bytes with the arrow keys once the view has focus (Home and End jump).
 */
export function HexView({ frame, lit, onByte, describe, packetNumber }: Props) {
  const [cursor, setCursor] = useState<number | null>(null);
  const inLit = (i: number) => lit !== null && i >= lit[0] && i < lit[1];
  function move(to: number) {
    const at = Math.max(0, Math.min(frame.length - 1, to));
    setCursor(at);
    onByte(at);
  }
  function onKeyDown(e: React.KeyboardEvent) {
    const at = cursor ?? -1;
    const keys: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, ArrowDown: at + 16, ArrowUp: at - 16, Home: 0, End: frame.length - 1 };
    if (e.key in keys) {
      e.preventDefault();
      move(keys[e.key]);
    }
  }
  const cells = Array.from(frame);
  return (
    <div className="min-w-0">
      <div
        tabIndex={0}
        role="group"
        aria-label={`Bytes of packet ${packetNumber}, ${frame.length} in all: arrow keys move from byte to byte and light the field it belongs to`}
        onKeyDown={onKeyDown}
        onFocus={() => cursor === null && frame.length && move(0)}
        className="flex flex-wrap gap-x-2 gap-y-1 rounded border border-gray-200 p-1 font-mono text-[0.7rem] focus-visible:outline focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-gray-700"
        data-testid="hex-view"
      >
        <div className="grid max-w-full grid-cols-8 gap-x-1 sm:grid-cols-16" aria-hidden="true">
          {cells.map((b, i) => (
            <span
              key={i}
              onMouseEnter={() => onByte(i)}
              data-byte={i}
              data-lit={inLit(i) ? 'true' : undefined}
              className={`rounded px-0.5 ${inLit(i) ? 'bg-yellow-200 text-gray-900 dark:bg-yellow-700 dark:text-white' : ''} ${cursor === i ? 'outline outline-1 outline-blue-600' : ''}`}
            >
              {hexByte(b)}
            </span>
          ))}
        </div>
        <div className="grid max-w-full grid-cols-8 sm:grid-cols-16" aria-hidden="true">
          {cells.map((b, i) => (
            <span key={i} onMouseEnter={() => onByte(i)} className={inLit(i) ? 'bg-yellow-200 text-gray-900 dark:bg-yellow-700 dark:text-white' : ''}>
              {printable(b)}
            </span>
          ))}
        </div>
      </div>
      <p aria-live="polite" className="m-0 mt-1 min-h-4 text-xs text-gray-700 dark:text-gray-300" data-testid="hex-cursor">
        {cursor !== null ? `Byte ${cursor} (0x${hexByte(frame[cursor] ?? 0)}): ${describe(cursor)}` : ''}
      </p>
    </div>
  );
}
