import { z } from 'zod';
import { envBoolean, envHostPort, envList } from '../env-values.js';
import { Secret, secret } from '../secret.js';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: boolean;
  readonly sasl:
    | { readonly mechanism: (typeof KAFKA_SASL_MECHANISMS)[number]; readonly username: string; readonly password: Secret }
    | undefined;
}

// Half a credential is a deployment mistake, not "no SASL". Checked on the raw variables beside the
// field schema (not as a refinement of it) so it is reported even when another KAFKA_* key is wrong.
const saslCredentialPair = z
  .object({ KAFKA_SASL_USERNAME: z.string().optional(), KAFKA_SASL_PASSWORD: z.string().optional() })
  .superRefine((env, ctx) => {
    if ((env.KAFKA_SASL_USERNAME === undefined) === (env.KAFKA_SASL_PASSWORD === undefined)) return;
    const missing = env.KAFKA_SASL_USERNAME === undefined ? 'KAFKA_SASL_USERNAME' : 'KAFKA_SASL_PASSWORD';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'required when the other SASL credential is set' });
  });

/** KAFKA_* variables; `clientId` is the default for KAFKA_CLIENT_ID (use the service name). */
export function kafkaConfig(defaults: { readonly clientId?: string } = {}) {
  const fields = z.object({
    KAFKA_BROKERS: envList(envHostPort(), 'broker').default(['127.0.0.1:9092']),
    KAFKA_CLIENT_ID: z.string().default(defaults.clientId ?? 'kuroshio'),
    KAFKA_SSL: envBoolean().default(false),
    KAFKA_SASL_MECHANISM: z.enum(KAFKA_SASL_MECHANISMS).default('scram-sha-512'),
    KAFKA_SASL_USERNAME: z.string().optional(),
    KAFKA_SASL_PASSWORD: secret().optional(),
  });
  return z
    .preprocess((env) => ({ fields: env, pair: env }), z.object({ fields, pair: saslCredentialPair }))
    .transform(({ fields: env }): KafkaSettings => ({
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      ssl: env.KAFKA_SSL,
      sasl:
        env.KAFKA_SASL_USERNAME !== undefined && env.KAFKA_SASL_PASSWORD !== undefined
          ? { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
          : undefined,
    }));
}
