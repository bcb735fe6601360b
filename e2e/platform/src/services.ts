/** The seven services as the e2e tier starts them: ports, gRPC service and the dependencies readiness checks. */
export interface ServiceUnderTest {
  name: string;
  httpPort: number;
  grpc?: { port: number; service: string };
  dependencies: Array<'kafka' | 'clickhouse' | 's3'>;
}

export const SERVICES: ServiceUnderTest[] = [
  { name: 'collector', httpPort: 7001, grpc: { port: 7101, service: 'kuroshio.ingest.v1.IngestService' }, dependencies: ['kafka'] },
  { name: 'etl', httpPort: 7002, dependencies: ['kafka', 'clickhouse', 's3'] },
  { name: 'feature-store', httpPort: 7003, grpc: { port: 7103, service: 'kuroshio.features.v1.FeatureService' }, dependencies: ['kafka', 'clickhouse', 's3'] },
  { name: 'trainer', httpPort: 7004, grpc: { port: 7104, service: 'kuroshio.trainer.v1.TrainerService' }, dependencies: ['clickhouse', 's3'] },
  { name: 'model-registry', httpPort: 7005, grpc: { port: 7105, service: 'kuroshio.registry.v1.ModelRegistry' }, dependencies: ['kafka', 'clickhouse', 's3'] },
  { name: 'inference', httpPort: 7006, grpc: { port: 7106, service: 'kuroshio.inference.v1.InferenceService' }, dependencies: ['kafka', 's3'] },
  { name: 'experiment', httpPort: 7007, grpc: { port: 7107, service: 'kuroshio.experiment.v1.ExperimentService' }, dependencies: ['kafka', 'clickhouse'] },
];

/** Endpoints that refuse connections, to take one dependency away from a service. */
export const UNREACHABLE: Record<ServiceUnderTest['dependencies'][number], Record<string, string>> = {
  kafka: { KAFKA_BROKERS: '127.0.0.1:1' },
  clickhouse: { CLICKHOUSE_URL: 'http://127.0.0.1:1' },
  s3: { S3_ENDPOINT: 'http://127.0.0.1:1' },
};
