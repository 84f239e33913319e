/**
 * The place for the packet view (issue 17, another branch): the frames one scenario step put on the
 * sandbox's links (the ARP request and reply of a first ping, the SYN retransmits of a drop, the
 * request and response of an HTTP exchange), decoded. `stepId` is the command id of the step's call,
 * which the lab's step events carry; the captures are per host. Until the packet view lands it
 * renders nothing, and the step shows what the kernel reports instead (results, tables, counters).
 */
export function ScenarioStepPackets(_props: { stepId: string; hosts: readonly string[] }) {
  return null;
}
