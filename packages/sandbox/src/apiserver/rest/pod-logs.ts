import type { ServerResponse } from 'node:http';
import type { ApiContext } from '../api-context.js';
import { badRequest } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import type { KubeObject } from '../storage/object-store.js';

/** Picks the container an exec or log request means: the named one, else the only one (400 otherwise). */
export function chooseContainer(options: { pod: KubeObject; container: string | null }): string {
  const containers = (((options.pod.spec as LooseObject | undefined)?.containers ?? []) as LooseObject[]).map(
    (container) => container.name as string,
  );
  const name = options.pod.metadata?.name;
  if (options.container) {
    if (!containers.includes(options.container)) {
      throw badRequest(`container ${options.container} is not valid for pod ${name}`);
    }
    return options.container;
  }
  if (containers.length !== 1) {
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
    );
  }
  return containers[0]!;
}

/** Streams `GET pods/NAME/log` (`container`, `previous`, `tailLines`, `follow`) from the pod runtime. */
export async function streamPodLogs(options: {
  context: ApiContext;
  pod: KubeObject;
  query: URLSearchParams;
  response: ServerResponse;
}): Promise<void> {
  const { pod, query, response } = options;
  const container = chooseContainer({ pod, container: query.get('container') });
  const runtime = options.context.runtime;
  const status = ((pod.status as LooseObject | undefined)?.containerStatuses ?? []) as LooseObject[];
  const started = status.find((candidate) => candidate.name === container);
  const previous = query.get('previous') === 'true';
  const neverRan = !started || (started.state?.waiting && (started.restartCount ?? 0) === 0);
  if (previous && (!started || (started.restartCount ?? 0) === 0)) {
    throw badRequest(`previous terminated container "${container}" in pod "${pod.metadata?.name}" not found`);
  }
  if (!runtime || neverRan) {
    const reason = started?.state?.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(
      `container "${container}" in pod "${pod.metadata?.name}" is waiting to start: ${reason}`,
    );
  }
  const stream = runtime.logs({
    uid: pod.metadata!.uid!,
    container,
    previous,
    follow: query.get('follow') === 'true',
  });
  response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  const tailLines = query.get('tailLines');
  if (tailLines !== null && query.get('follow') !== 'true') {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
    response.end(lines.slice(-Number(tailLines)).join('\n') + (trailing === '' ? '\n' : ''));
    return;
  }
  response.on('close', () => stream.destroy());
  stream.pipe(response);
}
