/**
 * The guided scenarios of the live lab, in the order the lab's picker lists them: the one typed
 * index the app loads them through. Each scenario is a file of its own beside this one, named after
 * it. To add one, write `content/scenarios/<name>.ts` and list it here (docs/authoring.md);
 * `npm run build` checks every scenario first (scripts/check-content.ts).
 */
import type { Scenario } from '../scenario-schema';
import tcpHello from './tcp-hello';
import serverSide from './server-side';
import clientSide from './client-side';
import connectionRefused from './connection-refused';
import addressInUse from './address-in-use';
import acceptQueue from './accept-queue';
import streamVsDatagram from './stream-vs-datagram';
import udpToNobody from './udp-to-nobody';
import halfClose from './half-close';
import httpByHand from './http-by-hand';
import sameBytes from './same-bytes';
import twoLoopbacks from './two-loopbacks';
import ephemeralPort from './ephemeral-port';
import oneThreadServer from './one-thread-server';
import dualStack from './dual-stack';
import oneThread from './one-thread';
import deadPeer from './dead-peer';
import smallWrites from './small-writes';
import tlsFirstBytes from './tls-first-bytes';
import resetByClose from './reset-by-close';

export const SCENARIOS = {
  'tcp-hello': tcpHello,
  'server-side': serverSide,
  'client-side': clientSide,
  'connection-refused': connectionRefused,
  'address-in-use': addressInUse,
  'accept-queue': acceptQueue,
  'stream-vs-datagram': streamVsDatagram,
  'udp-to-nobody': udpToNobody,
  'half-close': halfClose,
  'http-by-hand': httpByHand,
  'same-bytes': sameBytes,
  'two-loopbacks': twoLoopbacks,
  'ephemeral-port': ephemeralPort,
  'one-thread-server': oneThreadServer,
  'dual-stack': dualStack,
  'one-thread': oneThread,
  'dead-peer': deadPeer,
  'small-writes': smallWrites,
  'tls-first-bytes': tlsFirstBytes,
  'reset-by-close': resetByClose,
} as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function isScenarioName(s: string): s is ScenarioName {
  return Object.hasOwn(SCENARIOS, s);
}

export type { Scenario, ScenarioStep } from '../scenario-schema';
