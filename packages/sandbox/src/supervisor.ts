import { runSupervisor } from './lab/run-supervisor.js';

await runSupervisor(process.argv.slice(2));
