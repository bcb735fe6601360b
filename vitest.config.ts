import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One runner for every project. SWC (not esbuild) transpiles so that NestJS gets the decorator
// metadata it injects by; '@kuroshio/source' makes workspace libraries resolve to their sources.
const shared = {
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { conditions: ['@kuroshio/source'] },
};

export default defineConfig({
  ...shared,
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['{libs,services}/*/src/**/*.spec.ts'],
          exclude: ['**/*.int.spec.ts', '**/node_modules/**', '**/dist/**'],
          environment: 'node',
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['{libs,services}/*/src/**/*.int.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Integration suites share one local stack; running files one at a time keeps them
          // from competing for the broker on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
