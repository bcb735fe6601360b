export { TopicWarehouseSink, type TopicWarehouseSinkOptions } from './topic-warehouse-sink.js';
