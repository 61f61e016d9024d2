import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreError } from '../restore/restore-error.js';
import type { RestorePlan } from '../restore/restore-plan.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** Where one step stands in the journal. */
export interface JournalStep {
  status: 'started' | 'succeeded' | 'failed' | 'undoing' | 'undone' | 'undo-failed';
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  outputs?: Record<string, unknown>;
  /** The one-line error of a failed step or undo. */
  error?: string;
}

/**
 * `journal.json` in the work directory: the plan being applied and where each step stands, rewritten
 * atomically (fsync'd, renamed) after every change, so a restore killed at any point can be resumed.
 */
export interface RestoreJournal {
  journalVersion: 1;
  planId: string;
  bundlePath: string;
  plan: RestorePlan;
  startedAt: string;
  updatedAt: string;
  /** `running` until the restore ends (also when the process was killed). */
  outcome: 'running' | 'succeeded' | 'failed' | 'rolled-back';
  steps: Record<string, JournalStep>;
  /** Each process that worked on this restore (the first run and every resume). */
  runs: Array<{ pid: number; host: string; startedAt: string }>;
}

/** The journal's file name inside the work directory. */
export const journalFileName = 'journal.json';

/** Pure: a short, stable id of a plan (SHA-256 of its JSON). */
export function planIdOf(plan: RestorePlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}

/**
 * Reads the journal of a work directory, or undefined when there is none.
 * @throws RestoreError `RESTORE_JOURNAL_INVALID` when it cannot be parsed or has another version.
 */
export async function readRestoreJournal(options: {
  workDirectory: string;
}): Promise<RestoreJournal | undefined> {
  const path = join(options.workDirectory, journalFileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  let journal: RestoreJournal;
  try {
    journal = JSON.parse(text) as RestoreJournal;
  } catch (error) {
    throw invalid(path, (error as Error).message);
  }
  if (journal.journalVersion !== 1 || journal.plan?.planVersion !== 1 || typeof journal.steps !== 'object') {
    throw invalid(path, 'it is not a version 1 journal of a version 1 plan');
  }
  return journal;
}

function invalid(path: string, detail: string): RestoreError {
  return new RestoreError({
    code: 'RESTORE_JOURNAL_INVALID',
    object: path,
    message: `restore journal ${path} cannot be used: ${detail}`,
    remedy:
      'move the work directory away and plan the restore again (check the cluster first: a restore may have been half done)',
  });
}

/** Keeps a journal on disk: every update is written atomically, in order, one at a time. */
export class JournalWriter {
  readonly path: string;
  readonly journal: RestoreJournal;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: { workDirectory: string; journal: RestoreJournal }) {
    this.path = join(options.workDirectory, journalFileName);
    this.journal = options.journal;
  }

  /** Applies `change` to the journal and writes it; resolves once it is on disk. */
  update(change: (journal: RestoreJournal) => void): Promise<void> {
    change(this.journal);
    this.journal.updatedAt = new Date().toISOString();
    const content = `${JSON.stringify(this.journal, null, 2)}\n`;
    this.queue = this.queue.then(() => writeFileAtomic({ path: this.path, content }));
    return this.queue;
  }

  /** Records a step's new state. */
  step(id: string, change: Partial<JournalStep>): Promise<void> {
    return this.update((journal) => {
      journal.steps[id] = { ...(journal.steps[id] ?? { status: 'started' }), ...change };
    });
  }
}

/** Moves a finished journal aside (`journal-STARTEDAT.json`) so a new restore starts a fresh one. */
export async function archiveRestoreJournal(options: {
  workDirectory: string;
  journal: RestoreJournal;
}): Promise<void> {
  const stamp = options.journal.startedAt.replace(/[-:.]/g, '');
  await rename(
    join(options.workDirectory, journalFileName),
    join(options.workDirectory, `journal-${stamp}.json`),
  );
}
