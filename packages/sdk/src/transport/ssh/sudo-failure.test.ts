import { describe, expect, it } from 'vitest';
import { sudoFailure } from './sudo-failure.js';

describe('sudoFailure', () => {
  it("recognizes sudo's refusals by their exact messages (sudo 1.9)", () => {
    expect(sudoFailure({ exitCode: 1, stderr: 'sudo: a password is required\n' })).toBe('password-required');
    expect(
      sudoFailure({
        exitCode: 1,
        stderr:
          'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\n',
      }),
    ).toBe('password-required');
    expect(sudoFailure({ exitCode: 1, stderr: 'ubuntu is not in the sudoers file.\n' })).toBe('not-allowed');
    expect(
      sudoFailure({
        exitCode: 1,
        stderr: "Sorry, user ubuntu is not allowed to execute '/usr/bin/tar' as root on cp1.\n",
      }),
    ).toBe('not-allowed');
  });

  it("leaves the command's own failures alone", () => {
    expect(sudoFailure({ exitCode: 1, stderr: 'cat: /x: No such file or directory\n' })).toBeUndefined();
    expect(sudoFailure({ exitCode: 2, stderr: 'sudo: a password is required\n' })).toBeUndefined();
    expect(sudoFailure({ exitCode: 1, stderr: 'grep: sudo: a password is required\n' })).toBeUndefined();
    expect(sudoFailure({ exitCode: 0, stderr: '' })).toBeUndefined();
  });
});
