import { Controller, Get, Param, Query as QueryParams } from '@nestjs/common';
import { ExperimentMetrics } from '../experiment-metrics.js';
import { ExperimentRuntime } from '../experiment-runtime.js';
import { listRequestOf, resultsRequestOf, type Query } from './http-query.js';
import { experimentJson, resultsJson } from './results-json.js';

/**
 * The results API in JSON, for analysts' notebooks and the dashboard: read-only (changes go through
 * gRPC, which carries the caller identity). Errors are the service kit's coded JSON bodies.
 */
@Controller('api/experiments')
export class ResultsHttpController {
  constructor(
    private readonly runtime: ExperimentRuntime,
    private readonly metrics: ExperimentMetrics,
  ) {}

  @Get()
  list(@QueryParams() query: Query) {
    return this.metrics.timed('http.list', async () => {
      const page = this.runtime.catalog.list(listRequestOf(query));
      return { experiments: page.items.map(experimentJson), nextPageToken: page.nextPageToken };
    });
  }

  @Get(':key')
  get(@Param('key') key: string) {
    return this.metrics.timed('http.get', async () => ({ experiment: experimentJson(this.runtime.catalog.get(key)) }));
  }

  @Get(':key/results')
  results(@Param('key') key: string, @QueryParams() query: Query) {
    return this.metrics.timed('http.results', async () => ({ results: resultsJson(await this.runtime.analysis.results(resultsRequestOf(key, query))) }));
  }
}
