import swc from 'unplugin-swc';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Suites that talk to the broker through kafkajs directly (admin and test producers) get the
// request-queue fix every service loads through @kuroshio/kafka (docs/decisions/0006): without it
// each of their connections runs a 1 ms timer loop and Node prints TimeoutNegativeWarning.
const KAFKAJS_AS_SERVICES_RUN_IT = 'libs/kafka/src/kafkajs-request-queue.ts';

// One runner for every project. SWC (not esbuild) transpiles so that NestJS gets the decorator
// metadata it injects by; '@kuroshio/source' makes workspace libraries resolve to their sources.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { conditions: ['@kuroshio/source'] },
  // Tests run in Vite's SSR environment, which since Vite 6 takes its conditions from here, not from
  // `resolve`: without this, workspace libraries resolved to their (possibly stale) dist builds.
  ssr: { resolve: { conditions: ['@kuroshio/source', ...defaultServerConditions.filter((condition) => condition !== 'module')] } },
  test: {
    environment: 'node',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{libs,services}/*/src/**/*.spec.ts'],
          exclude: ['**/*.int.spec.ts', '**/*.e2e.spec.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{libs,services}/*/src/**/*.int.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          setupFiles: [KAFKAJS_AS_SERVICES_RUN_IT],
          // Integration suites share one local stack; running files one at a time keeps them
          // from competing for the broker on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // Whole services, built and started as processes on their real ports.
          include: ['e2e/*/src/**/*.e2e.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          setupFiles: [KAFKAJS_AS_SERVICES_RUN_IT],
          fileParallelism: false,
        },
      },
    ],
  },
});
