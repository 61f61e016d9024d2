import { SandboxError } from '../runtime/sandbox-error.js';

/**
 * Polls `check` every 200 ms until it returns true (errors count as "not yet").
 * @throws SandboxError `SANDBOX_START_TIMEOUT` naming `what` and the last error after `timeoutMs`.
 */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new SandboxError({
    code: 'SANDBOX_START_TIMEOUT',
    message: `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
    remedy: 'read the logs under the lab folder (logs/, pods/*/logs/ and nodes/*/)',
  });
}
