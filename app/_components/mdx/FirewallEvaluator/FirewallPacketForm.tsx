'use client';
import { useId } from 'react';
import type { FieldErrors, PacketDraft, PacketField } from '@/app/_lib/firewall';
import { WidgetField } from '../WidgetField';
import { FirewallSelect } from './FirewallSelect';

interface Props {
  draft: PacketDraft;
  errors: FieldErrors<PacketField>;
  onChange: <K extends keyof PacketDraft>(field: K, value: PacketDraft[K]) => void;
}

/** The packet under test; the verdict updates as it is edited. */
export function FirewallPacketForm({ draft, errors, onChange }: Props) {
  const id = useId();
  return (
    <div role="group" aria-labelledby={`${id}-title`} className="min-w-0 rounded-lg bg-gray-50 p-3 dark:bg-gray-800/60">
      <h4 id={`${id}-title`} className="text-base font-bold text-gray-900 dark:text-gray-100">
        The packet
      </h4>
      <div className="mt-1.5 grid grid-cols-2 gap-2 sm:grid-cols-[repeat(2,minmax(0,1fr))_minmax(0,2fr)_minmax(0,1fr)]">
        <FirewallSelect
          id={`${id}-dir`}
          label="Direction"
          value={draft.direction}
          options={[
            { value: 'in', label: 'in (arriving)' },
            { value: 'out', label: 'out (leaving)' },
          ]}
          onChange={(v) => onChange('direction', v)}
        />
        <FirewallSelect
          id={`${id}-proto`}
          label="Protocol"
          value={draft.protocol}
          options={[
            { value: 'tcp', label: 'TCP' },
            { value: 'udp', label: 'UDP' },
          ]}
          onChange={(v) => onChange('protocol', v)}
        />
        <WidgetField compact id={`${id}-src`} label="Source address" value={draft.source} onChange={(v) => onChange('source', v)} error={errors.source} />
        <WidgetField compact id={`${id}-port`} label="Destination port" value={draft.port} onChange={(v) => onChange('port', v)} error={errors.port} />
      </div>
      <p className="mt-1.5 text-xs text-gray-700 dark:text-gray-300">
        {draft.direction === 'in'
          ? 'Arriving: the source is the remote machine, the port is one on this machine.'
          : 'Leaving: the source is this machine’s own address, the port is the remote service’s.'}
      </p>
      <div className="mt-2 flex items-start gap-2">
        <input
          id={`${id}-est`}
          type="checkbox"
          checked={draft.established}
          onChange={(e) => onChange('established', e.target.checked)}
          className="mt-1 h-4 w-4 shrink-0 accent-blue-700"
        />
        <label htmlFor={`${id}-est`} className="text-sm text-gray-900 dark:text-gray-100">
          It is a reply in a connection that is already established
          <span className="block text-xs text-gray-700 dark:text-gray-300">
            {draft.direction === 'in'
              ? 'For example, a web server answering a request this machine made.'
              : 'For example, this machine’s server answering a client that connected to it.'}
          </span>
        </label>
      </div>
    </div>
  );
}
