'use client';
import dynamic from 'next/dynamic';
import type { SocketLabProps } from '../lab/SocketLab';
import { LabPlaceholder } from '../lab/LabPlaceholder';

/** The live lab is heavy; lessons load it lazily behind a placeholder of the same size. */
const Lab = dynamic(() => import('../lab/SocketLab'), { ssr: false, loading: () => <LabPlaceholder /> });

export function SocketLab(props: SocketLabProps) {
  return <Lab {...props} />;
}
