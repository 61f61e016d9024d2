import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDiagnoseOutput } from './parse-diagnose-output.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

describe('parseDiagnoseOutput on the documented transcripts', () => {
  it('reads the admin cluster success example: categories, checks, progress, healthy', () => {
    const output = parseDiagnoseOutput(fixture('admin-cluster-success.txt'));
    expect(output.categories.map((category) => [category.name, category.checks.length])).toEqual([
      ['Admin Cluster Connectivity', 2],
      ['Admin Cluster F5 BIG-IP', 1],
      ['Admin Cluster VCenter', 9],
      ['Admin Cluster', 10],
    ]);
    expect(output.categories[0]!.checks[0]).toEqual({
      name: 'Checking VMs TOD (availability)',
      status: 'SUCCESS',
      printedStatus: 'SUCCESS',
      reasons: [],
      unhealthyResources: [],
      debugInformation: [],
      line: 5,
    });
    expect(
      output.categories.flatMap((category) => category.checks).every((check) => check.status === 'SUCCESS'),
    ).toBe(true);
    expect(output.progress).toEqual([
      'Preparing for the diagnose tool...',
      'Diagnosing the cluster......DONE',
    ]);
    expect(output.allValidationsSucceeded).toBe(true);
    expect(output.verdict).toBe('healthy');
    expect(output.failedChecks).toEqual([]);
    expect(output.errorSummary).toBeUndefined();
    expect(output.reportPath).toBeUndefined();
    expect(output.unparsed).toEqual([]);
  });

  it('reads the user cluster example: report path, mixed-case Success, names kept as printed', () => {
    const output = parseDiagnoseOutput(fixture('user-cluster-success-with-report.txt'));
    expect(output.reportPath).toBe('<DIAGNOSE_REPORT_JSON_FILE>');
    const checks = output.categories.flatMap((category) => category.checks);
    expect(checks).toHaveLength(28);
    const dataplane = checks.find((check) => check.name === 'Checking Dataplane-V2');
    expect(dataplane).toMatchObject({ status: 'SUCCESS', printedStatus: 'Success' });
    expect(checks.map((check) => check.name)).toContain('Checeking anthos-identity-service pods');
    expect(output.verdict).toBe('healthy');
    expect(output.unparsed).toEqual([]);
  });

  it('reads the VM status failure example: reason, unhealthy resources, debug block, error summary', () => {
    const output = parseDiagnoseOutput(fixture('vm-status-failure.txt'));
    expect(output.verdict).toBe('unhealthy');
    expect(output.failedChecks).toHaveLength(1);
    const failed = output.failedChecks[0]!;
    expect(failed.name).toBe('Checking machine VMs');
    expect(failed.status).toBe('FAILURE');
    expect(failed.reasons).toEqual(['1 machine VMs error(s).']);
    expect(failed.unhealthyResources).toEqual([
      `Machine [NODE_NAME]: The VM's UUID "420fbe5c-4c8b-705a-8a05-ec636406f60" does not match the machine object's providerID "420fbe5c-4c8b-705a-8a05-ec636406f60e".`,
    ]);
    // The doc's own elision line follows the debug block; it stays inside the block it interrupts.
    expect(failed.debugInformation).toEqual(['null', '...']);
    expect(output.errorSummary).toBe('Cluster is unhealthy!');
    expect(output.verdictReasons).toEqual([
      'gkectl printed "Cluster is unhealthy!"',
      'check "Checking machine VMs" printed FAILURE: 1 machine VMs error(s).',
    ]);
    expect(output.categories[0]!.checks.filter((check) => check.status === 'SUCCESS')).toHaveLength(4);
  });

  it('recognises the VIP fallback preamble and reports the elided rest raw, with no verdict', () => {
    const output = parseDiagnoseOutput(fixture('vip-fallback-preamble.txt'));
    expect(output.progress).toHaveLength(7);
    expect(output.progress[0]).toBe('Failed to access the api server via LB VIP "...": ...');
    expect(output.unparsed).toEqual([{ line: 8, text: '...' }]);
    expect(output.verdict).toBe('unknown');
  });

  it('reads the bracket form of the validation printer and counts UNKNOWN as failed', () => {
    const output = parseDiagnoseOutput(fixture('check-config-bracket-form.txt'));
    expect(output.categories.map((category) => category.name)).toEqual([
      'Config Check',
      'Internet Access',
      'GCP',
      'vCenter',
      'Network Configuration',
    ]);
    expect(output.failedChecks.map((check) => [check.name, check.status])).toEqual([
      ['GCP service: [Stackdriver] could not get GCP services', 'UNKNOWN'],
    ]);
    expect(output.verdict).toBe('unknown');
    expect(output.verdictReasons.join(' ')).toContain('GCP service');
  });
});

