'use client';
import dynamic from 'next/dynamic';
import type { ProtocolNetworkView } from '@/server/protocol';
import { captureLine, canCapture, packetsOfStep, type PacketsState } from '@/app/_lib/lab/packets/store';
import type { StepPacketLanesProps } from './StepPacketLanes';

// The decoder and the drawing load only once a step has packets to show.
const StepPacketLanes = dynamic<StepPacketLanesProps>(() => import('./StepPacketLanes'), { ssr: false, loading: () => <p className="m-0 text-xs">Loading the packets…</p> });

interface Props {
  /** The command id of the step's call: its packets carry it as their `cause`. */
  stepId: string;
  /** The hosts the step's call ran on: their lanes are named as the call's. */
  hosts: readonly string[];
  /** The session's packets; absent where the page keeps none. */
  packets?: PacketsState | null;
  /** The network as the kernel last reported it: which address is which host. */
  view?: ProtocolNetworkView | null;
  /** Why the server refused to start capturing, when it did. */
  refused?: string | null;
}

/**
 * Under a scenario step: the packets its call put on the sandbox's links (the ARP of a first ping,
 * a connect's handshake on lan and again on wan, rewritten by the router), drawn between the host
 * lanes. Where capture cannot run, one line says why; a call that sent nothing says so.
 */
export function ScenarioStepPackets({ stepId, hosts, packets, view = null, refused = null }: Props) {
  if (!packets) return null;
  const capture = packets.capture;
  const caused = packetsOfStep(packets, { id: stepId, seq: -1 }).caused;
  const line = refused ?? captureLine(capture, 'sandbox') ?? (capture?.state === 'off' && !caused.length ? 'Packets are not being captured now (the packet view below was stopped): capture again there to see each step\u2019s packets.' : null);
  return (
    <div className="space-y-1" data-testid="step-packets" data-step-id={stepId} data-count={caused.length}>
      {line ? (
        <p className="m-0 text-xs text-amber-900 dark:text-amber-100" data-testid="step-packets-unavailable">
          {line}
        </p>
      ) : null}
      {!canCapture(capture, 'sandbox') ? null : caused.length ? (
        <StepPacketLanes packets={packets} stepId={stepId} hosts={hosts} view={view} />
      ) : capture?.state === 'off' ? null : (
        <p className="m-0 text-xs text-gray-700 dark:text-gray-300" data-testid="step-packets-none">
          No packets on the wire from this call.
        </p>
      )}
    </div>
  );
}
