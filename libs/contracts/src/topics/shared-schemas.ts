import { z } from 'zod';

/** Instants on topics are ISO-8601 strings with an offset (UTC `Z` when we write them). */
export const instantSchema = z.iso.datetime({ offset: true });

/** Where a record sits in Kafka; offsets are decimal strings as kafkajs gives them (int64). */
export const kafkaCoordinatesSchema = z.object({
  topic: z.string().min(1).max(249),
  partition: z.number().int().min(0),
  offset: z.string().regex(/^(0|[1-9][0-9]{0,18})$/),
});

export type KafkaCoordinates = z.output<typeof kafkaCoordinatesSchema>;

export const validationIssueSchema = z.object({
  path: z.string().max(1024),
  code: z.string().min(1).max(64),
  message: z.string().max(1024),
});

/** SHA-256, lower-case hex. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/);
