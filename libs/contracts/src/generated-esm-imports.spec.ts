import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Vitest bundles modules, so it forgives imports that Node's own ES module loader rejects (named
// imports from CommonJS packages). Services run the compiled code under plain Node; this test
// replays every package import of the generated code there.

const generatedDir = fileURLToPath(new URL('./generated/', import.meta.url));

function generatedFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? generatedFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function packageImports(): string[] {
  const statements = new Set<string>();
  const importPattern = /^import\s+(type\s+)?([^;]*?)\s+from\s+"([^".][^"]*)";/gms;
  for (const file of generatedFiles(generatedDir)) {
    for (const [, typeOnly, clause = '', specifier = ''] of readFileSync(file, 'utf8').matchAll(importPattern)) {
      if (typeOnly !== undefined) {
        continue;
      }
      const named = /\{([^}]*)\}/.exec(clause)?.[1];
      const values = (named ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && !name.startsWith('type '));
      const defaultImport = named === undefined ? clause.trim() : '';
      if (defaultImport !== '') {
        statements.add(`import ${defaultImport} from '${specifier}';`);
      }
      if (values.length > 0) {
        statements.add(`import { ${values.join(', ')} } from '${specifier}';`);
      }
    }
  }
  return [...statements].sort();
}

describe('generated code under Node ES modules', () => {
  it('imports from packages only what Node can link', () => {
    const imports = packageImports();
    expect(imports.some((statement) => statement.includes("from '@grpc/grpc-js'"))).toBe(true);
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', `${imports.join('\n')}\nconsole.log('linked');`], {
      cwd: generatedDir,
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('linked');
  });
});
