import { createProgram } from './program.js';
import { runMain } from './run-main.js';

await runMain(createProgram(), process.argv);
