/** Progress of `applyRestore`, for a CLI line or a log group; handlers must not throw. */
export type RestoreProgressEvent =
  | {
      kind: 'step';
      stepId: string;
      title: string;
      status: 'started' | 'succeeded' | 'failed' | 'skipped';
      durationMs?: number;
      detail?: string;
    }
  | { kind: 'undo'; stepId: string; title: string; status: 'started' | 'undone' | 'failed'; detail?: string }
  | { kind: 'step-progress'; stepId: string; message: string; bytesDone?: number; bytesTotal?: number };
