#!/usr/bin/env node
/**
 * A terminal inside a host of your own sandbox network:
 *
 *   npm run lab-shell -- laptop TOKEN              an interactive shell on laptop
 *   npm run lab-shell -- laptop TOKEN -- ip -4 addr   one command there, then back
 *
 * The page (the network lab's "Open a terminal on …") prints the line with a fresh one-time TOKEN.
 * This script hands the token to the server through its Unix socket (server/sandbox/shell.ts),
 * learns where the host's namespaces are, opens them, checks they are the ones the server named,
 * and runs nsenter with them. It stays connected while the shell runs: when the network ends, the
 * server closes the connection and the shell is ended too.
 *
 * Plain JavaScript (no build, no dependencies), so it runs wherever node does.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, fstatSync, openSync } from 'node:fs';
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import path from 'node:path';

const HOSTS = ['laptop', 'phone', 'router', 'server'];
const TOKEN = /^([0-9]{1,10})-([0-9]{1,6})\.([A-Za-z0-9_-]{22})$/;
const USAGE = 'usage: npm run lab-shell -- <host> <token> [-- command ...]   (the page prints the whole line)';

/** One line on stderr, then out: every refusal here is a sentence a learner can act on. */
function die(message, code = 1) {
  process.stderr.write(`lab-shell: ${message}\n`);
  process.exit(code);
}

function findOnPath(name) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/bin', '/usr/sbin', '/sbin']);
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // next
    }
  }
  return null;
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [host, token, ...rest] = argv;
const command = rest[0] === '--' ? rest.slice(1) : rest;
if (!host || !token) die(USAGE, 64);
if (!HOSTS.includes(host)) die(`there is no host "${host}" in the sandbox network (${HOSTS.join(', ')}).`, 64);
const parsed = TOKEN.exec(token);
if (!parsed) die('that token is not one the page printed: copy the whole line from the page again.', 64);

if (process.platform !== 'linux') die(`lab shells need Linux (they enter the sandbox's network namespaces); this is ${process.platform}.`, 69);
const nsenter = findOnPath('nsenter');
if (!nsenter) die('lab shells need nsenter, which is not installed: `sudo apt-get install -y util-linux`.', 69);

const uid = process.getuid();
const door = path.join('/tmp', `socketlab-${uid}`, `lab-shell-${parsed[1]}-${parsed[2]}.sock`);

const socket = net.createConnection(door);
socket.setEncoding('utf8');
let buffered = '';
let child = null;
let ended = null;

socket.on('error', (e) => {
  if (child) return; // the shell runs on; 'close' ends it
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
    die(`no Socket Lab server of user ${uid} that printed this command is running on this machine (a server of another user cannot be entered).`, 69);
  }
  if (e.code === 'EACCES') die(`the server's socket ${door} is not yours: run this as the user running the server.`, 77);
  die(`cannot reach the server: ${e.message}`, 69);
});
socket.on('connect', () => socket.write(`${JSON.stringify({ token, host })}\n`));
socket.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    onMessage(JSON.parse(line));
  }
});
socket.on('close', () => {
  if (!child) die('the server closed the connection without an answer.', 69);
  // The network ended (or the server stopped): a shell in a network that is gone teaches nothing.
  if (child.exitCode === null && child.signalCode === null) {
    process.stderr.write(`\nlab-shell: ${ended ?? 'the server has gone'}; closing the shell on ${host}.\n`);
    child.kill('SIGHUP');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  }
});

function onMessage(message) {
  if (child) {
    if (message.event === 'ended') ended = `your sandbox network ended (${message.reason})`;
    return;
  }
  if (!message.ok) die(`${message.message} [${message.code}]`, 77);
  enter(message);
}

/** Opens the namespaces the server named, checks them, and runs the shell (or command) inside. */
function enter({ pid, netFd, netInode, userInode }) {
  let userns;
  let netns;
  try {
    userns = openSync(`/proc/${pid}/ns/user`, 'r');
    netns = openSync(`/proc/${pid}/fd/${netFd}`, 'r');
  } catch (e) {
    die(`cannot open the sandbox's namespaces (${e.code ?? e.message}): run this as the user running the server.`, 77);
  }
  // The fd number could have been reused between the server's answer and our open: check the inodes.
  if (fstatSync(userns).ino !== userInode || fstatSync(netns).ino !== netInode) {
    die('the sandbox network changed while the shell was opening: copy a fresh command from the page.', 75);
  }
  const program = command.length > 0 ? command : [process.env.SHELL || '/bin/sh'];
  if (command.length === 0) {
    process.stderr.write(`lab-shell: you are on ${host} in your sandbox network. Try: ip addr, ip route, ss -tan, ping. \`exit\` leaves.\n`);
  }
  // fds 3 and 4 of nsenter are the namespaces opened above: nsenter enters exactly those.
  const enter = [nsenter, '--user=/proc/self/fd/3', '--net=/proc/self/fd/4', '--preserve-credentials', '--', ...program];
  // Where setpriv is (util-linux too), the shell dies with this script even if it is killed
  // outright: nsenter execs the shell in the same process, which keeps the parent-death signal.
  const setpriv = findOnPath('setpriv');
  const argv = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', ...enter] : enter;
  child = spawn(argv[0], argv.slice(1), {
    stdio: ['inherit', 'inherit', 'inherit', userns, netns],
    env: { ...process.env, SOCKETLAB_HOST: host, PS1: `(lab ${host}) \\w \\$ ` },
  });
  closeSync(userns);
  closeSync(netns);
  // Ctrl-C belongs to the shell, not to this script; being told to stop, it stops the shell first.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill('SIGHUP'));
  child.on('error', (e) => die(`could not run nsenter: ${e.message}`, 69));
  child.on('exit', (code, signal) => {
    socket.destroy();
    process.exit(code ?? 128 + (osConstants.signals[signal] ?? 1));
  });
}
