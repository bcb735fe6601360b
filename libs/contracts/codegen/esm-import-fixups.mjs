// Runs after `buf generate` (see the codegen target in project.json).
//
// ts-proto writes `import { wrappers } from "protobufjs"` for the NestJS Struct wrappers, but
// protobufjs is CommonJS and Node's ES module loader cannot see its named exports; the import
// only works under bundlers. Rewrite it to a default import, which Node supports for CommonJS.
// grpc-services.spec.ts checks every package import of the generated code under real Node.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const generated = fileURLToPath(new URL('../src/generated/', import.meta.url));

const FIXUPS = [
  {
    from: 'import { wrappers } from "protobufjs";',
    to: 'import protobufjs from "protobufjs";\nconst { wrappers } = protobufjs;',
  },
];

async function* typeScriptFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* typeScriptFiles(path);
    } else if (entry.name.endsWith('.ts')) {
      yield path;
    }
  }
}

let patched = 0;
for await (const file of typeScriptFiles(generated)) {
  const source = await readFile(file, 'utf8');
  const fixed = FIXUPS.reduce((text, { from, to }) => text.replaceAll(from, to), source);
  if (fixed !== source) {
    await writeFile(file, fixed);
    patched += 1;
  }
}
console.log(`esm-import-fixups: patched ${patched} generated file(s)`);
