import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { ReadinessCheck } from './readiness-check.js';
import { DependencyHealthIndicator } from './dependency-health-indicator.js';
import { DEFAULT_READINESS_TIMEOUT_MS, READINESS_OPTIONS } from './readiness-options.js';
import { ReadinessRegistry } from './readiness-registry.js';
import { ReadinessService } from './readiness.service.js';

/** A readiness check built from providers (e.g. the Kafka client) of the importing application. */
export interface ReadinessCheckFactory {
  readonly inject: readonly InjectionToken[];
  readonly useFactory: (...dependencies: never[]) => ReadinessCheck;
}

export interface ReadinessFeature {
  /** Modules exporting what the factories inject. */
  readonly imports?: ModuleMetadata['imports'];
  readonly checks: readonly (ReadinessCheck | ReadinessCheckFactory)[];
}

let featureCount = 0;

@Module({})
export class ReadinessModule {
  /** The registry and `/readyz` machinery, once per application (the service kit imports it). */
  static forRoot(options: { checks?: readonly ReadinessCheck[]; timeoutMs?: number } = {}): DynamicModule {
    const staticChecks = options.checks ?? [];
    return {
      module: ReadinessModule,
      global: true,
      // Terminus would log every failing probe; ReadinessService logs transitions instead.
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        {
          provide: ReadinessRegistry,
          useFactory: () => {
            const registry = new ReadinessRegistry();
            for (const check of staticChecks) registry.register(check);
            return registry;
          },
        },
        { provide: READINESS_OPTIONS, useValue: { timeoutMs: options.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS } },
        DependencyHealthIndicator,
        ReadinessService,
      ],
      exports: [ReadinessRegistry, ReadinessService],
    };
  }

  /**
   * Contributes checks from a feature module; Nest has no multi-providers, so each check is resolved
   * here and added to the one registry. Adapters' modules export a factory for their check.
   */
  static forFeature(feature: ReadinessFeature): DynamicModule {
    const id = ++featureCount;
    const checkProviders: Provider[] = feature.checks.map((check, index) => {
      const token = `kuroshio:readiness-check:${id}:${index}`;
      return 'useFactory' in check
        ? { provide: token, inject: [...check.inject], useFactory: check.useFactory as (...deps: unknown[]) => ReadinessCheck }
        : { provide: token, useValue: check };
    });
    const tokens = checkProviders.map((p) => (p as { provide: string }).provide);
    return {
      module: ReadinessModule,
      imports: [...(feature.imports ?? [])],
      providers: [
        ...checkProviders,
        {
          provide: `kuroshio:readiness-registration:${id}`,
          inject: [ReadinessRegistry, ...tokens],
          useFactory: (registry: ReadinessRegistry, ...checks: ReadinessCheck[]) => {
            for (const check of checks) registry.register(check);
            return checks.map((c) => c.name);
          },
        },
      ],
    };
  }
}
