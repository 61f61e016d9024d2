import { EtcdDrError } from '@etcd-dr/sdk';
import { describe, expect, it } from 'vitest';
import { parseDiagnoseReport } from './parse-diagnose-report.js';

describe('parseDiagnoseReport', () => {
  it('keeps the JSON raw and says its shape is undocumented', () => {
    const report = parseDiagnoseReport({ text: '{"anything":[1,{"b":null}]}', path: 'r.json' });
    expect(report).toEqual({ format: 'undocumented', data: { anything: [1, { b: null }] } });
  });

  it('rejects text that is not JSON with one line naming the file', () => {
    const error = (() => {
      try {
        parseDiagnoseReport({ text: 'Cluster is healthy!', path: '/tmp/diag.json' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(EtcdDrError.isInstance(error)).toBe(true);
    const line = (error as EtcdDrError).toLine();
    expect(line).toMatch(/^VERIFY_REPORT_INVALID: diagnose report \/tmp\/diag\.json is not JSON: /);
    expect(line).not.toContain('\n');
  });
});
