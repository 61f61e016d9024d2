import { runBackupAction } from './run-backup-action.js';

await runBackupAction();
