import { installGkectl } from '../gkectl/install-gkectl.js';
import { checkHost } from '../runtime/check-host.js';
import { LabState } from '../runtime/lab-state.js';
import { LabNetwork } from '../runtime/network/lab-network.js';
import { BwrapPodRuntime } from '../runtime/pod/bwrap-pod-runtime.js';
import { teardown } from '../runtime/teardown.js';
import { buildControlplaneV2Lab } from './controlplane-v2-lab.js';
import { buildKubeceptionLab } from './kubeception-lab.js';
import type { SandboxOptions } from './sandbox-options.js';
import type { SandboxStatus } from './sandbox-status.js';

/** A lab the supervisor runs. */
export interface BuiltLab {
  files: NonNullable<SandboxStatus['files']>;
  status(): Promise<{ lines: string[] }>;
  breakMembers(options: { members: number[] }): Promise<unknown>;
  /** Stops everything and removes every host object the lab made. */
  stop(): Promise<void>;
}

/**
 * Builds the lab of `options` on this host. On failure everything made so far is torn down before the
 * error is thrown.
 */
export async function buildLab(options: {
  options: SandboxOptions;
  log: (line: string) => void;
}): Promise<BuiltLab> {
  const { options: lab, log } = options;
  await checkHost();
  const state = await LabState.create({ dir: lab.dir });
  const removeAll = async () => {
    await teardown({ dir: lab.dir });
  };
  try {
    const network = await LabNetwork.create({ state, ...(lab.subnet ? { subnet: lab.subnet } : {}) });
    log(`lab ${state.prefix} on ${network.bridge} ${network.gateway}`);
    await installGkectl({ dir: lab.dir });
    const runtime = await BwrapPodRuntime.create({ state, network });
    const build = lab.topology === 'controlplane-v2' ? buildControlplaneV2Lab : buildKubeceptionLab;
    const built = await build(lab, { state, network, runtime, log });
    return {
      files: built.files,
      status: built.status,
      breakMembers: built.breakMembers,
      stop: async () => {
        await built.stop();
        await runtime.close();
        await network.close();
        await removeAll();
      },
    };
  } catch (error) {
    await removeAll();
    throw error;
  }
}
