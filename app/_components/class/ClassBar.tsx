'use client';
import dynamic from 'next/dynamic';
import { useEffect, useState } from 'react';
import { useClassMembership } from '@/app/_lib/class/class-store';

/** The class connection and its bar are loaded only in a browser that is in a class. */
const ClassBarLive = dynamic(() => import('./ClassBarLive'), { ssr: false });

/**
 * In every page's layout. Reads only localStorage, so pages outside a class pay for nothing more;
 * once shown it stays for the page's life, so "you left" or "the class ended" can still be said.
 */
export function ClassBar() {
  const membership = useClassMembership();
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (membership) setShown(true);
  }, [membership]);
  if (!membership && !shown) return null;
  return <ClassBarLive />;
}
