'use client';
import dynamic from 'next/dynamic';
import { useEffect, useRef, useState } from 'react';
import type { LabSessionApi } from '@/app/_lib/lab/use-lab-session';
import { canCapture, captureLine, type CaptureNeed } from '@/app/_lib/lab/packets/store';
import type { PacketPanelProps } from './PacketPanel';

// The decoder, the field tree and the diagrams load only when the packet view is opened.
const PacketPanel = dynamic<PacketPanelProps>(() => import('./PacketPanel'), { ssr: false, loading: () => <p className="m-0 text-xs">Loading the packet view…</p> });

interface Props extends Omit<PacketPanelProps, 'packets' | 'call' | 'owner'> {
  lab: Pick<LabSessionApi, 'packets' | 'call' | 'generation' | 'status' | 'state'>;
  open: boolean;
  onOpen: (open: boolean) => void;
  /** The links this view's packets cross: the loopback lab's or the sandbox network's. */
  need: CaptureNeed;
}

/**
 * "Packets on the wire": a disclosure under the timeline. Opening it asks the server to capture
 * this session's packets (capture is off until then, so a learner who never looks costs nothing);
 * it stays on for the session, and starts again in a fresh session while the view is open.
 */
export function PacketSection({ lab, open, onOpen, need, ...panel }: Props) {
  const { packets, call, generation, status, state } = lab;
  const owner = state.hello?.role === 'owner';
  const capture = packets.capture;
  const able = canCapture(capture, need);
  const unavailable = captureLine(capture, need);
  const started = useRef(-1);
  // Why the server refused to start (a link it could not open, say), until the next session.
  const [refused, setRefused] = useState<{ generation: number; line: string } | null>(null);
  useEffect(() => {
    if (!open || !owner || status !== 'open' || started.current === generation) return;
    if (!capture || !able) return;
    started.current = generation;
    if (capture.state !== 'off') return;
    void call('capture', { action: 'start' }).then((r) => {
      if (!r.ok && r.error.code !== 'E_CANCELLED') setRefused({ generation, line: `Packets cannot be captured: ${r.error.message} (${r.error.code})` });
    });
  }, [open, owner, status, generation, capture, able, call]);
  const refusedLine = refused && refused.generation === generation ? refused.line : null;
  return (
    <details className="rounded-lg border border-gray-200 p-2 dark:border-gray-700" open={open} onToggle={(e) => onOpen(e.currentTarget.open)} data-testid="packet-section">
      <summary className="cursor-pointer text-sm font-bold">
        Packets on the wire{capture?.state === 'on' ? ` (${packets.list.length} captured)` : ''}: every call&apos;s real packets, byte by byte
        {!able ? ' (not available on this server: open for why)' : ''}
      </summary>
      <div className="mt-2 space-y-2">
        {unavailable || refusedLine ? (
          <p className="m-0 text-xs text-amber-900 dark:text-amber-100" data-testid="capture-unavailable">
            {unavailable ?? refusedLine}
          </p>
        ) : null}
        {open && capture && able ? <PacketPanel packets={packets} call={call} owner={owner} {...panel} /> : null}
      </div>
    </details>
  );
}
