import { join } from 'node:path';
import { loadSync, type MethodDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import * as grpcJs from './generated/grpc-js/index.kuroshio.js';
import type * as grpcNest from './generated/nest/index.kuroshio.js';
import { GRPC_LOADER_OPTIONS, GRPC_SERVICES, type GrpcServiceName } from './grpc-services.js';
import { protoRoot } from './proto-root.js';

// NestJS (de)serialises with @grpc/proto-loader; clients and tests may use the grpc-js tree's own
// encoders. These tests pin down that both sides see the same objects, field for field.

type AnyMethod = MethodDefinition<unknown, unknown>;

function method(name: GrpcServiceName, rpc: string): AnyMethod {
  const contract = GRPC_SERVICES[name];
  const service = loadSync(contract.protoPath, { ...GRPC_LOADER_OPTIONS, includeDirs: contract.includeDirs })[contract.fullName] as ServiceDefinition;
  const found = service[rpc];
  if (found === undefined) {
    throw new Error(`${contract.fullName} has no ${rpc}`);
  }
  return found as AnyMethod;
}

/** What a NestJS handler receives when a grpc-js client sends `bytes`. */
const nestReceives = (m: AnyMethod, bytes: Uint8Array) => m.requestDeserialize(Buffer.from(bytes));

describe('objects on both sides of the wire', () => {
  it('IngestBatch: Struct as plain objects, Timestamp as numbers, enums by name, unset messages as null', () => {
    const sent: grpcJs.ingest.v1.IngestBatchRequest = {
      events: [
        grpcJs.ingest.v1.Event.fromPartial({
          messageId: 'm-1',
          type: grpcJs.ingest.v1.EventType.EVENT_TYPE_TRACK,
          event: 'Meter Reading',
          anonymousId: 'device-42',
          timestamp: { seconds: 1_740_787_200, nanos: 250_000_000 },
          channel: grpcJs.ingest.v1.Channel.CHANNEL_IOT,
          properties: { kwh: 1.5, tags: ['a', null, true], nested: { 深: { ok: false } } },
        }),
      ],
    };
    const received: grpcNest.ingest.v1.IngestBatchRequest = {
      events: [
        {
          messageId: 'm-1',
          type: 'EVENT_TYPE_TRACK' as grpcNest.ingest.v1.EventType,
          event: 'Meter Reading',
          userId: '',
          anonymousId: 'device-42',
          timestamp: { seconds: 1_740_787_200, nanos: 250_000_000 },
          sentAt: null,
          channel: 'CHANNEL_IOT' as grpcNest.ingest.v1.Channel,
          context: null,
          properties: { kwh: 1.5, tags: ['a', null, true], nested: { 深: { ok: false } } },
          traits: null,
          groupId: '',
          previousId: '',
          name: '',
          category: '',
        },
      ],
    };
    const ingestBatch = method('collector', 'IngestBatch');
    expect(nestReceives(ingestBatch, grpcJs.ingest.v1.IngestBatchRequest.encode(sent).finish())).toEqual(received);
  });

  it('IngestBatch reply: what NestJS sends, a grpc-js client decodes', () => {
    const reply: grpcNest.ingest.v1.IngestBatchResponse = {
      acceptedCount: 2,
      rejections: [
        {
          index: 1,
          messageId: 'm-2',
          code: 'REJECTION_CODE_INVALID_ENVELOPE' as grpcNest.ingest.v1.RejectionCode,
          reason: 'event: required for track',
          issues: [{ path: 'event', code: 'required', message: 'required for track' }],
        },
      ],
    };
    const bytes = method('collector', 'IngestBatch').responseSerialize(reply);
    expect(grpcJs.ingest.v1.IngestBatchResponse.decode(bytes)).toEqual(reply);
  });

  it('Predict: oneof target, map of ScalarValue oneofs, int64 as number', () => {
    const request: grpcJs.inference.v1.PredictRequest = {
      model: { modelName: 'bad-debt', version: 0 },
      instance: {
        entityId: 'cust-1',
        features: {
          'billing:charge_count_30d': { int64Value: 9_007_199_254_740_991 },
          'billing:charge_sum_30d': { doubleValue: 1499.5 },
          'profile:plan': { stringValue: 'postpaid' },
          'profile:roaming': { boolValue: false },
          'profile:missing': {},
        },
      },
      requestId: 'req-1',
      experimentKey: '',
    };
    const received = nestReceives(method('inference', 'Predict'), grpcJs.inference.v1.PredictRequest.encode(request).finish());
    // A oneof member set to its zero value is still set; presence survives the wire.
    expect(received).toEqual(request);
  });

  it('Predict reply: repeated doubles and strings', () => {
    const reply: grpcNest.inference.v1.PredictResponse = {
      requestId: 'req-1',
      prediction: {
        modelName: 'bad-debt',
        modelVersion: 3,
        scores: [0.125],
        classLabels: [],
        experimentKey: 'bad-debt-challenger',
        variant: 'challenger',
        missingFeatures: ['profile:missing'],
      },
    };
    const bytes = method('inference', 'Predict').responseSerialize(reply);
    expect(grpcJs.inference.v1.PredictResponse.decode(bytes)).toEqual(reply);
  });

  it('SetAlias: optional expected_version tells 0 ("must not exist") from unset', () => {
    const setAlias = method('model-registry', 'SetAlias');
    const base = { modelName: 'bad-debt', alias: 'champion', version: 4, reason: 'won' };
    const zero = nestReceives(setAlias, grpcJs.registry.v1.SetAliasRequest.encode({ ...base, expectedVersion: 0 }).finish());
    const unset = nestReceives(setAlias, grpcJs.registry.v1.SetAliasRequest.encode(base).finish());
    expect(zero).toEqual({ ...base, expectedVersion: 0 });
    expect(unset).toEqual(base);
    expect(unset).not.toHaveProperty('expectedVersion');
  });

  it('RegisterModelVersion: Struct params, double maps and nested messages', () => {
    const request: grpcJs.registry.v1.RegisterModelVersionRequest = {
      modelName: 'bad-debt',
      description: 'MLP on 30-day billing features',
      artifacts: [
        {
          kind: grpcJs.registry.v1.ArtifactKind.ARTIFACT_KIND_MODEL_QUANTIZED_UINT8,
          uri: 's3://kuroshio-models/bad-debt/4/uint8/',
          files: [{ path: 'model.json', sha256: 'f'.repeat(64), sizeBytes: 12_345 }],
          metrics: { roc_auc: 0.801 },
        },
      ],
      metrics: { roc_auc: 0.803, log_loss: 0.31 },
      params: { family: 'mlp', hiddenUnits: [32, 16], learningRate: 0.001, earlyStopping: { patience: 3 } },
      lineage: {
        datasetManifestHash: 'a'.repeat(64),
        datasetUri: 's3://kuroshio-lake/training-sets/x/manifest.json',
        featureViews: [{ name: 'billing_activity', version: 2 }],
        codeVersion: 'abc123',
        backend: 'wasm',
        trainingJobId: 'job-7',
      },
      requestId: 'job-7',
    };
    const register = method('model-registry', 'RegisterModelVersion');
    const received = nestReceives(register, grpcJs.registry.v1.RegisterModelVersionRequest.encode(request).finish());
    expect(received).toEqual(request);
    expect(grpcJs.registry.v1.RegisterModelVersionRequest.decode(register.requestSerialize(received))).toEqual(request);
  });

  it('GetResults reply: nested statistics, uint64 counts and timestamps', () => {
    const interval = { lower: -0.01, upper: 0.05, level: 0.95 };
    const reply: grpcNest.experiment.v1.GetResultsResponse = {
      results: {
        experimentKey: 'bad-debt-challenger',
        computedAt: { seconds: 1_740_787_200, nanos: 0 },
        window: { startTime: { seconds: 1_740_000_000, nanos: 0 } },
        controlVariant: 'champion',
        alpha: 0.05,
        correction: 'MULTIPLE_TESTING_CORRECTION_HOLM' as grpcNest.experiment.v1.MultipleTestingCorrection,
        sampleRatio: {
          allocations: [{ variant: 'champion', units: 50_123, expectedFraction: 0.5, observedFraction: 0.5012 }],
          chiSquare: 0.58,
          degreesOfFreedom: 1,
          pValue: 0.446,
          threshold: 0.001,
          mismatch: false,
          unknownVariantUnits: 2,
          multipleVariantUnits: 1,
          exposureAnomaly: true,
        },
        metrics: [
          {
            metricKey: 'paid_within_30d',
            kind: 'METRIC_KIND_CONVERSION' as grpcNest.experiment.v1.MetricKind,
            role: 'METRIC_ROLE_PRIMARY' as grpcNest.experiment.v1.MetricRole,
            direction: 'IMPROVEMENT_DIRECTION_INCREASE' as grpcNest.experiment.v1.ImprovementDirection,
            variants: [
              { variant: 'champion', units: 50_123, sum: 40_000, mean: 0.798, variance: 0.161, adjustedMean: 0.798, adjustedVariance: 0.161 },
            ],
            comparisons: [
              {
                variant: 'challenger',
                controlVariant: 'champion',
                test: 'STATISTICAL_TEST_TWO_PROPORTION_Z' as grpcNest.experiment.v1.StatisticalTest,
                absoluteLift: 0.02,
                absoluteLiftCi: interval,
                relativeLift: 0.025,
                relativeLiftCi: interval,
                statistic: 2.1,
                degreesOfFreedom: 0,
                pValue: 0.036,
                adjustedPValue: 0.036,
                significant: true,
                outcome: 'COMPARISON_OUTCOME_IMPROVED' as grpcNest.experiment.v1.ComparisonOutcome,
                cupedApplied: false,
                varianceReduction: 0,
                cumulative: [{ time: { seconds: 1_740_100_000, nanos: 0 }, units: 1000, relativeLift: 0.03, relativeLiftCi: interval }],
              },
            ],
          },
        ],
      },
    };
    const bytes = method('experiment', 'GetResults').responseSerialize(reply);
    expect(grpcJs.experiment.v1.GetResultsResponse.decode(bytes)).toEqual(reply);
  });
});

describe('field names', () => {
  it('are the same in the generated types as in protobufjs (keepCase: false) for every message', () => {
    const root = new protobuf.Root();
    // Well-known types come from protobufjs' bundled copies, as in @grpc/proto-loader.
    root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(protoRoot, target));
    root.loadSync(Object.values(GRPC_SERVICES).flatMap((service) => service.protoPath.map((file) => file.slice(protoRoot.length))));
    root.resolveAll();

    const checked: string[] = [];
    const visit = (namespace: protobuf.NamespaceBase) => {
      for (const nested of namespace.nestedArray) {
        if (nested instanceof protobuf.Type) {
          const [, , area, version, ...typePath] = nested.fullName.split('.');
          const generated = (grpcJs as unknown as Record<string, Record<string, Record<string, { fromPartial(o: object): object }>>>)[
            area ?? ''
          ]?.[version ?? '']?.[typePath.join('_')];
          expect(generated, nested.fullName).toBeDefined();
          const fields = nested.fieldsArray.map((field) => field.name);
          expect(Object.keys(generated?.fromPartial({}) ?? {}).sort(), nested.fullName).toEqual(fields.sort());
          checked.push(nested.fullName);
        }
        if (nested instanceof protobuf.Namespace) {
          visit(nested);
        }
      }
    };
    visit(root.lookup('kuroshio') as protobuf.Namespace);
    expect(checked.length).toBeGreaterThan(100);
  });
});
