'use client';
import { useId, type Ref } from 'react';
import type { Direction, FieldErrors, PacketDraft, PacketField } from '@/app/_lib/nat';
import { WidgetField } from '../WidgetField';
import { NatTableProtocol } from './NatTableProtocol';

interface Props {
  draft: PacketDraft;
  errors: FieldErrors<PacketField>;
  publicAddress: string;
  onDirection: (d: Direction) => void;
  onEdit: (field: keyof PacketDraft, value: string) => void;
  onSend: () => void;
  sendRef: Ref<HTMLButtonElement>;
}

const DIRECTIONS: { value: Direction; label: string; hint: string }[] = [
  { value: 'outbound', label: 'Outbound', hint: 'from a machine on the LAN to the internet' },
  { value: 'inbound', label: 'Inbound', hint: 'from the internet to the router' },
];

/** The packet the learner builds and sends through the router. */
export function NatTablePacketForm({ draft, errors, publicAddress, onDirection, onEdit, onSend, sendRef }: Props) {
  const id = useId();
  const outbound = draft.direction === 'outbound';
  return (
    <form
      aria-label="Packet to send through the router"
      className="rounded-lg bg-gray-50 p-3 dark:bg-gray-800/60"
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
    >
      <h4 className="text-base font-bold text-gray-900 dark:text-gray-100">Send a packet</h4>
      <div className="mt-2 flex flex-wrap items-end gap-x-6 gap-y-2">
        <fieldset>
          <legend className="text-sm font-medium text-gray-800 dark:text-gray-200">Direction</legend>
          <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
            {DIRECTIONS.map((d) => (
              <label key={d.value} className="flex items-center gap-1.5 text-sm text-gray-900 dark:text-gray-100">
                <input
                  type="radio"
                  name={`${id}-dir`}
                  value={d.value}
                  checked={draft.direction === d.value}
                  onChange={() => onDirection(d.value)}
                  className="h-4 w-4 accent-blue-700"
                />
                <span>
                  {d.label} <span className="text-gray-600 dark:text-gray-400">({d.hint})</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <NatTableProtocol id={`${id}-proto`} value={draft.protocol} onChange={(v) => onEdit('protocol', v)} />
      </div>

      <div className="mt-3 grid gap-3 sm:grid-cols-2">
        <fieldset className="min-w-0">
          <legend className="text-sm font-semibold text-gray-800 dark:text-gray-200">
            Source {outbound ? '(a machine on the LAN)' : '(a machine on the internet)'}
          </legend>
          <div className="mt-1 grid grid-cols-[minmax(0,2fr)_minmax(0,1fr)] gap-2">
            <WidgetField id={`${id}-sa`} label="Address" value={draft.sourceAddress} onChange={(v) => onEdit('sourceAddress', v)} error={errors.sourceAddress} />
            <WidgetField id={`${id}-sp`} label="Port" value={draft.sourcePort} onChange={(v) => onEdit('sourcePort', v)} error={errors.sourcePort} numeric />
          </div>
        </fieldset>
        <fieldset className="min-w-0">
          <legend className="text-sm font-semibold text-gray-800 dark:text-gray-200">
            Destination {outbound ? '(a server on the internet)' : `(the router, ${publicAddress})`}
          </legend>
          <div className="mt-1 grid grid-cols-[minmax(0,2fr)_minmax(0,1fr)] gap-2">
            <WidgetField
              id={`${id}-da`}
              label="Address"
              value={draft.destinationAddress}
              onChange={(v) => onEdit('destinationAddress', v)}
              error={errors.destinationAddress}
            />
            <WidgetField
              id={`${id}-dp`}
              label="Port"
              value={draft.destinationPort}
              onChange={(v) => onEdit('destinationPort', v)}
              error={errors.destinationPort}
              numeric
            />
          </div>
        </fieldset>
      </div>
      <button
        ref={sendRef}
        type="submit"
        className="mt-3 rounded-md bg-blue-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-blue-800 dark:bg-blue-600 dark:hover:bg-blue-700"
      >
        Send packet
      </button>
    </form>
  );
}
