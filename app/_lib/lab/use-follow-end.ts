'use client';
import { useCallback, useEffect, useRef, type UIEvent } from 'react';

/**
 * Keeps a scroll box at its end while its content grows, like a terminal, unless the reader has
 * scrolled back; scrolling to the end again resumes following. A ResizeObserver on the content
 * scrolls within the frame that draws the growth (a new row, or rows taking their real height as
 * they come into view), so no layout is forced during React's commit.
 */
export function useFollowEnd<Box extends HTMLElement, Content extends HTMLElement>(active: boolean) {
  const boxRef = useRef<Box>(null);
  const contentRef = useRef<Content>(null);
  const following = useRef(true);
  const onScroll = useCallback((e: UIEvent<Box>) => {
    const box = e.currentTarget;
    following.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
  }, []);
  useEffect(() => {
    const box = boxRef.current;
    const content = contentRef.current;
    if (!active || !box || !content) return;
    const observer = new ResizeObserver(() => {
      if (following.current) box.scrollTop = box.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [active]);
  return { boxRef, contentRef, onScroll };
}
