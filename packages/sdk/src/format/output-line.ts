/**
 * Pure: the first line of a command's output, trimmed, or `(no output)`: what a one-line error quotes.
 * `firstLine` suits tools that say what went wrong first (etcdctl, cat); `lastLine` those that end with it
 * (a shell script run with `-e`, whose last command failed).
 */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() || '(no output)';
}

/** Pure: the last line of a command's output, trimmed, or `(no output)`; see {@link firstLine}. */
export function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() || '(no output)';
}
