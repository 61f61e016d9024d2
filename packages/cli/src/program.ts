import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerBackup } from './commands/backup.js';
import { registerDrill } from './commands/drill.js';
import { registerInspect } from './commands/inspect.js';
import { registerRestore } from './commands/restore.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerVerify } from './commands/verify.js';

/** Builds the `etcd-dr` command tree. Each subcommand lives in `commands/` and registers itself here. */
export function createProgram(): Command {
  const program = new Command('etcd-dr')
    .description(
      'Back up, restore, verify and drill etcd of Kubernetes control planes (GDC for VMware, kubeadm).',
    )
    .version(packageJson.version, '-V, --version', 'print the etcd-dr version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true });
  registerBackup(program);
  registerDrill(program);
  registerInspect(program);
  registerRestore(program);
  registerSandbox(program);
  registerVerify(program);
  return program;
}
