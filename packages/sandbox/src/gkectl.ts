import { runGkectl } from './gkectl/run-gkectl.js';

process.exitCode = await runGkectl({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
