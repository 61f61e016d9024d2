import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/etcd-dr.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
});
