import { describe, expect, it } from 'vitest';
import { SERVICES, VALUE_SETS, componentOf, named, ofKind, render, type Manifest, type ValueSet } from './chart-render.js';
import { servicePorts } from './service-config.js';

const SCALABLE = new Set(['collector', 'etl', 'feature-store', 'inference']);

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

describe.each(Object.keys(VALUE_SETS) as ValueSet[])('workloads with %s values', (set) => {
  const { manifests } = render(VALUE_SETS[set]);
  const deployments = ofKind(manifests, 'Deployment');

  it('deploy every service once', () => {
    expect(deployments.map(componentOf).sort()).toEqual([...SERVICES].sort());
  });

  describe.each([...SERVICES])('%s', (name) => {
    const deployment = deployments.find((d) => componentOf(d) === name)!;
    const pod = deployment['spec'].template.spec;
    const podLabels: Record<string, string> = deployment['spec'].template.metadata.labels;
    const container = pod.containers[0];
    const ports = servicePorts(name);
    const portNamed = (portName: string) => container.ports.find((p: Manifest) => p['name'] === portName)?.containerPort;

    it('listens where main.ts says, with liveness on /healthz and readiness on /readyz', () => {
      expect(portNamed('http')).toBe(ports.http);
      expect(portNamed('grpc')).toBe(ports.grpc);
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.startupProbe?.httpGet?.path).toBe('/healthz');
    });

    it('runs as non-root on a read-only root filesystem with no capabilities, and a writable /tmp', () => {
      const security = container.securityContext;
      expect(security.runAsNonRoot ?? pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(security.readOnlyRootFilesystem).toBe(true);
      expect(security.allowPrivilegeEscalation).toBe(false);
      expect(security.capabilities.drop).toEqual(['ALL']);
      expect(security.capabilities.add ?? []).toEqual([]);
      expect((security.seccompProfile ?? pod.securityContext.seccompProfile).type).toBe('RuntimeDefault');
      const tmp = container.volumeMounts.find((m: Manifest) => m['mountPath'] === '/tmp');
      expect(pod.volumes.find((v: Manifest) => v['name'] === tmp?.name)?.emptyDir).toBeDefined();
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    it('requests CPU and memory and limits memory', () => {
      expect(container.resources.requests.cpu).toBeTruthy();
      expect(container.resources.requests.memory).toBeTruthy();
      expect(container.resources.limits.memory).toBeTruthy();
    });

    it('has its own ServiceAccount, a PodDisruptionBudget, a NetworkPolicy and a Service with its ports', () => {
      const account = named(manifests, 'ServiceAccount', pod.serviceAccountName);
      expect(account?.['automountServiceAccountToken']).toBe(false);
      const budget = ofKind(manifests, 'PodDisruptionBudget').filter((p) => selects(p['spec'].selector.matchLabels, podLabels));
      expect(budget).toHaveLength(1);
      const policy = ofKind(manifests, 'NetworkPolicy').filter((p) => selects(p['spec'].podSelector.matchLabels, podLabels));
      expect(policy).toHaveLength(1);
      expect(policy[0]!['spec'].policyTypes).toEqual(['Ingress', 'Egress']);
      const service = ofKind(manifests, 'Service').find((s) => s['spec'].clusterIP !== 'None' && selects(s['spec'].selector, podLabels));
      const servicePort = (portName: string) => service?.['spec'].ports.find((p: Manifest) => p['name'] === portName)?.port;
      expect(servicePort('http')).toBe(ports.http);
      expect(servicePort('grpc')).toBe(ports.grpc);
    });

    it('is drained before it is stopped: preStop, then SIGTERM with the shutdown budget inside the grace period', () => {
      const config = named(manifests, 'ConfigMap', container.envFrom[0].configMapRef.name)!;
      const shutdownMs = Number(config['data'].SHUTDOWN_TIMEOUT_MS);
      const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
      expect(shutdownMs / 1000 + preStopSeconds).toBeLessThan(pod.terminationGracePeriodSeconds);
    });
  });

  it('autoscales only services that scale out, and every HPA targets a Deployment of the chart that leaves replicas to it', () => {
    for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler')) {
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      const target = hpa['spec'].scaleTargetRef;
      expect(target.kind).toBe('Deployment');
      const deployment = named(manifests, 'Deployment', target.name);
      expect(deployment, `HPA ${hpa.metadata.name} targets ${target.name}`).toBeDefined();
      expect(SCALABLE.has(componentOf(deployment!))).toBe(true);
      expect(deployment!['spec'].replicas).toBeUndefined();
      expect(hpa['spec'].minReplicas).toBeLessThanOrEqual(hpa['spec'].maxReplicas);
    }
  });

  it('lets a PodDisruptionBudget never block a drain of a Deployment outright', () => {
    for (const budget of ofKind(manifests, 'PodDisruptionBudget')) {
      const deployment = deployments.find((d) => selects(budget['spec'].selector.matchLabels, d['spec'].template.metadata.labels))!;
      const hpa = ofKind(manifests, 'HorizontalPodAutoscaler').find((h) => h['spec'].scaleTargetRef.name === deployment.metadata.name);
      const replicas = hpa ? hpa['spec'].minReplicas : deployment['spec'].replicas;
      if (budget['spec'].minAvailable !== undefined) expect(budget['spec'].minAvailable, budget.metadata.name).toBeLessThan(replicas);
      else expect(budget['spec'].maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });

  it('opens each gRPC call both ways: egress from the caller and ingress at the callee, on the callee port', () => {
    const policies = ofKind(manifests, 'NetworkPolicy');
    const policyOf = (service: string) => policies.find((p) => p['spec'].podSelector.matchLabels['app.kubernetes.io/component'] === service)!;
    let calls = 0;
    for (const caller of policies) {
      for (const rule of caller['spec'].egress) {
        const callee = rule.to?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/component'];
        if (callee === undefined || rule.to[0].namespaceSelector) continue;
        calls += 1;
        expect(rule.ports[0].port).toBe(servicePorts(callee).grpc);
        const from = componentOf(caller);
        const opened = policyOf(callee)['spec'].ingress.some(
          (r: Manifest) => r['ports'].some((p: Manifest) => p['port'] === 'grpc') && (r['from'] ?? []).some((peer: Manifest) => peer['podSelector']?.matchLabels?.['app.kubernetes.io/component'] === from),
        );
        expect(opened, `${from} -> ${callee}`).toBe(true);
      }
    }
    expect(calls).toBeGreaterThan(0);
  });

  it('keeps credentials out of ConfigMaps', () => {
    for (const config of ofKind(manifests, 'ConfigMap')) {
      for (const key of Object.keys(config['data'])) expect(key, config.metadata.name).not.toMatch(/PASSWORD|SECRET|(?<!_FILE)_KEY$|USERNAME/);
    }
  });
});
