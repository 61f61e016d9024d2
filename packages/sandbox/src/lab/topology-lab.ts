import type { LabState } from '../runtime/lab-state.js';
import type { LabNetwork } from '../runtime/network/lab-network.js';
import type { BwrapPodRuntime } from '../runtime/pod/bwrap-pod-runtime.js';

/** The pieces of a running lab (either topology) that the supervisor talks to. */
export interface TopologyLab {
  files: { adminKubeconfig: string; userKubeconfig: string; config: string; sshConfig: string };
  status(): Promise<{ lines: string[] }>;
  breakMembers(options: { members: number[] }): Promise<{ broken: number[] }>;
  stop(): Promise<void>;
}

/** What the lab's host layer already made (journal, network, pod runtime). */
export interface TopologyLabHost {
  state: LabState;
  network: LabNetwork;
  runtime: BwrapPodRuntime;
  log: (line: string) => void;
}
