import { describe, expect, it } from 'vitest';
import { parseGkectlArguments } from './parse-gkectl-arguments.js';

const parse = (...argv: string[]) => parseGkectlArguments({ argv });

describe('parseGkectlArguments', () => {
  it('reads diagnose cluster with both flag spellings', () => {
    expect(parse('diagnose', 'cluster', '--kubeconfig', 'admin.kubeconfig')).toEqual({
      kind: 'diagnose-cluster',
      kubeconfig: 'admin.kubeconfig',
    });
    expect(parse('diagnose', 'cluster', '--kubeconfig=a', '--cluster-name=user-cluster-1')).toEqual({
      kind: 'diagnose-cluster',
      kubeconfig: 'a',
      clusterName: 'user-cluster-1',
    });
  });

  it('fails unknown commands and flags with cobra-style text', () => {
    const unknownCommand = parse('upgrade', 'cluster');
    expect(unknownCommand).toEqual({
      kind: 'usage-error',
      text: `Error: unknown command "upgrade" for "gkectl"\nRun 'gkectl --help' for usage.`,
    });
    expect(parse('diagnose', 'snapshot')).toMatchObject({
      kind: 'usage-error',
      text: expect.stringContaining('Error: unknown command "snapshot" for "gkectl diagnose"'),
    });
    const unknownFlag = parse('diagnose', 'cluster', '--kubeconfig', 'a', '--bogus');
    expect(unknownFlag.kind).toBe('usage-error');
    expect(unknownFlag.kind === 'usage-error' && unknownFlag.text.split('\n').slice(0, 3)).toEqual([
      'Error: unknown flag: --bogus',
      'Usage:',
      '  gkectl diagnose cluster [flags]',
    ]);
    expect(parse('diagnose', 'cluster', '-x')).toMatchObject({
      text: expect.stringMatching(/^Error: unknown shorthand flag: 'x' in -x\n/),
    });
  });

  it('requires --kubeconfig and a value for every flag', () => {
    expect(parse('diagnose', 'cluster', '--cluster-name', 'u')).toMatchObject({
      kind: 'usage-error',
      text: expect.stringMatching(/^Error: required flag\(s\) "kubeconfig" not set\n/),
    });
    expect(parse('diagnose', 'cluster', '--kubeconfig')).toMatchObject({
      text: expect.stringMatching(/^Error: flag needs an argument: --kubeconfig\n/),
    });
    expect(parse('diagnose', 'cluster', '--kubeconfig', 'a', 'extra')).toMatchObject({ kind: 'usage-error' });
  });

  it('prints help for no arguments, help, and -h at each level', () => {
    expect(parse()).toMatchObject({ kind: 'help', text: expect.stringContaining('gkectl [command]') });
    expect(parse('--help')).toMatchObject({ kind: 'help' });
    expect(parse('diagnose')).toMatchObject({
      kind: 'help',
      text: expect.stringContaining('gkectl diagnose [command]'),
    });
    expect(parse('diagnose', 'cluster', '-h')).toMatchObject({
      kind: 'help',
      text: expect.stringContaining('gkectl diagnose cluster [flags]'),
    });
  });
});
