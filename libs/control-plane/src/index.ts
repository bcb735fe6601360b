export { ACTOR_METADATA, REASON_METADATA, callerOf, type Caller } from './caller.js';
export type { ChangeLog, ChangeStamp } from './change-log.js';
export { ClickHouseChangeLog, type ChangeLogTable } from './clickhouse-change-log.js';
export { LoggedState, type Decision, type LogPosition, type LoggedStateOptions } from './logged-state.js';
export { PAGE_SIZE, decodePageToken, encodePageToken, page, pageSizeOf } from './page-token.js';
export { InMemoryChangeLog } from './in-memory-change-log.js';
