// Baseline child of the memory benchmark: reads, gunzips and JSON.parses every file under a directory, one at a
// time, in name order, and keeps nothing. Plain JavaScript, so no loader adds to its memory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

let files = 0;
let records = 0;
let bytes = 0;
for (const path of walk(process.argv[2])) {
  const buf = readFileSync(path);
  const data = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
  bytes += data.length;
  files++;
  try {
    const recs = JSON.parse(data.toString('utf8')).Records;
    if (Array.isArray(recs)) records += recs.length;
  } catch {
    // not JSON: read and skipped
  }
}
process.stdout.write(JSON.stringify({ files, records, bytes }) + '\n');