// Composed from documented line shapes (Reason: lines, categories, verdict lines); no real transcript shows
// several reasons under one check or several failing categories, so these are labelled as composed.
describe('parseDiagnoseOutput on composed transcripts', () => {
  it('keeps several reasons per check and several failing checks across mixed categories', () => {
    const output = parseDiagnoseOutput(
      [
        'Preparing for the diagnose tool...',
        'Diagnosing the cluster......DONE',
        '- Validation Category: User Cluster Connectivity',
        'Checking VMs TOD (availability)...SUCCESS',
        '- Validation Category: User Cluster',
        'Checking control plane pods...FAILURE',
        '    Reason: 2 pod error(s).',
        '    Reason: kube-etcd-1 is not ready',
        '    Unhealthy Resources:',
        '    Pod kube-etcd-1: CrashLoopBackOff',
        '    Pod kube-apiserver-0: not ready',
        'Checking kube-system pods...FAILURE',
        '    Reason: 1 pod error(s).',
        '- Validation Category: User Cluster VCenter',
        'Checking Credentials...SUCCESS',
        'Exit with error:',
        'Cluster is unhealthy!',
      ].join('\n'),
    );
    expect(output.categories.map((category) => category.checks.map((check) => check.status))).toEqual([
      ['SUCCESS'],
      ['FAILURE', 'FAILURE'],
      ['SUCCESS'],
    ]);
    const [pods, system] = output.failedChecks;
    expect(pods!.reasons).toEqual(['2 pod error(s).', 'kube-etcd-1 is not ready']);
    expect(pods!.unhealthyResources).toEqual([
      'Pod kube-etcd-1: CrashLoopBackOff',
      'Pod kube-apiserver-0: not ready',
    ]);
    expect(system!.reasons).toEqual(['1 pod error(s).']);
    expect(system!.unhealthyResources).toEqual([]);
    expect(output.verdict).toBe('unhealthy');
    expect(output.verdictReasons).toHaveLength(3);
    expect(output.unparsed).toEqual([]);
  });

  it('calls failed checks followed by "Exit with error:" unhealthy even without the verdict line', () => {
    const output = parseDiagnoseOutput(
      '- Validation Category: Admin Cluster\nChecking storage...FAILURE\nReason: disk full\nExit with error: 1 validation failed\n',
    );
    expect(output.verdict).toBe('unhealthy');
    expect(output.errorSummary).toBe('1 validation failed');
  });

  it('still finds the report line when it comes after "Exit with error:"', () => {
    const output = parseDiagnoseOutput(
      'Exit with error:\nCluster is unhealthy!\nDiagnose result is saved successfully in /tmp/r.json\n',
    );
    expect(output.reportPath).toBe('/tmp/r.json');
    expect(output.errorSummary).toBe('Cluster is unhealthy!');
  });

  it('calls "Exit with error:" without failed checks unknown: gkectl failed, the cluster was not judged', () => {
    const output = parseDiagnoseOutput(
      'Preparing for the diagnose tool...\nExit with error:\nfailed to load the admin kubeconfig: open /x: no such file or directory\n',
    );
    expect(output.verdict).toBe('unknown');
    expect(output.errorSummary).toBe(
      'failed to load the admin kubeconfig: open /x: no such file or directory',
    );
    expect(output.verdictReasons[0]).toContain('before judging the cluster');
    expect(output.unparsed).toEqual([]);
  });

  it('calls a healthy verdict contradicted by a failed check or an exit error unknown', () => {
    const withFailure = parseDiagnoseOutput(
      '- Validation Category: Admin Cluster\nChecking storage...FAILURE\nCluster is healthy!\n',
    );
    expect(withFailure.verdict).toBe('unknown');
    expect(withFailure.verdictReasons[0]).toContain('contradicts');
    const withExitError = parseDiagnoseOutput('Cluster is healthy!\nExit with error:\nboom\n');
    expect(withExitError.verdict).toBe('unknown');
    const both = parseDiagnoseOutput('Cluster is healthy!\nCluster is unhealthy!\n');
    expect(both.verdict).toBe('unknown');
  });

  it('reports an undocumented status word raw instead of guessing, even inside a detail block', () => {
    const output = parseDiagnoseOutput(
      [
        '- Validation Category: Admin Cluster',
        'Checking machine VMs...FAILURE',
        'Debug Information:',
        'null',
        'Checking resource...WARNING',
        'Cluster is unhealthy!',
      ].join('\n'),
    );
    expect(output.failedChecks[0]!.debugInformation).toEqual(['null']);
    expect(output.categories[0]!.checks).toHaveLength(1);
    expect(output.unparsed).toEqual([{ line: 5, text: 'Checking resource...WARNING' }]);
    expect(output.verdict).toBe('unhealthy');
  });

  it('reports a check line outside any category raw', () => {
    const output = parseDiagnoseOutput('Checking storage...SUCCESS\n');
    expect(output.categories).toEqual([]);
    expect(output.unparsed).toEqual([{ line: 1, text: 'Checking storage...SUCCESS' }]);
  });

  it('reads CRLF line ends, colour codes and carriage-return spinners as a terminal shows them', () => {
    const colored = fixture('admin-cluster-success.txt')
      .replaceAll('...SUCCESS', '...\u001b[32mSUCCESS\u001b[0m')
      .replace(
        'Diagnosing the cluster......DONE',
        'Diagnosing the cluster...\rDiagnosing the cluster......DONE',
      )
      .replaceAll('\n', '\r\n');
    const output = parseDiagnoseOutput(`${colored}stray line\r\n`);
    expect(output.verdict).toBe('healthy');
    expect(output.categories.flatMap((category) => category.checks)).toHaveLength(22);
    expect(output.progress).toContain('Diagnosing the cluster......DONE');
    expect(output.unparsed).toEqual([{ line: 32, text: 'stray line' }]);
  });
});

