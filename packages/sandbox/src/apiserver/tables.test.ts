import { describe, expect, it } from 'vitest';
import { findResourceType } from './resource-types.js';
import { humanDuration, podStatusReason, renderTable } from './tables.js';

describe('server-side tables', () => {
  it('prints ages like the real server', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(125_000)).toBe('2m5s');
    expect(humanDuration(3 * 3_600_000 + 60_000)).toBe('3h1m');
    expect(humanDuration(3 * 86_400_000)).toBe('3d');
  });

  it('renders the pod columns of -o wide with priorities, and CrashLoopBackOff / Terminating statuses', () => {
    const pods = findResourceType({ group: '', version: 'v1', resource: 'pods' })!;
    const now = Date.parse('2026-01-01T00:01:00Z');
    const pod = {
      metadata: { name: 'kube-etcd-0', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { nodeName: 'node1', containers: [{ name: 'kube-etcd' }] },
      status: {
        phase: 'Running',
        podIP: '10.0.0.5',
        containerStatuses: [
          {
            name: 'kube-etcd',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
        ],
      },
    };
    const table = renderTable({ type: pods, objects: [pod], resourceVersion: '7', now }) as {
      columnDefinitions: Array<{ name: string; priority: number }>;
      rows: Array<{ cells: unknown[]; object: { kind: string } }>;
    };
    expect(table.columnDefinitions.map((column) => `${column.name}:${column.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
    expect(table.rows[0]!.cells).toEqual([
      'kube-etcd-0',
      '0/1',
      'CrashLoopBackOff',
      '4',
      '60s',
      '10.0.0.5',
      'node1',
      '<none>',
      '<none>',
    ]);
    expect(table.rows[0]!.object.kind).toBe('PartialObjectMetadata');
    expect(
      podStatusReason({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:02:00Z' } }),
    ).toBe('Terminating');
  });

  it('renders StatefulSets and nodes with the wide columns kubectl shows', () => {
    const statefulSets = findResourceType({ group: 'apps', version: 'v1', resource: 'statefulsets' })!;
    const set = {
      metadata: { name: 'kube-etcd', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'kube-etcd', image: 'etcd:3.4' }] } } },
      status: { readyReplicas: 2 },
    };
    const now = Date.parse('2026-01-01T00:00:30Z');
    const setTable = renderTable({ type: statefulSets, objects: [set], resourceVersion: '1', now }) as {
      columnDefinitions: Array<{ name: string }>;
      rows: Array<{ cells: unknown[] }>;
    };
    expect(setTable.columnDefinitions.map((column) => column.name)).toEqual([
      'Name',
      'Ready',
      'Age',
      'Containers',
      'Images',
    ]);
    expect(setTable.rows[0]!.cells).toEqual(['kube-etcd', '2/3', '30s', 'kube-etcd', 'etcd:3.4']);
    const nodes = findResourceType({ group: '', version: 'v1', resource: 'nodes' })!;
    const node = {
      metadata: {
        name: 'cp-1',
        labels: { 'node-role.kubernetes.io/control-plane': '' },
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
      },
    };
    const nodeTable = renderTable({ type: nodes, objects: [node], resourceVersion: '1', now }) as {
      rows: Array<{ cells: unknown[] }>;
    };
    expect(nodeTable.rows[0]!.cells.slice(0, 6)).toEqual([
      'cp-1',
      'Ready',
      'control-plane',
      '30s',
      '',
      '10.0.0.2',
    ]);
  });
});
