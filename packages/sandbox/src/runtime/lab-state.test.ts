import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabState } from './lab-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edr-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LabState', () => {
  it('writes every record to state.json at once, readable by a fresh load', async () => {
    const state = await LabState.create({ dir, prefix: 'edr00aa' });
    state.record({ kind: 'netns', name: 'edr00aa-pod' });
    state.record({ kind: 'netns', name: 'edr00aa-pod' });
    state.record({ kind: 'directory', path: join(dir, 'pods') });
    const onDisk = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(onDisk.prefix).toBe('edr00aa');
    expect(onDisk.objects).toHaveLength(2);
    expect((await stat(join(dir, 'state.json'))).mode & 0o777).toBe(0o600);
    state.forget({ kind: 'netns', name: 'edr00aa-pod' });
    const loaded = await LabState.load({ dir });
    expect(loaded?.objects()).toEqual([{ kind: 'directory', path: join(dir, 'pods') }]);
  });

  it('records a live process with its start time, and nothing for a dead pid', async () => {
    const state = await LabState.create({ dir, prefix: 'edr00ab' });
    const object = state.recordProcess({ pid: process.pid, group: false, description: 'test runner' });
    expect(object).toMatchObject({
      kind: 'process',
      pid: process.pid,
      startTime: expect.stringMatching(/^\d+$/),
    });
    expect(state.recordProcess({ pid: 2 ** 22 + 1, group: false, description: 'gone' })).toBeUndefined();
  });

  it('refuses to start a second lab in the same directory', async () => {
    await LabState.create({ dir, prefix: 'edr00ac' });
    await expect(LabState.create({ dir, prefix: 'edr00ad' })).rejects.toMatchObject({
      code: 'SANDBOX_LAB_EXISTS',
    });
  });

  it('loads nothing from an empty directory and refuses a file that is not a lab state', async () => {
    expect(await LabState.load({ dir })).toBeUndefined();
    await writeFile(join(dir, 'state.json'), '{"version":1,"prefix":"host"}');
    await expect(LabState.load({ dir })).rejects.toMatchObject({ code: 'SANDBOX_STATE_INVALID' });
  });
});
