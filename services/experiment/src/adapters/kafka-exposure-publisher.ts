import { encodeTopicValue, TOPICS, validateTopicValue, type ExposureValue } from '@kuroshio/contracts';
import type { OutgoingMessage } from '@kuroshio/kafka';
import type { ExposureSink } from '../domain/experiment-ports.js';

type Send = (topic: string, messages: readonly OutgoingMessage[]) => Promise<unknown>;

/** Exposures to kuroshio.experiment.exposures.v1, keyed by unit id, checked against the contract first. */
export class KafkaExposurePublisher implements ExposureSink {
  constructor(
    private readonly send: Send,
    private readonly topic: string = TOPICS.experimentExposures.name,
  ) {}

  async record(exposure: ExposureValue): Promise<void> {
    const checked = validateTopicValue(TOPICS.experimentExposures, exposure);
    if (!checked.ok) throw new Error(`exposure does not match its topic contract: ${checked.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
    await this.send(this.topic, [{ key: exposure.unitId, value: encodeTopicValue(TOPICS.experimentExposures, checked.value) }]);
  }
}
