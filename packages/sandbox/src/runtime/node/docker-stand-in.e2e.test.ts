import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabNode } from './start-node.js';
import { startTestNode, type TestNode } from './testing/start-test-node.js';

const image = 'gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.77';
let lab: TestNode;
let node: LabNode;
const ssh = (command: string) => lab.ssh(command);

beforeAll(async () => {
  lab = await startTestNode({ prefix: 'edr-docker-', leaves: ['server'] });
  node = lab.node;
});

afterAll(async () => {
  await lab?.close();
});

describe('docker run on a node (sudo over ssh)', () => {
  it('runs the etcd-util image with its env, as root, with the -v binds as the only writable node paths', async () => {
    const run = await ssh(
      `sudo -n docker run --rm -t -v /opt/data/var/lib:/var/lib -v /tmp:/tmp --env ETCDCTL_API=3 ${image} sh -c '` +
        'echo api=$ETCDCTL_API; id -u; touch /var/lib/from-container /tmp/from-container /root/throwaway /etc/throwaway; ' +
        "touch /usr/bin/edr-x 2>/dev/null || echo usr-read-only; ls /home 2>/dev/null || echo no-home; etcdctl version | head -1'",
    );
    expect(run.exitCode).toBe(0);
    // -t: a pseudo-terminal, so CRLF line ends as from a real `docker run -t`.
    expect(run.stdout.toString().split('\r\n')).toEqual([
      'api=3',
      '0',
      'usr-read-only',
      'no-home',
      expect.stringMatching(/^etcdctl version: 3\./),
      '',
    ]);
    expect(existsSync(join(node.root, 'opt/data/var/lib/from-container'))).toBe(true);
    expect(existsSync(join(node.root, 'tmp/from-container'))).toBe(true);
    expect(existsSync(join(node.root, 'root/throwaway'))).toBe(false);
    expect(existsSync(join(node.root, 'etc/throwaway'))).toBe(false);
    expect(existsSync('/usr/bin/edr-x')).toBe(false);
  });

  it('honours :ro binds and creates missing bind sources on the node, as dockerd does', async () => {
    const run = await ssh(
      `sudo -n docker run --rm -v /etc/kubernetes/pki/etcd:/certs:ro -v /opt/new-bind:/data ${image} sh -c 'touch /certs/x || echo certs-read-only; touch /data/y'`,
    );
    expect(run.stdout.toString()).toContain('certs-read-only');
    expect(existsSync(join(node.root, 'opt/new-bind/y'))).toBe(true);
    expect(existsSync(join(node.root, 'etc/kubernetes/pki/etcd/x'))).toBe(false);
  });

  it('propagates exit codes and fails like docker for other images, unknown flags, missing commands, non-root', async () => {
    expect((await ssh(`sudo -n docker run --rm ${image} sh -c 'exit 42'`)).exitCode).toBe(42);
    const withTty = await ssh(`sudo -n docker run --rm -t ${image} sh -c 'echo to-stderr >&2; exit 7'`);
    expect([withTty.exitCode, withTty.stdout.toString(), withTty.stderr]).toEqual([7, 'to-stderr\r\n', '']);
    const withoutTty = await ssh(
      `sudo -n docker run --rm ${image} sh -c 'echo to-stderr >&2; echo to-stdout'`,
    );
    expect([withoutTty.stdout.toString(), withoutTty.stderr]).toEqual(['to-stdout\n', 'to-stderr\n']);
    const refused = await ssh('sudo -n docker run --rm busybox true');
    expect(refused.exitCode).toBe(125);
    expect(refused.stderr).toContain("Unable to find image 'busybox:latest' locally");
    expect(refused.stderr).toContain('pull access denied for busybox');
    const flag = await ssh(`sudo -n docker run --rm --privileged ${image} true`);
    expect(flag.exitCode).toBe(125);
    expect(flag.stderr).toMatch(/^unknown flag: --privileged/);
    const missing = await ssh(`sudo -n docker run --rm ${image} etcdutl-not-here`);
    expect(missing.exitCode).toBe(127);
    const notRoot = await ssh(`docker run --rm ${image} true`);
    expect(notRoot.exitCode).not.toBe(0);
    expect(notRoot.stderr).toContain('permission denied while trying to connect to the Docker daemon socket');
  });

  it("records what the runbook's CPv2 restore command really does: it restores into the container's throwaway /opt/data", async () => {
    const seeded = await ssh(
      `sudo -n docker run --rm -v /tmp:/tmp ${image} sh -c '` +
        'etcd --data-dir /root/seed --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 ' +
        '--listen-peer-urls http://127.0.0.1:2380 >/root/etcd.log 2>&1 & ' +
        'for i in $(seq 100); do etcdctl put /registry/marker restored >/dev/null 2>&1 && break; sleep 0.1; done; ' +
        "etcdctl snapshot save /tmp/snapshot.db >/dev/null && kill $!'",
    );
    expect(seeded.exitCode).toBe(0);
    expect(existsSync(join(node.root, 'tmp/snapshot.db'))).toBe(true);
    writeFileSync(join(node.root, 'opt/data/var/lib/etcd/damaged-marker'), 'old data\n');

    const certs =
      '--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key';
    const restore = (dataDir: string) =>
      ssh(
        'sudo -n docker run --rm -t -v /opt/data/var/lib:/var/lib -v /etc/kubernetes/pki/etcd:/etc/kubernetes/pki/etcd ' +
          `-v /tmp:/tmp --env ETCDCTL_API=3 ${image} etcdctl ${certs} --data-dir=${dataDir} --name=cp1 ` +
          `--initial-advertise-peer-urls=https://${node.ip}:2380 --initial-cluster=cp1=https://${node.ip}:2380 ` +
          'snapshot restore /tmp/snapshot.db',
      );

    // The runbook's exact command: etcdctl succeeds, but /opt/data is not a mount inside the container.
    const asDocumented = await restore('/opt/data/var/lib/etcd');
    expect(asDocumented.exitCode).toBe(0);
    expect(`${asDocumented.stdout}${asDocumented.stderr}`).toMatch(/restoring snapshot/i);
    expect(readdirSync(join(node.root, 'opt/data/var/lib/etcd'))).toEqual(['damaged-marker']);
    expect(existsSync(join(node.root, 'opt/data/opt'))).toBe(false);

    // The same restore into the mounted path (/var/lib is the node's /opt/data/var/lib) does reach the node.
    const intoMount = await restore('/var/lib/etcd-restored');
    expect(intoMount.exitCode).toBe(0);
    expect(existsSync(join(node.root, 'opt/data/var/lib/etcd-restored/member/snap/db'))).toBe(true);
    expect(readFileSync(join(node.root, 'opt/data/var/lib/etcd/damaged-marker'), 'utf8')).toBe('old data\n');
  });
});
