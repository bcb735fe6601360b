import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { grpcNest } from '@kuroshio/contracts';
import { ExperimentMetrics } from '../experiment-metrics.js';
import { ExperimentRuntime } from '../experiment-runtime.js';
import { callerOf } from '@kuroshio/control-plane';
import { correctionOf, domainStates, inProgressConversionsOf, experimentInput, msOf, protoAssignment, protoExperiment, protoResults } from './proto-mapping.js';

type Api = grpcNest.experiment.v1.ExperimentServiceController;
type Req<K extends keyof Api> = Parameters<Api[K]>[0];

/**
 * `kuroshio.experiment.v1.ExperimentService`: decodes, hands over to the plain catalog and analysis,
 * maps back. Coded DomainErrors become gRPC statuses in the service kit's filter.
 */
@Controller()
@grpcNest.experiment.v1.ExperimentServiceControllerMethods()
export class ExperimentGrpcController implements Api {
  constructor(
    private readonly runtime: ExperimentRuntime,
    private readonly metrics: ExperimentMetrics,
  ) {}

  createExperiment(request: Req<'createExperiment'>, metadata?: Metadata): Promise<grpcNest.experiment.v1.CreateExperimentResponse> {
    return this.metrics.timed('CreateExperiment', async () => ({
      experiment: protoExperiment(await this.runtime.catalog.create(callerOf(metadata), experimentInput(request.experiment))),
    }));
  }

  getExperiment(request: Req<'getExperiment'>): Promise<grpcNest.experiment.v1.GetExperimentResponse> {
    return this.metrics.timed('GetExperiment', async () => ({ experiment: protoExperiment(this.runtime.catalog.get(request.key ?? '')) }));
  }

  listExperiments(request: Req<'listExperiments'>): Promise<grpcNest.experiment.v1.ListExperimentsResponse> {
    return this.metrics.timed('ListExperiments', async () => {
      const page = this.runtime.catalog.list({ states: domainStates(request.states), pageSize: Number(request.pageSize ?? 0), pageToken: request.pageToken ?? '' });
      return { experiments: page.items.map(protoExperiment), nextPageToken: page.nextPageToken };
    });
  }

  startExperiment(request: Req<'startExperiment'>, metadata?: Metadata): Promise<grpcNest.experiment.v1.StartExperimentResponse> {
    return this.metrics.timed('StartExperiment', async () => ({ experiment: protoExperiment(await this.runtime.catalog.start(callerOf(metadata), request.key ?? '')) }));
  }

  stopExperiment(request: Req<'stopExperiment'>, metadata?: Metadata): Promise<grpcNest.experiment.v1.StopExperimentResponse> {
    return this.metrics.timed('StopExperiment', async () => ({
      experiment: protoExperiment(await this.runtime.catalog.stop(callerOf(metadata, request.reason ?? ''), request.key ?? '')),
    }));
  }

  assign(request: Req<'assign'>): Promise<grpcNest.experiment.v1.AssignResponse> {
    return this.metrics.timed('Assign', async () => {
      const outcome = await this.runtime.catalog.assign({
        experimentKey: request.experimentKey ?? '',
        unitId: request.unitId ?? '',
        traits: request.traits ?? {},
        recordExposure: request.recordExposure === true,
      });
      this.metrics.assignments.inc({ status: outcome.status });
      return protoAssignment(outcome);
    });
  }

  getResults(request: Req<'getResults'>): Promise<grpcNest.experiment.v1.GetResultsResponse> {
    return this.metrics.timed('GetResults', async () => {
      const results = await this.runtime.analysis.results({
        experimentKey: request.experimentKey ?? '',
        asOfMs: msOf(request.asOf),
        alpha: request.alpha === null || request.alpha === undefined ? null : Number(request.alpha),
        correction: correctionOf(request.correction),
        disableCuped: request.disableCuped === true,
        includeCumulative: request.includeCumulative === true,
        inProgressConversions: inProgressConversionsOf(request.inProgressConversions),
      });
      return { results: protoResults(results) };
    });
  }
}
