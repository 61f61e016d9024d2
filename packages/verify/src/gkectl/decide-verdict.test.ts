import { describe, expect, it } from 'vitest';
import { decideVerdict } from './decide-verdict.js';
import { parseDiagnoseOutput } from './parse-diagnose-output.js';

const healthy = parseDiagnoseOutput(
  '- Validation Category: Admin Cluster\nChecking storage...SUCCESS\nCluster is healthy!\n',
);
const unhealthy = parseDiagnoseOutput('Exit with error:\nCluster is unhealthy!\n');
const truncated = parseDiagnoseOutput('- Validation Category: Admin Cluster\nChecking storage...SUCCESS\n');

describe('decideVerdict', () => {
  it('trusts healthy text only with exit code 0', () => {
    expect(decideVerdict({ output: healthy, exitCode: 0 }).verdict).toBe('healthy');
    const nonZero = decideVerdict({ output: healthy, exitCode: 1 });
    expect(nonZero.verdict).toBe('unknown');
    expect(nonZero.reasons[0]).toBe(
      'gkectl exited with code 1 although its output says "Cluster is healthy!"',
    );
    const signalled = decideVerdict({ output: healthy, exitCode: null, exitSignal: 'SIGSEGV' });
    expect(signalled.verdict).toBe('unknown');
    expect(signalled.reasons[0]).toContain('signal SIGSEGV');
  });

  it('calls unhealthy text unhealthy whatever the exit code, and says when the code disagrees', () => {
    const zero = decideVerdict({ output: unhealthy, exitCode: 0 });
    expect(zero.verdict).toBe('unhealthy');
    expect(zero.reasons.at(-1)).toBe('gkectl exited with code 0 although its output says unhealthy');
    const one = decideVerdict({ output: unhealthy, exitCode: 1 });
    expect(one.verdict).toBe('unhealthy');
    expect(one.reasons.at(-1)).toBe('gkectl exited with code 1');
  });

  it('keeps unknown text unknown whatever the exit code', () => {
    expect(decideVerdict({ output: truncated, exitCode: 0 }).verdict).toBe('unknown');
    const failed = decideVerdict({ output: truncated, exitCode: 2 });
    expect(failed.verdict).toBe('unknown');
    expect(failed.reasons).toContain('gkectl exited with code 2');
  });
});