describe('parseDiagnoseOutput on bad input', () => {
  it('reports garbage line by line, raw, and never calls it healthy', () => {
    const garbage = [
      'error: You must be logged in to the server (Unauthorized)',
      '{"kind":"Status","status":"Failure"}',
      '\u0000\u0001binary\u00ff',
      'SUCCESS',
      '...SUCCESS',
      'cluster is healthy',
    ].join('\n');
    const output = parseDiagnoseOutput(garbage);
    expect(output.verdict).toBe('unknown');
    expect(output.categories).toEqual([]);
    expect(output.unparsed.map((entry) => entry.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(output.unparsed.map((entry) => entry.text)).toEqual(garbage.split('\n'));
  });

  it('returns unknown with nothing parsed for empty or blank output', () => {
    for (const text of ['', '\n', '  \n\t\n']) {
      const output = parseDiagnoseOutput(text);
      expect(output.verdict).toBe('unknown');
      expect(output.verdictReasons).toEqual(['the output holds no validation category and no verdict line']);
      expect(output.unparsed).toEqual([]);
      expect(output.categories).toEqual([]);
    }
  });

  it('returns unknown for truncated output, keeping what was parsed', () => {
    const lines = fixture('admin-cluster-success.txt').split('\n');
    const cut = parseDiagnoseOutput(lines.slice(0, 12).join('\n'));
    expect(cut.verdict).toBe('unknown');
    expect(cut.verdictReasons[0]).toContain('may be truncated');
    expect(cut.categories.map((category) => category.name)).toEqual([
      'Admin Cluster Connectivity',
      'Admin Cluster F5 BIG-IP',
      'Admin Cluster VCenter',
    ]);
    const beforeVerdict = lines.indexOf('Cluster is healthy!');
    const almost = parseDiagnoseOutput(lines.slice(0, beforeVerdict).join('\n'));
    expect(almost.verdict).toBe('unknown');
    expect(almost.allValidationsSucceeded).toBe(true);
    expect(almost.verdictReasons[0]).toContain('without "Cluster is healthy!"');
    const failureCut = fixture('vm-status-failure.txt').split('\n').slice(0, 7).join('\n');
    const failing = parseDiagnoseOutput(failureCut);
    expect(failing.verdict).toBe('unknown');
    expect(failing.failedChecks.map((check) => check.reasons)).toEqual([['1 machine VMs error(s).']]);
  });
});
