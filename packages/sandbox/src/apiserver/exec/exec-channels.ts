/** Stream channel numbers of the Kubernetes remotecommand WebSocket protocols. */
export const execChannel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

/** Subprotocols served, newest first (`v5` adds the close-stream frame `[255, channel]`). */
export const execProtocols = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;

/** Picks the newest protocol both sides speak, or false. */
export function chooseExecProtocol(offered: Iterable<string>): string | false {
  const set = new Set(offered);
  return execProtocols.find((protocol) => set.has(protocol)) ?? false;
}

/** The status-channel body for an exit code, as the kubelet sends it. */
export function execExitStatus(options: { exitCode: number; command: string[] }): Record<string, unknown> {
  if (options.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${options.command.join(' ')}], exit code ${options.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(options.exitCode) }] },
  };
}

/** The status-channel body for a command that could not run at all. */
export function execErrorStatus(message: string): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}

/** Frames one payload for a channel. */
export function frame(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([channel]), body]);
}
