import { parseDiagnoseOutput } from '@etcd-dr/verify';
import { describe, expect, it } from 'vitest';
import type { GkectlDiagnoseResult } from './diagnose-result.js';
import { formatDiagnoseOutput } from './format-diagnose-output.js';

const healthyUser: GkectlDiagnoseResult = {
  target: 'user',
  clusterName: 'user-cluster-1',
  categories: [
    {
      name: 'User Cluster Connectivity',
      checks: [
        {
          name: 'Checking admin cluster API server (reachability)',
          status: 'SUCCESS',
          reasons: [],
          unhealthyResources: [],
        },
        {
          name: 'Checking user cluster API server (reachability)',
          status: 'SUCCESS',
          reasons: [],
          unhealthyResources: [],
        },
      ],
    },
    {
      name: 'User Cluster Etcd',
      checks: [
        { name: 'Checking etcd members (health)', status: 'SUCCESS', reasons: [], unhealthyResources: [] },
        { name: 'Checking etcd members (agreement)', status: 'SUCCESS', reasons: [], unhealthyResources: [] },
      ],
    },
  ],
};

describe('formatDiagnoseOutput', () => {
  it('prints a healthy user cluster as the documented transcript, which the verify parser reads back', () => {
    const text = formatDiagnoseOutput({ result: healthyUser, reportFile: 'diagnose-report-x.json' });
    expect(text.split('\n').slice(0, 4)).toEqual([
      'Preparing for the diagnose tool...',
      'Diagnosing the cluster......DONE',
      'Diagnose result is saved successfully in diagnose-report-x.json',
      '- Validation Category: User Cluster Connectivity',
    ]);
    expect(text.endsWith('All validation results were SUCCESS.\nCluster is healthy!\n')).toBe(true);

    const parsed = parseDiagnoseOutput(text);
    expect(parsed.verdict).toBe('healthy');
    expect(parsed.unparsed).toEqual([]);
    expect(parsed.reportPath).toBe('diagnose-report-x.json');
    expect(
      parsed.categories.map((category) => [category.name, category.checks.map((check) => check.name)]),
    ).toEqual(
      healthyUser.categories.map((category) => [category.name, category.checks.map((check) => check.name)]),
    );
  });

  it('prints failures with Reason and Unhealthy Resources lines, read back as an unhealthy verdict', () => {
    const result: GkectlDiagnoseResult = {
      ...healthyUser,
      categories: [
        healthyUser.categories[0]!,
        {
          name: 'User Cluster Etcd',
          checks: [
            {
              name: 'Checking etcd members (health)',
              status: 'FAILURE',
              reasons: ['1 of 3 etcd member(s) unhealthy: kube-etcd-0.'],
              unhealthyResources: ['Pod [user-cluster-1/kube-etcd-0]: container kube-etcd is not running'],
            },
            {
              name: 'Checking etcd members (agreement)',
              status: 'FAILURE',
              reasons: ['etcd members disagree on the cluster ID (2 different IDs).', 'second reason'],
              unhealthyResources: [],
            },
          ],
        },
      ],
    };
    const text = formatDiagnoseOutput({ result, reportFile: 'r.json' });
    expect(text.endsWith('Exit with error:\nCluster is unhealthy!\n')).toBe(true);
    expect(text).not.toContain('All validation results were SUCCESS.');

    const parsed = parseDiagnoseOutput(text);
    expect(parsed.verdict).toBe('unhealthy');
    expect(parsed.unparsed).toEqual([]);
    expect(parsed.failedChecks.map((check) => [check.name, check.reasons, check.unhealthyResources])).toEqual(
      [
        [
          'Checking etcd members (health)',
          ['1 of 3 etcd member(s) unhealthy: kube-etcd-0.'],
          ['Pod [user-cluster-1/kube-etcd-0]: container kube-etcd is not running'],
        ],
        [
          'Checking etcd members (agreement)',
          ['etcd members disagree on the cluster ID (2 different IDs).', 'second reason'],
          [],
        ],
      ],
    );
    expect(parsed.errorSummary).toBe('Cluster is unhealthy!');
  });

  it('prints an admin run with the blank line and no report line, as the admin example shows', () => {
    const text = formatDiagnoseOutput({
      result: { target: 'admin', clusterName: 'admin', categories: [healthyUser.categories[0]!] },
    });
    expect(text.split('\n').slice(0, 4)).toEqual([
      'Preparing for the diagnose tool...',
      'Diagnosing the cluster......DONE',
      '',
      '- Validation Category: User Cluster Connectivity',
    ]);
    const parsed = parseDiagnoseOutput(text);
    expect([parsed.verdict, parsed.reportPath, parsed.unparsed]).toEqual(['healthy', undefined, []]);
  });

  it('prints a run that could not diagnose as an error without a verdict, which the parser calls unknown', () => {
    const text = formatDiagnoseOutput({
      result: {
        target: 'user',
        clusterName: 'nope',
        categories: [],
        fatalError: 'failed to get user cluster "nope"',
      },
      reportFile: 'ignored.json',
    });
    expect(text).toBe(
      'Preparing for the diagnose tool...\nExit with error:\nfailed to get user cluster "nope"\n',
    );
    const parsed = parseDiagnoseOutput(text);
    expect(parsed.verdict).toBe('unknown');
    expect(parsed.errorSummary).toBe('failed to get user cluster "nope"');
  });
});
