import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { stackEndpoints } from '@kuroshio/testing';
import { Client } from 'minio';

const PYTHON = fileURLToPath(new URL('../../../.tools/venv/bin/python', import.meta.url));
// pyarrow, not our own reader: clean/ must be readable by tools that are not ours.
const READ_PARQUET = [
  'import json, sys, pyarrow.parquet as pq',
  'out = []',
  'for path in sys.argv[1:]:',
  '    table = pq.read_table(path)',
  '    out.append({"path": path, "rows": table.to_pylist()})',
  'print(json.dumps(out, default=str, ensure_ascii=False))',
].join('\n');

/** One line of a raw/ object (see services/etl/src/domain/raw-archive.ts). */
export interface RawArchiveLine {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
}

export interface LakeContents {
  rawKeys: string[];
  cleanKeys: string[];
  /** Every raw/ object, decompressed, and every clean/ object as pyarrow reads it: what a PII scan reads. */
  text: string;
  rawLines: RawArchiveLine[];
  cleanRows: Record<string, unknown>[];
}

function lakeClient(): { client: Client; bucket: string } {
  const { endpoint, accessKey, secretKey, region, buckets } = stackEndpoints().s3;
  const url = new URL(endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: Number(url.port || 80),
    useSSL: url.protocol === 'https:',
    accessKey,
    secretKey: secretKey.reveal(),
    region,
    pathStyle: true,
  });
  return { client, bucket: buckets.lake };
}

async function listKeys(client: Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of client.listObjectsV2(bucket, prefix, true)) {
    if ((item as { name?: string }).name) keys.push((item as { name: string }).name);
  }
  return keys.sort();
}

/** Reads every object under the run's prefix: raw/ gzip NDJSON parsed, clean/ Parquet through pyarrow. */
export async function readLake(prefix: string): Promise<LakeContents> {
  const { client, bucket } = lakeClient();
  const keys = await listKeys(client, bucket, prefix);
  const contents: LakeContents = { rawKeys: [], cleanKeys: [], text: '', rawLines: [], cleanRows: [] };
  const directory = await mkdtemp(join(tmpdir(), 'e2e-lake-'));
  try {
    const parquetFiles: string[] = [];
    for (const key of keys) {
      const body = await buffer(await client.getObject(bucket, key));
      if (key.startsWith(`${prefix}raw/`)) {
        contents.rawKeys.push(key);
        const text = gunzipSync(body).toString('utf8');
        contents.text += `${text}\n`;
        for (const line of text.split('\n')) if (line.trim()) contents.rawLines.push(JSON.parse(line) as RawArchiveLine);
      } else if (key.startsWith(`${prefix}clean/`)) {
        contents.cleanKeys.push(key);
        const file = join(directory, `${parquetFiles.length}.parquet`);
        await writeFile(file, body);
        parquetFiles.push(file);
      }
    }
    if (parquetFiles.length > 0) {
      const { stdout } = await promisify(execFile)(PYTHON, ['-c', READ_PARQUET, ...parquetFiles], { maxBuffer: 256 * 1024 * 1024 }).catch((error: Error) => {
        throw new Error(`pyarrow must be installed in .tools/venv (pip install -r services/etl/requirements-test.txt): ${error.message}`);
      });
      contents.text += stdout;
      for (const file of JSON.parse(stdout) as Array<{ rows: Record<string, unknown>[] }>) contents.cleanRows.push(...file.rows);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  return contents;
}

export async function removeLakePrefix(prefix: string): Promise<void> {
  await removeObjectPrefix(stackEndpoints().s3.buckets.lake, prefix);
}

/** Removes every object under `prefix` of `bucket` (lake or models) on the stack's S3 server. */
export async function removeObjectPrefix(bucket: string, prefix: string): Promise<void> {
  const { client } = lakeClient();
  const keys = await listKeys(client, bucket, prefix);
  if (keys.length > 0) await client.removeObjects(bucket, keys);
}
