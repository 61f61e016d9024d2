import { EtcdDrError } from '@etcd-dr/sdk';
import type { DrillStep, DrillStepEvent } from './drill-report.js';

/** Records steps, their durations and the failures; after a failure the remaining steps are skipped. */
export class StepRecorder {
  readonly steps: DrillStep[] = [];
  readonly failures: string[] = [];
  stopped = false;

  constructor(private readonly onStep: ((event: DrillStepEvent) => void) | undefined) {}

  /** Runs a step unless an earlier one failed; returns its value, or undefined when it failed or was skipped. */
  async run<T>(
    name: string,
    action: () => Promise<T>,
    detail: (value: T) => string,
    options: { always?: boolean } = {},
  ): Promise<T | undefined> {
    if (this.stopped && !options.always) {
      this.skip(name, 'an earlier step failed');
      return undefined;
    }
    this.onStep?.({ step: name, status: 'started' });
    const started = performance.now();
    try {
      const value = await action();
      const durationMs = Math.round(performance.now() - started);
      const text = detail(value);
      this.steps.push({ name, outcome: 'succeeded', durationMs, detail: text });
      this.onStep?.({ step: name, status: 'succeeded', durationMs, detail: text });
      return value;
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const text = describe(error);
      this.steps.push({ name, outcome: 'failed', durationMs, detail: text });
      this.failures.push(`${name}: ${text}`);
      this.onStep?.({ step: name, status: 'failed', durationMs, detail: text });
      // Whatever the step threw (the injected restore may throw anything) is the drill's finding, not a crash.
      this.stopped = true;
      return undefined;
    }
  }

  skip(name: string, reason: string): void {
    this.steps.push({ name, outcome: 'skipped', durationMs: 0, detail: reason });
    this.onStep?.({ step: name, status: 'skipped', detail: reason });
  }
}

/** A step's own verdict (not a bug): recorded as its failure detail. */
export class StepFailure extends Error {}

function describe(error: unknown): string {
  if (EtcdDrError.isInstance(error)) return error.toLine();
  if (error instanceof Error) return error.message;
  return String(error);
}
