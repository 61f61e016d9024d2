import { describe, expect, it } from 'vitest';
import { createReconcileLoop } from './create-reconcile-loop.js';

describe('createReconcileLoop', () => {
  it('coalesces bursts of triggers, never overlaps passes, and stops', async () => {
    let passes = 0;
    let running = 0;
    let overlapped = false;
    const loop = createReconcileLoop({
      resyncMs: 60_000,
      reconcile: async () => {
        running++;
        overlapped ||= running > 1;
        passes++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      },
    });
    await loop.idle();
    const afterStart = passes;
    for (let index = 0; index < 20; index++) loop.trigger();
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let index = 0; index < 20; index++) loop.trigger();
    await loop.idle();
    expect(afterStart).toBe(1);
    expect(passes - afterStart).toBeGreaterThanOrEqual(1);
    expect(passes - afterStart).toBeLessThanOrEqual(2);
    expect(overlapped).toBe(false);
    await loop.stop();
    loop.trigger();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes - afterStart).toBeLessThanOrEqual(2);
  });

  it('reports a failing pass and keeps going', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const loop = createReconcileLoop({
      resyncMs: 60_000,
      onError: (error) => errors.push(error),
      reconcile: async () => {
        passes++;
        if (passes === 1) throw new Error('etcd down');
      },
    });
    await loop.idle();
    loop.trigger();
    await loop.idle();
    expect(errors.map((error) => (error as Error).message)).toEqual(['etcd down']);
    expect(passes).toBe(2);
    await loop.stop();
  });
});
