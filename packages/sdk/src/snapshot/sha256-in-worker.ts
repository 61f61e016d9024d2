import { Worker } from 'node:worker_threads';

// Plain CommonJS source, run with `eval: true`: a worker file next to the bundle would break when the
// SDK is bundled into the CLI or an Action, a string cannot.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const { path, length, chunkSize } = workerData;
const fd = openSync(path, 'r');
try {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(chunkSize);
  let position = 0;
  while (position < length) {
    const read = readSync(fd, buffer, 0, Math.min(chunkSize, length - position), position);
    if (read === 0) break;
    hash.update(buffer.subarray(0, read));
    position += read;
  }
  parentPort.postMessage({ digest: hash.digest('hex'), hashedBytes: position });
} finally {
  closeSync(fd);
}
`;

/**
 * SHA-256 of the first `length` bytes of a file, computed on a worker thread with one fixed-size read
 * buffer, so the caller's thread stays free to read the same file's pages in parallel.
 */
export function sha256InWorker(options: {
  path: string;
  length: number;
}): Promise<{ digest: string; hashedBytes: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { path: options.path, length: options.length, chunkSize: 4 * 1024 * 1024 },
    });
    worker.once('message', (result: { digest: string; hashedBytes: number }) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the SHA-256 worker exited with code ${code}`));
    });
  });
}
