import { describe, expect, it } from 'vitest';
import { VerifyError } from '../verify-error.js';
import type { RunDrillOptions } from './drill-options.js';
import { runDrill } from './run-drill.js';

const restore = async () => ({ revision: 1, durationMs: 1 });

describe('runDrill option checks (nothing is started)', () => {
  it.each([
    [{ mode: 'elsewhere', restore }, 'mode must be sandbox or target (got elsewhere)'],
    [{ mode: 'sandbox', topology: 'kubeadm', restore, startSandbox: async () => ({}) }, 'topology must be'],
    [{ mode: 'sandbox', topology: 'kubeception', restore }, 'startSandbox must be a function'],
    [{ mode: 'target', configPath: '', bundlePath: 'b', restore }, 'configPath must name an etcd-dr.yaml'],
    [{ mode: 'target', configPath: 'c', bundlePath: 'b' }, 'restore must be a function'],
  ])('refuses %j with VERIFY_DRILL_OPTIONS_INVALID', async (options, message) => {
    const error = await runDrill(options as unknown as RunDrillOptions).catch((caught: unknown) => caught);
    expect(VerifyError.isInstance(error)).toBe(true);
    expect((error as VerifyError).code).toBe('VERIFY_DRILL_OPTIONS_INVALID');
    expect((error as VerifyError).message).toContain(message);
  });
});
