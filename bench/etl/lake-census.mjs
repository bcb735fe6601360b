// Counts what the lake holds under a prefix: raw/ lines (gunzipped) and clean/ rows (Parquet footer),
// checking that every raw offset appears exactly once.
import { gunzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';

export async function lakeCensus(store, bucket, prefix) {
  let rawLines = 0;
  let cleanRows = 0;
  let objects = 0;
  const seen = new Set();
  let repeated = 0;
  for await (const item of store.list(bucket, prefix)) {
    if (item.key.includes('/_manifests/') || item.key.startsWith(`${prefix}_manifests/`)) continue;
    objects++;
    const body = await store.get(bucket, item.key);
    if (item.key.startsWith(`${prefix}raw/`)) {
      for (const line of gunzipSync(body).toString('utf8').split('\n')) {
        if (line === '') continue;
        rawLines++;
        const { partition, offset } = JSON.parse(line);
        const coordinates = `${partition}/${offset}`;
        if (seen.has(coordinates)) repeated++;
        seen.add(coordinates);
      }
    } else if (item.key.startsWith(`${prefix}clean/`)) {
      cleanRows += Number(parquetMetadata(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)).num_rows);
    }
  }
  return { objects, rawLines, rawRepeated: repeated, cleanRows };
}

export async function removePrefix(store, bucket, prefix) {
  const keys = [];
  for await (const item of store.list(bucket, prefix)) keys.push(item.key);
  for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((key) => store.remove(bucket, key)));
  return keys.length;
}
