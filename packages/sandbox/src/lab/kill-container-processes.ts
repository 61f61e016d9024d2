import type { PodRuntime } from '../runtime/pod-runtime.js';

/**
 * SIGKILLs every process of a running container (an exec of `kill -KILL -1` inside it), so that the
 * runtime restarts it as after a crash. Resolves when the exec has ended.
 */
export async function killContainerProcesses(options: {
  runtime: PodRuntime;
  uid: string;
  container: string;
}): Promise<void> {
  const session = options.runtime.exec({
    uid: options.uid,
    container: options.container,
    command: ['/bin/sh', '-c', 'kill -KILL -1'],
    tty: false,
  });
  session.stdin.end();
  session.stdout.resume();
  session.stderr.resume();
  await session.exit;
}
