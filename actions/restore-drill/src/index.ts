import { runRestoreDrillAction } from './run-restore-drill-action.js';

await runRestoreDrillAction();
