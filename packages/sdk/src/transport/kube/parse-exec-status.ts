/**
 * Reads the `V1Status` the server sends on channel 3 when an exec ends:
 * `{status:'Success'}` -> exit 0; `Failure` with reason `NonZeroExitCode` -> the `ExitCode` cause;
 * any other Failure (container not found, not running) -> its message.
 */
export function parseExecStatus(text: string): { exitCode: number } | { error: string } {
  let status: {
    status?: string;
    message?: string;
    reason?: string;
    details?: { causes?: Array<{ reason?: string; message?: string }> };
  };
  try {
    status = JSON.parse(text);
  } catch {
    return { error: `unreadable exec status: ${text.slice(0, 200)}` };
  }
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((item) => item.reason === 'ExitCode');
    const exitCode = Number.parseInt(cause?.message ?? '', 10);
    if (Number.isInteger(exitCode)) return { exitCode };
  }
  return { error: status.message ?? `exec failed: ${text.slice(0, 200)}` };
}
