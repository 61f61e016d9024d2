// apiserver/: the simulated Kubernetes API server (keep these lines together; runtime/ exports go elsewhere).
export type { KubeStatus, StatusReason } from './apiserver/api-status-error.js';
export { ApiStatusError } from './apiserver/api-status-error.js';
export type { KubeletOptions } from './apiserver/controllers/create-kubelet.js';
export type { ApiServer, CreateApiServerOptions } from './apiserver/create-api-server.js';
export { createApiServer } from './apiserver/create-api-server.js';
export type { EtcdTlsOptions } from './apiserver/storage/etcd-gateway-client.js';
export type { KubeObject, ObjectMeta } from './apiserver/storage/object-store.js';

export type { CheckHostOptions } from './runtime/check-host.js';
export { checkHost } from './runtime/check-host.js';
export { findMissingPrerequisites, hostPrerequisites } from './runtime/host-prerequisites.js';
export type { LabObject, LabStateFile } from './runtime/lab-object.js';
export { labObjectSchema, labPrefixPattern, labStateFileSchema } from './runtime/lab-object.js';
export type { CreateLabStateOptions } from './runtime/lab-state.js';
export { LabState, readProcessStartTime } from './runtime/lab-state.js';
export type { ChooseLabSubnetOptions, HostsEntry, UsedNetwork } from './runtime/network/address-plan.js';
export {
  allocateAddress,
  bridgeName,
  chooseLabSubnet,
  findUsedNetworks,
  gatewayAddress,
  hostLinkName,
  maxInterfaceNameLength,
  netnsName,
  podHostNames,
  renderHostsFile,
} from './runtime/network/address-plan.js';
export type { Ipv4Network } from './runtime/network/ipv4.js';
export {
  formatIpv4,
  formatIpv4Network,
  networksOverlap,
  parseIpv4,
  parseIpv4Network,
} from './runtime/network/ipv4.js';
export type { CreateLabNetworkOptions, LabAttachment } from './runtime/network/lab-network.js';
export { LabNetwork } from './runtime/network/lab-network.js';
export type { CreatePkiOptions, Pki, PkiLeaf } from './runtime/pki/create-pki.js';
export { createPki } from './runtime/pki/create-pki.js';
export type { CertificateFiles, IssueCertificateOptions } from './runtime/pki/issue-certificate.js';
export { issueCertificate } from './runtime/pki/issue-certificate.js';
export type {
  KubeconfigCredentials,
  RenderKubeconfigOptions,
  WriteKubeconfigOptions,
} from './runtime/pki/kubeconfig.js';
export { renderKubeconfig, writeKubeconfig } from './runtime/pki/kubeconfig.js';
export type { CertificateProfile, CertificateUsage } from './runtime/pki/openssl-config.js';
export { renderOpensslConfig } from './runtime/pki/openssl-config.js';
export type {
  BuildBwrapArgumentsOptions,
  BuildExecArgumentsOptions,
  ContainerMount,
} from './runtime/pod/bwrap-command.js';
export {
  buildBwrapArguments,
  buildExecArguments,
  containerEnvironment,
  defaultContainerPath,
  hostReadOnlyPaths,
  resolveContainerMounts,
  shellQuote,
} from './runtime/pod/bwrap-command.js';
export type { CreateBwrapPodRuntimeOptions } from './runtime/pod/bwrap-pod-runtime.js';
export { BwrapPodRuntime } from './runtime/pod/bwrap-pod-runtime.js';
export { imagePullMessage, isKnownImage } from './runtime/pod/known-images.js';
export {
  backOffResetSeconds,
  podPhase,
  restartBackOffSeconds,
  shouldRestart,
  terminationReason,
} from './runtime/pod/restart-policy.js';
export type {
  ExecSession,
  PodRuntime,
  RuntimeContainer,
  RuntimeContainerStatus,
  RuntimePodSpec,
  RuntimePodStatus,
  RuntimeVolume,
} from './runtime/pod-runtime.js';
export type { RunCommandOptions, RunCommandResult } from './runtime/run-command.js';
export { runCommand } from './runtime/run-command.js';
export type { SandboxErrorCode } from './runtime/sandbox-error.js';
export { SandboxError } from './runtime/sandbox-error.js';
export type { SweepLabOptions, TeardownOptions, TeardownResult } from './runtime/teardown.js';
export { sweepLab, teardown } from './runtime/teardown.js';
