/**
 * Where the scenario finds a running platform. Defaults are the local ports and the demo sources in
 * services/collector/sources.local.json; an e2e test passes its own.
 */
export interface PlatformEndpoints {
  readonly collectorHttp: string;
  readonly collectorGrpc: string;
  readonly featureStoreGrpc: string;
  readonly trainerGrpc: string;
  readonly registryGrpc: string;
  readonly inferenceGrpc: string;
  readonly experimentGrpc: string;
  /** The experiment service's HTTP base: results API (`/api/experiments/<key>/results`) and dashboard. */
  readonly experimentHttp: string;
  /** Segment write key of a source that takes app and web events (HTTP batch and gRPC). */
  readonly writeKey: string;
  /** The LINE source: its name in `/v1/line/<source>` and its channel secret for the signature. */
  readonly lineSource: string;
  readonly lineChannelSecret: string;
}

export const LOCAL_PLATFORM: PlatformEndpoints = {
  collectorHttp: 'http://127.0.0.1:7001',
  collectorGrpc: '127.0.0.1:7101',
  featureStoreGrpc: '127.0.0.1:7103',
  trainerGrpc: '127.0.0.1:7104',
  registryGrpc: '127.0.0.1:7105',
  inferenceGrpc: '127.0.0.1:7106',
  experimentGrpc: '127.0.0.1:7107',
  experimentHttp: 'http://127.0.0.1:7007',
  writeKey: 'demo-write-key',
  lineSource: 'demo-line',
  lineChannelSecret: 'demo-line-channel-secret',
};
