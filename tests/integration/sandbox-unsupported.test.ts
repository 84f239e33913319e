/**
 * Where the sandbox cannot be had, it says why in one line, with what to do, and never starts a
 * helper. User namespaces are made "unavailable" with the test switch SOCKETLAB_SANDBOX_NO_USERNS=1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createSandbox,
  detectSandboxSupport,
  NO_USERNS_SWITCH,
  sandboxStartLine,
  SandboxUnsupportedError,
} from '../../server/sandbox/index.ts';
import { needs } from '../helpers/tools.ts';
import { childPids } from './sandbox.shared.ts';

const skip = needs('unshare', 'ip', 'nft');

describe('sandbox support', () => {
  test('with user namespaces made unavailable: the reason, the remedy, one start line, E_UNSUPPORTED', { skip }, async () => {
    const env = { ...process.env, [NO_USERNS_SWITCH]: '1' };
    const support = await detectSandboxSupport({ env });
    assert.equal(support.supported, false);
    if (support.supported) return;
    // The switch stands in for the kernel's refusal; the diagnosis is the real one for this host.
    assert.match(support.reason, /user namespace|user and network namespace/);
    assert.match(support.remedy, /docs\/hosting\.md/);
    const line = sandboxStartLine(support, 300);
    assert.equal(line, `  sandbox network: off: ${support.reason}. ${support.remedy}`);
    assert.ok(!line.includes('\n'));

    const children = childPids().length;
    const sandbox = createSandbox({ env });
    try {
      const error = await sandbox.create('home').then(
        () => assert.fail('create must refuse'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SandboxUnsupportedError);
      assert.equal(error.code, 'E_UNSUPPORTED');
      assert.equal(error.reason, support.reason);
      assert.equal(error.remedy, support.remedy);
      assert.equal(await sandbox.helperPid(), null, 'no helper was started');
      assert.equal(childPids().length, children);
    } finally {
      await sandbox.close();
    }
  });

  test('the switch is what made it unavailable: without it, this machine supports the sandbox', { skip }, async () => {
    const env = { ...process.env };
    delete env[NO_USERNS_SWITCH];
    assert.deepEqual(await detectSandboxSupport({ env }), { supported: true });
  });

  test('macOS and Windows are told to use Linux', async () => {
    for (const [platform, name] of [['darwin', 'macOS'], ['win32', 'Windows']] as const) {
      const support = await detectSandboxSupport({ platform });
      assert.equal(support.supported, false);
      if (!support.supported) {
        assert.match(support.reason, new RegExp(`this is ${name}$`));
        assert.match(support.remedy, /Linux/);
      }
    }
  });

  test('a missing tool is named with its package', async () => {
    const support = await detectSandboxSupport({ unshare: '/nonexistent/unshare' });
    assert.deepEqual(support, { supported: false, reason: '`unshare` is not installed', remedy: 'Run `sudo apt-get install -y util-linux` (package util-linux).' });
  });
});
