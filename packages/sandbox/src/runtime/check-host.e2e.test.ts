import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHost } from './check-host.js';
import { hostPrerequisites } from './host-prerequisites.js';
import { SandboxError } from './sandbox-error.js';

let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

describe('checkHost (as root)', () => {
  it('passes on this machine, where setup installed every package', async () => {
    await expect(checkHost()).resolves.toBeUndefined();
  });

  it('names the programs missing from the search path', async () => {
    directory = await mkdtemp(join(tmpdir(), 'edr-check-'));
    for (const { binary } of hostPrerequisites) {
      if (binary === 'openssl' || binary === 'nsenter') continue;
      await writeFile(join(directory, binary), '#!/bin/sh\n');
      await chmod(join(directory, binary), 0o755);
    }
    await writeFile(join(directory, 'openssl'), 'not executable');
    const error = await checkHost({ searchPath: [directory] }).catch((caught: unknown) => caught);
    expect(SandboxError.isInstance(error)).toBe(true);
    expect((error as SandboxError).code).toBe('SANDBOX_PREREQUISITE_MISSING');
    expect((error as SandboxError).message).toContain('nsenter (Debian package util-linux)');
    expect((error as SandboxError).message).toContain('openssl (Debian package openssl)');
    expect((error as SandboxError).remedy).toBe('install them with: apt-get install -y util-linux openssl');
  });
});
