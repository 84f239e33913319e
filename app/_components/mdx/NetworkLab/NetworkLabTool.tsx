'use client';
import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from 'react';
import { HOST_NAMES, type HostName, type LabError, type Policy, type ProtocolFirewallRule, type ProtocolNetworkView } from '@/server/protocol';
import { useLabSession } from '@/app/_lib/lab/use-lab-session';
import { PacketSection } from '@/app/_components/lab/packets/PacketSection';
import { useStepCapture } from '@/app/_lib/lab/packets/use-step-capture';
import { checkedCommand } from '@/app/_lib/lab/checked-command';
import { lastStepBySock } from '@/app/_lib/lab/state';
import { provisionalBySock } from '@/app/_lib/lab/provisional';
import { addEcho, NO_ECHOES } from '@/app/_lib/network-lab/echoes';
import { hostAddresses, hostOfSockets, networkAddresses } from '@/app/_lib/network-lab/hosts';
import { publishPageNetwork } from '@/app/_lib/network-lab/page-network';
import type { CallRequest } from '../../lab/CallForm';
import { LabStatus } from '../../lab/LabStatus';
import { FirewallForm } from './FirewallForm';
import { FirewallRules } from './FirewallRules';
import { ForwardForm } from './ForwardForm';
import { HostPicker } from './HostPicker';
import { HostSocketForm } from './HostSocketForm';
import { HostSockets } from './HostSockets';
import { HostTerminal, type ShellAnswer } from './HostTerminal';
import { NETWORK_SCENARIOS, type NetworkScenarioName } from '@/content/network-scenarios';
import { NetworkDiagram } from './NetworkDiagram';
import { GUIDE_ID_PREFIX, NetworkScenarioBar } from './NetworkScenarioBar';
import { NetworkUnavailable } from './NetworkUnavailable';
import { OpError } from './OpError';
import { PingForm } from './PingForm';
import { PingLog } from './PingLog';
import { BUTTON, PANEL, TOOL } from './styles';

export interface NetworkLabProps {
  /** What this lesson does with the network, after "Sandbox network:". */
  title?: string;
  /** The lesson's own widget that works without the sandbox, named as a reader finds it ("the IP explorer above"). */
  fallback?: string;
  /** The host the forms start on. */
  host?: HostName;
  /** A guided walk from content/network-scenarios/: its steps create the network and lead the lesson's demo. */
  scenario?: NetworkScenarioName;
}

type Failure = { what: string; error: LabError };

/**
 * A learner's own small network on a lesson page (issue 16): four hosts in real network namespaces,
 * drawn as the kernel reports them, with sockets, ping, firewall rules and port forwards on them,
 * one real call per click on the page's own /lab session.
 */
