import { defineConfig } from 'tsup';
import { actionTsupConfig } from '../shared/src/action-tsup-config.js';

// Sandbox mode's startSandbox spawns supervisor.js and installs gkectl.js from beside the running file.
export default defineConfig(
  actionTsupConfig({
    extraEntries: {
      supervisor: '../../packages/sandbox/src/supervisor.ts',
      gkectl: '../../packages/sandbox/src/gkectl.ts',
    },
  }),
);
