import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  isSameLabObject,
  type LabObject,
  type LabStateFile,
  labStateFileSchema,
  parseProcessStartTime,
} from './lab-object.js';
import { runCommand } from './run-command.js';
import { SandboxError } from './sandbox-error.js';

/** Options of {@link LabState.create}. */
export interface CreateLabStateOptions {
  /** The lab directory; created if missing. Must not hold a `state.json` already. */
  dir: string;
  /** Lab prefix (`edr` + 4 hex). Default: a random one no host netns or link uses yet. */
  prefix?: string;
}

/**
 * The journal of every host object a lab made, kept in `DIR/state.json`. Callers {@link record} an
 * object before they create it and {@link forget} it after they removed it, so that `teardown` can
 * remove everything even when the process that built the lab was killed. Writes are synchronous and
 * atomic (write + rename), so the file is never half-written and never lags behind the event loop.
 */
export class LabState {
  readonly dir: string;
  readonly prefix: string;
  readonly path: string;
  #data: LabStateFile;

  private constructor(dir: string, data: LabStateFile) {
    this.dir = dir;
    this.prefix = data.prefix;
    this.path = join(dir, 'state.json');
    this.#data = data;
  }

  /**
   * Starts the journal of a new lab in `dir`.
   * @throws SandboxError `SANDBOX_LAB_EXISTS` when `dir` already holds a lab's state.
   */
  static async create(options: CreateLabStateOptions): Promise<LabState> {
    const dir = resolve(options.dir);
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'state.json');
    if (existsSync(path)) {
      throw new SandboxError({
        code: 'SANDBOX_LAB_EXISTS',
        message: `${dir} already holds a lab (${path} exists)`,
        remedy: `remove it first with \`etcd-dr sandbox down --dir ${dir}\`, or pick another --dir`,
      });
    }
    const prefix = options.prefix ?? (await pickFreePrefix());
    const state = new LabState(dir, {
      version: 1,
      prefix,
      createdAt: new Date().toISOString(),
      objects: [],
    });
    state.#write();
    return state;
  }

  /**
   * Reads the journal of the lab in `dir`.
   * @returns undefined when `dir` holds no `state.json` (no lab, or already torn down).
   * @throws SandboxError `SANDBOX_STATE_INVALID` when the file is not a lab state.
   */
  static async load(options: { dir: string }): Promise<LabState | undefined> {
    const dir = resolve(options.dir);
    const path = join(dir, 'state.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {}
    const parsed = labStateFileSchema.safeParse(data);
    if (!parsed.success) {
      throw new SandboxError({
        code: 'SANDBOX_STATE_INVALID',
        message: `${path} is not a lab state file: ${parsed.error.issues[0]?.message ?? 'not JSON'}`,
        remedy: 'remove the lab objects by hand (`ip netns list`, `ip link`) or restore the file',
      });
    }
    return new LabState(dir, parsed.data);
  }

  /** Every object recorded and not yet forgotten, oldest first. */
  objects(): LabObject[] {
    return [...this.#data.objects];
  }

  /** Records an object about to be created. Recording one already recorded does nothing. */
  record(object: LabObject): void {
    if (this.#data.objects.some((existing) => isSameLabObject(existing, object))) return;
    this.#data.objects.push(object);
    this.#write();
  }

  /**
   * Records a process just spawned (a pid cannot be known before), with its start time so that a
   * recycled pid is never killed later.
   * @returns the recorded object (pass it to {@link forget} once the process is gone), undefined when the
   * process already exited.
   */
  recordProcess(options: { pid: number; group: boolean; description: string }): LabObject | undefined {
    const startTime = readProcessStartTime(options.pid);
    if (startTime === undefined) return undefined;
    const object: LabObject = { kind: 'process', startTime, ...options };
    this.record(object);
    return object;
  }

  /** Forgets an object that no longer exists. */
  forget(object: LabObject): void {
    const before = this.#data.objects.length;
    this.#data.objects = this.#data.objects.filter((existing) => !isSameLabObject(existing, object));
    if (this.#data.objects.length !== before) this.#write();
  }

  #write(): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.#data, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}

/** Reads the start time of a live process, or undefined when it is gone. */
export function readProcessStartTime(pid: number): string | undefined {
  try {
    return parseProcessStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

async function pickFreePrefix(): Promise<string> {
  const [netns, links] = await Promise.all([
    runCommand({ command: 'ip', args: ['netns', 'list'] }),
    runCommand({ command: 'ip', args: ['-o', 'link'] }),
  ]);
  const used = `${netns.stdout}\n${links.stdout}`;
  for (;;) {
    const prefix = `edr${randomBytes(2).toString('hex')}`;
    if (!used.includes(prefix)) return prefix;
  }
}
