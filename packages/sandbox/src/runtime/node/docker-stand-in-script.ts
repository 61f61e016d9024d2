/** The only image the nodes' `docker run` stand-in can run; any tag. */
export const dockerStandInImagePattern = /^gcr\.io\/gke-on-prem-release\/etcd-util:\w[\w.-]*$/;

/**
 * The program installed as `/usr/bin/docker` (and `/usr/local/bin/docker`) in every node's view: a
 * self-contained Node.js script (the host's `/usr/bin/node`, which the view has) that implements
 * `docker run [--rm] [-t] [-i] [-v|--volume SRC:DST[:ro]]... [-e|--env K[=V]]... IMAGE COMMAND...` for
 * the etcd-util image the way Docker 28 behaves:
 * - the container is a fresh `bwrap` with its own tmpfs root (thrown away on exit, like a container's
 *   writable layer with `--rm`), the node's /usr read-only, and the `-v` binds as real bind mounts: the
 *   binds are the only paths through which it can write the node;
 * - a missing bind source is created, as dockerd does for `-v`;
 * - other images fail as a registry without them (`Unable to find image ... locally`, `pull access
 *   denied`, exit 125); unknown flags fail as the docker CLI's flag parser (`unknown flag: --x`, exit
 *   125); a command not in the image's PATH exits 127; otherwise the command's exit code is returned;
 * - `-t` gives the command a pseudo-terminal (through `script`): stderr arrives merged into stdout with
 *   CRLF line ends, as from a real `docker run -t`; `-it` without a terminal fails (`the input device is
 *   not a TTY`);
 * - without root it fails as the CLI does on the daemon socket (`permission denied`).
 * With `ETCD_DR_DOCKER_PLAN=1` it prints the bwrap arguments as JSON instead of running them (tests).
 */
