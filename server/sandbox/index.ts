/**
 * The sandbox network: small real networks (hosts, a home router with NAT, port forwards and a
 * firewall, a server "on the internet") built from Linux network namespaces without root, with
 * real sockets on any host. docs/architecture.md ("Sandbox network") says how it is built.
 *
 *   const sandbox = createSandbox();                 // once per server
 *   console.log(sandboxStartLine(await sandbox.support(), sandbox.settings.maxNetworks));
 *   const net = await sandbox.create('home');        // E_UNSUPPORTED / E_LIMIT as SandboxError
 *   const s = await net.socket('server', 'tcp', 4);  // an EngineSocket on the native engine
 *   await net.firewall('server', { action: 'add', rule: { chain: 'input', protocol: 'tcp', destinationPort: 80, verdict: 'drop' } });
 *   await net.forward({ action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 80 } });
 *   await net.ping('laptop', '203.0.113.80', { count: 3 }, (echo) => ...);
 *   await net.show();                                // live from the kernel
 *   await net.destroy();                             // with the session
 */
export { createSandbox, Sandbox, SandboxOptionsSchema, UNSHARE_ENV, type SandboxOptions } from './sandbox.ts';
export { SandboxNetwork } from './network.ts';
export { SandboxError, SandboxUnsupportedError, type SandboxErrorCode } from './errors.ts';
export { detectSandboxSupport, sandboxStartLine, NO_USERNS_SWITCH, type SandboxSupport } from './support.ts';
export type { FirewallResult, ForwardResult, HelperStats } from './helper-protocol.ts';
export * from './schema.ts';
