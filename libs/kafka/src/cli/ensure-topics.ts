// Creates every topic of @kuroshio/contracts that is missing and reports drift on existing ones.
//   node libs/kafka/dist/cli/ensure-topics.js
// Reads KAFKA_BROKERS (and KAFKA_SSL, KAFKA_SASL_* where the cluster needs them).
import { kafkaConfig, loadConfigOrExit } from '@kuroshio/config';
import { createLogger } from '@kuroshio/telemetry';
import { contractTopicSpecs } from '../contract-topics.js';
import { KafkaClient } from '../kafka-client.js';

const settings = loadConfigOrExit(kafkaConfig({ clientId: 'kuroshio-ensure-topics' }));
const client = new KafkaClient({ ...settings, logger: createLogger({ service: 'ensure-topics', level: 'warn' }) });

try {
  const reports = await client.ensureTopics(contractTopicSpecs());
  for (const report of reports) {
    console.log(`${report.status.padEnd(7)} ${report.name} (replication ${report.replicationFactor})`);
    for (const drift of report.drift) {
      console.warn(`  drift ${report.name}: ${drift.setting} is ${drift.actual}, spec says ${drift.expected}`);
    }
  }
  const created = reports.filter((report) => report.status === 'created').length;
  const drifted = reports.filter((report) => report.drift.length > 0).length;
  console.log(`${reports.length} topics: ${created} created, ${reports.length - created} existed${drifted ? `, ${drifted} drifted` : ''}`);
} catch (error) {
  console.error(`ensure-topics: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await client.disconnect();
}
