/**
 * A lab worker thread: builds its own lab (the addon's per-thread instance, a kernel reader, a
 * sandbox helper, a policy) with server/start/lab.ts, holds the sessions the front gives it
 * (worker-sessions.ts) and answers the front's questions. It starts listening to the front only
 * once its lab is built; the port keeps what arrives before.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLabParts } from '../start/lab.ts';
import type { FromWorker, Question, ToWorker, WorkerData } from './worker-messages.ts';
import { WorkerSessions } from './worker-sessions.ts';

const port = parentPort!;
const data = workerData as WorkerData;
const post = (msg: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer);

const parts = await createLabParts(data.config, data.lan, data.fd);
const sessions = new WorkerSessions({
  deps: parts.sessionDeps,
  engineComposite: parts.engine.composite,
  kernelView: parts.kernelView.source,
  // The hello tells the server's limit, as the host set it; this worker's helper holds its share.
  networkSupport: { ...parts.networkSupport, maxNetworks: data.totalNetworks },
  idleSeconds: data.config.idleSeconds,
  post,
  afterCommand: () => parts.fdCount.sync(),
});

async function answer(q: Question): Promise<unknown> {
  switch (q.q) {
    case 'is-connection':
      return parts.engine.isConnection(q.from, q.to);
    case 'syscall-clock':
      return parts.engine.syscallClock?.() ?? { ns: 0, calls: 0 };
    case 'sandbox-stats':
      return parts.sandbox ? await parts.sandbox.stats() : null;
    case 'sandbox-helper':
      return parts.sandbox ? await parts.sandbox.helperPid() : null;
    case 'open-shells':
      return parts.sandbox?.openShells ?? 0;
    case 'open-fds':
      return parts.engine.openFds?.() ?? 0;
    case 'loopback-capture': {
      const loopback = parts.sessionDeps.capture?.loopback;
      return loopback ? { subscribers: loopback.subscribers, opened: loopback.opened, open: loopback.open, filterPorts: loopback.filterPorts } : null;
    }
  }
}

async function shutdown(): Promise<void> {
  sessions.endAll('shutdown', 'The lab server is shutting down.');
  sessions.flush();
  parts.engine.closeAll();
  // The sessions unsubscribed as they ended; this closes the packet socket should any be left.
  parts.sessionDeps.capture?.loopback?.close();
  parts.fdCount.close();
  await parts.sandbox?.close();
  post({ t: 'closed' });
  port.close();
}

function onMessage(m: ToWorker): void {
  switch (m.t) {
    case 'frames':
      for (const [key, text] of m.items) void sessions.frame(key, text);
      return;
    case 'open':
      return sessions.open(m.key, m.label, m.reportSteps);
    case 'label':
      return sessions.relabel(m.key, m.label, m.reportSteps);
    case 'close':
      return sessions.close(m.key);
    case 'watch':
      return sessions.watch(m.key, m.conn);
    case 'unwatch':
      return sessions.unwatch(m.key, m.conn);
    case 'end':
      return sessions.end(m.keys, m.reason, m.message);
    case 'class-chat':
      parts.policy.classChat = m.chat;
      return;
    case 'site-port':
      parts.policy.sitePort = m.port;
      return;
    case 'ask':
      void answer(m.q).then(
        (value) => post({ t: 'answer', id: m.id, value }),
        () => post({ t: 'answer', id: m.id, value: null }),
      );
      return;
    case 'shutdown':
      void shutdown();
      return;
    case 'crash':
      // A test's stand-in for a bug: an exception nobody catches ends the thread.
      if (process.env.SOCKETLAB_TEST_HOOKS === '1') {
        setImmediate(() => {
          throw new Error('lab worker crashed on purpose (SOCKETLAB_TEST_HOOKS)');
        });
      }
      return;
  }
}

port.on('message', onMessage);
post({ t: 'ready', kernelView: parts.kernelView.source, sandboxSupport: parts.sandboxSupport });
