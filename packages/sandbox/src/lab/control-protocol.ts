import { createConnection, createServer, type Server } from 'node:net';

/** Requests the supervisor answers on `DIR/control.sock`, one JSON document per line. */
export type ControlRequest = { op: 'status' } | { op: 'break'; members: number[] } | { op: 'down' };

export type ControlResponse =
  | { ok: true; result?: unknown }
  | { ok: false; error: { code: string; message: string } };

/** Serves control requests; each connection carries one request and one response. */
export function serveControl(options: {
  socketPath: string;
  handle: (request: ControlRequest) => Promise<unknown>;
}): Promise<Server> {
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline === -1) return;
      const line = buffer.slice(0, newline);
      void (async () => {
        let response: ControlResponse;
        try {
          response = { ok: true, result: await options.handle(JSON.parse(line) as ControlRequest) };
        } catch (error) {
          const known = error as { code?: string; message?: string };
          response = {
            ok: false,
            error: { code: known.code ?? 'SANDBOX_CONTROL_FAILED', message: known.message ?? String(error) },
          };
        }
        socket.end(`${JSON.stringify(response)}\n`);
      })();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve(server));
  });
}

/** Sends one request to a running supervisor and returns its answer. */
export function sendControl(options: {
  socketPath: string;
  request: ControlRequest;
  timeoutMs?: number;
}): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(options.socketPath);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(options.timeoutMs ?? 120_000, () =>
      socket.destroy(new Error('timed out waiting for the sandbox supervisor')),
    );
    socket.on('connect', () => socket.write(`${JSON.stringify(options.request)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(JSON.parse(buffer) as ControlResponse);
      } catch (error) {
        reject(error);
      }
    });
  });
}
