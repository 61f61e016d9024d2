import { EtcdDrError } from '@etcd-dr/sdk';
import { type Command, CommanderError } from 'commander';

/** Exit codes: 0 success, 1 a known failure (EtcdDrError), 2 usage error, 70 an internal bug. */
export const exitCodes = { ok: 0, failure: 1, usage: 2, internal: 70 } as const;

/**
 * Runs the program and turns every failure into one line on stderr and a non-zero exit code.
 * A stack trace is only printed for bugs (errors that are not EtcdDrError) and only with ETCD_DR_DEBUG=1.
 */
export async function runMain(program: Command, argv: string[]): Promise<void> {
  overrideExit(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, argv.includes('--json'));
  }
}

// Subcommands copy the parent's settings when they are created, before this runs: set each one.
function overrideExit(command: Command): void {
  command.exitOverride();
  for (const subcommand of command.commands) overrideExit(subcommand);
}

function reportError(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed help or the usage message.
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  }
  if (EtcdDrError.isInstance(error)) {
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: error.toJSON() })}\n`);
    process.stderr.write(`etcd-dr: error ${error.toLine()}\n`);
    return exitCodes.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `etcd-dr: internal error: ${message.split('\n')[0]}; this is a bug, please report it (ETCD_DR_DEBUG=1 shows the stack)\n`,
  );
  if (process.env.ETCD_DR_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return exitCodes.internal;
}
