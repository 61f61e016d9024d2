import { describe, expect, it } from 'vitest';
import { meaningfulErrorLine } from './run-node-script.js';

describe('meaningfulErrorLine', () => {
  it("skips docker's usage hint and keeps the daemon's error", () => {
    const stderr =
      "Unable to find image 'gcr.io/x/etcd-utility:0.0.0' locally\r\ndocker: Error response from daemon: pull access denied for gcr.io/x/etcd-utility, repository does not exist or may require 'docker login'\n\nRun 'docker run --help' for more information\n";
    expect(meaningfulErrorLine(stderr)).toBe(
      "docker: Error response from daemon: pull access denied for gcr.io/x/etcd-utility, repository does not exist or may require 'docker login'",
    );
    expect(meaningfulErrorLine('')).toBe('');
  });
});
