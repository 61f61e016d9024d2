import { describe, expect, it } from 'vitest';
import { ActionInputError } from './action-input-error.js';
import { readClusterInputs } from './read-cluster-inputs.js';

const inputs =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

function inputError(run: () => unknown): ActionInputError {
  try {
    run();
  } catch (error) {
    if (ActionInputError.isInstance(error)) return error as ActionInputError;
    throw error;
  }
  throw new Error('no error thrown');
}

describe('readClusterInputs', () => {
  it('is none when nothing describes a cluster', () => {
    expect(readClusterInputs(inputs({}))).toEqual({ kind: 'none' });
  });

  it('takes a config path with secret overrides (ending in a newline)', () => {
    expect(readClusterInputs(inputs({ config: 'etcd-dr.yaml', 'ssh-private-key': 'KEY' }))).toEqual({
      kind: 'config',
      configPath: 'etcd-dr.yaml',
      sshPrivateKey: 'KEY\n',
    });
  });

  it('describes the cluster from secrets alone, topology auto by default', () => {
    expect(
      readClusterInputs(
        inputs({ 'cluster-name': 'user-1', 'admin-kubeconfig': 'A', 'user-kubeconfig': 'U' }),
      ),
    ).toEqual({
      kind: 'secrets',
      clusterName: 'user-1',
      topology: 'auto',
      adminKubeconfig: 'A\n',
      userKubeconfig: 'U\n',
    });
  });

  it('names the first missing input when config is not set', () => {
    const error = inputError(() =>
      readClusterInputs(inputs({ 'cluster-name': 'user-1', 'admin-kubeconfig': 'A' })),
    );
    expect(error.input).toBe('user-kubeconfig');
    expect(error.toLine()).toMatch(
      /input user-kubeconfig: is required when config is not set; set user-kubeconfig/,
    );
  });

  it('refuses cluster-name or topology next to config', () => {
    expect(
      inputError(() => readClusterInputs(inputs({ config: 'x.yaml', topology: 'kubeception' }))).input,
    ).toBe('topology');
    expect(
      inputError(() => readClusterInputs(inputs({ config: 'x.yaml', 'cluster-name': 'c' }))).message,
    ).toBe('input cluster-name: is set together with config, which already describes the cluster');
  });
});
