import { Worker } from 'node:worker_threads';
import { buildCrc32cTables, updateCrc32c } from './crc32c.js';

// CommonJS source run with `eval: true` (a separate worker file would not survive bundling); the CRC
// functions are self-contained, so their compiled source is reused as is.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const buildCrc32cTables = ${buildCrc32cTables.toString()};
const updateCrc32c = ${updateCrc32c.toString()};
const tables = buildCrc32cTables();
const fd = openSync(workerData.path, 'r');
let buffer = Buffer.allocUnsafe(1 << 20);
let words = new Int32Array(buffer.buffer, 0, buffer.buffer.byteLength >>> 2);
const results = [];
parentPort.on('message', (message) => {
  if (message === 'done') {
    closeSync(fd);
    parentPort.postMessage(results);
    parentPort.close();
    return;
  }
  for (let index = 0; index < message.length; index += 2) {
    const offset = message[index];
    const length = message[index + 1];
    if (buffer.length < length) {
      buffer = Buffer.allocUnsafe(length);
      words = new Int32Array(buffer.buffer, 0, buffer.buffer.byteLength >>> 2);
    }
    let done = 0;
    while (done < length) {
      const read = readSync(fd, buffer, done, length - done, offset + done);
      if (read === 0) throw new Error('unexpected end of file at ' + (offset + done));
      done += read;
    }
    results.push((updateCrc32c(-1, buffer.subarray(0, length), tables, words) ^ -1) >>> 0);
  }
});
`;

/** CRC-32C of file ranges computed on a worker thread, in the order they were added. */
export interface Crc32cRangeWorker {
  /** Queues a byte range of the file; returns its index in the results. */
  add(range: { offset: number; length: number }): number;
  /** Resolves with one CRC-32C per added range once all are done. */
  finish(): Promise<number[]>;
  /** Stops the worker early (after an error). */
  terminate(): void;
}

/**
 * Starts a worker that reads and checksums file ranges (large values) while the caller's thread reads
 * the rest, so the two cores share the work. Ranges are sent in batches of 256.
 */
export function startCrc32cRangeWorker(options: { path: string }): Crc32cRangeWorker {
  const worker = new Worker(workerSource, { eval: true, workerData: { path: options.path } });
  let batch: number[] = [];
  let count = 0;
  const result = new Promise<number[]>((resolve, reject) => {
    worker.once('message', (results: number[]) => resolve(results));
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the CRC-32C worker stopped before sending its results')));
  });
  result.catch(() => undefined);
  const flush = () => {
    if (batch.length > 0) worker.postMessage(batch);
    batch = [];
  };
  return {
    add(range) {
      batch.push(range.offset, range.length);
      if (batch.length >= 512) flush();
      return count++;
    },
    finish() {
      flush();
      worker.postMessage('done');
      return result;
    },
    terminate() {
      void worker.terminate();
    },
  };
}
