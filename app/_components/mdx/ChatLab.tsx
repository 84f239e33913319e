'use client';
import dynamic from 'next/dynamic';
import { LabPlaceholder } from '../lab/LabPlaceholder';

/** The live chat lab, loaded lazily behind a placeholder of the same size. */
const Lab = dynamic(() => import('../lab/ChatLab'), { ssr: false, loading: () => <LabPlaceholder /> });

export function ChatLab() {
  return <Lab />;
}