export const dockerStandInScript = String.raw`#!/usr/bin/node
'use strict';
// etcd-dr lab: docker stand-in for nodes (see packages/sandbox DESIGN.md, "Nodes").
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const { constants } = require('node:os');

const usage = 'Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]';
const allowedImage = ${dockerStandInImagePattern.toString()};
const containerPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const hostReadOnly = ['/etc/ssl', '/etc/ca-certificates', '/etc/alternatives', '/etc/ld.so.cache', '/etc/hosts'];

const flagError = (message) => {
  process.stderr.write(message + '\n\n' + usage + "\n\nRun 'docker run --help' for more information\n");
  process.exit(125);
};
const daemonError = (message, exitCode) => {
  process.stderr.write('docker: Error response from daemon: ' + message + "\n\nRun 'docker run --help' for more information\n");
  process.exit(exitCode);
};

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === 'version') {
  process.stdout.write('Docker version 28.2.2, build etcd-dr-lab\n');
  process.exit(0);
}
if (argv[0] !== 'run') {
  process.stderr.write("docker: '" + (argv[0] ?? '') + "' is not available on this lab node: its docker stand-in runs only \`docker run\` of the etcd-util image\n");
  process.exit(1);
}

const args = argv.slice(1);
const plan = { rm: false, tty: false, interactive: false, volumes: [], env: [] };
const booleans = { rm: 'rm', tty: 'tty', interactive: 'interactive', t: 'tty', i: 'interactive' };
const takeValue = (name, value) => {
  if (name === 'volume' || name === 'v') plan.volumes.push(value);
  else plan.env.push(value);
};
let index = 0;
while (index < args.length) {
  const arg = args[index];
  if (arg === '--') {
    index++;
    break;
  }
  if (arg.startsWith('--')) {
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    if (name === 'rm' || name === 'tty' || name === 'interactive') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        flagError('invalid argument "' + inline + '" for "--' + name + '" flag: strconv.ParseBool: parsing "' + inline + '": invalid syntax');
      }
      plan[booleans[name]] = inline !== 'false';
      index++;
      continue;
    }
    if (name === 'volume' || name === 'env') {
      const value = inline ?? args[index + 1];
      if (value === undefined) flagError('flag needs an argument: --' + name);
      takeValue(name, value);
      index += inline === undefined ? 2 : 1;
      continue;
    }
    flagError('unknown flag: --' + name);
  }
  if (arg.startsWith('-') && arg.length > 1) {
    let consumedNext = false;
    for (let position = 1; position < arg.length; position++) {
      const letter = arg[position];
      if (letter === 't' || letter === 'i') {
        plan[booleans[letter]] = true;
        continue;
      }
      if (letter === 'v' || letter === 'e') {
        let value = arg.slice(position + 1).replace(/^=/, '');
        if (value === '') {
          value = args[index + 1];
          if (value === undefined) flagError("flag needs an argument: '" + letter + "' in -" + letter);
          consumedNext = true;
        }
        takeValue(letter, value);
        break;
      }
      flagError("unknown shorthand flag: '" + letter + "' in " + arg);
    }
    index += consumedNext ? 2 : 1;
    continue;
  }
  break;
}
const image = args[index];
const command = args.slice(index + 1);
if (image === undefined) {
  process.stderr.write("docker: 'docker run' requires at least 1 argument\n\n" + usage + "\n\nSee 'docker run --help' for more information\n");
  process.exit(1);
}

if (process.getuid() !== 0 && process.env.ETCD_DR_DOCKER_PLAN !== '1') {
  process.stderr.write('docker: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Head "http://%2Fvar%2Frun%2Fdocker.sock/_ping": dial unix /var/run/docker.sock: connect: permission denied' + "\n\nRun 'docker run --help' for more information\n");
  process.exit(126);
}

const volumes = plan.volumes.map((spec) => {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    daemonError("the etcd-dr lab's docker stand-in supports bind mounts SRC:DST[:ro|rw] only, not the volume \"" + spec + '"', 125);
  }
  const [source, target, mode = 'rw'] = parts;
  if (!source.startsWith('/')) {
    daemonError("the etcd-dr lab's docker stand-in supports bind mounts only, not the named volume \"" + source + '"', 125);
  }
  if (!target.startsWith('/')) {
    daemonError("invalid volume specification: '" + spec + "': invalid mount config for type \"bind\": invalid mount path: '" + target + "' mount path must be absolute", 125);
  }
  if (!['ro', 'rw', 'z', 'Z'].includes(mode)) daemonError("invalid mode: " + mode, 125);
  return { source, target, readOnly: mode === 'ro' };
});
const environment = [];
for (const entry of plan.env) {
  const equals = entry.indexOf('=');
  if (equals === -1) {
    if (process.env[entry] !== undefined) environment.push([entry, process.env[entry]]);
  } else {
    environment.push([entry.slice(0, equals), entry.slice(equals + 1)]);
  }
}

if (!allowedImage.test(image)) {
  const reference = /:[\w.-]+$/.test(image.split('/').pop() ?? '') || image.includes('@') ? image : image + ':latest';
  const repository = reference.replace(/[:@][^/]*$/, '');
  process.stderr.write("Unable to find image '" + reference + "' locally\n");
  daemonError('pull access denied for ' + repository + ", repository does not exist or may require 'docker login'", 125);
}
if (command.length === 0) daemonError('No command specified', 125);
const program = command[0];
const found = program.includes('/')
  ? existsSync(program) || volumes.some((volume) => program.startsWith(volume.target + '/'))
  : containerPath.split(':').some((directory) => existsSync(directory + '/' + program));
if (!found) {
  daemonError('failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "' + program + '": executable file not found in $PATH: unknown', 127);
}

const hostname = randomBytes(6).toString('hex');
const bwrap = [
  '--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', hostname,
  '--size', String(512 * 1024 * 1024), '--tmpfs', '/',
  '--ro-bind', '/usr', '/usr',
  '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin',
  '--proc', '/proc', '--dev', '/dev', '--dir', '/tmp', '--dir', '/var/tmp', '--dir', '/root',
];
for (const path of hostReadOnly) if (existsSync(path)) bwrap.push('--ro-bind', path, path);
for (const volume of volumes) {
  if (!existsSync(volume.source) && process.env.ETCD_DR_DOCKER_PLAN !== '1') mkdirSync(volume.source, { recursive: true });
  bwrap.push(volume.readOnly ? '--ro-bind' : '--bind', volume.source, volume.target);
}
bwrap.push('--chdir', '/', '--clearenv', '--setenv', 'PATH', containerPath, '--setenv', 'HOSTNAME', hostname, '--setenv', 'HOME', '/root');
if (plan.tty) bwrap.push('--setenv', 'TERM', 'xterm');
for (const [name, value] of environment) bwrap.push('--setenv', name, value);
bwrap.push('--', ...command);

if (plan.tty && plan.interactive && !process.stdin.isTTY) {
  process.stderr.write('the input device is not a TTY\n');
  process.exit(1);
}
if (process.env.ETCD_DR_DOCKER_PLAN === '1') {
  process.stdout.write(JSON.stringify({ image, rm: plan.rm, tty: plan.tty, interactive: plan.interactive, bwrap }) + '\n');
  process.exit(0);
}
// -t: the container's stdio is a pseudo-terminal, as with docker (stderr merged into stdout, CRLF line ends).
const quote = (word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : "'" + word.replace(/'/g, "'\\''") + "'");
const launcher = plan.tty
  ? ['/usr/bin/script', ['-qefc', ['/usr/bin/bwrap', ...bwrap].map(quote).join(' '), '/dev/null']]
  : ['/usr/bin/bwrap', bwrap];
const result = spawnSync(launcher[0], launcher[1], { stdio: plan.interactive ? 'inherit' : ['ignore', 'inherit', 'inherit'] });
if (result.error) daemonError('cannot start the container: ' + result.error.message, 125);
process.exit(result.status ?? 128 + (constants.signals[result.signal] ?? 1));
`;
