import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('one Node.js version everywhere', () => {
  const pinned = read('.nvmrc').trim();

  it('is a supported LTS line (24 or newer)', () => {
    expect(Number(pinned.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('is the version the tests run on', () => {
    expect(process.version).toBe(`v${pinned}`);
  });

  it('is the Dockerfile default', () => {
    expect(read('Dockerfile')).toContain(`ARG NODE_VERSION=${pinned}`);
  });

  it('satisfies package.json engines', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const minimum = engines.replace('>=', '').split('.').map(Number);
    const actual = pinned.split('.').map(Number);
    expect(actual[0]! * 1e6 + actual[1]! * 1e3 + actual[2]!).toBeGreaterThanOrEqual(minimum[0]! * 1e6 + minimum[1]! * 1e3 + minimum[2]!);
  });
});
