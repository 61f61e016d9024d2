export type { CheckHostOptions } from './runtime/check-host.js';
export { checkHost } from './runtime/check-host.js';
export { findMissingPrerequisites, hostPrerequisites } from './runtime/host-prerequisites.js';
export type { LabObject, LabStateFile } from './runtime/lab-object.js';
export { labObjectSchema, labPrefixPattern, labStateFileSchema } from './runtime/lab-object.js';
export type { CreateLabStateOptions } from './runtime/lab-state.js';
export { LabState, readProcessStartTime } from './runtime/lab-state.js';
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
export type { RunCommandOptions, RunCommandResult } from './runtime/run-command.js';
export { runCommand } from './runtime/run-command.js';
export type { SandboxErrorCode } from './runtime/sandbox-error.js';
export { SandboxError } from './runtime/sandbox-error.js';
export type { SweepLabOptions, TeardownOptions, TeardownResult } from './runtime/teardown.js';
export { sweepLab, teardown } from './runtime/teardown.js';
