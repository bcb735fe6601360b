import type { ObjectStore } from '@kuroshio/object-store';
import { z } from 'zod';
import { parseS3Uri } from '../../training-set/s3-uri.js';
import { trainingSetManifestSchema } from '../../training-set/training-set-manifest.js';
import { driftReferenceSchema, type DriftReference } from '../drift-reference.js';
import type { ChampionReferences } from '../retraining-ports.js';

const versionManifest = z.object({ driftReference: driftReferenceSchema.optional() });

/** Reads what a version recorded about its training data: its manifest.json and its training set's manifest. */
export class S3ChampionReferences implements ChampionReferences {
  constructor(private readonly store: Pick<ObjectStore, 'get'>) {}

  async driftReference(manifestUri: string): Promise<DriftReference | null> {
    const parsed = versionManifest.safeParse(await this.#json(manifestUri));
    if (!parsed.success) throw new Error(`${manifestUri} has an invalid driftReference: ${parsed.error.message}`);
    return parsed.data.driftReference ?? null;
  }

  async trainingDataEndMs(datasetUri: string): Promise<number | null> {
    const parsed = trainingSetManifestSchema.safeParse(await this.#json(datasetUri));
    if (!parsed.success) throw new Error(`training-set manifest ${datasetUri} is invalid: ${parsed.error.message}`);
    const end = parsed.data.timeRange?.end;
    const ms = Date.parse(typeof end === 'string' ? end : parsed.data.createdAt);
    return Number.isFinite(ms) ? ms : null;
  }

  async #json(uri: string): Promise<unknown> {
    const { bucket, key } = parseS3Uri(uri);
    return JSON.parse((await this.store.get(bucket, key)).toString('utf8')) as unknown;
  }
}
