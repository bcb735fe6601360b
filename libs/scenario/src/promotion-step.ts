import { credentials } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { callUnary } from './grpc-unary.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import type { Progress } from './progress.js';

export interface AuditLine {
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly version: number;
  readonly alias: string;
  readonly reason: string;
}

/** Points `alias` at `version` (the registry records who and why) and returns (and unless `showAudit` is false prints) the model's audit trail. */
export async function promoteVersion(
  endpoints: PlatformEndpoints,
  move: { modelName: string; alias: string; version: number; reason: string },
  progress: Progress,
  showAudit = true,
): Promise<AuditLine[]> {
  const { AuditAction } = grpcJs.registry.v1;
  const client = new grpcJs.registry.v1.ModelRegistryClient(endpoints.registryGrpc, credentials.createInsecure());
  try {
    await callUnary(client.setAlias.bind(client), grpcJs.registry.v1.SetAliasRequest.fromPartial({ modelName: move.modelName, alias: move.alias, version: move.version, reason: move.reason }), {
      reason: move.reason,
    });
    const { events } = await callUnary(client.listAuditEvents.bind(client), grpcJs.registry.v1.ListAuditEventsRequest.fromPartial({ modelName: move.modelName, pageSize: 100 }));
    const lines = events.map((event) => ({
      time: event.time ? new Date(Number(event.time.seconds) * 1000 + Math.round(event.time.nanos / 1e6)).toISOString() : '',
      actor: event.actor,
      action: String(AuditAction[event.action]).replace('AUDIT_ACTION_', '').toLowerCase(),
      version: event.version,
      alias: event.alias,
      reason: event.reason,
    }));
    progress.note(`  ✓ ${move.modelName} v${move.version} is now "${move.alias}"${showAudit ? '; audit log:' : ''}`);
    if (showAudit) for (const line of lines) progress.note(`      ${line.time}  ${line.actor.padEnd(14)} ${line.action.padEnd(18)} v${line.version} ${line.alias} ${line.reason}`);
    return lines;
  } finally {
    client.close();
  }
}
