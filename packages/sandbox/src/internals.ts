/**
 * `@etcd-dr/sandbox/internals`: the lab's building blocks (network, journal, nodes, PKI, pods, the simulated
 * API server, the gkectl stand-in's pieces) for the benches and this repository's tests.
 * No stability promise: these change with the lab. The supported API is the main entry, `@etcd-dr/sandbox`.
 */
// apiserver/: the simulated Kubernetes API server.
export type { KubeStatus, StatusReason } from './apiserver/api-status-error.js';
export { ApiStatusError } from './apiserver/api-status-error.js';
export type { KubeletOptions } from './apiserver/controllers/create-kubelet.js';
export type { ApiServer, CreateApiServerOptions } from './apiserver/create-api-server.js';
export { createApiServer } from './apiserver/create-api-server.js';
export type { EtcdTlsOptions } from './apiserver/storage/etcd-gateway-client.js';
export type { KubeObject, ObjectMeta } from './apiserver/storage/object-store.js';
// gkectl/: the lab's `gkectl diagnose cluster` stand-in (DIR/bin/gkectl), checking the lab for real.
export type {
  ControlPlaneLayout,
  ControlplaneV2LayoutOptions,
  EtcdMemberTarget,
  KubeceptionLayoutOptions,
} from './gkectl/control-plane-layout.js';
export {
  controlplaneV2Layout,
  etcdProbeSeparator,
  kubeceptionLayout,
} from './gkectl/control-plane-layout.js';
export type { DescribePodProblemOptions, PodForReadiness } from './gkectl/describe-pod-problem.js';
export { describePodProblem } from './gkectl/describe-pod-problem.js';
export type { DiagnoseClusterOptions } from './gkectl/diagnose-cluster.js';
export { diagnoseCluster } from './gkectl/diagnose-cluster.js';
export type {
  GkectlCategoryResult,
  GkectlCheckResult,
  GkectlCheckStatus,
  GkectlDiagnoseResult,
} from './gkectl/diagnose-result.js';
export { isHealthy } from './gkectl/diagnose-result.js';
export type { FormatDiagnoseOutputOptions } from './gkectl/format-diagnose-output.js';
export { formatDiagnoseOutput } from './gkectl/format-diagnose-output.js';
export type { GkectlErrorCode } from './gkectl/gkectl-error.js';
export { GkectlError } from './gkectl/gkectl-error.js';
export type { InstalledGkectl, InstallGkectlOptions } from './gkectl/install-gkectl.js';
export { gkectlEntry, installGkectl } from './gkectl/install-gkectl.js';
export type {
  EtcdMemberJudgement,
  EtcdMemberProbe,
  JudgeEtcdMembersOptions,
} from './gkectl/judge-etcd-members.js';
export { judgeEtcdMembers } from './gkectl/judge-etcd-members.js';
export type {
  CreateLabKubeClientOptions,
  LabExecOptions,
  LabExecResult,
  LabKubeClient,
} from './gkectl/lab-kube-client.js';
export { createLabKubeClient } from './gkectl/lab-kube-client.js';
export type {
  EtcdEndpointHealth,
  EtcdEndpointStatus,
  ParseEtcdEndpointOutputOptions,
} from './gkectl/parse-etcd-endpoint-output.js';
export { parseEtcdEndpointHealth, parseEtcdEndpointStatus } from './gkectl/parse-etcd-endpoint-output.js';
export type { GkectlInvocation, ParseGkectlArgumentsOptions } from './gkectl/parse-gkectl-arguments.js';
export { parseGkectlArguments } from './gkectl/parse-gkectl-arguments.js';
export type { RunGkectlOptions } from './gkectl/run-gkectl.js';
export { runGkectl } from './gkectl/run-gkectl.js';
export type { WriteDiagnoseReportOptions } from './gkectl/write-diagnose-report.js';
export { writeDiagnoseReport } from './gkectl/write-diagnose-report.js';
// lab/: how the labs are built and run (the supported start, stop, break and status are in index.ts).
export type { AdminCluster, BuildAdminClusterOptions } from './lab/admin-cluster.js';
export { adminControlPlaneNodeName, adminPkiCluster, buildAdminCluster } from './lab/admin-cluster.js';
export { AliasingPodRuntime } from './lab/aliasing-pod-runtime.js';
export { buildControlplaneV2Lab, controlplaneV2NodeNames } from './lab/controlplane-v2-lab.js';
export { hostKeyFingerprint } from './lab/host-key-fingerprint.js';
export type { KubeadmPkiPlanOptions } from './lab/kubeadm-pki-plan.js';
export { kubeadmNodePki, kubeadmPkiPlan } from './lab/kubeadm-pki-plan.js';
export { buildKubeceptionLab } from './lab/kubeception-lab.js';
export { userClusterObjects } from './lab/kubeception-manifests.js';
export { mirrorAnnotation, mirrorPodObject } from './lab/mirror-pod-object.js';
export type { MirrorPodSync, StartMirrorPodSyncOptions } from './lab/mirror-pod-sync.js';
export { startMirrorPodSync } from './lab/mirror-pod-sync.js';
export { nodeStatusLines } from './lab/node-status-lines.js';
export type { SandboxOptions } from './lab/sandbox-options.js';
export { sandboxOptionsSchema } from './lab/sandbox-options.js';
export type { LabNodes, StartLabNodesOptions } from './lab/start-lab-nodes.js';
export { jumpHostName, startLabNodes } from './lab/start-lab-nodes.js';
export type { TopologyLab, TopologyLabHost } from './lab/topology-lab.js';
export type { WriteClusterConfigOptions } from './lab/write-cluster-config.js';
export { sshNodeEntry, writeClusterConfig } from './lab/write-cluster-config.js';
// runtime/: the host layer (prerequisites, journal, network, nodes, PKI, pods, teardown).
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
// Nodes (runtime/node/): control-plane and jump-host machines reached over real SSH, their kubelet
// (static pods from /etc/kubernetes/manifests), the docker stand-in, and the client-side ssh_config.
export { dockerStandInImagePattern, dockerStandInScript } from './runtime/node/docker-stand-in-script.js';
export type { StartNodeAgentOptions, StaticPodReport } from './runtime/node/node-agent.js';
export { NodeAgent } from './runtime/node/node-agent.js';
export type {
  NodeEtcFile,
  RenderNodeEtcFilesOptions,
  RenderSshdConfigOptions,
} from './runtime/node/node-etc-files.js';
export { nodeUserId, renderNodeEtcFiles, renderSshdConfig } from './runtime/node/node-etc-files.js';
export type { BuildNodeViewArgumentsOptions } from './runtime/node/node-view-arguments.js';
export {
  buildNodeViewArguments,
  nodeEnterArguments,
  nodeViewRemountArguments,
} from './runtime/node/node-view-arguments.js';
export type { RenderEtcdManifestOptions } from './runtime/node/render-etcd-manifest.js';
export { defaultEtcdImage, renderEtcdManifest } from './runtime/node/render-etcd-manifest.js';
export type { RenderKubeApiserverManifestOptions } from './runtime/node/render-kube-apiserver-manifest.js';
export {
  defaultKubeApiserverImage,
  renderKubeApiserverManifest,
} from './runtime/node/render-kube-apiserver-manifest.js';
export type {
  RenderSshConfigOptions,
  SshConfigNode,
  WriteSshConfigOptions,
} from './runtime/node/render-ssh-config.js';
export { renderKnownHosts, renderSshConfig, writeSshConfig } from './runtime/node/render-ssh-config.js';
export type { LabNode, LabNodeRole, StartNodeOptions } from './runtime/node/start-node.js';
export { startNode } from './runtime/node/start-node.js';
export type {
  StaticPod,
  StaticPodFromManifestOptions,
  StaticPodManifest,
} from './runtime/node/static-pod-from-manifest.js';
export { staticPodFromManifest } from './runtime/node/static-pod-from-manifest.js';
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
export type { SweepLabOptions, TeardownOptions, TeardownResult } from './runtime/teardown.js';
export { sweepLab, teardown } from './runtime/teardown.js';
