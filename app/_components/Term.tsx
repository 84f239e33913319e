'use client';
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';

export interface TermLink {
  href: string;
  label: string;
}

interface Props {
  term: string;
  /** The words as written, when they differ from the term (ss's CLOSE-WAIT for CLOSE_WAIT). */
  label?: string;
  meaning: string;
  cause?: string;
  /** What leads to it, under this label ("Usually", "How a socket gets here"). */
  causeLabel?: string;
  links: TermLink[];
  /** Draw the term as code (errno and state names usually are). */
  code?: boolean;
}

const CARD_WIDTH = 288; // 18rem

/**
 * A glossary term: hover it, focus it or press it, and a card says what it means and links to the
 * lesson and the scenario that show it. Escape closes the card; so does leaving it. The card is
 * placed in fixed position below the term, so a scroll box around it cannot clip it.
 */
export function Term({ term, label = term, meaning, cause, causeLabel = 'Usually', links, code = true }: Props) {
  const id = useId();
  const wrap = useRef<HTMLSpanElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [pinned, setPinned] = useState(false);
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  const hoverTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** Set while Escape returns focus to the term, so that focus does not reopen the card. */
  const escaped = useRef(false);

  const position = useCallback(() => {
    const r = trigger.current?.getBoundingClientRect();
    if (!r) return;
    const width = Math.min(CARD_WIDTH, window.innerWidth - 16);
    const left = Math.max(8, Math.min(r.left, window.innerWidth - width - 8));
    setPlace({ top: r.bottom + 2, left });
  }, []);

  useLayoutEffect(() => {
    if (open) position();
  }, [open, position]);

  useEffect(() => {
    if (!open) return;
    const move = () => position();
    window.addEventListener('scroll', move, { capture: true, passive: true });
    window.addEventListener('resize', move, { passive: true });
    return () => {
      window.removeEventListener('scroll', move, { capture: true });
      window.removeEventListener('resize', move);
    };
  }, [open, position]);

  useEffect(() => () => clearTimeout(hoverTimer.current), []);

  const close = () => {
    setOpen(false);
    setPinned(false);
  };

  return (
    <span
      ref={wrap}
      className="relative inline"
      onMouseEnter={() => {
        clearTimeout(hoverTimer.current);
        hoverTimer.current = setTimeout(() => setOpen(true), 120);
      }}
      onMouseLeave={() => {
        clearTimeout(hoverTimer.current);
        // A moment's grace, so the pointer can cross from the term to its card.
        hoverTimer.current = setTimeout(() => {
          if (!wrap.current?.contains(document.activeElement)) close();
        }, 200);
      }}
      onFocus={() => {
        if (escaped.current) escaped.current = false;
        else setOpen(true);
      }}
      onBlur={(e) => {
        if (!wrap.current?.contains(e.relatedTarget as Node | null)) close();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close();
          if (document.activeElement !== trigger.current) {
            escaped.current = true;
            trigger.current?.focus();
          }
        }
      }}
      data-term={term}
    >
      <button
        ref={trigger}
        type="button"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => {
          if (open && pinned) close();
          else {
            setOpen(true);
            setPinned(true);
          }
        }}
        className={`cursor-help border-b border-dotted border-current p-0 text-inherit decoration-transparent ${code ? 'rounded-sm bg-gray-100 px-1 font-mono text-[0.9em] dark:bg-gray-800' : 'bg-transparent'}`}
      >
        {label}
      </button>
      {open ? (
        <span
          id={id}
          role="group"
          aria-label={`${term}: glossary`}
          className="fixed z-50 block w-72 max-w-[calc(100vw-1rem)] rounded-lg border border-gray-300 bg-white p-3 text-left font-sans text-sm font-normal normal-case leading-snug text-gray-900 shadow-lg dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
          style={place ? { top: place.top, left: place.left } : { visibility: 'hidden' }}
          data-testid="term-card"
        >
          <span className="block font-mono font-bold">
            {term}
            {label !== term ? <span className="font-sans font-normal text-gray-700 dark:text-gray-300"> (ss writes {label})</span> : null}
          </span>
          <span className="mt-1 block">{meaning}</span>
          {cause ? (
            <span className="mt-1 block text-gray-700 dark:text-gray-300">
              {causeLabel}: {cause}
            </span>
          ) : null}
          {links.length ? (
            <span className="mt-2 flex flex-wrap gap-x-3 gap-y-1">
              {links.map((l) => (
                <a key={l.href} href={l.href} className="text-blue-700 underline dark:text-blue-300">
                  {l.label}
                </a>
              ))}
            </span>
          ) : null}
        </span>
      ) : null}
    </span>
  );
}
