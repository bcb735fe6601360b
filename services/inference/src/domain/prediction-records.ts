import type { PredictionValue } from '@kuroshio/contracts';

/** What the rows of one request served by one model version and one route have in common. */
export interface SharedPredictionFields {
  readonly modelName: string;
  readonly modelVersion: number;
  readonly artifact: PredictionValue['artifact'];
  readonly experimentKey: string | null;
  readonly variant: string | null;
}

/**
 * The `predictions` record values of one request, byte for byte what
 * `encodeTopicValue(TOPICS.servingPredictions, value)` writes (JSON.stringify of the value with the
 * predictor's field order; prediction-records.spec.ts compares the two), with what the rows share —
 * request id, model, route, latency, time — rendered once instead of once per row: a PredictBatch
 * logs up to thousands of predictions that differ only in entity, index, score and hash.
 *
 * Each value carries a prediction id, `<servedRequestId>#<index>` with a server-generated
 * `servedRequestId` per request: unlike the caller's request id (which callers may reuse), it is
 * unique per served prediction, so only a redelivery of the same record folds in `predictions`.
 */
export class PredictionValueEncoder {
  readonly #requestId: (index: number) => string;
  readonly #predictionId: string;
  readonly #tail: string;
  readonly #servedAt: string;
  #sharedOf: SharedPredictionFields | undefined;
  #shared = '';

  /**
   * `batch`: item ids are `<requestId>#<index>` (PredictBatch); else the request id itself.
   * `servedRequestId`: unique per request (the predictor's randomUUID()).
   */
  constructor(requestId: string, batch: boolean, latencyMs: number, servedAt: string, servedRequestId: string) {
    const quoted = JSON.stringify(requestId);
    // `#` and digits need no escaping: the item id's JSON is the request id's without its closing quote, then `#<i>"`.
    const open = quoted.slice(0, -1);
    this.#requestId = batch ? (index) => `${open}#${index}"` : () => quoted;
    this.#predictionId = `,"predictionId":${JSON.stringify(servedRequestId).slice(0, -1)}#`;
    this.#tail = `],"latencyMs":${number(latencyMs)},"featureVectorHash":`;
    this.#servedAt = `,"servedAt":${JSON.stringify(servedAt)}}`;
  }

  /** The value of row `index`; `shared` compared by identity to reuse its rendering. */
  encode(index: number, entityId: string | null, shared: SharedPredictionFields, scores: readonly number[], featureVectorHash: string): Buffer {
    if (shared !== this.#sharedOf) {
      this.#sharedOf = shared;
      this.#shared =
        `,"modelName":${JSON.stringify(shared.modelName)},"modelVersion":${number(shared.modelVersion)},"artifact":${JSON.stringify(shared.artifact)}` +
        `,"experimentKey":${JSON.stringify(shared.experimentKey)},"variant":${JSON.stringify(shared.variant)},"scores":[`;
    }
    let scoreList = '';
    for (let i = 0; i < scores.length; i++) scoreList += i === 0 ? number(scores[i] as number) : `,${number(scores[i] as number)}`;
    return Buffer.from(
      `{"requestId":${this.#requestId(index)}${this.#predictionId}${index}","entityId":${entityId === null ? 'null' : JSON.stringify(entityId)}${this.#shared}${scoreList}${this.#tail}${JSON.stringify(featureVectorHash)}${this.#servedAt}`,
      'utf8',
    );
  }
}

/** A number as JSON.stringify writes it (non-finite: null). */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
