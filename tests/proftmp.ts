import { spawn } from 'node:child_process';
import { startLab } from './helpers/lab.ts';
const server = await startLab({ sessionsPerAddress: 400, commandsPerSecond: 10000 });
const child = spawn(process.execPath, ['--import', 'tsx', '/tmp/loadgen.mts', String(server.port)], { stdio: 'inherit', cwd: '/work/main' });
await new Promise((r) => child.once('exit', r));
await server.close();
