export { KafkaClient, type KafkaClientOptions } from './kafka-client.js';
export { type KafkaConnectionOptions, type KafkaSasl, type SaslMechanism } from './kafka-connection.js';
export { KafkaDeliveryTimeoutError, KafkaProducer, type ProducerOptions, type SendOptions } from './producer.js';
export { KafkaConsumer, type ConsumerOptions } from './consumer.js';
export type { BatchHandler, ConsumedBatch, ConsumedMessage, DeliveryReport, OutgoingMessage } from './messages.js';
export type { CleanupPolicy, TopicDrift, TopicReport, TopicSpec } from './topic-spec.js';
export { KafkaModule } from './kafka.module.js';
