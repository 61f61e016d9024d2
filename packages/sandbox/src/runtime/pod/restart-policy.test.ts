import { describe, expect, it } from 'vitest';
import { imagePullMessage, isKnownImage } from './known-images.js';
import { podPhase, restartBackOffSeconds, shouldRestart } from './restart-policy.js';

describe('restartBackOffSeconds', () => {
  it('starts at 1 s and doubles up to 10 s', () => {
    expect(
      [1, 2, 3, 4, 5, 9].map((consecutiveFailures) => restartBackOffSeconds({ consecutiveFailures })),
    ).toEqual([1, 2, 4, 8, 10, 10]);
  });
});

describe('shouldRestart', () => {
  it('follows the restart policy', () => {
    expect(shouldRestart({ restartPolicy: 'Always', exitCode: 0 })).toBe(true);
    expect(shouldRestart({ restartPolicy: 'OnFailure', exitCode: 0 })).toBe(false);
    expect(shouldRestart({ restartPolicy: 'OnFailure', exitCode: 2 })).toBe(true);
    expect(shouldRestart({ restartPolicy: 'Never', exitCode: 2 })).toBe(false);
  });
});

describe('podPhase', () => {
  const running = { state: { running: { startedAt: 't' } }, hasRun: true };
  const done = (exitCode: number) => ({
    state: { terminated: { exitCode, reason: 'x', finishedAt: 't' } },
    hasRun: true,
  });
  it('is Pending until every container ran, Running while any runs or restarts', () => {
    expect(
      podPhase({
        restartPolicy: 'Always',
        containers: [{ state: { waiting: { reason: 'ErrImagePull' } }, hasRun: false }],
      }),
    ).toBe('Pending');
    expect(podPhase({ restartPolicy: 'Always', containers: [running, done(1)] })).toBe('Running');
    expect(
      podPhase({
        restartPolicy: 'Always',
        containers: [{ state: { waiting: { reason: 'CrashLoopBackOff' } }, hasRun: true }],
      }),
    ).toBe('Running');
  });
  it('ends Succeeded or Failed when every container terminated for good', () => {
    expect(podPhase({ restartPolicy: 'Never', containers: [done(0), done(0)] })).toBe('Succeeded');
    expect(podPhase({ restartPolicy: 'Never', containers: [done(0), done(3)] })).toBe('Failed');
  });
});

describe('images', () => {
  it('knows the GDC images and the lab ones, nothing else', () => {
    expect(isKnownImage('gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.77')).toBe(true);
    expect(isKnownImage('etcd-dr-lab/node:1')).toBe(true);
    expect(isKnownImage('docker.io/library/busybox')).toBe(false);
    expect(imagePullMessage('busybox')).toContain('"busybox:latest"');
  });
});
