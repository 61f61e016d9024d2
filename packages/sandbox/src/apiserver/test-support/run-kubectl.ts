import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The outcome of one kubectl run. */
export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Writes a kubeconfig for `server` with a client certificate (or a token) into `directory`; returns its path. */
export async function writeTestKubeconfig(options: {
  directory: string;
  server: string;
  caFile: string;
  clientCertFile?: string;
  clientKeyFile?: string;
  token?: string;
}): Promise<string> {
  const user = options.token
    ? `    token: ${options.token}`
    : `    client-certificate: ${options.clientCertFile}\n    client-key: ${options.clientKeyFile}`;
  const text = `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${options.server}
    certificate-authority: ${options.caFile}
users:
- name: test
  user:
${user}
contexts:
- name: test
  context:
    cluster: test
    user: test
current-context: test
`;
  const file = path.join(options.directory, options.token ? 'token.kubeconfig' : 'admin.kubeconfig');
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

/** Runs the real kubectl with `--kubeconfig`; never throws on a non-zero exit. */
export function runKubectl(options: {
  kubeconfig: string;
  args: string[];
  stdin?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', options.kubeconfig, ...options.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: options.cwd,
      env: { ...process.env, KUBECONFIG: options.kubeconfig, HOME: path.dirname(options.kubeconfig) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
