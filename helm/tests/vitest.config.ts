import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The chart's tests (scripts/helm-check): they render the chart with helm, validate it against the
// Kubernetes schemas and load each service's own config schema from source, as the root config does.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { conditions: ['@kuroshio/source'] },
  test: {
    name: 'helm',
    environment: 'node',
    include: ['helm/tests/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
