import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ExecSession } from '../pod-runtime-contract.js';
import { execChannel, execErrorStatus, execExitStatus, frame } from './exec-channels.js';

const highWaterMark = 1024 * 1024;
const lowWaterMark = 256 * 1024;
// A pipe read brings at most 64 KiB; the pool holds what the socket may buffer (highWaterMark) and a little more.
const pooledFrameBytes = 64 * 1024 + 1;
const maxPooledFrames = 32;

/**
 * Reusable frame buffers: a fresh buffer per output chunk (the kubelet copies into a fixed one) makes the
 * server's garbage collector, not the transfer, the cost of a large exec stream. A buffer goes back to the
 * pool once the socket has written it.
 */
function createFramePool(): {
  take(channel: number, chunk: Buffer): { frame: Buffer; release(): void };
} {
  const free: Buffer[] = [];
  return {
    take(channel, chunk) {
      const size = chunk.length + 1;
      const pooled = free.pop();
      const buffer =
        pooled && pooled.length >= size ? pooled : Buffer.allocUnsafeSlow(Math.max(size, pooledFrameBytes));
      buffer[0] = channel;
      chunk.copy(buffer, 1);
      return {
        frame: buffer.subarray(0, size),
        release: () => {
          if (buffer.length === pooledFrameBytes && free.length < maxPooledFrames) free.push(buffer);
        },
      };
    },
  };
}

/**
 * Bridges a runtime exec session and a WebSocket speaking the channel protocol: stdout/stderr go out
 * (paused while the socket's send buffer is full), stdin comes in, the exit status goes last on channel 3.
 * Closing the socket before the command ends kills the command.
 */
export function serveExecSession(options: {
  socket: WebSocket;
  session: ExecSession;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}): Promise<void> {
  const { socket, session } = options;
  const outputs: Readable[] = [];
  const frames = createFramePool();
  let finished = false;

  const resumeIfDrained = (): void => {
    if (socket.bufferedAmount < lowWaterMark) for (const output of outputs) output.resume();
  };
  const pipeOutput = (stream: Readable, channel: number, enabled: boolean): Promise<void> =>
    new Promise((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
      if (!enabled) {
        stream.resume();
        return;
      }
      outputs.push(stream);
      stream.on('data', (chunk: Buffer) => {
        if (socket.readyState !== socket.OPEN) return;
        const framed = frames.take(channel, chunk);
        socket.send(framed.frame, { binary: true }, () => {
          framed.release();
          resumeIfDrained();
        });
        if (socket.bufferedAmount > highWaterMark) stream.pause();
      });
    });

  const stdoutDone = pipeOutput(session.stdout, execChannel.stdout, options.stdout);
  const stderrDone = pipeOutput(session.stderr, execChannel.stderr, options.stderr);
  session.stdin.on('error', () => undefined);
  if (!options.stdin) session.stdin.end();

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? data : Buffer.from(data);
    if (message.length === 0) return;
    const channel = message[0];
    if (channel === execChannel.stdin && options.stdin) {
      if (!session.stdin.writableEnded && !session.stdin.write(message.subarray(1))) {
        socket.pause();
        session.stdin.once('drain', () => socket.resume());
      }
    } else if (channel === execChannel.close && message[1] === execChannel.stdin) {
      session.stdin.end();
    }
  });
  socket.on('close', () => {
    if (!session.stdin.writableEnded) session.stdin.end();
    if (!finished) session.kill('SIGKILL');
  });

  return (async () => {
    const [result] = await Promise.all([session.exit, stdoutDone, stderrDone]);
    finished = true;
    const status =
      'exitCode' in result
        ? execExitStatus({ exitCode: result.exitCode, command: options.command })
        : execErrorStatus(result.error);
    if (socket.readyState === socket.OPEN) {
      await new Promise<void>((resolve) =>
        socket.send(frame(execChannel.status, JSON.stringify(status)), { binary: true }, () => resolve()),
      );
      socket.close(1000);
    }
  })();
}
