'use client';
import { useCallback, useEffect, useRef, type UIEvent } from 'react';

/** How close to the end still counts as "at the end", in pixels. */
const SLACK = 24;
/** How long after a wheel, touch, key or pointer press a scroll counts as the reader's own. */
const INTENT_MS = 800;

/**
 * Keeps a scroll box at its end while its content grows, like a terminal, unless the reader has
 * scrolled back; scrolling to the end again resumes following. A ResizeObserver on the content
 * scrolls within the frame that draws the growth, so no layout is forced during React's commit.
 *
 * Only the reader's own scrolling back (up) stops the following. The browser also scrolls the box
 * by itself: when rows leave at the top, scroll anchoring moves the view to keep the rows on screen
 * in place, which is right for a reader looking back but would otherwise look like "scrolled back"
 * here; and a wheel's smooth scroll to the end may land short of an end that has moved on.
 */
export function useFollowEnd<Box extends HTMLElement, Content extends HTMLElement>(active: boolean) {
  const boxRef = useRef<Box>(null);
  const contentRef = useRef<Content>(null);
  const following = useRef(true);
  const intentUntil = useRef(0);
  const dragging = useRef(false);
  const last = useRef({ top: 0, height: 0 });

  const onScroll = useCallback((e: UIEvent<Box>) => {
    const box = e.currentTarget;
    // Up, over content that did not shrink: rows leaving at the top also move the view up, but
    // they take the same height off the content.
    const up = box.scrollTop < last.current.top - 1 && box.scrollHeight >= last.current.height - 1;
    last.current = { top: box.scrollTop, height: box.scrollHeight };
    const mine = dragging.current || performance.now() < intentUntil.current;
    if (box.scrollHeight - box.scrollTop - box.clientHeight < SLACK) following.current = true;
    else if (up && mine) following.current = false;
    else if (following.current) box.scrollTop = box.scrollHeight;
  }, []);

  useEffect(() => {
    const box = boxRef.current;
    const content = contentRef.current;
    if (!active || !box || !content) return;
    const observer = new ResizeObserver(() => {
      if (following.current) box.scrollTop = box.scrollHeight;
    });
    observer.observe(content);
    const intent = () => {
      intentUntil.current = performance.now() + INTENT_MS;
    };
    // A press may start dragging the scrollbar, which lasts as long as the button is held.
    const press = () => {
      dragging.current = true;
      intent();
    };
    const release = () => {
      dragging.current = false;
    };
    const intents = ['wheel', 'touchstart', 'touchmove', 'keydown', 'focusin'] as const;
    for (const type of intents) box.addEventListener(type, intent, { passive: true });
    box.addEventListener('pointerdown', press, { passive: true });
    window.addEventListener('pointerup', release, { passive: true });
    window.addEventListener('pointercancel', release, { passive: true });
    return () => {
      observer.disconnect();
      for (const type of intents) box.removeEventListener(type, intent);
      box.removeEventListener('pointerdown', press);
      window.removeEventListener('pointerup', release);
      window.removeEventListener('pointercancel', release);
    };
  }, [active]);

  return { boxRef, contentRef, onScroll };
}
