import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerStandInImagePattern, dockerStandInScript } from './docker-stand-in-script.js';

const image = 'gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.77';
let directory: string;
let script: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'edr-docker-'));
  script = join(directory, 'docker');
  writeFileSync(script, dockerStandInScript, { mode: 0o755 });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function docker(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], {
    env: { ...process.env, ETCD_DR_DOCKER_PLAN: '1', FROM_CALLER: 'inherited' },
    encoding: 'utf8',
  });
  const plan = result.status === 0 && result.stdout ? JSON.parse(result.stdout) : undefined;
  return { exitCode: result.status, stderr: result.stderr, plan };
}

function pairs(args: string[], flag: string): string[][] {
  const found: string[][] = [];
  args.forEach((arg, index) => {
    if (arg === flag) found.push(args.slice(index + 1, index + 3));
  });
  return found;
}

describe('docker stand-in script', () => {
  it('turns the runbook restore command into a bwrap with exactly its -v binds, its env and its command', () => {
    const result = docker(
      'run',
      '--rm',
      '-t',
      '-v',
      '/opt/data/var/lib:/var/lib',
      '-v',
      '/etc/kubernetes/pki/etcd:/etc/kubernetes/pki/etcd',
      '-v',
      '/tmp:/tmp',
      '--env',
      'ETCDCTL_API=3',
      image,
      'etcdctl',
      '--data-dir=/opt/data/var/lib/etcd',
      'snapshot',
      'restore',
      '/tmp/snapshot.db',
    );
    expect(result.stderr).toBe('');
    expect(result.plan).toMatchObject({ image, rm: true, tty: true, interactive: false });
    const bwrap: string[] = result.plan.bwrap;
    expect(pairs(bwrap, '--bind')).toEqual([
      ['/opt/data/var/lib', '/var/lib'],
      ['/etc/kubernetes/pki/etcd', '/etc/kubernetes/pki/etcd'],
      ['/tmp', '/tmp'],
    ]);
    expect(bwrap.slice(bwrap.indexOf('--tmpfs'), bwrap.indexOf('--tmpfs') + 2)).toEqual(['--tmpfs', '/']);
    expect(pairs(bwrap, '--ro-bind')).toContainEqual(['/usr', '/usr']);
    expect(pairs(bwrap, '--setenv')).toContainEqual(['ETCDCTL_API', '3']);
    expect(bwrap.slice(bwrap.indexOf('--') + 1)).toEqual([
      'etcdctl',
      '--data-dir=/opt/data/var/lib/etcd',
      'snapshot',
      'restore',
      '/tmp/snapshot.db',
    ]);
  });

  it('parses flags as the docker CLI does: clusters, attached and = values, :ro, env from the caller', () => {
    const result = docker(
      'run',
      '-iv/a:/b:ro',
      '--volume=/c:/d',
      '-e',
      'A=1',
      '--env=FROM_CALLER',
      '--rm=false',
      image,
      'sh',
    );
    expect(result.plan).toMatchObject({ rm: false, tty: false, interactive: true });
    expect(docker('run', '--tty', image, 'sh').plan).toMatchObject({ tty: true, interactive: false });
    expect(docker('run', '-it', image, 'sh')).toMatchObject({
      exitCode: 1,
      stderr: 'the input device is not a TTY\n',
    });
    expect(pairs(result.plan.bwrap, '--ro-bind')).toContainEqual(['/a', '/b']);
    expect(pairs(result.plan.bwrap, '--bind')).toEqual([['/c', '/d']]);
    expect(pairs(result.plan.bwrap, '--setenv')).toEqual(
      expect.arrayContaining([
        ['A', '1'],
        ['FROM_CALLER', 'inherited'],
      ]),
    );
  });

  it('fails unknown flags, missing values and a missing image with the CLI messages and exit codes', () => {
    expect(docker('run', '--privileged', image, 'true')).toMatchObject({
      exitCode: 125,
      stderr: expect.stringMatching(/^unknown flag: --privileged\n\nUsage: {2}docker run \[OPTIONS\] IMAGE/),
    });
    expect(docker('run', '-z', image)).toMatchObject({
      exitCode: 125,
      stderr: expect.stringContaining("unknown shorthand flag: 'z' in -z"),
    });
    expect(docker('run', '-v')).toMatchObject({
      exitCode: 125,
      stderr: expect.stringContaining("flag needs an argument: 'v' in -v"),
    });
    expect(docker('run', '--env')).toMatchObject({
      exitCode: 125,
      stderr: expect.stringContaining('flag needs an argument: --env'),
    });
    expect(docker('run', '--rm')).toMatchObject({
      exitCode: 1,
      stderr: expect.stringContaining("'docker run' requires at least 1 argument"),
    });
    expect(docker('ps')).toMatchObject({
      exitCode: 1,
      stderr: expect.stringContaining("docker: 'ps' is not available"),
    });
  });

  it('refuses other images as a registry would, and bad volume specs as the daemon would', () => {
    const refused = docker('run', '--rm', 'busybox', 'true');
    expect(refused.exitCode).toBe(125);
    expect(refused.stderr).toContain("Unable to find image 'busybox:latest' locally");
    expect(refused.stderr).toContain('pull access denied for busybox, repository does not exist');
    expect(docker('run', 'gcr.io/gke-on-prem-release/etcd:v3.4.27', 'etcd').stderr).toContain(
      "Unable to find image 'gcr.io/gke-on-prem-release/etcd:v3.4.27' locally",
    );
    expect(docker('run', '-v', '/a:relative', image, 'true')).toMatchObject({
      exitCode: 125,
      stderr: expect.stringContaining("invalid mount path: 'relative' mount path must be absolute"),
    });
    expect(docker('run', '-v', 'named:/data', image, 'true')).toMatchObject({ exitCode: 125 });
  });

  it('exits 127 for a command the image does not have, like runc', () => {
    expect(docker('run', image, 'no-such-program-edr')).toMatchObject({
      exitCode: 127,
      stderr: expect.stringContaining('exec: "no-such-program-edr": executable file not found in $PATH'),
    });
  });

  it('accepts only the etcd-util image', () => {
    expect(dockerStandInImagePattern.test('gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.77')).toBe(true);
    expect(dockerStandInImagePattern.test('gcr.io/gke-on-prem-release/etcd-util')).toBe(false);
    expect(dockerStandInImagePattern.test('gcr.io/gke-on-prem-release/etcd:v3.4.27')).toBe(false);
  });
});
