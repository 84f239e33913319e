'use client';
import { useId, useRef, useState } from 'react';
import {
  addRule,
  checkPacket,
  clearMappings,
  endpointText,
  initialState,
  removeRule,
  send,
  type Direction,
  type FieldErrors,
  type NatState,
  type PacketDraft,
  type PacketField,
  type SendResult,
} from '@/app/_lib/nat';
import { NatTableLog } from './NatTableLog';
import { NatTablePacketForm } from './NatTablePacketForm';
import { NatTableResult } from './NatTableResult';
import { NatTableRules } from './NatTableRules';
import { NatTableTranslations } from './NatTableTranslations';

/** The router starts with one forwarding rule, so both kinds of inbound packet can be tried at once. */
function startState(): NatState {
  return addRule(initialState(), { protocol: 'tcp', externalPort: '8080', internalAddress: '192.168.1.10', internalPort: '80' }).state;
}

const START_DRAFTS: Record<Direction, PacketDraft> = {
  outbound: {
    direction: 'outbound',
    protocol: 'tcp',
    sourceAddress: '192.168.1.20',
    sourcePort: '51000',
    destinationAddress: '198.51.100.9',
    destinationPort: '443',
  },
  inbound: {
    direction: 'inbound',
    protocol: 'tcp',
    sourceAddress: '198.51.100.9',
    sourcePort: '443',
    destinationAddress: '203.0.113.7',
    destinationPort: '8080',
  },
};

const LOG_LENGTH = 10;

/** A simulated home router: port forwarding and NAT translations for packets the learner edits. */
export function NatTableTool() {
  const id = useId();
  const [state, setState] = useState<NatState>(startState);
  const [direction, setDirection] = useState<Direction>('outbound');
  const [drafts, setDrafts] = useState(START_DRAFTS);
  const [errors, setErrors] = useState<FieldErrors<PacketField>>({});
  const [log, setLog] = useState<SendResult[]>([]);
  const [status, setStatus] = useState('');
  const sendRef = useRef<HTMLButtonElement>(null);
  const draft = drafts[direction];
  const last = log[0] ?? null;

  function edit(field: keyof PacketDraft, value: string) {
    setDrafts((all) => ({ ...all, [direction]: { ...all[direction], [field]: value } }));
    if (field in errors) setErrors((e) => ({ ...e, [field]: undefined }));
  }

  function sendPacket() {
    const checked = checkPacket(state, draft);
    if (!checked.ok) {
      setErrors(checked.errors);
      setStatus(`Not sent: ${Object.values(checked.errors).join(' ')}`);
      return;
    }
    setErrors({});
    const r = send(state, checked.value);
    setState(r.state);
    setLog((l) => [r, ...l].slice(0, LOG_LENGTH));
    setStatus(r.explanation);
  }

  function prepareReply(r: SendResult) {
    if (!r.after) return;
    const reply: PacketDraft = {
      direction: 'inbound',
      protocol: r.after.protocol,
      sourceAddress: r.after.destination.address,
      sourcePort: String(r.after.destination.port),
      destinationAddress: r.after.source.address,
      destinationPort: String(r.after.source.port),
    };
    setDrafts((all) => ({ ...all, inbound: reply }));
    setDirection('inbound');
    setErrors({});
    setStatus(`Reply ready: inbound from ${endpointText(r.after.destination)} to ${endpointText(r.after.source)}. Press Send packet.`);
    requestAnimationFrame(() => sendRef.current?.focus());
  }

  return (
    <section aria-labelledby={`${id}-title`} className="not-prose my-8 rounded-xl border border-gray-200 bg-white p-4 shadow-sm sm:p-5 dark:border-gray-700 dark:bg-gray-900/60">
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={`${id}-title`} className="text-lg font-bold text-gray-900 dark:text-gray-100">
          Home router: NAT and port forwarding
        </h3>
        <span className="rounded-full border border-amber-500 bg-amber-100 px-2 py-0.5 text-xs font-bold uppercase tracking-wide text-amber-950 dark:border-amber-500 dark:bg-amber-900/60 dark:text-amber-100">
          Simulation
        </span>
      </div>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">
        Nothing leaves your machine: this router and its packets exist only in this page.
      </p>
      <dl className="mt-3 grid grid-cols-1 gap-x-4 rounded-lg border border-gray-200 p-3 text-sm sm:grid-cols-[max-content_minmax(0,1fr)] sm:gap-y-1 dark:border-gray-700">
        <dt className="mt-1 font-semibold text-gray-700 first:mt-0 sm:mt-0 dark:text-gray-300">Internet side (public)</dt>
        <dd className="font-mono text-gray-900 dark:text-gray-100">{state.publicAddress}</dd>
        <dt className="mt-1 font-semibold text-gray-700 first:mt-0 sm:mt-0 dark:text-gray-300">Home LAN</dt>
        <dd className="font-mono text-gray-900 dark:text-gray-100">{state.lan}</dd>
        <dt className="mt-1 font-semibold text-gray-700 first:mt-0 sm:mt-0 dark:text-gray-300">Router on the LAN</dt>
        <dd className="font-mono text-gray-900 dark:text-gray-100">{state.routerLanAddress}</dd>
      </dl>

      <div className="mt-5 space-y-5">
        <NatTablePacketForm
          draft={draft}
          errors={errors}
          publicAddress={state.publicAddress}
          onDirection={(d) => {
            setDirection(d);
            setErrors({});
          }}
          onEdit={edit}
          onSend={sendPacket}
          sendRef={sendRef}
        />

        <p role="status" className="sr-only">
          {status}
        </p>

        {last ? (
          <div>
            <NatTableResult result={last} />
            {last.outcome === 'translated' && last.after ? (
              <button
                type="button"
                onClick={() => prepareReply(last)}
                className="mt-2 rounded-md border border-blue-700 px-3 py-1 text-sm font-semibold text-blue-800 hover:bg-blue-50 dark:border-blue-400 dark:text-blue-200 dark:hover:bg-blue-950"
              >
                Prepare the server’s reply
              </button>
            ) : null}
          </div>
        ) : null}

        <NatTableLog log={log} />

        <NatTableTranslations
          mappings={state.mappings}
          publicAddress={state.publicAddress}
          onClear={() => {
            setState((s) => clearMappings(s));
            setStatus('Translation table cleared.');
          }}
        />

        <NatTableRules
          rules={state.rules}
          onAdd={(d) => {
            const r = addRule(state, d);
            if (r.errors) {
              setStatus(`Rule not added: ${Object.values(r.errors).join(' ')}`);
              return r.errors;
            }
            setState(r.state);
            setStatus(`Rule added: ${r.rule!.protocol.toUpperCase()} port ${r.rule!.externalPort} goes to ${endpointText(r.rule!.internal)}.`);
            return null;
          }}
          onRemove={(rule) => {
            setState((s) => removeRule(s, rule.id));
            setStatus(`Rule removed: ${rule.protocol.toUpperCase()} port ${rule.externalPort}.`);
          }}
        />
      </div>
    </section>
  );
}
