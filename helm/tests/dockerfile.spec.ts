import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, SERVICES, readRepoFile, render } from './chart-render.js';

// Reviewed by reading (no Docker engine here): these hold the image and the chart together.
const dockerfile = readRepoFile('Dockerfile');
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

describe('Dockerfile', () => {
  it('passes hadolint', () => {
    const result = spawnSync(`${ROOT}.tools/venv/bin/hadolint`, ['--no-color', `${ROOT}Dockerfile`], { encoding: 'utf8' });
    if (result.error) throw result.error;
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('builds exactly the services of the repository and the chart', () => {
    const allowed = /case "\$\{SERVICE\}" in\s*\\\s*\n\s*([a-z|-]+)\)/.exec(dockerfile)?.[1]?.split('|');
    const onDisk = readdirSync(`${ROOT}services`, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(allowed?.sort()).toEqual([...SERVICES].sort());
    expect(onDisk.sort()).toEqual([...SERVICES].sort());
  });

  it('runs the service as the numeric non-root user the chart runs its pods as', () => {
    const user = /^USER (\d+):(\d+)$/m.exec(runtimeStage);
    expect(user).not.toBeNull();
    const pod = render([]).manifests.find((m) => m.kind === 'Deployment')!['spec'].template.spec.securityContext;
    expect(Number(user![1])).toBeGreaterThan(0);
    expect([Number(user![1]), Number(user![2])]).toEqual([pod.runAsUser, pod.runAsGroup]);
  });

  it('starts node itself (no shell to swallow SIGTERM) on the built service', () => {
    expect(runtimeStage).toMatch(/^WORKDIR \/app\/services\/\$\{SERVICE\}$/m);
    expect(runtimeStage).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/nx run "\$\{SERVICE\}:build"/);
  });
});
