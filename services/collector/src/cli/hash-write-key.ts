// Creates a write key for a new source, or hashes an existing one, and prints the SHA-256 that goes
// into the source's `writeKeySha256`. The key is shown once; the collector never stores it.
//
//   node services/collector/dist/cli/hash-write-key.js            # new random key + its hash
//   printf %s "$KEY" | node services/collector/dist/cli/hash-write-key.js --stdin
import { hashWriteKey, newWriteKey } from '../auth/write-key.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const fromStdin = process.argv.includes('--stdin');
const writeKey = fromStdin ? await readStdin() : newWriteKey();
if (writeKey === '') {
  console.error('empty write key on stdin');
  process.exit(1);
}
if (!fromStdin) console.log(`writeKey:       ${writeKey}   (give this to the source's SDK; it is not stored anywhere)`);
console.log(`writeKeySha256: ${hashWriteKey(writeKey)}`);
