/** Why `sudo -n` refused to run a command, read from its standard error. */
export type SudoFailure = 'password-required' | 'not-allowed';

/**
 * Recognizes sudo's own refusals (as opposed to a failure of the command it ran). sudo exits with 1 and
 * prints `sudo: a password is required` under `-n` when the login user has no NOPASSWD rule, and
 * `USER is not in the sudoers file` or `Sorry, user USER is not allowed to execute ...` when it has none.
 * @returns `undefined` when the exit code or the message does not come from sudo itself.
 */
export function sudoFailure(options: {
  exitCode: number | null | undefined;
  stderr: string;
}): SudoFailure | undefined {
  if (options.exitCode !== 1) return undefined;
  const { stderr } = options;
  if (/^sudo: (a password is required|a terminal is required to read the password)/m.test(stderr)) {
    return 'password-required';
  }
  if (
    /^(sudo: )?\S+ is not in the sudoers file/m.test(stderr) ||
    /^Sorry, user \S+ is not allowed to execute/m.test(stderr)
  ) {
    return 'not-allowed';
  }
  return undefined;
}

/** Prefix for a command run as root without ever prompting (a prompt would hang an exec without a pty). */
export const sudoPrefix = 'sudo -n --';
