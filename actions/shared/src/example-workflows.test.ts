import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Workflow {
  on: { schedule?: { cron: string }[] };
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
}

describe('the example workflows (examples/workflows)', () => {
  it('are scheduled and pass only inputs that the actions declare', async () => {
    const files = (await readdir(join(root, 'examples/workflows'))).filter((name) => name.endsWith('.yml'));
    expect(files.sort()).toEqual(['etcd-backup.yml', 'etcd-restore-drill.yml']);
    const used = new Set<string>();
    for (const file of files) {
      const workflow = parse(await readFile(join(root, 'examples/workflows', file), 'utf8')) as Workflow;
      expect(workflow.on.schedule?.[0]?.cron, file).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
      for (const step of Object.values(workflow.jobs).flatMap((job) => job.steps)) {
        const action = /\/actions\/(backup|restore-drill)@/.exec(step.uses ?? '')?.[1];
        if (!action) continue;
        used.add(action);
        const declared = parse(await readFile(join(root, 'actions', action, 'action.yml'), 'utf8')) as {
          inputs: Record<string, unknown>;
        };
        for (const input of Object.keys(step.with ?? {})) {
          expect(Object.keys(declared.inputs), `${file}: ${action} has no input ${input}`).toContain(input);
        }
      }
    }
    expect([...used].sort()).toEqual(['backup', 'restore-drill']);
  });
});
