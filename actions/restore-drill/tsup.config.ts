import { defineConfig } from 'tsup';
import { actionTsupConfig } from '../shared/src/action-tsup-config.js';

export default defineConfig(actionTsupConfig());
