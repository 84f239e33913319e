/**
 * The network scenarios of the lessons (`<NetworkLab scenario="…">`), one file each beside this one,
 * named after it. To add one, write `content/network-scenarios/<name>.ts` and list it here
 * (docs/authoring.md); `npm run build` checks every one first (scripts/check-network-scenarios.ts).
 */
import type { NetworkScenario } from '../network-scenario-schema';
import arpAndHops from './arp-and-hops';
import oneSendLayers from './one-send-layers';
import addressesLive from './addresses-live';
import natAndForward from './nat-and-forward';
import dropRejectStateful from './drop-reject-stateful';
import httpOnTheSandbox from './http-on-the-sandbox';

export const NETWORK_SCENARIOS = {
  'arp-and-hops': arpAndHops,
  'one-send-layers': oneSendLayers,
  'addresses-live': addressesLive,
  'nat-and-forward': natAndForward,
  'drop-reject-stateful': dropRejectStateful,
  'http-on-the-sandbox': httpOnTheSandbox,
} as const satisfies Record<string, NetworkScenario>;

export type NetworkScenarioName = keyof typeof NETWORK_SCENARIOS;

export function isNetworkScenarioName(s: string): s is NetworkScenarioName {
  return Object.hasOwn(NETWORK_SCENARIOS, s);
}

export type { NetworkScenario, NetworkScenarioStep, NetworkLook } from '../network-scenario-schema';
