/**
 * `@etcd-dr/sandbox`: the supported lab API. Start a GDC-like lab, read its status, break its etcd members,
 * stop it. The building blocks behind it are in `@etcd-dr/sandbox/internals` (no stability promise).
 */
export type { BreakSandboxOptions } from './lab/break-sandbox.js';
export { breakSandbox } from './lab/break-sandbox.js';
export type { SandboxOptionsInput } from './lab/sandbox-options.js';
export type { SandboxStatus } from './lab/sandbox-status.js';
export type { SandboxReport } from './lab/sandbox-status-of.js';
export { sandboxStatusOf } from './lab/sandbox-status-of.js';
export type { Sandbox, StartSandboxOptions } from './lab/start-sandbox.js';
export { startSandbox } from './lab/start-sandbox.js';
export type { StopSandboxResult } from './lab/stop-sandbox.js';
export { stopSandbox } from './lab/stop-sandbox.js';
export type { SandboxErrorCode } from './runtime/sandbox-error.js';
export { SandboxError } from './runtime/sandbox-error.js';
