// The project's Python (.tools/venv) with a benchmark's pinned requirements, installed once: pip
// runs only when an import fails, so a second run costs nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export async function ensurePythonPackages(ctx, requirementsFile, probeModules) {
  const python = join(ctx.root, '.tools/venv/bin/python');
  if (!existsSync(python)) throw new Error('.tools/venv is missing: run scripts/setup first');
  const probe = `import ${probeModules.join(', ')}`;
  try {
    await ctx.exec(python, ['-c', probe], { timeoutMs: 120_000 });
    return python;
  } catch {
    ctx.log(`installing ${requirementsFile} into .tools/venv (once)`);
  }
  await ctx.exec(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', join(ctx.root, requirementsFile)], { timeoutMs: 30 * 60_000 });
  await ctx.exec(python, ['-c', probe], { timeoutMs: 120_000 });
  return python;
}
