import { parse as parseYaml } from 'yaml';
import type { BundleMember } from '../bundle/bundle-manifest.js';
import { BackupError } from './backup-error.js';
import { etcdMemberOfCommand } from './controlplane-v2-etcd-pods.js';

/**
 * Pure: one member per control-plane node, in the nodes' order: the one its etcd pod names, else the one its
 * etcd manifest's command names (`--name`, `--initial-advertise-peer-urls`).
 * @throws BackupError `BACKUP_OBJECT_NOT_FOUND` when neither names the member of a node.
 */
export function completeControlplaneV2Members(options: {
  /** Members read from the etcd pods. */
  members: BundleMember[];
  /** The control-plane node names, in order. */
  nodes: string[];
  /** Each node's etcd manifest text, by node name. */
  manifests: Map<string, string>;
}): BundleMember[] {
  return options.nodes.map((node) => {
    const known = options.members.find((member) => member.node === node || member.name === node);
    if (known) return known;
    const text = options.manifests.get(node);
    const manifest = (text ? parseYaml(text) : undefined) as
      | { spec?: { containers?: Array<{ name?: string; command?: string[]; args?: string[] }> } }
      | undefined;
    const container = manifest?.spec?.containers?.find((entry) => entry.name === 'etcd');
    const member = etcdMemberOfCommand({
      words: [...(container?.command ?? []), ...(container?.args ?? [])],
      node: node,
    });
    if (!member) {
      throw new BackupError({
        code: 'BACKUP_OBJECT_NOT_FOUND',
        step: 'save-objects',
        object: `node ${node} file /etc/kubernetes/manifests/etcd.yaml`,
        message: `neither pod etcd-${node} nor the etcd manifest of node ${node} names the member (--name, --initial-advertise-peer-urls)`,
        remedy:
          "a restore needs every member's name and peer URL; check the etcd static pod manifest of the node",
      });
    }
    return member;
  });
}
