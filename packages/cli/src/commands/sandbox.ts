import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';

const defaultDir = '.etcd-dr/sandbox';

/** Registers `etcd-dr sandbox up|status|down|break`: the local lab. */
// Loaded on use: the lab's package would add to the start of every other command.
const sandboxPackage = () => import('@etcd-dr/sandbox');

export function registerSandbox(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description(
      'a local GDC-like lab (real etcd and sshd, simulated API servers) for tests, drills and demos; Linux, root',
    );

  sandbox
    .command('up')
    .description('start a lab in the background and wait until every pod is Ready')
    .addOption(
      new Option('--topology <topology>', 'user cluster topology')
        .choices(['kubeception', 'controlplane-v2'])
        .default('kubeception'),
    )
    .option(
      '--ha',
      'three etcd members (and API server replicas / control-plane nodes) instead of one',
      false,
    )
    .option('--jump-host', 'Controlplane V2: reach the nodes only through a jump host', false)
    .option('--dir <dir>', 'the lab folder (created; removed by down)', defaultDir)
    .option('--subnet <cidr>', 'the lab subnet, a /24 (default: the first free 10.213.N.0/24)')
    .option('--user-cluster-name <name>', 'the user cluster name', 'user-cluster-1')
    .option('--timeout <seconds>', 'how long to wait for Ready', parseSeconds, 120)
    .option('--json', 'print one JSON document', false)
    .action(async (options) => {
      const dir = resolve(options.dir);
      const started = Date.now();
      const lab = await (await sandboxPackage()).startSandbox({
        topology: options.topology,
        ha: options.ha,
        jumpHost: options.jumpHost,
        dir,
        userClusterName: options.userClusterName,
        ...(options.subnet ? { subnet: options.subnet } : {}),
        timeoutMs: options.timeout * 1000,
        onStarting: () => {
          if (!options.json)
            process.stderr.write(
              `starting a ${options.topology}${options.ha ? ' HA' : ''} lab in ${dir} ...\n`,
            );
        },
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ ok: true, dir, adminKubeconfig: lab.adminKubeconfig, userKubeconfig: lab.userKubeconfig, config: lab.config, sshConfig: lab.sshConfig, seconds: Number(seconds) })}\n`,
        );
        return;
      }
      process.stdout.write(
        [
          `lab ready in ${seconds} s: ${options.topology}${options.ha ? ', HA (3 etcd members)' : ', non-HA (1 etcd member)'}`,
          `  admin kubeconfig  ${lab.adminKubeconfig}`,
          `  user kubeconfig   ${lab.userKubeconfig}`,
          `  cluster config    ${lab.config}`,
          ...(lab.sshConfig ? [`  ssh config        ${lab.sshConfig}`] : []),
          'next:',
          `  export PATH=${join(dir, 'bin')}:$PATH   # gkectl diagnose cluster --kubeconfig ${lab.adminKubeconfig} --cluster-name ${options.userClusterName}`,
          `  kubectl --kubeconfig ${lab.userKubeconfig} get configmaps -A`,
          `  etcd-dr sandbox break --dir ${dir} --members 0`,
          `  etcd-dr sandbox down --dir ${dir}`,
          '',
        ].join('\n'),
      );
    });

  sandbox
    .command('status')
    .description('show whether the lab runs, and its pods and etcd members')
    .option('--dir <dir>', 'the lab folder', defaultDir)
    .option('--json', 'print one JSON document', false)
    .action(async (options) => {
      const dir = resolve(options.dir);
      const report = await (await sandboxPackage()).sandboxStatusOf({ dir });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else if (report.state === 'absent') {
        process.stdout.write(`no lab in ${dir}\n`);
      } else if (report.state === 'dead') {
        process.stdout.write(
          `lab in ${dir} is not running (supervisor pid ${report.status.pid} is gone); run \`etcd-dr sandbox down --dir ${dir}\` to clean up\n`,
        );
      } else {
        process.stdout.write(
          `lab in ${dir}: ${report.status.phase}, ${report.status.topology}${report.status.ha ? ' HA' : ''}, supervisor pid ${report.status.pid}, since ${report.status.startedAt}\n`,
        );
        if (report.detail !== undefined) process.stdout.write(`${formatDetail(report.detail)}\n`);
      }
      if (report.state !== 'running') process.exitCode = 3;
    });

  sandbox
    .command('down')
    .description('stop the lab and remove every process, network namespace, link and file it made')
    .option('--dir <dir>', 'the lab folder', defaultDir)
    .option('--json', 'print one JSON document', false)
    .action(async (options) => {
      const dir = resolve(options.dir);
      const result = await (await sandboxPackage()).stopSandbox({ dir });
      if (options.json) process.stdout.write(`${JSON.stringify({ ok: true, dir, ...result })}\n`);
      else if (!result.found) process.stdout.write(`no lab in ${dir}; nothing to do\n`);
      else
        process.stdout.write(
          `lab in ${dir} removed${result.supervisorWasRunning ? '' : ' (its supervisor had already died)'}: ${result.killedProcesses} processes, ${result.removedNetns.length} network namespaces, ${result.removedLinks.length} links\n`,
        );
    });

  sandbox
    .command('break')
    .description(
      "corrupt user-cluster etcd members' data the way a failed disk would, so their pods crash-loop",
    )
    .option('--dir <dir>', 'the lab folder', defaultDir)
    .requiredOption('--members <list>', 'comma-separated member numbers, e.g. 0,1', parseMembers)
    .action(async (options) => {
      const dir = resolve(options.dir);
      await (await sandboxPackage()).breakSandbox({ dir, members: options.members });
      process.stdout.write(`broke etcd member(s) ${options.members.join(', ')} of the lab in ${dir}\n`);
    });
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('must be a positive number of seconds');
  return seconds;
}

function parseMembers(value: string): number[] {
  const members = value.split(',').map((part) => Number(part.trim()));
  if (
    members.length === 0 ||
    members.some((member) => !Number.isInteger(member) || member < 0 || member > 2)
  ) {
    throw new InvalidArgumentError('must be member numbers 0, 1 or 2 separated by commas, e.g. 0,1');
  }
  return [...new Set(members)];
}

function formatDetail(detail: unknown): string {
  if (typeof detail === 'object' && detail !== null && 'lines' in detail && Array.isArray(detail.lines)) {
    return (detail.lines as string[]).join('\n');
  }
  return JSON.stringify(detail, null, 2);
}
