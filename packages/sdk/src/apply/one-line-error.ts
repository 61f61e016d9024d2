import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { RestoreError } from '../restore/restore-error.js';

/**
 * Pure: the one line a journal entry, a progress event or a restore error quotes for `error`:
 * `CODE: message` for an etcd-dr error (a failed step's own message without its `step X: ` prefix), else
 * the first line of the message.
 */
export function oneLineError(error: unknown): string {
  if (RestoreError.isInstance(error) && error.code === 'RESTORE_STEP_FAILED') {
    return error.message.replace(/^step \S+: /, '');
  }
  if (EtcdDrError.isInstance(error)) return `${error.code}: ${error.message}`;
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
