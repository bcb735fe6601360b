/**
 * The cheaper kafkajs encoding (native CRC-32C, pooled encoder buffers, cheaper record decoding)
 * now lives in @kuroshio/kafka, which installs it before kafkajs loads, for every producer and
 * consumer of the platform. Importing it first in main.ts still guarantees that ordering.
 */
export { KAFKAJS_CRC32C_MODULE, KAFKAJS_ENCODER_MODULE, kafkajsEncoding } from '@kuroshio/kafka';
