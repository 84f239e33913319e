import { HOST_NAMES, type HostName, type KernelRow, type Policy } from '@/server/protocol';
import { laneColor } from '@/app/_lib/lab/lane-colors';
import type { SockView, StepView } from '@/app/_lib/lab/state';
import type { ProvisionalCall } from '@/app/_lib/lab/provisional';
import type { CallRequest } from '../../lab/CallForm';
import { SocketCard } from '../../lab/SocketCard';

interface Props {
  host: HostName;
  sockets: SockView[];
  kernel: KernelRow[];
  /** The lab's policy with this host's addresses first: what the cards' address fields offer. */
  policy: Policy | null;
  suggestedPort: number | null;
  connected: boolean;
  lastSteps: Map<string, StepView>;
  provisional: ReadonlyMap<string, ProvisionalCall>;
  onCall: (r: CallRequest) => void;
}

/** The open sockets of one host, each the lab's own socket card: every call, its result and the kernel's state. */
export function HostSockets({ host, sockets, kernel, policy, suggestedPort, connected, lastSteps, provisional, onCall }: Props) {
  if (!sockets.length) return null;
  const color = laneColor([...HOST_NAMES], host);
  return (
    <section aria-label={`Sockets on ${host}`} data-testid={`sockets-${host}`}>
      <h4 className={`m-0 mb-1 font-mono text-sm font-bold ${color.text}`}>on {host}</h4>
      <div className="grid gap-2 sm:grid-cols-2">
        {sockets.map((s) => (
          <SocketCard key={s.handle} sock={s} kernel={kernel} color={color} policy={policy} suggestedPort={suggestedPort} connected={connected} lastStep={lastSteps.get(s.handle)} provisional={provisional.get(s.handle)} onCall={onCall} />
        ))}
      </div>
    </section>
  );
}
