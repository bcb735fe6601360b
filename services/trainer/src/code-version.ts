import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * What lineage records as code_version: TRAINER_CODE_VERSION when set (CI and images set it to the
 * commit), else the checkout's git commit, else `trainer@<package version>`.
 */
export function resolveCodeVersion(configured: string): string {
  if (configured !== '') return configured;
  const here = fileURLToPath(new URL('.', import.meta.url));
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, timeout: 2_000, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    if (/^[0-9a-f]{40}$/.test(sha)) return sha;
  } catch {
    // Not a checkout (a container image): fall back to the package version.
  }
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `trainer@${pkg.version}`;
}