export function NetworkLabTool({ title = 'your own hosts, router and firewall', fallback = "the lesson's other widgets", host: firstHost, scenario }: NetworkLabProps) {
  const titleId = useId();
  const lab = useLabSession();
  const { state, status, call, client, generation } = lab;
  const [view, setView] = useState<ProtocolNetworkView | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [unsupported, setUnsupported] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [host, setHost] = useState<HostName>(() => HOST_NAMES.find((h) => h === firstHost) ?? 'laptop');
  const [nft, setNft] = useState<string | null>(null);
  const [echoes, dispatchEcho] = useReducer(addEcho, NO_ECHOES);
  const [packetsOpen, setPacketsOpen] = useState(false);
  const [packetN, setPacketN] = useState<number | null>(null);
  const connected = status === 'open';

  // A new session (a reconnect) starts with no network: the old one ended with the old session.
  useEffect(() => {
    setView(null);
    setNft(null);
  }, [generation]);

  useEffect(() => {
    if (!client) return;
    return client.on((e) => {
      if (e.event === 'echo') dispatchEcho(e);
    });
  }, [client]);

  /** Reads the network again from the kernel; calls that come while one runs make it read once more after. */
  const showing = useRef({ busy: false, again: false });
  const refresh = useCallback(async () => {
    const s = showing.current;
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      do {
        s.again = false;
        const r = await call('network', { action: 'show' });
        if (r.ok) setView(r.result.network);
        else if (r.error.code === 'E_NO_NETWORK') setView(null);
      } while (s.again);
    } finally {
      s.busy = false;
    }
  }, [call]);

  // After every finished call on the network (a connect fills the neighbour and conntrack tables, a
  // ping moves rule counters), the drawing is read again, so it always shows the kernel's state.
  const last = state.steps[state.steps.length - 1];
  // A guided step's call is followed by the guide's own read (it shows the step's tables once that is done).
  const guided = typeof last?.id === 'string' && last.id.startsWith(GUIDE_ID_PREFIX);
  const lastDone = last && !guided && last.status !== 'blocked' && last.op !== 'network' && last.op !== 'kernel' ? last.seq : null;
  const haveNetwork = view !== null;
  useEffect(() => {
    if (lastDone !== null && haveNetwork) void refresh();
  }, [lastDone, haveNetwork, refresh]);

  // The page's challenges check this network, on this session (app/_lib/network-lab/page-network.ts).
  useEffect(() => (haveNetwork ? publishPageNetwork((args) => call('check', args)) : undefined), [haveNetwork, call]);

  const support = state.hello?.network;
  const reason = unsupported ?? (support && !support.available ? (support.reason ?? 'the server did not say why.') : null);

  /** One fresh read of the network, awaited: a scenario step shows its tables only once this is done. */
  const reread = useCallback(async () => {
    const r = await call('network', { action: 'show' });
    if (r.ok) setView(r.result.network);
    else if (r.error.code === 'E_NO_NETWORK') setView(null);
  }, [call]);
  const guide = scenario ? NETWORK_SCENARIOS[scenario] : undefined;
  const stepCapture = useStepCapture(lab);

  async function create() {
    setCreating(true);
    setFailure(null);
    const r = await call('network', { action: 'create', topology: 'home' });
    setCreating(false);
    if (r.ok) setView(r.result.network);
    else if (r.error.code === 'E_UNSUPPORTED') setUnsupported(r.error.message);
    else if (r.error.code === 'E_LIMIT') await refresh();
    else setFailure({ what: 'Creating the network', error: r.error });
  }

  async function destroy() {
    const r = await call('network', { action: 'destroy' });
    if (r.ok) {
      setView(null);
      setNft(null);
    } else setFailure({ what: 'Removing the network', error: r.error });
  }

  const onCall = useCallback(
    (req: CallRequest) => {
      // A form's fields are checked against the op's schema here; one that does not fit is not sent.
      const checked = checkedCommand(req.op, req.args);
      if (!checked.ok) {
        setFailure({ what: `${req.op}()`, error: checked.error });
        return;
      }
      void call(checked.command.op, checked.command.args);
    },
    [call],
  );

  async function ping(address: string, count: number) {
    setFailure(null);
    const checked = checkedCommand('ping', { host, address, count });
    if (!checked.ok) return setFailure({ what: 'ping', error: checked.error });
    const r = await call('ping', { host, address, count });
    if (!r.ok) setFailure({ what: 'ping', error: r.error });
  }

  async function addRule(rule: ProtocolFirewallRule, position: 'first' | 'last') {
    setFailure(null);
    const args = { host, action: 'add' as const, rule, position };
    const checked = checkedCommand('firewall', args);
    if (!checked.ok) return setFailure({ what: 'Adding the rule', error: checked.error });
    const r = await call('firewall', args);
    if (r.ok) setNft(r.result.rule?.nft ?? null);
    else setFailure({ what: 'Adding the rule', error: r.error });
  }

  async function deleteRule(id: number) {
    const r = await call('firewall', { host, action: 'delete', id });
    if (!r.ok) setFailure({ what: 'Deleting the rule', error: r.error });
  }

  async function addForward(forward: ProtocolNetworkView['forwards'][number]['forward']) {
    setFailure(null);
    const args = { action: 'add' as const, forward };
    const checked = checkedCommand('forward', args);
    if (!checked.ok) return setFailure({ what: 'Adding the forward', error: checked.error });
    const r = await call('forward', args);
    if (!r.ok) setFailure({ what: 'Adding the forward', error: r.error });
  }

  async function requestShell(h: HostName): Promise<ShellAnswer> {
    const r = await call('network', { action: 'shell', host: h });
    if (!r.ok) return { ok: false, error: r.error };
    return r.result.shell ? { ok: true, ticket: r.result.shell } : { ok: false, error: { code: 'E_INTERNAL', message: 'The server answered without a command.' } };
  }

  async function readKernel() {
    const r = await call('kernel', {});
    return r.ok ? r.result.rows : null;
  }

  async function deleteForward(id: number) {
    const r = await call('forward', { action: 'delete', id });
    if (!r.ok) setFailure({ what: 'Deleting the forward', error: r.error });
  }

  const hostOf = useMemo(() => hostOfSockets(state.steps), [state.steps]);
  const lastSteps = useMemo(() => lastStepBySock(state.steps), [state.steps]);
  const provisional = useMemo(() => provisionalBySock(lab.provisional), [lab.provisional]);
  const everyAddress = useMemo(() => networkAddresses(view), [view]);
  // The socket cards offer this host's own addresses first, then the others', instead of loopback's.
  const policies = useMemo(() => {
    const base = state.hello?.policy;
    const byHost = new Map<HostName, Policy | null>();
    for (const h of HOST_NAMES) {
      const own = hostAddresses(view?.hosts.find((v) => v.name === h));
      byHost.set(h, base ? { ...base, addresses: [...new Set([...own, ...everyAddress])] } : null);
    }
    return byHost;
  }, [state.hello, view, everyAddress]);
  const openSockets = state.sockets.filter((s) => !s.closed && hostOf.has(s.handle));
  const listening = openSockets.find((s) => s.listening && s.local)?.local?.port ?? null;
  const selected = view?.hosts.find((h) => h.name === host);
  const ready = connected && view !== null;

  return (
    <section
      aria-labelledby={titleId}
      className="not-prose my-8 space-y-3 rounded-2xl border border-gray-300 bg-white p-3 text-gray-900 shadow-sm sm:p-4 dark:border-gray-700 dark:bg-gray-950 dark:text-gray-100"
      data-testid="network-lab"
      data-network={view ? 'up' : 'none'}
    >
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h3 id={titleId} className="m-0 text-base font-bold">
          Sandbox network: {title}
        </h3>
        <LabStatus status={status} hello={state.hello} />
      </header>
      {lab.notice ? (
        <p role="alert" className="m-0 rounded-lg border border-amber-400 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950/40">
          {lab.notice}
        </p>
      ) : null}
      {reason ? (
        <NetworkUnavailable reason={reason} fallback={fallback} />
      ) : (
        <>
          {guide ? <NetworkScenarioBar scenario={guide} client={client} hello={state.hello} generation={generation} steps={state.steps} view={view} reread={reread} packets={lab.packets} capture={stepCapture} /> : null}
          {!view ? (
            <div className="flex flex-wrap items-center gap-3">
              <button type="button" className={guide ? TOOL : BUTTON} disabled={!connected || creating} onClick={() => void create()} data-testid="network-create">
                {creating ? 'Creating…' : guide ? 'Create it without the guide' : 'Create my network'}
              </button>
              <p className="m-0 max-w-prose text-sm text-gray-700 dark:text-gray-300">
                Four hosts of your own (laptop and phone at home, a router, a server on the internet), built from the Linux kernel&apos;s network namespaces. Nobody else sees them; they go when you leave the page.
              </p>
            </div>
          ) : null}
        </>
      )}
      {failure ? <OpError what={failure.what} error={failure.error} onDismiss={() => setFailure(null)} /> : null}
      {view ? (
        <>
          <div className="flex flex-wrap gap-2">
            <button type="button" className={TOOL} disabled={!connected} onClick={() => void refresh()} data-testid="network-refresh">
              Refresh from the kernel
            </button>
            <button type="button" className={TOOL} disabled={!connected} onClick={() => void destroy()} data-testid="network-destroy">
              Remove my network
            </button>
          </div>
          <NetworkDiagram view={view} />
          <HostPicker host={host} onHost={setHost} />
          <div className="space-y-3" data-testid="host-workbench" data-host={host}>
            <section className={PANEL} aria-label={`New socket on ${host}`}>
              <h4 className="m-0 mb-1 text-sm font-bold">A new socket on {host}</h4>
              <HostSocketForm host={host} disabled={!ready} onCall={onCall} />
              <p className="m-0 mt-1 text-xs text-gray-700 dark:text-gray-300">
                On a sandbox host any port works (80 too) and the lab&apos;s loopback limits do not apply: nothing here reaches a real network. A dropped connection gives up after a few seconds (the sandbox retries a SYN fewer times than usual).
              </p>
            </section>
            <section className={PANEL} aria-label={`Ping from ${host}`}>
              <h4 className="m-0 mb-1 text-sm font-bold">Ping from {host}</h4>
              <PingForm host={host} addresses={everyAddress} disabled={!ready} onPing={(a, n) => void ping(a, n)} />
              <div className="mt-2">
                <PingLog steps={state.steps} echoes={echoes} />
              </div>
            </section>
            <section className={PANEL} aria-label={`Firewall on ${host}`}>
              <h4 className="m-0 mb-1 text-sm font-bold">Firewall on {host}</h4>
              <FirewallForm host={host} disabled={!ready} nft={nft} onAdd={(rule, position) => void addRule(rule, position)} />
              <div className="mt-2">
                <FirewallRules host={host} rules={selected?.firewall ?? []} disabled={!ready} onDelete={(id) => void deleteRule(id)} />
              </div>
            </section>
            <HostTerminal host={host} support={support?.shell} disabled={!ready} kernel={state.kernel} onRequest={requestShell} onLookAgain={readKernel} />
            {host === 'router' ? (
              <section className={PANEL} aria-label="Port forwarding on router">
                <h4 className="m-0 mb-1 text-sm font-bold">Port forwarding on router</h4>
                <ForwardForm forwards={view.forwards} disabled={!ready} onAdd={(f) => void addForward(f)} onDelete={(id) => void deleteForward(id)} />
              </section>
            ) : null}
          </div>
          {openSockets.length ? (
            <section className="space-y-2" aria-label="Your sockets on the sandbox hosts">
              <h4 className="m-0 text-sm font-bold">Your sockets</h4>
              {HOST_NAMES.map((h) => (
                <HostSockets
                  key={h}
                  host={h}
                  sockets={openSockets.filter((s) => hostOf.get(s.handle) === h)}
                  kernel={state.kernel}
                  policy={policies.get(h) ?? null}
                  suggestedPort={listening}
                  connected={connected}
                  lastSteps={lastSteps}
                  provisional={provisional}
                  onCall={onCall}
                />
              ))}
            </section>
          ) : null}
          <PacketSection lab={lab} need="sandbox" open={packetsOpen} onOpen={setPacketsOpen} steps={state.steps} sockets={state.sockets} lanes={HOST_NAMES} kernelLog={state.kernelLog} selected={packetN} onSelect={setPacketN} />
        </>
      ) : null}
    </section>
  );
}
