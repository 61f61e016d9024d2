export type { ClusterConfig, ClusterConfigInput, SshNode, Topology } from './cluster/cluster-config.js';
export { clusterConfigSchema, sshNodeSchema, topologySchema } from './cluster/cluster-config.js';
export type { ConfigErrorCode } from './cluster/config-error.js';
export { ConfigError } from './cluster/config-error.js';
export type { LoadClusterConfigOptions } from './cluster/load-cluster-config.js';
export { loadClusterConfig } from './cluster/load-cluster-config.js';
export type { EtcdDrErrorOptions } from './errors/etcd-dr-error.js';
export { EtcdDrError } from './errors/etcd-dr-error.js';
