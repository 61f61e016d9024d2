/** Quotes one argument for a POSIX shell: the remote side of an SSH exec always runs the login shell. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
