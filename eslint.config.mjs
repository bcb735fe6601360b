import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const services = ['collector', 'etl', 'feature-store', 'trainer', 'model-registry', 'inference', 'experiment'];

// Every project carries a scope tag and a type tag; each constraint names its targets explicitly.
const depConstraints = [
  ...services.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:util'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  // The demo workload drives a running platform (gRPC, HTTP, ClickHouse); e2e tests run it at small scale.
  { sourceTag: 'type:workload', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:util'] },
  // e2e tests still drive services only over their ports; they set up and clean up Kafka topics and
  // groups through the one Kafka wrapper (libs/kafka is data-access).
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:util', 'type:workload'] },
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '.tools/**', '.stack/**', '.nx/**', 'helm/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: true, allow: [], depConstraints },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    files: ['**/*.spec.ts', 'scripts/**', '**/cli/**'],
    // Tests assert on shapes they just built; a non-null assertion there reads better than a guard.
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
