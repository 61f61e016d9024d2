import { describe, expect, it } from 'vitest';
import { readDrillInputs } from './read-drill-inputs.js';

const inputs =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';
const env = { GITHUB_REPOSITORY: 'octo/clusters' };

describe('readDrillInputs', () => {
  it('drills the newest bundle of this run in a sandbox', () => {
    expect(readDrillInputs(inputs({ sandbox: 'controlplane-v2' }), env)).toEqual({
      source: { kind: 'this-run' },
      identities: [],
      target: { mode: 'sandbox', topology: 'controlplane-v2' },
    });
  });

  it('reads another run of this repository with a token, and a named artifact', () => {
    const read = readDrillInputs(
      inputs({
        'run-id': '1234',
        'github-token': 'ghs_x',
        'artifact-name': 'user-1-nightly',
        config: 'c.yaml',
      }),
      env,
    );
    expect(read.source).toEqual({
      kind: 'other-run',
      workflowRunId: 1234,
      repositoryOwner: 'octo',
      repositoryName: 'clusters',
      token: 'ghs_x',
    });
    expect(read.artifactName).toBe('user-1-nightly.tar');
    expect(
      readDrillInputs(inputs({ config: 'c.yaml', 'allow-unhealthy': 'true' }), env).target,
    ).toMatchObject({ mode: 'target', allowUnhealthy: true });
    expect(read.target).toEqual({
      mode: 'target',
      cluster: { kind: 'config', configPath: 'c.yaml' },
      allowUnhealthy: false,
    });
  });

  it('says which permission the token for another run needs', () => {
    expect(() => readDrillInputs(inputs({ 'run-id': '1234', sandbox: 'kubeception' }), env)).toThrow(
      /^input github-token: is required to read artifacts of another workflow run \(run-id is set\)$/,
    );
    try {
      readDrillInputs(inputs({ 'run-id': '1234', sandbox: 'kubeception' }), env);
    } catch (error) {
      expect((error as { remedy: string }).remedy).toMatch(/permissions: actions: read/);
    }
  });

  it('names contradictory and malformed inputs', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { sandbox: 'kubeception', 'admin-kubeconfig': 'A' },
        /^input sandbox: is set together with admin-kubeconfig/,
      ],
      [{ sandbox: 'kind' }, /^input sandbox: "kind" is not one of kubeception, controlplane-v2$/],
      [{}, /^input config: no test cluster is described$/],
      [{ sandbox: 'kubeception', 'run-id': 'last' }, /^input run-id: "last" is not a workflow run id$/],
      [{ sandbox: 'kubeception', repository: 'octo/other' }, /^input repository: is set without run-id/],
      [
        { sandbox: 'kubeception', 'artifact-name': 'a', 'artifact-prefix': 'b' },
        /^input artifact-prefix: is set together with artifact-name$/,
      ],
      [
        { sandbox: 'kubeception', 'allow-unhealthy': 'true' },
        /^input allow-unhealthy: is set together with sandbox/,
      ],
      [{ config: 'c.yaml', 'allow-unhealthy': 'maybe' }, /^input allow-unhealthy: /],
      [
        { sandbox: 'kubeception', identities: 'age1notasecret' },
        /^input identities: holds a line that is not an age identity$/,
      ],
    ];
    for (const [values, message] of cases)
      expect(() => readDrillInputs(inputs(values), env)).toThrow(message);
    expect(() =>
      readDrillInputs(inputs({ sandbox: 'kubeception', 'run-id': '1', 'github-token': 't' }), {}),
    ).toThrow(/^input repository: "" is not owner\/name$/);
  });
});
