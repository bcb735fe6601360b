import { defineCounter, defineGauge, defineHistogram } from '@kuroshio/telemetry';

export const onlineMetrics = {
  events: defineCounter({ name: 'feature_store_online_events_total', help: 'events.clean records applied to the online state, by outcome', labelNames: ['outcome'] }),
  entities: defineGauge({ name: 'feature_store_online_entities', help: 'entities held in the online state' }),
  stateBytes: defineGauge({ name: 'feature_store_online_state_bytes', help: 'bytes of typed arrays held by the online state' }),
  completeFrom: defineGauge({
    name: 'feature_store_online_complete_from_seconds',
    help: 'unix time from which the online state holds every event (0: all of them); features whose window reaches earlier are refused',
  }),
  lag: defineGauge({ name: 'feature_store_online_replay_remaining', help: 'records left before the online state has caught up after a start' }),
  snapshots: defineCounter({ name: 'feature_store_online_snapshots_total', help: 'online-state snapshots written to S3, by result', labelNames: ['result'] }),
  snapshotSeconds: defineHistogram({ name: 'feature_store_online_snapshot_seconds', help: 'time to encode and upload a snapshot', buckets: [0.1, 0.5, 1, 5, 15, 60, 300] }),
  readSeconds: defineHistogram({
    name: 'feature_store_online_read_seconds',
    help: 'time to compute one GetOnlineFeatures answer',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
  }),
};
