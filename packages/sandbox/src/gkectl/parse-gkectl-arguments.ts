/** What the command line asks for. */
export type GkectlInvocation =
  | { kind: 'diagnose-cluster'; kubeconfig: string; clusterName?: string }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; text: string };

/** Options of {@link parseGkectlArguments}. */
export interface ParseGkectlArgumentsOptions {
  /** The arguments after the program name. */
  argv: readonly string[];
}

const diagnoseClusterUsage = [
  'Usage:',
  '  gkectl diagnose cluster [flags]',
  '',
  'Flags:',
  '      --cluster-name string   Name of the user cluster to diagnose. Diagnoses the admin cluster when not set.',
  '  -h, --help                  help for cluster',
  '      --kubeconfig string     Path of the admin cluster kubeconfig.',
  '',
  'This is the etcd-dr lab stand-in: only `diagnose cluster` with the flags above is implemented.',
].join('\n');

const diagnoseUsage = [
  'Diagnose the cluster',
  '',
  'Usage:',
  '  gkectl diagnose [command]',
  '',
  'Available Commands:',
  '  cluster     Diagnose the cluster',
  '',
  'Flags:',
  '  -h, --help   help for diagnose',
  '',
  'Use "gkectl diagnose [command] --help" for more information about a command.',
].join('\n');

const rootUsage = [
  'gkectl is the command line tool to manage GKE on-prem clusters (etcd-dr lab stand-in).',
  '',
  'Usage:',
  '  gkectl [command]',
  '',
  'Available Commands:',
  '  diagnose    Diagnose the cluster',
  '  help        Help about any command',
  '',
  'Flags:',
  '  -h, --help   help for gkectl',
  '',
  'Use "gkectl [command] --help" for more information about a command.',
].join('\n');

const valueFlags = new Set(['--kubeconfig', '--cluster-name']);

/**
 * Reads `gkectl` arguments the way its cobra command line does: `diagnose cluster` with `--kubeconfig`
 * (required) and `--cluster-name`, each as `--flag value` or `--flag=value`; `-h`/`--help` anywhere prints
 * help. Unknown commands, unknown flags, missing values and stray arguments are usage errors whose text is
 * cobra's (`Error: unknown flag: --x` followed by the usage). Pure.
 */
export function parseGkectlArguments(options: ParseGkectlArgumentsOptions): GkectlInvocation {
  const argv = [...options.argv];
  const isHelp = (argument: string | undefined) => argument === '-h' || argument === '--help';
  const [command, subcommand] = argv;
  if (command === undefined || command === 'help' || isHelp(command))
    return { kind: 'help', text: rootUsage };
  if (command !== 'diagnose') {
    return {
      kind: 'usage-error',
      text: command.startsWith('-')
        ? `Error: unknown flag: ${command}\n${rootUsage}`
        : `Error: unknown command "${command}" for "gkectl"\nRun 'gkectl --help' for usage.`,
    };
  }
  if (subcommand === undefined || isHelp(subcommand)) return { kind: 'help', text: diagnoseUsage };
  if (subcommand !== 'cluster') {
    return {
      kind: 'usage-error',
      text: subcommand.startsWith('-')
        ? `Error: unknown flag: ${subcommand}\n${diagnoseUsage}`
        : `Error: unknown command "${subcommand}" for "gkectl diagnose"\nRun 'gkectl diagnose --help' for usage.`,
    };
  }
  if (argv.slice(2).some(isHelp))
    return { kind: 'help', text: `Diagnose the cluster\n\n${diagnoseClusterUsage}` };

  const values = new Map<string, string>();
  const rest = argv.slice(2);
  for (let index = 0; index < rest.length; index += 1) {
    const argument = rest[index]!;
    if (!argument.startsWith('-')) {
      return usageError(`unknown command "${argument}" for "gkectl diagnose cluster"`);
    }
    const equals = argument.indexOf('=');
    const flag = equals === -1 ? argument : argument.slice(0, equals);
    if (!valueFlags.has(flag)) {
      return usageError(
        flag.startsWith('--')
          ? `unknown flag: ${flag}`
          : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${argument}`,
      );
    }
    let value: string | undefined;
    if (equals !== -1) {
      value = argument.slice(equals + 1);
    } else {
      value = rest[index + 1];
      index += 1;
    }
    if (value === undefined) return usageError(`flag needs an argument: ${flag}`);
    values.set(flag, value);
  }
  const kubeconfig = values.get('--kubeconfig');
  if (kubeconfig === undefined || kubeconfig === '') {
    return usageError('required flag(s) "kubeconfig" not set');
  }
  const clusterName = values.get('--cluster-name');
  return {
    kind: 'diagnose-cluster',
    kubeconfig,
    ...(clusterName !== undefined && clusterName !== '' ? { clusterName } : {}),
  };
}

function usageError(message: string): GkectlInvocation {
  return { kind: 'usage-error', text: `Error: ${message}\n${diagnoseClusterUsage}` };
}
