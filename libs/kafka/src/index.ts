// First: installs the cheaper kafkajs encoding, decoding, partitioning and produce requests before anything loads kafkajs,
// and the request queue's idle timer fix.
export { KAFKAJS_CRC32C_MODULE, KAFKAJS_ENCODER_MODULE, KAFKAJS_RECORD_DECODER_MODULE, kafkajsEncoding, type ReplacementStatus } from './kafkajs-encoding.js';
export { KAFKAJS_DEFAULT_PARTITIONER_MODULE, KAFKAJS_GROUPING_MODULE, kafkajsPartitioning, murmur2 } from './kafkajs-partitioning.js';
export { KAFKAJS_PRODUCE_REQUEST_MODULE, KAFKAJS_REQUEST_FRAMING_MODULE, kafkajsProduceEncoding } from './kafkajs-produce-request.js';
export { KAFKAJS_REQUEST_QUEUE_MODULE, kafkajsRequestQueue } from './kafkajs-request-queue.js';
export { KafkaClient, type GroupOffset, type KafkaClientOptions, type PartitionOffsets } from './kafka-client.js';
export { type KafkaConnectionOptions, type KafkaSasl, type SaslMechanism } from './kafka-connection.js';
export { KafkaDeliveryTimeoutError, KafkaProducer, type ProducerOptions, type SendOptions } from './producer.js';
export { KafkaConsumer, type ConsumerOptions, type PartitionStart } from './consumer.js';
export type { BatchHandler, ConsumedBatch, ConsumedMessage, DeliveryReport, OutgoingMessage } from './messages.js';
export type { CleanupPolicy, TopicDrift, TopicReport, TopicSpec } from './topic-spec.js';
export { KafkaModule } from './kafka.module.js';
