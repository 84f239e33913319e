// A lab worker's first module: workers do not inherit the main thread's TypeScript loader (tsx's
// --import hook), so each registers it before loading its TypeScript entry (server/lab/worker-main.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
