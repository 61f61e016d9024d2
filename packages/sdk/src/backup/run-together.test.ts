import { describe, expect, it } from 'vitest';
import { runTogether } from './run-together.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function untilAborted(signal: AbortSignal, log: string[], name: string): Promise<never> {
  return new Promise((_, reject) => {
    const onAbort = () => {
      log.push(`${name} aborted`);
      // A task that stops on abort takes a moment to settle, like a stream closing its file.
      setTimeout(() => {
        log.push(`${name} settled`);
        reject(new Error(`${name}: aborted`));
      }, 10);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort);
  });
}

describe('runTogether', () => {
  it('runs the tasks at the same time and resolves with their results in order', async () => {
    const started: string[] = [];
    const result = await runTogether<[number, string]>({
      tasks: [
        async () => {
          started.push('first');
          await tick(20);
          return 1;
        },
        async () => {
          started.push('second');
          return 'two';
        },
      ],
    });
    expect(result).toEqual([1, 'two']);
    expect(started).toEqual(['first', 'second']);
  });

  it('aborts the siblings on the first failure and throws it once they have settled', async () => {
    const log: string[] = [];
    const run = runTogether<[never, never]>({
      tasks: [
        async () => {
          await tick(5);
          log.push('first failed');
          throw new Error('the snapshot failed');
        },
        (signal) => untilAborted(signal, log, 'second'),
      ],
    });
    await expect(run).rejects.toThrow('the snapshot failed');
    expect(log).toEqual(['first failed', 'second aborted', 'second settled']);
  });

  it('passes the caller abort to every task', async () => {
    const log: string[] = [];
    const caller = new AbortController();
    const run = runTogether<[never, never]>({
      tasks: [(signal) => untilAborted(signal, log, 'a'), (signal) => untilAborted(signal, log, 'b')],
      signal: caller.signal,
    });
    caller.abort();
    await expect(run).rejects.toThrow('a: aborted');
    expect(log.filter((line) => line.endsWith('settled'))).toEqual(['a settled', 'b settled']);
  });

  it('turns a task that throws synchronously into a failure like any other', async () => {
    const log: string[] = [];
    const run = runTogether<[never, never]>({
      tasks: [
        () => {
          throw new Error('bad input');
        },
        (signal) => untilAborted(signal, log, 'other'),
      ],
    });
    await expect(run).rejects.toThrow('bad input');
    expect(log).toEqual(['other aborted', 'other settled']);
  });

  it('throws the root cause, not the errors it caused in a sibling', async () => {
    const consequence = Object.assign(new Error('the writer is closed'), { code: 'CLOSED' });
    const run = runTogether<[never, never]>({
      tasks: [
        async () => {
          // The sibling's failure closes what this task writes to: it fails first, for that reason.
          throw consequence;
        },
        async () => {
          await tick(5);
          throw new Error('sudo wants a password');
        },
      ],
      isConsequence: (error) => (error as { code?: string }).code === 'CLOSED',
    });
    await expect(run).rejects.toThrow('sudo wants a password');
  });
});
