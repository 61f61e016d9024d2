export type { CheckHostOptions } from './runtime/check-host.js';
export { checkHost } from './runtime/check-host.js';
export { findMissingPrerequisites, hostPrerequisites } from './runtime/host-prerequisites.js';
export type { RunCommandOptions, RunCommandResult } from './runtime/run-command.js';
export { runCommand } from './runtime/run-command.js';
export type { SandboxErrorCode } from './runtime/sandbox-error.js';
export { SandboxError } from './runtime/sandbox-error.js';
