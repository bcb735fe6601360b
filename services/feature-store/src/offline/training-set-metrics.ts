import { defineCounter, defineHistogram } from '@kuroshio/telemetry';
import type { TrainingSetJob } from './training-set-jobs.js';

const finished = defineCounter<'state'>({
  name: 'feature_store_training_set_exports_total',
  help: 'Training-set exports that finished, by final state',
  labelNames: ['state'],
});
const rows = defineCounter({ name: 'feature_store_training_set_rows_total', help: 'Label rows of the training sets exported' });
const duration = defineHistogram({
  name: 'feature_store_training_set_export_seconds',
  help: 'Time from request to a finished training-set export',
  buckets: [1, 5, 15, 30, 60, 120, 300, 900],
});

export function recordFinishedExport(job: TrainingSetJob): void {
  finished.inc({ state: job.state });
  if (job.manifest) rows.inc(job.manifest.rowCount);
  if (job.completeTime) duration.observe((job.completeTime.getTime() - job.createTime.getTime()) / 1000);
}
